"""What a lab is, as data: its knobs (with defaults and ranges), its goal, its pieces, the course's
experiments with what the course's notes observed, and the bank items it links to."""

from __future__ import annotations

import io
import math
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizzer.errors import QuizzerError
from quizzer.i18n.text import Text
from quizzer.labs.messages import say

BLANK = "____"
_OPEN, _CLOSE = "# >>>", "# <<<"
SOLUTIONS = Path(__file__).parent / "solutions"
DRIVERS = Path(__file__).parent / "drivers"


@dataclass(frozen=True)
class Part:
    """A catalogue message used inside another, so that both come out in the same language."""

    key: str
    params: dict[str, Any]


def _render(params: dict[str, Any], lang: str) -> dict[str, Any]:
    return {k: say(v.key, lang, **_render(v.params, lang)) if isinstance(v, Part)
            else v.render(lang) if isinstance(v, PythonSyntaxError) else v for k, v in params.items()}


class PythonSyntaxError:
    """Python's message for a syntax error in the learner's file, in the reader's language where
    the engine knows it (``engine.diagnose.python_message``), Python's own words after it."""

    def __init__(self, message: str) -> None:
        self.message = message

    def render(self, lang: str) -> str:
        from quizzer.engine.diagnose import python_message

        return f"SyntaxError: {python_message(self.message, lang)}"


class LabError(QuizzerError):
    """A lab input problem (exit 2): the message exists in English and Japanese."""

    def __init__(self, key: str, *, exit_code: int | None = None, **params: Any) -> None:
        super().__init__(say(key, "en", **_render(params, "en")), exit_code=exit_code)
        self.lab_key = key  # a key of the labs' catalogue (quizzer.labs.messages), not of i18n.labels
        self.params = params

    def text(self, lang: str) -> str:
        return say(self.lab_key, lang, **_render(self.params, lang))


@dataclass(frozen=True)
class Knob:
    name: str
    default: Any
    help: Text
    lo: float | None = None  # for int and float knobs
    hi: float | None = None
    choices: tuple[str, ...] = ()  # for choice knobs

    @property
    def kind(self) -> str:
        if self.choices:
            return "choice"
        return "int" if isinstance(self.default, int) else "float"

    def parse(self, raw: str, lab: str, knobs: str) -> Any:
        def bad(expected: Part) -> LabError:
            return LabError("bad-value", name=self.name, expected=expected, value=raw, lab=lab, knobs=knobs)

        expected: Part
        if self.kind == "choice":
            if raw not in self.choices:
                raise bad(Part("one-of", {"choices": ", ".join(self.choices)}))
            return raw
        assert self.lo is not None and self.hi is not None
        if self.kind == "int":
            expected = Part("int-range", {"lo": int(self.lo), "hi": int(self.hi)})
            try:
                value: float = int(raw)
            except ValueError:
                raise bad(expected) from None
        else:
            expected = Part("range", {"lo": self.lo, "hi": self.hi})
            try:
                value = float(raw)
            except ValueError:
                raise bad(expected) from None
        if not (self.lo <= value <= self.hi):  # also refuses nan
            raise bad(expected)
        return value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.kind, "default": self.default,
                               "help": self.help.to_dict()}
        if self.choices:
            out["choices"] = list(self.choices)
        else:
            out["min"], out["max"] = self.lo, self.hi
        return out


@dataclass(frozen=True)
class Experiment:
    """One of the course's [try] settings, and what the course's notes said happened."""

    label: str
    settings: dict[str, Any]
    observed: Text
    expect: str | None = None  # "pass", "fail", "diverge": what the notes' observation predicts


@dataclass(frozen=True)
class Goal:
    metric: str  # e.g. "accuracy"
    op: str  # ">=" or "<="
    value: float
    text: Text

    def met(self, metric: float | None) -> bool:
        if metric is None or math.isnan(metric):
            return False
        return metric >= self.value if self.op == ">=" else metric <= self.value

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "op": self.op, "value": self.value, "text": self.text.to_dict()}


