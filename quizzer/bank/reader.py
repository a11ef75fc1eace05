"""The YAML side of the bank loader: composed nodes (with line numbers) into typed model values.

Imported only when bank files must actually be parsed (a cached bank skips PyYAML entirely).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from quizzer.bank import schema
from quizzer.bank.files import KEBAB, MAX_PARAM_VALUES, PARAM_NAME, Problems, Subject, at, is_number
from quizzer.bank.model import (
    BLANK,
    EXERCISE_TYPES,
    QUESTION_TYPES,
    ChoiceSpec,
    Concept,
    Exercise,
    FlashcardSpec,
    Item,
    Location,
    Misconception,
    NumericSpec,
    Option,
    Param,
    Question,
    RunLimits,
    Spec,
    SymbolicSpec,
    TextSpec,
    Tolerance,
)
from quizzer.errors import Phrase
from quizzer.i18n.text import LANGUAGES, Text

try:  # libyaml is several times faster; the pure-Python loader gives the same nodes
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

What = str | Subject  # what a problem is about: a YAML key, or an item with its field path
T = TypeVar("T")
D = TypeVar("D")

Fields = dict[str, tuple[yaml.Node, yaml.Node]]
"""A mapping's entries by key: (key node, value node), both kept for their line numbers."""


def _value(fields: Fields, key: str) -> yaml.Node | None:
    """The value node under ``key``, or None when the key is absent (``problem`` accepts None)."""
    entry = fields.get(key)
    return entry[1] if entry is not None else None


def read_file(path: Path, problems: Problems) -> list[Item]:
    name = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(name, None, "bank-unreadable", kind=exc.__class__.__name__, error=exc)
        return []
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.add(name, line, "bank-bad-yaml", error=exc.problem or exc.context)
        return []
    except yaml.YAMLError as exc:
        problems.add(name, None, "bank-bad-yaml", error=exc)
        return []
    if node is None:
        problems.add(name, 1, "bank-empty-file")
        return []
    reader = _Reader(name, problems)
    return reader.file(node)


