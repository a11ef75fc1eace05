"""The bank's typed values. YAML is read once (quizzer.bank) into these frozen dataclasses.

Every field is documented in docs/authoring.md; nothing past the loader handles raw dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from quizzer.i18n.text import LANGUAGES, Text

QUESTION_TYPES = ("choice", "numeric", "symbolic", "text", "flashcard")
EXERCISE_TYPES = ("blank", "function")
BLANK = "____"

TOPICS = (
    "cnn-review",
    "rnn",
    "bptt",
    "lstm",
    "gru",
    "bidirectional",
    "seq2seq",
    "hred-vhred",
    "autoencoder-vae",
    "word2vec",
    "attention",
    "training",
    "applications",
)


@dataclass(frozen=True)
class Location:
    """Where an item was defined, for messages of the form ``path:line: problem``."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Param:
    """A parameter drawn fresh at every serving.

    Either ``choices`` (a fixed list) or an inclusive range ``low``..``high`` in steps of ``step``.
    Integer parameters have integer bounds and step.
    """

    name: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[float, ...] = ()

    def values(self) -> tuple[float, ...]:
        """Every value the parameter can take (ranges are small by construction)."""
        if self.choices:
            return self.choices
        assert self.low is not None and self.high is not None
        step = self.step or 1
        count = round((self.high - self.low) / step) + 1
        values = [self.low + i * step for i in range(count)]
        if all(float(v).is_integer() for v in (self.low, step)):
            return tuple(int(v) for v in values)
        return tuple(round(v, 10) for v in values)


@dataclass(frozen=True)
class Option:
    key: str
    text: Text


@dataclass(frozen=True)
class ChoiceSpec:
    options: tuple[Option, ...]
    answer: frozenset[str]
    shuffle: bool = True

    @property
    def multiple(self) -> bool:
        return len(self.answer) > 1


@dataclass(frozen=True)
class NumericSpec:
    """``answer`` is a formula over the parameters (or a constant); ``shape`` a tuple of such formulas."""

    answer: str | None = None
    shape: tuple[str, ...] | None = None
    abs_tol: float | None = None
    rel_tol: float | None = None
    unit: Text = Text()


@dataclass(frozen=True)
class SymbolicSpec:
    answer: str
    variables: tuple[str, ...]
    functions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Concept:
    """One idea a free answer must carry, with the words that express it in each language.

    ``name`` is what a miss tells the learner was missing ("that the weight links one time step to the
    next"); ``synonyms`` are phrases in any language, matched after normalisation (quizzer.checking.text).
    """

    name: Text
    synonyms: dict[str, tuple[str, ...]]

    def all_synonyms(self) -> tuple[str, ...]:
        return tuple(s for lang in LANGUAGES for s in self.synonyms.get(lang, ()))


@dataclass(frozen=True)
class TextSpec:
    """Accepted answers per language; every language's answers are accepted whatever --lang says.

    With ``concepts``, an answer that is none of the accepted ones still passes when it carries every
    concept, in any order and wording the normaliser can see through.
    """

    accept: dict[str, tuple[str, ...]]
    concepts: tuple[Concept, ...] = ()

    def all_answers(self) -> tuple[str, ...]:
        return tuple(a for lang in LANGUAGES for a in self.accept.get(lang, ()))


@dataclass(frozen=True)
class FlashcardSpec:
    answer: Text
    key_points: tuple[Text, ...] = ()


Spec = ChoiceSpec | NumericSpec | SymbolicSpec | TextSpec | FlashcardSpec


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    type: str
    prompt: Text
    explanation: Text
    spec: Spec
    source: str
    location: Location
    hints: tuple[Text, ...] = ()
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    title: Text = Text()
    difficulty: int | None = None
    """1 (recall a fact or a name), 2 (apply it: one computation, one line of code), 3 (derive or combine
    several steps); None when the file gives none."""

    kind = "question"

    def texts(self) -> tuple[Text, ...]:
        """Every learner-facing text, for language completeness checks."""
        out = [self.title, self.prompt, self.explanation, *self.hints]
        spec = self.spec
        if isinstance(spec, ChoiceSpec):
            out += [o.text for o in spec.options]
        elif isinstance(spec, FlashcardSpec):
            out += [spec.answer, *spec.key_points]
        elif isinstance(spec, NumericSpec) and spec.unit:
            out.append(spec.unit)
        elif isinstance(spec, TextSpec):
            out += [c.name for c in spec.concepts]
        return tuple(out)

    def languages(self) -> tuple[str, ...]:
        return _complete_languages(self.texts())

    def prose(self) -> tuple[Text, ...]:
        """The texts that are sentences (options and units may be language-neutral numbers or code)."""
        spec = self.spec
        extra = [spec.answer, *spec.key_points] if isinstance(spec, FlashcardSpec) else []
        return (self.title, self.prompt, self.explanation, *self.hints, *extra)


