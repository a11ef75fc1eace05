"""Grading results: plain values that every view (terminal, JSON, store, Gradescope) only reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CaseResult:
    """One graded case of a code exercise (or one part of a multi-part answer)."""

    name: str
    passed: bool
    score: float = 0.0
    max_score: float = 1.0
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "details": self.details,
        }


@dataclass(frozen=True)
class Result:
    """The verdict on one response to one item.

    ``feedback`` is one human-readable paragraph in the learner's language; ``expected`` is the
    correct answer as it should be displayed (None where showing it would make no sense).
    ``rating`` is the self-rating for flashcards (again/hard/good/easy) and None elsewhere.
    """

    item_id: str
    passed: bool
    score: float
    max_score: float = 1.0
    feedback: str = ""
    expected: str | None = None
    response: str | None = None
    cases: tuple[CaseResult, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    rating: str | None = None
    # code that ran in the sandbox: "full", "partial (missing: ...)" or "none"; None for the rest
    isolation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.item_id,
            "passed": self.passed,
            "score": self.score,
            "max_score": self.max_score,
            "feedback": self.feedback,
            "expected": self.expected,
            "response": self.response,
            "rating": self.rating,
            "isolation": self.isolation,
            "cases": [case.to_dict() for case in self.cases],
            "details": self.details,
        }


def judged(
    item_id: str,
    passed: bool,
    *,
    lang: str,
    expected: str,
    response: str,
    given: str | None = None,
    details: dict[str, Any] | None = None,
) -> Result:
    """A right-or-wrong verdict (score 1 or 0) with its feedback sentence in the learner's language.

    ``given`` is how quizzer read the response (a parsed number or formula), shown back on a miss.
    """
    from quizzer.i18n.labels import label

    if passed:
        feedback = label("verdict-correct", lang)
    elif given is not None:
        feedback = label("verdict-wrong-given", lang, given=given, expected=expected)
    else:
        feedback = label("verdict-wrong", lang, expected=expected)
    return Result(
        item_id=item_id,
        passed=passed,
        score=1.0 if passed else 0.0,
        feedback=feedback,
        expected=expected,
        response=response.strip(),
        details=details or {},
    )
