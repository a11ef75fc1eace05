"""Symbolic questions: equivalence of expressions over the question's declared variables."""

from __future__ import annotations

from quizzer import expr
from quizzer.checking.result import Result
from quizzer.model import SymbolicSpec
from quizzer.serve import Served


def _spec(served: Served) -> SymbolicSpec:
    spec = served.item.spec  # type: ignore[union-attr]
    assert isinstance(spec, SymbolicSpec)
    return spec


class SymbolicChecker:
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        spec = _spec(served)
        given = expr.parse(response, variables=spec.variables, functions=spec.functions)
        wanted = expr.parse(spec.answer, variables=spec.variables, functions=spec.functions)
        passed = expr.equivalent(given, wanted, spec.variables)
        expected = str(wanted)
        if passed:
            feedback = "正解です。" if lang == "ja" else "Correct."
        elif lang == "ja":
            feedback = f"不正解です(あなたの式: {given})。正解は {expected} です。"
        else:
            feedback = f"Not equivalent: you gave {given}; the answer is {expected}."
        return Result(
            item_id=served.item.id,
            passed=passed,
            score=1.0 if passed else 0.0,
            feedback=feedback,
            expected=expected,
            response=response.strip(),
            details={"parsed": str(given)},
        )

    def expected(self, served: Served, *, lang: str) -> str:
        spec = _spec(served)
        return str(expr.parse(spec.answer, variables=spec.variables, functions=spec.functions))
