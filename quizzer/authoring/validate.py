"""``quizzer validate``: a bank proves itself before learners see it.

Beyond the loader's schema checks (unknown keys, missing fields, ids unique across files, choice keys
that exist), every item is checked for what only running it can show:

- every learner-facing text is present in both languages;
- ``{name}`` placeholders name declared parameters;
- numeric answers and shapes, and symbolic answers, parse and evaluate, for every value the parameters
  can take (all combinations, or a large sample when there are too many);
- an irrational numeric answer carries a tolerance (a typed decimal can never equal it exactly);
- each exercise's task exists, its solution and alternatives pass, each misconception fails, and the
  unfilled template fails;
- each exercise has hints and at least three misconceptions (the bank's standard);
- a text question's accepted answer does not appear in its own prompt (it would give itself away);
- Japanese texts of questions and exercises follow the bank's style (quizzer.authoring.style);
- and, reported rather than refused: in how many single-answer choice questions the right option is the
  longest one (test-wise learners pick the longest; the bank keeps this to a third at most).

Problems come back as BankError values (``path:line: problem``); the command layer prints them.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from quizzer.authoring.style import style_problems
from quizzer.bank import Problems, bank_dirs, bank_files, read_files
from quizzer.bank.model import (
    BLANK,
    ChoiceSpec,
    Exercise,
    Item,
    NumericSpec,
    Question,
    SymbolicSpec,
    TextSpec,
)
from quizzer.bank.serve import exact
from quizzer.errors import BankError, Phrase, QuizzerError
from quizzer.i18n.text import LANGUAGES, Text

MIN_MISCONCEPTIONS = 3
MAX_COMBINATIONS = 2000
SAMPLED_COMBINATIONS = 400
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Report:
    files: tuple[Path, ...]
    items: int
    questions: int
    exercises: int
    problems: tuple[BankError, ...]
    longest_correct: tuple[int, int] = (0, 0)
    """(right option strictly the longest, single-answer choice questions): the bank's give-away ratio."""

    @property
    def clean(self) -> bool:
        return not self.problems


def validate(paths: Sequence[str] | None = None, *, check_code: bool = True, progress: Callable[[str], None] | None = None) -> Report:
    """Validate the given bank folders or files (default: the banks in use)."""
    dirs = bank_dirs(list(paths) if paths else None)
    files = bank_files(dirs)
    if not files:
        from quizzer.errors import Phrase

        raise QuizzerError.of("no-bank-files", paths=", ".join(paths) if paths else Phrase("the-builtin-bank"))
    problems = Problems()
    items = read_files(files, problems)
    _check_against_builtin(dirs, items, problems)
    from quizzer.authoring.skeleton import todo_fields

    for item in items.values():
        if progress:
            progress(item.id)
        todo = todo_fields(item)
        if todo:
            _add(problems, item, "validate-todo", fields=", ".join(todo))
            continue
        _check_languages(item, problems)
        _check_placeholders(item, problems)
        if isinstance(item, Question):
            _check_question(item, problems)
            _check_answer_in_prompt(item, problems)
        _check_style(item, problems)
    exercises = [i for i in items.values() if isinstance(i, Exercise)]
    ready = [e for e in exercises if not todo_fields(e)]
    for exercise in ready:
        _check_exercise_content(exercise, problems)
    if check_code and ready:
        _check_exercises_run(ready, problems, progress)
    ordered = sorted(problems.items, key=lambda p: (p.path, p.line or 0))
    return Report(
        files=tuple(files),
        items=len(items),
        questions=sum(isinstance(i, Question) for i in items.values()),
        exercises=len(exercises),
        problems=tuple(ordered),
        longest_correct=longest_correct([i for i in items.values() if isinstance(i, Question)]),
    )


