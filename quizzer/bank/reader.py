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
from quizzer.bank.files import KEBAB, MAX_PARAM_VALUES, PARAM_NAME, Problems, is_number
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
from quizzer.i18n.text import LANGUAGES, Text

try:  # libyaml is several times faster; the pure-Python loader gives the same nodes
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

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
        problems.add(name, None, f"cannot read the file ({exc.__class__.__name__}: {exc})")
        return []
    try:
        node = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.add(name, line, f"not valid YAML: {exc.problem or exc.context}")
        return []
    except yaml.YAMLError as exc:
        problems.add(name, None, f"not valid YAML: {exc}")
        return []
    if node is None:
        problems.add(name, 1, "the file is empty; expected format_version and questions or exercises")
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

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.add(self.path, line, message)

    # -- generic node helpers -------------------------------------------------------------------

    def mapping(self, node: yaml.Node, what: str) -> Fields | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping (key: value)")
            return None
        out: Fields = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problem(key_node, f"{what} has a key that is not a plain name")
                continue
            if key in out:
                self.problem(key_node, f"{what} repeats the key {key!r}")
                continue
            out[key] = (key_node, value_node)
        return out

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be a single value, not a list or mapping")
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problem(node, f"{what}: {exc.problem}")
            return None

    def string(self, node: yaml.Node, what: str) -> str | None:
        value = self.scalar(node, what)
        if value is None:
            return None
        if isinstance(value, bool):
            self.problem(node, f"{what} must be text, not {value!r}")
            return None
        return str(value)

    def text(self, node: yaml.Node, what: str) -> Text:
        if isinstance(node, yaml.ScalarNode):
            value = self.string(node, what)
            if value is None or not value.strip():
                self.problem(node, f"{what} is empty")
                return Text()
            return Text.plain(value)
        fields = self.mapping(node, what)
        if fields is None:
            return Text()
        values: dict[str, str] = {}
        for lang, (key_node, value_node) in fields.items():
            if lang not in LANGUAGES:
                self.problem(key_node, f"{what} has an unknown language {lang!r}; use {' or '.join(LANGUAGES)}")
                continue
            value = self.string(value_node, f"{what}.{lang}")
            if value is not None and value.strip():
                values[lang] = value
            else:
                self.problem(value_node, f"{what}.{lang} is empty")
        if not values:
            self.problem(node, f"{what} has no text in any language")
        return Text(en=values.get("en"), ja=values.get("ja"))

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.problem(node, f"{what} must be a list")
        return []

    def strings(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            value = self.string(node, what)
            return (value,) if value is not None else ()
        out = []
        for child in self.sequence(node, what):
            value = self.string(child, what)
            if value is not None:
                out.append(value)
        return tuple(out)

    def hints(self, node: yaml.Node, what: str) -> tuple[Text, ...]:
        return tuple(self.text(child, what) for child in self.sequence(node, "hints"))

    def optional(self, fields: Fields, key: str, read: Callable[[yaml.Node, str], T], what: str, default: D) -> T | D:
        """``read`` applied to the value under ``key``, or ``default`` when the key is absent."""
        return read(fields[key][1], what) if key in fields else default

    def code_text(self, node: yaml.Node, what: str) -> tuple[str | None, Text]:
        """Code handed to the learner (a template, provided helpers): one string, or ``{en: ..., ja: ...}``
        when its comments are translated. The versions must be the same code (comments and docstrings
        aside); the one that runs is the English. Returns (the code that runs, the versions or Text())."""
        if isinstance(node, yaml.ScalarNode):
            return self.string(node, what), Text()
        versions = self.text(node, what)
        missing = [lang for lang in LANGUAGES if not getattr(versions, lang)]
        if missing:
            self.problem(node, f"{what}: a translated version needs every language (missing: {', '.join(missing)})")
            return None, Text()
        if not same_code(*(getattr(versions, lang) for lang in LANGUAGES)):
            self.problem(node, f"{what}: the languages differ in more than comments and docstrings")
            return None, Text()
        return versions.get(LANGUAGES[0]), versions

    def check_keys(self, fields: Fields, allowed: dict, node: yaml.Node, what: str) -> None:
        for key, (key_node, _value) in fields.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.problem(key_node, f"{what}: unknown key {key!r}{hint}")
        for key, spec in allowed.items():
            required = spec[1] if isinstance(spec, tuple) else False
            if required and key not in fields:
                self.problem(node, f"{what}: missing required field {key!r}")

    # -- file and items -------------------------------------------------------------------------

    def file(self, node: yaml.Node) -> list[Item]:
        fields = self.mapping(node, "a bank file")
        if fields is None:
            return []
        for key, (key_node, _v) in fields.items():
            if key not in schema.FILE_KEYS:
                self.problem(key_node, f"unknown top-level key {key!r}; expected format_version, questions, exercises")
        if "format_version" not in fields:
            self.problem(node, "missing format_version (this version of quizzer reads format_version: 1)")
        else:
            version = self.scalar(fields["format_version"][1], "format_version")
            if version != schema.FORMAT_VERSION:
                self.problem(
                    fields["format_version"][1],
                    f"format_version {version!r} is not supported (this version of quizzer reads {schema.FORMAT_VERSION})",
                )
                return []
        if "questions" not in fields and "exercises" not in fields:
            self.problem(node, "the file has neither questions nor exercises")
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
            self.problem(fields["id"][1], f"id {value!r} must be kebab-case (lowercase letters, digits and -)")
            return None
        return value

    def question(self, node: yaml.Node) -> Question | None:
        fields = self.mapping(node, "a question")
        if fields is None:
            return None
        item_id = self.common_id(fields, node)
        what = f"question {item_id!r}" if item_id else "a question"
        qtype = self.string(fields["type"][1], f"{what}: type") if "type" in fields else None
        if qtype is not None and qtype not in QUESTION_TYPES:
            # the type decides which fields are required: with a mistyped one, anything more is noise
            self.problem(fields["type"][1], f"{what}: unknown type {qtype!r}{_did_you_mean(qtype, QUESTION_TYPES)}")
            return None
        allowed = {**schema.QUESTION_COMMON, **schema.QUESTION_TYPES.get(qtype or "", {})}
        if qtype is None:
            allowed = {**schema.QUESTION_COMMON, **{k: v for t in schema.QUESTION_TYPES.values() for k, v in t.items()}}
        before = len(self.problems.items)
        self.check_keys(fields, allowed, node, what)
        topic = self.topic(_value(fields, "topic"), what)
        prompt = self.optional(fields, "prompt", self.text, f"{what}: prompt", Text())
        explanation = self.optional(fields, "explanation", self.text, f"{what}: explanation", Text())
        hints = self.optional(fields, "hints", self.hints, f"{what}: hint", ())
        tags = self.optional(fields, "tags", self.strings, f"{what}: tags", ())
        source = self.optional(fields, "source", self.string, f"{what}: source", None)
        title = self.optional(fields, "title", self.text, f"{what}: title", Text())
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

    def difficulty(self, node: yaml.Node, what: str) -> int | None:
        value = self.scalar(node, f"{what}: difficulty")
        if isinstance(value, bool) or value not in (1, 2, 3):
            self.problem(node, f"{what}: difficulty must be 1, 2 or 3, not {value!r}")
            return None
        return int(value)

    def concepts(self, node: yaml.Node, what: str) -> tuple[Concept, ...]:
        concepts = []
        children = self.sequence(node, f"{what}: concepts")
        if isinstance(node, yaml.SequenceNode) and not children:
            self.problem(node, f"{what}: concepts is empty; list at least one, or leave the key out")
        for child in children:
            fields = self.mapping(child, f"{what}: concept")
            if fields is None:
                continue
            self.check_keys(fields, {"name": ("text", True), "en": ("strs", False), "ja": ("strs", False)}, child, f"{what}: concept")
            if "name" not in fields:
                continue
            name = self.text(fields["name"][1], f"{what}: concept name")
            synonyms = {lang: self.strings(fields[lang][1], f"{what}: concept {lang}") for lang in LANGUAGES if lang in fields}
            if not any(synonyms.values()):
                self.problem(child, f"{what}: a concept lists no words (give en: [...] and ja: [...])")
                continue
            concepts.append(Concept(name=name, synonyms=synonyms))
        return tuple(concepts)

    def topic(self, node: yaml.Node | None, what: str) -> str | None:
        if node is None:
            return None
        value = self.string(node, f"{what}: topic")
        if value is not None and not KEBAB.match(value):
            self.problem(node, f"{what}: topic {value!r} must be kebab-case")
            return None
        return value

    def params(self, node: yaml.Node, what: str) -> tuple[Param, ...]:
        fields = self.mapping(node, f"{what}: params")
        if fields is None:
            return ()
        out = []
        for name, (key_node, value_node) in fields.items():
            if not PARAM_NAME.match(name):
                self.problem(key_node, f"{what}: parameter name {name!r} must be an identifier")
                continue
            spec = self.mapping(value_node, f"{what}: parameter {name}")
            if spec is None:
                continue
            for key, (k_node, _v) in spec.items():
                if key not in ("range", "step", "choices"):
                    self.problem(k_node, f"{what}: parameter {name}: unknown key {key!r} (use range, step or choices)")
            def numbers(key: str, name: str = name, spec: dict = spec) -> list:
                return [self.scalar(n, f"{what}: parameter {name}.{key}") for n in self.sequence(spec[key][1], key)]

            if "choices" in spec:
                values = numbers("choices")
                if not values or not all(is_number(v) for v in values):
                    self.problem(spec["choices"][1], f"{what}: parameter {name}: choices must be a non-empty list of numbers")
                    continue
                out.append(Param(name=name, choices=tuple(values)))
            elif "range" in spec:
                bounds = numbers("range")
                step = self.scalar(spec["step"][1], "step") if "step" in spec else 1
                if len(bounds) != 2 or not all(is_number(v) for v in bounds) or not is_number(step) or step <= 0:
                    self.problem(spec["range"][1], f"{what}: parameter {name}: range must be [low, high] with a positive step")
                    continue
                low, high = bounds
                if low > high:
                    self.problem(spec["range"][1], f"{what}: parameter {name}: range [{low}, {high}] is empty")
                    continue
                if (high - low) / step > MAX_PARAM_VALUES:
                    self.problem(spec["range"][1], f"{what}: parameter {name}: more than {MAX_PARAM_VALUES} values")
                    continue
                out.append(Param(name=name, low=low, high=high, step=step))
            else:
                self.problem(value_node, f"{what}: parameter {name} needs range or choices")
        return tuple(out)

    def spec(self, qtype: str, fields: Fields, node: yaml.Node, what: str) -> Spec | None:
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

    def choice_spec(self, fields: Fields, node: yaml.Node, what: str) -> ChoiceSpec | None:
        options = []
        keys: set[str] = set()
        for child in self.sequence(fields["options"][1], f"{what}: options") if "options" in fields else []:
            option = self.mapping(child, f"{what}: option")
            if option is None:
                continue
            self.check_keys(option, {"key": ("str", True), "text": ("text", True)}, child, f"{what}: option")
            if "key" not in option or "text" not in option:
                continue
            key = self.string(option["key"][1], "option key")
            if key is None:
                continue
            if key in keys:
                self.problem(option["key"][1], f"{what}: option key {key!r} is used twice")
            keys.add(key)
            options.append(Option(key=key, text=self.text(option["text"][1], f"{what}: option {key}")))
        if len(options) < 2:
            self.problem(_value(fields, "options") or node, f"{what}: a choice question needs at least two options")
            return None
        answer = self.optional(fields, "answer", self.strings, f"{what}: answer", ())
        for key in answer:
            if key not in keys:
                self.problem(_value(fields, "answer"), f"{what}: answer {key!r} is not one of the option keys ({', '.join(sorted(keys))})")
                return None
        if not answer:
            self.problem(_value(fields, "answer") or node, f"{what}: answer must name at least one option key")
            return None
        shuffle = self.optional(fields, "shuffle", self.scalar, "shuffle", True)
        if not isinstance(shuffle, bool):
            self.problem(_value(fields, "shuffle"), f"{what}: shuffle must be true or false")
            shuffle = True
        return ChoiceSpec(options=tuple(options), answer=frozenset(answer), shuffle=shuffle)

    def numeric_spec(self, fields: Fields, node: yaml.Node, what: str) -> NumericSpec | None:
        answer = None
        if "answer" in fields:
            value = self.scalar(fields["answer"][1], f"{what}: answer")
            if value is None or isinstance(value, bool):
                self.problem(fields["answer"][1], f"{what}: answer must be a number or a formula")
                return None
            answer = str(value)
        shape = None
        if "shape" in fields:
            shape = tuple(str(self.scalar(n, "shape")) for n in self.sequence(fields["shape"][1], f"{what}: shape"))
            if not shape:
                self.problem(fields["shape"][1], f"{what}: shape must list at least one dimension")
                return None
        if (answer is None) == (shape is None):
            self.problem(node, f"{what}: a numeric question needs exactly one of answer or shape")
            return None
        abs_tol = rel_tol = None
        if "tolerance" in fields:
            tol = self.mapping(fields["tolerance"][1], f"{what}: tolerance") or {}
            for key, (k_node, v_node) in tol.items():
                value = self.scalar(v_node, f"tolerance.{key}")
                if key not in ("abs", "rel"):
                    self.problem(k_node, f"{what}: tolerance: unknown key {key!r} (use abs or rel)")
                elif not is_number(value) or value < 0:
                    self.problem(v_node, f"{what}: tolerance.{key} must be a non-negative number")
                elif key == "abs":
                    abs_tol = float(value)
                else:
                    rel_tol = float(value)
        unit = self.optional(fields, "unit", self.text, f"{what}: unit", Text())
        return NumericSpec(answer=answer, shape=shape, abs_tol=abs_tol, rel_tol=rel_tol, unit=unit)

    def symbolic_spec(self, fields: Fields, node: yaml.Node, what: str) -> SymbolicSpec | None:
        answer = self.optional(fields, "answer", self.string, f"{what}: answer", None)
        variables = self.optional(fields, "variables", self.strings, f"{what}: variables", ())
        functions = self.optional(fields, "functions", self.strings, f"{what}: functions", None)
        if answer is None:
            return None
        return SymbolicSpec(answer=answer, variables=variables, functions=functions)

    def text_spec(self, fields: Fields, node: yaml.Node, what: str) -> TextSpec | None:
        accept_node = _value(fields, "accept")
        fields_accept = self.mapping(accept_node, f"{what}: accept") if accept_node is not None else None
        if not fields_accept:
            return None
        accept: dict[str, tuple[str, ...]] = {}
        for lang, (k_node, v_node) in fields_accept.items():
            if lang not in LANGUAGES:
                self.problem(k_node, f"{what}: accept has an unknown language {lang!r}")
                continue
            accept[lang] = self.strings(v_node, f"{what}: accept.{lang}")
        if not any(accept.values()):
            self.problem(accept_node, f"{what}: accept lists no answers")
            return None
        concepts = self.optional(fields, "concepts", self.concepts, what, ())
        return TextSpec(accept=accept, concepts=concepts)

    def flashcard_spec(self, fields: Fields, node: yaml.Node, what: str) -> FlashcardSpec | None:
        if "answer" not in fields:
            return None
        answer = self.text(fields["answer"][1], f"{what}: answer")
        points = (
            tuple(self.text(p, f"{what}: key point") for p in self.sequence(fields["key_points"][1], "key_points"))
            if "key_points" in fields
            else ()
        )
        return FlashcardSpec(answer=answer, key_points=points)

    def exercise(self, node: yaml.Node) -> Exercise | None:
        fields = self.mapping(node, "an exercise")
        if fields is None:
            return None
        item_id = self.common_id(fields, node)
        what = f"exercise {item_id!r}" if item_id else "an exercise"
        before = len(self.problems.items)
        self.check_keys(fields, schema.EXERCISE_FIELDS, node, what)
        etype = self.optional(fields, "type", self.string, f"{what}: type", None)
        if etype is not None and etype not in EXERCISE_TYPES:
            self.problem(_value(fields, "type"), f"{what}: unknown type {etype!r}{_did_you_mean(etype, EXERCISE_TYPES)}")
        topic = self.topic(_value(fields, "topic"), what)

        def code(key: str) -> str | None:
            return self.optional(fields, key, self.string, f"{what}: {key}", None)

        template, template_text = self.optional(fields, "template", self.code_text, f"{what}: template", (None, Text()))
        solution, entry, task = code("solution"), code("entry"), code("task")
        provided, provided_text = self.optional(fields, "provided", self.code_text, f"{what}: provided", ("", Text()))
        for version in [template_text.get(lang) for lang in LANGUAGES] if template_text else [template]:
            if version is not None and etype == "blank" and version.count(BLANK) != 1:
                self.problem(_value(fields, "template"), f"{what}: a blank exercise's template must contain exactly one {BLANK}")
                break
        misconceptions = []
        for child in self.sequence(fields["misconceptions"][1], "misconceptions") if "misconceptions" in fields else []:
            entry_fields = self.mapping(child, f"{what}: misconception")
            if entry_fields is None:
                continue
            self.check_keys(entry_fields, {"blank": ("code", False), "code": ("code", False), "feedback": ("text", True)}, child, f"{what}: misconception")
            blank = self.string(entry_fields["blank"][1], "blank") if "blank" in entry_fields else None
            wrong_code = self.string(entry_fields["code"][1], "code") if "code" in entry_fields else None
            if (blank is None) == (wrong_code is None):
                self.problem(child, f"{what}: a misconception needs exactly one of blank or code")
                continue
            if blank is not None and etype == "function":
                self.problem(child, f"{what}: a function exercise's misconception gives code, not blank")
                continue
            if "feedback" not in entry_fields:
                continue
            feedback = self.text(entry_fields["feedback"][1], f"{what}: misconception feedback")
            misconceptions.append(Misconception(feedback=feedback, blank=blank, code=wrong_code))
        seeds: tuple[int, ...] = (1, 2, 3)
        if "seeds" in fields:
            raw = [self.scalar(n, "seed") for n in self.sequence(fields["seeds"][1], f"{what}: seeds")]
            if len(raw) < 3 or not all(isinstance(s, int) and not isinstance(s, bool) for s in raw):
                self.problem(fields["seeds"][1], f"{what}: seeds must list at least 3 integers")
            else:
                seeds = tuple(raw)
        tolerance = Tolerance()
        if "tolerance" in fields:
            tol = self.mapping(fields["tolerance"][1], f"{what}: tolerance") or {}
            values = {}
            for key, (k_node, v_node) in tol.items():
                value = self.scalar(v_node, key)
                if key not in ("rtol", "atol"):
                    self.problem(k_node, f"{what}: tolerance: unknown key {key!r} (use rtol or atol)")
                elif not is_number(value) or value < 0:
                    self.problem(v_node, f"{what}: tolerance.{key} must be a non-negative number")
                else:
                    values[key] = float(value)
            tolerance = Tolerance(**values)
        limits = RunLimits()
        if "limits" in fields:
            raw_limits = self.mapping(fields["limits"][1], f"{what}: limits") or {}
            timeout: float | None = None
            memory: int | None = None
            for key, (k_node, v_node) in raw_limits.items():
                value = self.scalar(v_node, key)
                if key not in ("timeout", "memory"):
                    self.problem(k_node, f"{what}: limits: unknown key {key!r} (use timeout or memory)")
                elif key == "timeout" and not (is_number(value) and 0 < value <= 600):
                    self.problem(v_node, f"{what}: limits.timeout must be a number of seconds, above 0 and at most 600")
                elif key == "memory" and not (isinstance(value, int) and not isinstance(value, bool)
                                              and 64 <= value <= 65536):
                    self.problem(v_node, f"{what}: limits.memory must be a whole number of MiB from 64 to 65536")
                elif key == "timeout":
                    timeout = float(value)
                else:
                    memory = int(value)
            limits = RunLimits(timeout=timeout, memory=memory)
        texts = {key: self.text(fields[key][1], f"{what}: {key}") for key in ("title", "prompt", "explanation") if key in fields}
        hints = self.optional(fields, "hints", self.hints, f"{what}: hint", ())
        tags = self.optional(fields, "tags", self.strings, f"{what}: tags", ())
        alternatives = self.optional(fields, "alternatives", self.strings, f"{what}: alternatives", ())
        source = self.optional(fields, "source", self.string, f"{what}: source", None)
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


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    """"; did you mean 'numeric'?" first when one choice is close, then the list of choices."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    listed = f"use one of {', '.join(choices)}"
    return f"; did you mean {close[0]!r}? ({listed})" if close else f"; {listed}"