@dataclass(frozen=True)
class Misconception:
    """A known wrong answer and the sentence of feedback it earns.

    ``blank`` (for blank exercises) or ``code`` (a whole wrong function) is run like a learner's answer, so the
    grader can recognise a submission whose outputs equal it.
    """

    feedback: Text
    blank: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-7
    atol: float = 1e-10


@dataclass(frozen=True)
class RunLimits:
    """An exercise's own sandbox limits; None keeps the default (5 s, 1024 MiB). The command line's
    --timeout and --memory override both."""

    timeout: float | None = None  # seconds of wall clock per submission
    memory: int | None = None  # MiB of address space per submission


@dataclass(frozen=True)
class Exercise:
    """A code exercise: fill in the blank (``____``) of ``template``, or write the whole ``entry`` function.

    ``task`` names the engine task that generates the cases and computes the hidden reference outputs.
    ``provided`` is trusted helper code (e.g. ``sigmoid``) made available to the learner's code.
    For a blank exercise ``solution`` is the expression replacing the blank; for a function exercise it is the
    whole function's source. ``template`` and ``provided`` are the code that runs; ``template_text`` and
    ``provided_text`` hold them once per language when the bank translates their comments and docstrings
    (the same code, checked by the reader), and are what a learner of that language is shown.
    """

    id: str
    topic: str
    type: str
    title: Text
    prompt: Text
    template: str
    solution: str
    entry: str
    task: str
    source: str
    location: Location
    explanation: Text = Text()
    provided: str = ""
    hints: tuple[Text, ...] = ()
    misconceptions: tuple[Misconception, ...] = ()
    tags: tuple[str, ...] = ()
    seeds: tuple[int, ...] = (1, 2, 3)
    tolerance: Tolerance = Tolerance()
    limits: RunLimits = RunLimits()
    alternatives: tuple[str, ...] = ()
    difficulty: int | None = None
    """As for a question: 1 to 3, or None when the file gives none."""
    template_text: Text = Text()
    provided_text: Text = Text()

    kind = "exercise"
    params: tuple[Param, ...] = field(default=(), repr=False)

    def texts(self) -> tuple[Text, ...]:
        out = [self.title, self.prompt, *self.hints]
        if self.explanation:
            out.append(self.explanation)
        out += [m.feedback for m in self.misconceptions]
        return tuple(out)

    def languages(self) -> tuple[str, ...]:
        return _complete_languages(self.texts())

    def prose(self) -> tuple[Text, ...]:
        return self.texts()

    def template_for(self, lang: str) -> str:
        """The template as handed to a learner of ``lang``: its comments in that language when translated."""
        return self.template_text.get(lang) if self.template_text else self.template

    def provided_for(self, lang: str) -> str:
        """The provided helper code as shown to a learner of ``lang``."""
        return self.provided_text.get(lang) if self.provided_text else self.provided

    def filled(self, blank_answer: str) -> str:
        """The template with its blank replaced by ``blank_answer``."""
        return self.template.replace(BLANK, blank_answer, 1)


Item = Question | Exercise


def _complete_languages(texts: tuple[Text, ...]) -> tuple[str, ...]:
    """Languages every text is written in; a plain string reading as prose counts for English only."""

    def langs(text: Text) -> frozenset[str]:
        return frozenset({"en"}) if text.looks_like_prose() else text.languages()

    return tuple(lang for lang in LANGUAGES if all(lang in langs(t) for t in texts if t))