def _check_against_builtin(dirs: Sequence[Path], items: dict[str, Item], problems: Problems) -> None:
    """A bank of one's own is used beside the built-in one (``--bank builtin --bank mine``): its ids must
    not clash with the built-in ones, or the two cannot be loaded together."""
    from quizzer.bank import load_index
    from quizzer.bank.files import BUILTIN, builtin_dirs

    builtin = {d.resolve() for d in builtin_dirs()}
    if any(d.resolve() in builtin for d in dirs):
        return
    builtin_files = {f.resolve() for f in bank_files(builtin_dirs())}
    taken = {row["id"] for row in load_index([BUILTIN], "en")}
    for item in items.values():
        if item.id in taken and Path(item.location.path).resolve() not in builtin_files:
            _add(problems, item, "validate-builtin-id")


def _add(problems: Problems, item: Item, key: str, /, **params: object) -> None:
    """The problem ``key`` of the catalogue about ``item``, after its id (``path:line: id: problem``)."""
    problems.add(item.location.path, item.location.line, "validate-item", id=item.id, problem=Phrase(key, **params))


def _check_languages(item: Item, problems: Problems) -> None:
    missing: set[str] = set()
    for text in item.texts():
        if text:
            missing |= set(LANGUAGES) - text.languages()
    if any(text.looks_like_prose() for text in item.texts()):  # options too, as `quizzer list` counts them
        _add(problems, item, "validate-plain-prose")
    if isinstance(item, Question) and isinstance(item.spec, TextSpec):
        missing |= {lang for lang in LANGUAGES if not item.spec.accept.get(lang)}
    for lang in sorted(missing):
        _add(problems, item, "validate-missing-language", lang=lang)


def _check_answer_in_prompt(question: Question, problems: Problems) -> None:
    from quizzer.checking.text import concept_form, mentions

    spec = question.spec
    if not isinstance(spec, TextSpec):
        return
    prompts = [concept_form(question.prompt.get(lang)) for lang in LANGUAGES if getattr(question.prompt, lang)]
    for answer in spec.all_answers():
        if any(mentions(prompt, concept_form(answer)) for prompt in prompts):
            _add(problems, question, "validate-answer-in-prompt", answer=answer)


def _check_style(item: Item, problems: Problems) -> None:
    seen: set[str] = set()
    for text in item.texts():
        for finding in style_problems(text.ja or ""):
            if str(finding) not in seen:
                seen.add(str(finding))
                _add(problems, item, finding.key, **finding.values)


def longest_correct(questions: Iterable[Question]) -> tuple[int, int]:
    """How many single-answer choice questions have their right option as the strictly longest one, of how many."""
    longest = total = 0
    for question in questions:
        spec = question.spec
        if not isinstance(spec, ChoiceSpec) or spec.multiple:
            continue
        total += 1
        lengths = {o.key: len(o.text.en or o.text.ja or "") for o in spec.options}
        right = lengths[next(iter(spec.answer))]
        if all(right > length for key, length in lengths.items() if key not in spec.answer):
            longest += 1
    return longest, total


def _check_placeholders(item: Item, problems: Problems) -> None:
    declared = {p.name for p in item.params}
    used: set[str] = set()
    for text in item.texts():
        for lang in LANGUAGES:
            value = getattr(text, lang) or ""
            used |= set(_PLACEHOLDER.findall(value))
    for name in sorted(used - declared):
        if declared or isinstance(item, Question):
            _add(problems, item, "validate-undeclared-param", name=name)
    for name in sorted(declared - used):
        _add(problems, item, "validate-unused-param", name=name)


def _combinations(item: Item) -> Iterable[dict]:
    if not item.params:
        yield {}
        return
    spaces = [p.values() for p in item.params]
    names = [p.name for p in item.params]
    total = 1
    for space in spaces:
        total *= len(space)
    if total <= MAX_COMBINATIONS:
        for combo in itertools.product(*spaces):
            yield dict(zip(names, combo))
        return
    rng = random.Random(0)
    yield dict(zip(names, [s[0] for s in spaces]))
    yield dict(zip(names, [s[-1] for s in spaces]))
    for _ in range(SAMPLED_COMBINATIONS):
        yield dict(zip(names, [rng.choice(s) for s in spaces]))


