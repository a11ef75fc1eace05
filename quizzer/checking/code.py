"""The checker for code exercises (types ``blank`` and ``function``): numeric grading in a sandbox.

For a blank exercise the response is either the expression replacing ``____`` (``quizzer answer``,
the practice session) or a whole filled-in file (``quizzer grade``): it is a whole file when it
defines the exercise's entry function. A function exercise's response is always the whole source.
The work is done by ``quizzer.engine.grade``; numpy is imported only when a response is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizzer.results import Result

if TYPE_CHECKING:
    from quizzer.bank.serve import Served


class CodeChecker:
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        """Grade ``response``; AnswerError for an empty answer or an expression that does not parse."""
        from quizzer.engine.grade import grade_response

        result = grade_response(served.exercise(), response, lang=lang)
        return Result(
            item_id=result.item_id,
            passed=result.passed,
            score=result.score,
            max_score=result.max_score,
            feedback=result.feedback,
            expected=self.expected(served, lang=lang),
            response=response,
            cases=result.cases,
            details=result.details,
        )

    def expected(self, served: Served, *, lang: str) -> str:
        """The solution: the expression for a blank exercise, the whole function otherwise."""
        return served.exercise().solution.strip()
