"""One checker per answer type, behind one interface, found in one registry keyed by type.

A checker grades a *served* item (``quizzer.bank.serve.Served``: the item with its drawn parameters and option
order) against the learner's response text and returns a ``Result``. A response that cannot be read
(unparsable, refused syntax) raises ``AnswerError``: the session re-asks, ``quizzer answer`` exits 2.

Checkers are imported on first use, so that e.g. ``quizzer list`` never imports sympy or numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

from quizzer.results import CaseResult, Result

if TYPE_CHECKING:
    from quizzer.bank.serve import Served

__all__ = ["CHECKERS", "CaseResult", "Checker", "Result", "check", "checker_for"]

# type -> "module:Class"
CHECKERS: dict[str, str] = {
    "choice": "quizzer.checking.choice:ChoiceChecker",
    "numeric": "quizzer.checking.numeric:NumericChecker",
    "symbolic": "quizzer.checking.symbolic:SymbolicChecker",
    "text": "quizzer.checking.text:TextChecker",
    "flashcard": "quizzer.checking.flashcard:FlashcardChecker",
    "blank": "quizzer.checking.code:CodeChecker",
    "function": "quizzer.checking.code:CodeChecker",
}

_instances: dict[str, Checker] = {}


class Checker(Protocol):
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        """Grade ``response``; raise AnswerError if it cannot be read at all."""

    def expected(self, served: Served, *, lang: str) -> str:
        """The correct answer as it should be shown to the learner."""


def checker_for(item_type: str) -> Checker:
    if item_type not in _instances:
        module_name, _, class_name = CHECKERS[item_type].partition(":")
        _instances[item_type] = getattr(importlib.import_module(module_name), class_name)()
    return _instances[item_type]


def check(served: Served, response: str, *, lang: str) -> Result:
    return checker_for(served.item.type).check(served, response, lang=lang)