def _check_question(question: Question, problems: Problems) -> None:
    from quizzer import maths as expr

    spec = question.spec
    names = tuple(p.name for p in question.params)
    try:
        if isinstance(spec, NumericSpec):
            formulas = [spec.answer] if spec.answer is not None else list(spec.shape or ())
            parsed = [expr.parse(f, variables=names) for f in formulas]
            for values in _combinations(question):
                where = Phrase("validate-with-values", values=_describe(values)) if values else ""
                try:
                    results = [expr.evaluate(p, exact(values)) for p in parsed]
                except QuizzerError as exc:  # e.g. a division by zero: name the values that cause it
                    _add(problems, question, "validate-answer-fails", where=where, error=exc)
                    return
                if spec.shape is not None:
                    for dim in results:
                        if float(dim) != int(float(dim)) or int(float(dim)) < 1:
                            _add(problems, question, "validate-shape-dimension", dim=_short(dim), where=where)
                            return
                elif isinstance(results[0], float) and spec.abs_tol is None and spec.rel_tol is None:
                    _add(problems, question, "validate-not-exact", value=f"{results[0]:.6g}", where=where)
                    return
        elif isinstance(spec, SymbolicSpec):
            if not spec.variables:
                _add(problems, question, "validate-no-variables")
                return
            answer = expr.parse(spec.answer, variables=spec.variables, functions=spec.functions)
            if not expr.equivalent(answer, answer, spec.variables):
                _add(problems, question, "validate-never-evaluates")
    except QuizzerError as exc:
        _add(problems, question, "validate-answer-fails", where="", error=exc)


def _describe(values: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


def _short(value) -> str:
    return f"{float(value):.6g}"


def _check_exercise_content(exercise: Exercise, problems: Problems) -> None:
    if not exercise.hints:
        _add(problems, exercise, "validate-no-hints")
    if len(exercise.misconceptions) < MIN_MISCONCEPTIONS:
        _add(problems, exercise, "validate-few-misconceptions", min=MIN_MISCONCEPTIONS, n=len(exercise.misconceptions))
    if exercise.type == "blank" and BLANK in exercise.solution:
        _add(problems, exercise, "validate-solution-blank", blank=BLANK)
    try:
        from quizzer.engine.tasks import get_task

        get_task(exercise.task)
    except QuizzerError as exc:
        _add(problems, exercise, "validate-error", error=exc)


def _check_exercises_run(exercises: Sequence[Exercise], problems: Problems, progress: Callable[[str], None] | None) -> None:
    from quizzer.engine import grade

    runner = grade.shared_runner()
    for exercise in exercises:
        if progress:
            progress(exercise.id)  # the status line says "validating <id>" in the reader's language
        try:
            from quizzer.engine.tasks import get_task

            get_task(exercise.task)
        except QuizzerError:
            continue  # already reported
        try:
            _run_exercise(exercise, problems, runner)
        except QuizzerError as exc:
            _add(problems, exercise, "validate-not-graded", error=exc)


def _run_exercise(exercise: Exercise, problems: Problems, runner) -> None:
    from quizzer.engine import grade

    answers = [(Phrase("validate-the-solution"), exercise.solution)]
    answers += [(Phrase("validate-the-alternative", n=i + 1), a) for i, a in enumerate(exercise.alternatives)]
    for which, answer in answers:
        result = grade.grade_response(exercise, answer, runner=runner)
        if not result.passed:
            _add(problems, exercise, "validate-does-not-pass", which=which, feedback=result.feedback)
    template = grade.grade_source(exercise, exercise.template, runner=runner)
    if template.passed:
        _add(problems, exercise, "validate-template-passes")
    for number, wrong in enumerate(exercise.misconceptions, start=1):
        wrong_answer = wrong.blank if wrong.blank is not None else wrong.code
        assert wrong_answer is not None  # the reader keeps a misconception only with one of the two
        result = grade.grade_response(exercise, wrong_answer, runner=runner)
        if result.passed:
            _add(problems, exercise, "validate-misconception-passes", n=number)
        elif _first_sentence(wrong.feedback) not in result.feedback:
            _add(problems, exercise, "validate-misconception-unrecognised", n=number)


def _first_sentence(text: Text) -> str:
    return (text.en or text.ja or "").strip().split("\n")[0][:40]