@dataclass(frozen=True)
class Lab:
    id: str
    title: Text
    summary: Text
    course: str  # the course notebook it follows
    knobs: tuple[Knob, ...]
    goal: Goal
    pieces: dict[str, Text]  # blank label -> what the learner writes there
    experiments: tuple[Experiment, ...]
    questions: tuple[str, ...]  # bank item ids linked from this lab
    time_limit: float = 60.0
    plot_accuracy: bool = False

    @property
    def module(self) -> str:
        return self.id.replace("-", "_")

    def knob_names(self) -> str:
        return ", ".join(k.name for k in self.knobs)

    def knob(self, name: str) -> Knob:
        for knob in self.knobs:
            if knob.name == name:
                return knob
        raise LabError("unknown-knob", lab=self.id, name=name, knobs=self.knob_names())

    def defaults(self) -> dict[str, Any]:
        return {k.name: k.default for k in self.knobs}

    def settings(self, assignments: list[str] | tuple[str, ...] = (), overrides: dict[str, Any] | None = None,
                 seed: int | None = None) -> dict[str, Any]:
        """Defaults, then ``overrides`` (already typed), then ``KNOB=VALUE`` strings, then the seed."""
        out = self.defaults()
        for name, value in (overrides or {}).items():
            self.knob(name)
            out[name] = value
        for text in assignments:
            name, sep, raw = text.partition("=")
            name = name.strip()
            if not sep or not name:
                raise LabError("bad-set", text=text, lab=self.id, knobs=self.knob_names())
            out[name] = self.knob(name).parse(raw.strip(), self.id, self.knob_names())
        if seed is not None:
            out["seed"] = self.knob("seed").parse(str(seed), self.id, self.knob_names())
        return out

    def solution(self) -> str:
        return (SOLUTIONS / f"{self.module}.py").read_text(encoding="utf-8")

    def driver(self) -> str:
        return (DRIVERS / f"{self.module}.py").read_text(encoding="utf-8")

    def template(self) -> str:
        return make_template(self.solution())

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title.get(lang), "summary": self.summary.get(lang),
            "course": self.course, "knobs": [k.to_dict() for k in self.knobs],
            "goal": self.goal.to_dict(), "pieces": {k: v.get(lang) for k, v in self.pieces.items()},
            "time_limit": self.time_limit, "questions": list(self.questions),
            "experiments": [{"label": e.label, "settings": e.settings, "observed": e.observed.get(lang)}
                            for e in self.experiments],
        }


def make_template(solution: str) -> str:
    """The learner's file: the solution with each ``# >>> label`` ... ``# <<<`` region's code
    replaced by ``____``; the region's leading comment lines (the instructions) stay. One source,
    so the template and the solution cannot disagree about anything but the blanks."""
    out: list[str] = []
    inside = False
    hints = True
    for line in solution.splitlines(keepends=True):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped.startswith(_OPEN):
            inside, hints = True, True
            out.append(f"{indent}# ---- your code: {stripped[len(_OPEN):].strip()} ----\n")
            continue
        if stripped.startswith(_CLOSE):
            inside = False
            continue
        if inside:
            if hints and stripped.startswith("#"):
                out.append(line)
            elif hints:
                hints = False
                out.append(f"{indent}{BLANK}\n")
            continue
        out.append(line)
    return "".join(out)


def strip_markers(solution: str) -> str:
    """The solution as a learner would write it: no region markers."""
    return "".join(line for line in solution.splitlines(keepends=True)
                   if not line.strip().startswith((_OPEN, _CLOSE)))


def blanks(source: str) -> list[tuple[int, str]]:
    """(line, piece) of every ``____`` left in the code (as a name, not in a comment or string)."""
    if BLANK not in source:
        return []
    found = []
    label = ""
    lines = source.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        tokens = []
    for tok in tokens:
        if tok.type == tokenize.NAME and tok.string == BLANK:
            for back in range(tok.start[0] - 1, 0, -1):
                text = lines[back - 1].strip()
                if text.startswith("# ---- your code:"):
                    label = text[len("# ---- your code:"):].strip(" -")
                    break
            found.append((tok.start[0], label))
    return found
