"""Engine tasks: how an exercise's cases are generated and what the hidden reference returns for them.

An exercise names its task (``task: lstm-cell``). A task turns the exercise's seeds into cases: keyword
arguments for the learner's entry function and the reference outputs they must produce. The reference
outputs are computed here, in quizzer's process, and never sent to the learner's process.

Task modules register themselves with ``@register("name")``; ``get_task`` imports them on first use so
that numpy is only imported on the paths that grade code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quizzer.errors import QuizzerError

# Modules under quizzer/engine/tasks/ that define tasks. Add a module here when you add one.
TASK_MODULES = ("course", "extra", "models")

_REGISTRY: dict[str, Task] = {}
_loaded = False


@dataclass(frozen=True)
class Case:
    """One graded call: ``args`` for the entry function and the reference's ``expected`` outputs."""

    name: str
    args: dict[str, Any]
    expected: tuple[Any, ...]  # tuple of float64 numpy arrays, in the order the entry returns them
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)  # input shapes, for messages


@dataclass(frozen=True)
class Task:
    """A named case generator with the names of the outputs the entry returns (e.g. ("c", "h"))."""

    name: str
    outputs: tuple[str, ...]
    make_cases: Callable[[Sequence[int]], list[Case]]
    description: str = ""

    def cases(self, seeds: Sequence[int]) -> list[Case]:
        return self.make_cases(seeds)


def register(name: str, outputs: Sequence[str], description: str = "") -> Callable:
    """Decorator: ``@register("lstm-cell", outputs=("c", "h"))`` over ``def cases(seeds) -> list[Case]``."""

    def decorate(make_cases: Callable[[Sequence[int]], list[Case]]) -> Callable:
        if name in _REGISTRY:
            raise RuntimeError(f"task {name!r} is registered twice")
        _REGISTRY[name] = Task(name=name, outputs=tuple(outputs), make_cases=make_cases, description=description)
        return make_cases

    return decorate


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for module in TASK_MODULES:
        try:
            importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":
                raise
    _loaded = True


def get_task(name: str) -> Task:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise QuizzerError.of("no-engine-task", name=name, known=", ".join(sorted(_REGISTRY))) from None


def task_names() -> list[str]:
    _load()
    return sorted(_REGISTRY)