def same_code(*sources: str) -> bool:
    """The sources are the same Python once comments and docstrings are set aside (a template's languages)."""
    import ast

    def skeleton(source: str) -> str:
        tree = ast.parse(source)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if (isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body
                    and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                node.body = body[1:] or [ast.Pass()]
        return ast.dump(tree)

    try:
        return len({skeleton(source) for source in sources}) == 1
    except SyntaxError:
        return False


class _Reader:
    """Turns composed YAML nodes into model values, reporting problems with line numbers."""

    def __init__(self, path: str, problems: Problems) -> None:
        self.path = path
        self.problems = problems
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, node: yaml.Node | None, key: str, /, **params: object) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.add(self.path, line, key, **params)

    # -- generic node helpers -------------------------------------------------------------------

    def mapping(self, node: yaml.Node, what: What) -> Fields | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, "bank-not-mapping", what=what)
            return None
        out: Fields = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problem(key_node, "bank-key-not-name", what=what)
                continue
            if key in out:
                self.problem(key_node, "bank-repeated-key", what=what, key=key)
                continue
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node, what: What) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, "bank-not-scalar", what=what)
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problem(node, "bank-yaml-value", what=what, error=exc.problem)
            return None

    def string(self, node: yaml.Node, what: What) -> str | None:
        value = self.scalar(node, what)
        if value is None:
            return None
        if isinstance(value, bool):
            self.problem(node, "bank-not-text", what=what, value=value)
            return None
        return str(value)

    def text(self, node: yaml.Node, what: What) -> Text:
        if isinstance(node, yaml.ScalarNode):
            value = self.string(node, what)
            if value is None or not value.strip():
                self.problem(node, "bank-empty", what=what)
                return Text()
            return Text.plain(value)
        fields = self.mapping(node, what)
        if fields is None:
            return Text()
        values: dict[str, str] = {}
        for lang, (key_node, value_node) in fields.items():
            if lang not in LANGUAGES:
                self.problem(key_node, "bank-unknown-language", what=what, lang=lang, languages=Phrase("bank-languages"))
                continue
            value = self.string(value_node, at(what, lang, "."))
            if value is not None and value.strip():
                values[lang] = value
            else:
                self.problem(value_node, "bank-empty", what=at(what, lang, "."))
        if not values:
            self.problem(node, "bank-no-text", what=what)
        return Text(en=values.get("en"), ja=values.get("ja"))

    def sequence(self, node: yaml.Node, what: What) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.problem(node, "bank-not-list", what=what)
        return []

    def strings(self, node: yaml.Node, what: What) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            value = self.string(node, what)
            return (value,) if value is not None else ()
        out = []
        for child in self.sequence(node, what):
            value = self.string(child, what)
            if value is not None:
                out.append(value)
        return tuple(out)

    def hints(self, node: yaml.Node, what: What) -> tuple[Text, ...]:
        return tuple(self.text(child, what) for child in self.sequence(node, "hints"))

    def optional(self, fields: Fields, key: str, read: Callable[[yaml.Node, What], T], what: What, default: D) -> T | D:
        """``read`` applied to the value under ``key``, or ``default`` when the key is absent."""
        return read(fields[key][1], what) if key in fields else default

    def code_text(self, node: yaml.Node, what: What) -> tuple[str | None, Text]:
        """Code handed to the learner (a template, provided helpers): one string, or ``{en: ..., ja: ...}``
        when its comments are translated. The versions must be the same code (comments and docstrings
        aside); the one that runs is the English. Returns (the code that runs, the versions or Text())."""
        if isinstance(node, yaml.ScalarNode):
            return self.string(node, what), Text()
        versions = self.text(node, what)
        missing = [lang for lang in LANGUAGES if not getattr(versions, lang)]
        if missing:
            self.problem(node, "bank-code-missing-language", what=what, missing=", ".join(missing))
            return None, Text()
        if not same_code(*(getattr(versions, lang) for lang in LANGUAGES)):
            self.problem(node, "bank-code-differs", what=what)
            return None, Text()
        return versions.get(LANGUAGES[0]), versions

    def check_keys(self, fields: Fields, allowed: dict, node: yaml.Node, what: What) -> None:
        for key, (key_node, _value) in fields.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = Phrase("bank-did-you-mean", close=close[0]) if close else ""
                self.problem(key_node, "bank-unknown-key", what=what, key=key, hint=hint)
        for key, spec in allowed.items():
            required = spec[1] if isinstance(spec, tuple) else False
            if required and key not in fields:
                self.problem(node, "bank-missing-field", what=what, key=key)

    # -- file and items -------------------------------------------------------------------------

    def file(self, node: yaml.Node) -> list[Item]:
        fields = self.mapping(node, Subject("bank-what-file"))
        if fields is None:
            return []
        for key, (key_node, _v) in fields.items():
            if key not in schema.FILE_KEYS:
                self.problem(key_node, "bank-unknown-top-key", key=key)
        if "format_version" not in fields:
            self.problem(node, "bank-no-format-version")
        else:
            version = self.scalar(fields["format_version"][1], "format_version")
            if version != schema.FORMAT_VERSION:
                self.problem(
                    fields["format_version"][1],
                    "bank-bad-format-version", version=version, supported=schema.FORMAT_VERSION,
                )
                return []
        if "questions" not in fields and "exercises" not in fields:
            self.problem(node, "bank-no-items")
        items: list[Item] = []
        if "questions" in fields:
            for child in self.sequence(fields["questions"][1], "questions"):
                question = self.question(child)
                if question is not None:
                    items.append(question)
        if "exercises" in fields:
            for child in self.sequence(fields["exercises"][1], "exercises"):
                exercise = self.exercise(child)
                if exercise is not None:
                    items.append(exercise)
        return items

    def common_id(self, fields: Fields, node: yaml.Node) -> str | None:
        if "id" not in fields:
            return None
        value = self.string(fields["id"][1], "id")
        if value is not None and not KEBAB.match(value):
            self.problem(fields["id"][1], "bank-id-not-kebab", id=value)
            return None
        return value

    def question(self, node: yaml.Node) -> Question | None:
        fields = self.mapping(node, "a question")
        if fields is None:
            return None
        item_id = self.common_id(fields, node)
        what = Subject("bank-what-question", id=item_id) if item_id else Subject("bank-what-a-question")
        qtype = self.string(fields["type"][1], at(what, "type")) if "type" in fields else None
        if qtype is not None and qtype not in QUESTION_TYPES:
            # the type decides which fields are required: with a mistyped one, anything more is noise
            self.problem(fields["type"][1], "bank-unknown-type", what=what, type=qtype, hint=_did_you_mean(qtype, QUESTION_TYPES))
            return None
        allowed = {**schema.QUESTION_COMMON, **schema.QUESTION_TYPES.get(qtype or "", {})}
        if qtype is None:
            allowed = {**schema.QUESTION_COMMON, **{k: v for t in schema.QUESTION_TYPES.values() for k, v in t.items()}}
        before = len(self.problems.items)
        self.check_keys(fields, allowed, node, what)
        topic = self.topic(_value(fields, "topic"), what)
        prompt = self.optional(fields, "prompt", self.text, at(what, "prompt"), Text())
        explanation = self.optional(fields, "explanation", self.text, at(what, "explanation"), Text())
        hints = self.optional(fields, "hints", self.hints, at(what, "hint"), ())
        tags = self.optional(fields, "tags", self.strings, at(what, "tags"), ())
        source = self.optional(fields, "source", self.string, at(what, "source"), None)
        title = self.optional(fields, "title", self.text, at(what, "title"), Text())
        params = self.optional(fields, "params", self.params, what, ())
        difficulty = self.optional(fields, "difficulty", self.difficulty, what, None)
        spec = self.spec(qtype, fields, node, what) if qtype else None
        if len(self.problems.items) > before or qtype is None or spec is None or item_id is None or topic is None:
            return None
        return Question(
            id=item_id,
            topic=topic,
            type=qtype,
            prompt=prompt,
            explanation=explanation,
            spec=spec,
            source=source or "original",
            location=Location(self.path, node.start_mark.line + 1),
            hints=hints,
            tags=tags,
            params=params,
            title=title,
            difficulty=difficulty,
        )

    def difficulty(self, node: yaml.Node, what: What) -> int | None:
        value = self.scalar(node, at(what, "difficulty"))
        if isinstance(value, bool) or value not in (1, 2, 3):
            self.problem(node, "bank-bad-difficulty", what=what, value=value)
            return None
        return int(value)

    def concepts(self, node: yaml.Node, what: What) -> tuple[Concept, ...]:
        concepts = []
        children = self.sequence(node, at(what, "concepts"))
        if isinstance(node, yaml.SequenceNode) and not children:
            self.problem(node, "bank-no-concepts", what=what)
        for child in children:
            fields = self.mapping(child, at(what, "concept"))
            if fields is None:
                continue
            self.check_keys(fields, {"name": ("text", True), "en": ("strs", False), "ja": ("strs", False)}, child, at(what, "concept"))
            if "name" not in fields:
                continue
            name = self.text(fields["name"][1], at(what, "concept name"))
            synonyms = {lang: self.strings(fields[lang][1], at(what, f"concept {lang}")) for lang in LANGUAGES if lang in fields}
            if not any(synonyms.values()):
                self.problem(child, "bank-concept-no-words", what=what)
                continue
            concepts.append(Concept(name=name, synonyms=synonyms))
        return tuple(concepts)

    def topic(self, node: yaml.Node | None, what: What) -> str | None:
        if node is None:
            return None
        value = self.string(node, at(what, "topic"))
        if value is not None and not KEBAB.match(value):
            self.problem(node, "bank-topic-not-kebab", what=what, topic=value)
            return None
        return value

    def params(self, node: yaml.Node, what: What) -> tuple[Param, ...]:
        fields = self.mapping(node, at(what, "params"))
        if fields is None:
            return ()
        out = []
        for name, (key_node, value_node) in fields.items():
            if not PARAM_NAME.match(name):
                self.problem(key_node, "bank-param-name", what=what, name=name)
                continue
            spec = self.mapping(value_node, at(what, f"parameter {name}"))
            if spec is None:
                continue
            for key, (k_node, _v) in spec.items():
                if key not in ("range", "step", "choices"):
                    self.problem(k_node, "bank-param-unknown-key", what=what, name=name, key=key)
            def numbers(key: str, name: str = name, spec: dict = spec) -> list:
                return [self.scalar(n, at(what, f"parameter {name}.{key}")) for n in self.sequence(spec[key][1], key)]

            if "choices" in spec:
                values = numbers("choices")
                if not values or not all(is_number(v) for v in values):
                    self.problem(spec["choices"][1], "bank-param-choices", what=what, name=name)
                    continue
                out.append(Param(name=name, choices=tuple(values)))
            elif "range" in spec:
                bounds = numbers("range")
                step = self.scalar(spec["step"][1], "step") if "step" in spec else 1
                if len(bounds) != 2 or not all(is_number(v) for v in bounds) or not is_number(step) or step <= 0:
                    self.problem(spec["range"][1], "bank-param-range", what=what, name=name)
                    continue
                low, high = bounds
                if low > high:
                    self.problem(spec["range"][1], "bank-param-range-empty", what=what, name=name, low=low, high=high)
                    continue
                if (high - low) / step > MAX_PARAM_VALUES:
                    self.problem(spec["range"][1], "bank-param-too-many", what=what, name=name, limit=MAX_PARAM_VALUES)
                    continue
                out.append(Param(name=name, low=low, high=high, step=step))
            else:
                self.problem(value_node, "bank-param-no-values", what=what, name=name)
        return tuple(out)

    def spec(self, qtype: str, fields: Fields, node: yaml.Node, what: What) -> Spec | None:
        read = {
            "choice": self.choice_spec,
            "numeric": self.numeric_spec,
            "symbolic": self.symbolic_spec,
            "text": self.text_spec,
            "flashcard": self.flashcard_spec,
        }.get(qtype)
        if read is None:  # pragma: no cover - qtype was checked by the caller
            return None
        return read(fields, node, what)

    def choice_spec(self, fields: Fields, node: yaml.Node, what: What) -> ChoiceSpec | None:
        options = []
        keys: set[str] = set()
        for child in self.sequence(fields["options"][1], at(what, "options")) if "options" in fields else []:
            option = self.mapping(child, at(what, "option"))
            if option is None:
                continue
            self.check_keys(option, {"key": ("str", True), "text": ("text", True)}, child, at(what, "option"))
            if "key" not in option or "text" not in option:
                continue
            key = self.string(option["key"][1], "option key")
            if key is None:
                continue
            if key in keys:
                self.problem(option["key"][1], "bank-option-twice", what=what, key=key)
            keys.add(key)
            options.append(Option(key=key, text=self.text(option["text"][1], at(what, f"option {key}"))))
        if len(options) < 2:
            self.problem(_value(fields, "options") or node, "bank-choice-two-options", what=what)
            return None
        answer = self.optional(fields, "answer", self.strings, at(what, "answer"), ())
        for key in answer:
            if key not in keys:
                self.problem(_value(fields, "answer"), "bank-answer-not-option", what=what, key=key, keys=", ".join(sorted(keys)))
                return None
        if not answer:
            self.problem(_value(fields, "answer") or node, "bank-answer-no-option", what=what)
            return None
        shuffle = self.optional(fields, "shuffle", self.scalar, "shuffle", True)
        if not isinstance(shuffle, bool):
            self.problem(_value(fields, "shuffle"), "bank-shuffle", what=what)
            shuffle = True
        return ChoiceSpec(options=tuple(options), answer=frozenset(answer), shuffle=shuffle)

    def numeric_spec(self, fields: Fields, node: yaml.Node, what: What) -> NumericSpec | None:
        answer = None
        if "answer" in fields:
            value = self.scalar(fields["answer"][1], at(what, "answer"))
            if value is None or isinstance(value, bool):
                self.problem(fields["answer"][1], "bank-numeric-answer", what=what)
                return None
            answer = str(value)
        shape = None
        if "shape" in fields:
            shape = tuple(str(self.scalar(n, "shape")) for n in self.sequence(fields["shape"][1], at(what, "shape")))
            if not shape:
                self.problem(fields["shape"][1], "bank-shape-empty", what=what)
                return None
        if (answer is None) == (shape is None):
            self.problem(node, "bank-answer-or-shape", what=what)
            return None
        abs_tol = rel_tol = None
        if "tolerance" in fields:
            tol = self.mapping(fields["tolerance"][1], at(what, "tolerance")) or {}
            for key, (k_node, v_node) in tol.items():
                value = self.scalar(v_node, f"tolerance.{key}")
                if key not in ("abs", "rel"):
                    self.problem(k_node, "bank-unknown-key-use", what=what, field="tolerance", key=key, use="abs or rel")
                elif not is_number(value) or value < 0:
                    self.problem(v_node, "bank-tolerance", what=what, key=key)
                elif key == "abs":
                    abs_tol = float(value)
                else:
                    rel_tol = float(value)
        unit = self.optional(fields, "unit", self.text, at(what, "unit"), Text())
        return NumericSpec(answer=answer, shape=shape, abs_tol=abs_tol, rel_tol=rel_tol, unit=unit)

    def symbolic_spec(self, fields: Fields, node: yaml.Node, what: What) -> SymbolicSpec | None:
        answer = self.optional(fields, "answer", self.string, at(what, "answer"), None)
        variables = self.optional(fields, "variables", self.strings, at(what, "variables"), ())
        functions = self.optional(fields, "functions", self.strings, at(what, "functions"), None)
        if answer is None:
            return None
        return SymbolicSpec(answer=answer, variables=variables, functions=functions)

    def text_spec(self, fields: Fields, node: yaml.Node, what: What) -> TextSpec | None:
        accept_node = _value(fields, "accept")
        fields_accept = self.mapping(accept_node, at(what, "accept")) if accept_node is not None else None
        if not fields_accept:
            return None
        accept: dict[str, tuple[str, ...]] = {}
        for lang, (k_node, v_node) in fields_accept.items():
            if lang not in LANGUAGES:
                self.problem(k_node, "bank-accept-language", what=what, lang=lang)
                continue
            accept[lang] = self.strings(v_node, at(what, f"accept.{lang}"))
        if not any(accept.values()):
            self.problem(accept_node, "bank-accept-empty", what=what)
            return None
        concepts = self.optional(fields, "concepts", self.concepts, what, ())
        return TextSpec(accept=accept, concepts=concepts)

    def flashcard_spec(self, fields: Fields, node: yaml.Node, what: What) -> FlashcardSpec | None:
        if "answer" not in fields:
            return None
        answer = self.text(fields["answer"][1], at(what, "answer"))
        points = (
            tuple(self.text(p, at(what, "key point")) for p in self.sequence(fields["key_points"][1], "key_points"))
            if "key_points" in fields
            else ()
        )
        return FlashcardSpec(answer=answer, key_points=points)

    def exercise(self, node: yaml.Node) -> Exercise | None:
        fields = self.mapping(node, "an exercise")
        if fields is None:
            return None
        item_id = self.common_id(fields, node)
        what = Subject("bank-what-exercise", id=item_id) if item_id else Subject("bank-what-an-exercise")
        before = len(self.problems.items)
        self.check_keys(fields, schema.EXERCISE_FIELDS, node, what)
        etype = self.optional(fields, "type", self.string, at(what, "type"), None)
        if etype is not None and etype not in EXERCISE_TYPES:
            self.problem(_value(fields, "type"), "bank-unknown-type", what=what, type=etype, hint=_did_you_mean(etype, EXERCISE_TYPES))
        topic = self.topic(_value(fields, "topic"), what)

        def code(key: str) -> str | None:
            return self.optional(fields, key, self.string, at(what, f"{key}"), None)

        template, template_text = self.optional(fields, "template", self.code_text, at(what, "template"), (None, Text()))
        solution, entry, task = code("solution"), code("entry"), code("task")
        provided, provided_text = self.optional(fields, "provided", self.code_text, at(what, "provided"), ("", Text()))
        for version in [template_text.get(lang) for lang in LANGUAGES] if template_text else [template]:
            if version is not None and etype == "blank" and version.count(BLANK) != 1:
                self.problem(_value(fields, "template"), "bank-template-blank", what=what, blank=BLANK)
                break
        misconceptions = []
        for child in self.sequence(fields["misconceptions"][1], "misconceptions") if "misconceptions" in fields else []:
            entry_fields = self.mapping(child, at(what, "misconception"))
            if entry_fields is None:
                continue
            self.check_keys(entry_fields, {"blank": ("code", False), "code": ("code", False), "feedback": ("text", True)}, child, at(what, "misconception"))
            blank = self.string(entry_fields["blank"][1], "blank") if "blank" in entry_fields else None
            wrong_code = self.string(entry_fields["code"][1], "code") if "code" in entry_fields else None
            if (blank is None) == (wrong_code is None):
                self.problem(child, "bank-misconception-blank-or-code", what=what)
                continue
            if blank is not None and etype == "function":
                self.problem(child, "bank-misconception-code", what=what)
                continue
            if "feedback" not in entry_fields:
                continue
            feedback = self.text(entry_fields["feedback"][1], at(what, "misconception feedback"))
            misconceptions.append(Misconception(feedback=feedback, blank=blank, code=wrong_code))
        seeds: tuple[int, ...] = (1, 2, 3)
        if "seeds" in fields:
            raw = [self.scalar(n, "seed") for n in self.sequence(fields["seeds"][1], at(what, "seeds"))]
            if len(raw) < 3 or not all(isinstance(s, int) and not isinstance(s, bool) for s in raw):
                self.problem(fields["seeds"][1], "bank-seeds", what=what)
            else:
                seeds = tuple(raw)
        tolerance = Tolerance()
        if "tolerance" in fields:
            tol = self.mapping(fields["tolerance"][1], at(what, "tolerance")) or {}
            values = {}
            for key, (k_node, v_node) in tol.items():
                value = self.scalar(v_node, key)
                if key not in ("rtol", "atol"):
                    self.problem(k_node, "bank-unknown-key-use", what=what, field="tolerance", key=key, use="rtol or atol")
                elif not is_number(value) or value < 0:
                    self.problem(v_node, "bank-tolerance", what=what, key=key)
                else:
                    values[key] = float(value)
            tolerance = Tolerance(**values)
        limits = RunLimits()
        if "limits" in fields:
            raw_limits = self.mapping(fields["limits"][1], at(what, "limits")) or {}
            timeout: float | None = None
            memory: int | None = None
            for key, (k_node, v_node) in raw_limits.items():
                value = self.scalar(v_node, key)
                if key not in ("timeout", "memory"):
                    self.problem(k_node, "bank-unknown-key-use", what=what, field="limits", key=key, use="timeout or memory")
                elif key == "timeout" and not (is_number(value) and 0 < value <= 600):
                    self.problem(v_node, "bank-limits-timeout", what=what)
                elif key == "memory" and not (isinstance(value, int) and not isinstance(value, bool)
                                              and 64 <= value <= 65536):
                    self.problem(v_node, "bank-limits-memory", what=what)
                elif key == "timeout":
                    timeout = float(value)
                else:
                    memory = int(value)
            limits = RunLimits(timeout=timeout, memory=memory)
        texts = {key: self.text(fields[key][1], at(what, f"{key}")) for key in ("title", "prompt", "explanation") if key in fields}
        hints = self.optional(fields, "hints", self.hints, at(what, "hint"), ())
        tags = self.optional(fields, "tags", self.strings, at(what, "tags"), ())
        alternatives = self.optional(fields, "alternatives", self.strings, at(what, "alternatives"), ())
        source = self.optional(fields, "source", self.string, at(what, "source"), None)
        difficulty = self.optional(fields, "difficulty", self.difficulty, what, None)
        if (
            len(self.problems.items) > before
            or item_id is None
            or topic is None
            or etype is None
            or template is None
            or solution is None
            or entry is None
            or task is None
        ):
            return None
        return Exercise(
            id=item_id,
            topic=topic,
            type=etype,
            title=texts.get("title", Text()),
            prompt=texts.get("prompt", Text()),
            template=template,
            solution=solution,
            entry=entry,
            task=task,
            source=source or "original",
            location=Location(self.path, node.start_mark.line + 1),
            explanation=texts.get("explanation", Text()),
            provided=provided or "",
            hints=hints,
            misconceptions=tuple(misconceptions),
            tags=tags,
            seeds=seeds,
            tolerance=tolerance,
            limits=limits,
            alternatives=alternatives,
            difficulty=difficulty,
            template_text=template_text,
            provided_text=provided_text,
        )


def _did_you_mean(word: str, choices: Sequence[str]) -> Phrase:
    """"; did you mean 'numeric'?" first when one choice is close, then the list of choices."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return Phrase("bank-type-did-you-mean", close=close[0], choices=", ".join(choices))
    return Phrase("bank-type-use-one-of", choices=", ".join(choices))
