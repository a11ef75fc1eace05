"""Symbolic questions: equivalence of expressions over the question's declared variables."""

from __future__ import annotations

from quizzer import maths as expr
from quizzer.bank.model import SymbolicSpec
from quizzer.bank.serve import Served
from quizzer.i18n.text import half_width
from quizzer.results import Result, judged


class SymbolicChecker:
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        spec = served.spec(SymbolicSpec)
        given = expr.parse(half_width(response), variables=spec.variables, functions=spec.functions)
        wanted = expr.parse(spec.answer, variables=spec.variables, functions=spec.functions)
        passed = expr.equivalent(given, wanted, spec.variables)
        return judged(served.item.id, passed, lang=lang, expected=str(wanted), response=response, given=str(given),
                      details={"parsed": str(given)})

    def expected(self, served: Served, *, lang: str) -> str:
        spec = served.spec(SymbolicSpec)
        return str(expr.parse(spec.answer, variables=spec.variables, functions=spec.functions))
