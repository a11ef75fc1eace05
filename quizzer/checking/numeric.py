"""Numeric questions: exact or toleranced comparison of a number, or of a shape such as 3×3."""

from __future__ import annotations

import re
from fractions import Fraction

from quizzer import maths as expr
from quizzer.bank.model import NumericSpec
from quizzer.bank.serve import Served, format_value
from quizzer.errors import AnswerError
from quizzer.i18n.text import half_width
from quizzer.results import Result, judged

# An irrational expected value (tanh, exp...) compared without an authored tolerance would never match a
# typed decimal; this is the comparison used then (validate flags such questions).
FALLBACK_REL_TOL = 1e-9


def expected_value(served: Served) -> Fraction | float:
    spec = served.spec(NumericSpec)
    assert spec.answer is not None
    formula = expr.parse(spec.answer, variables=tuple(served.values))
    return expr.evaluate(formula, served.exact_values())


def expected_shape(served: Served) -> tuple[int, ...]:
    spec = served.spec(NumericSpec)
    assert spec.shape is not None
    dims = []
    for dim in spec.shape:
        value = expr.evaluate(expr.parse(dim, variables=tuple(served.values)), served.exact_values())
        dims.append(int(value))
    return tuple(dims)


def format_number(value: Fraction | float) -> str:
    """A number as a learner reads it: exact where short, scientific where huge (never an overflow)."""
    if isinstance(value, Fraction) and value.denominator == 1:
        value = value.numerator
    if isinstance(value, int):
        digits = str(abs(value))
        if len(digits) <= 15:
            return str(value)
        sign = "-" if value < 0 else ""
        return f"{sign}{digits[0]}.{digits[1:4]}e+{len(digits) - 1}"
    if isinstance(value, Fraction):
        try:
            decimal = float(value)
        except OverflowError:
            return format_number(int(value))  # beyond float range: its integer part says enough
        as_text = f"{decimal:.6g}"
        return as_text if Fraction(as_text) == value else f"{value.numerator}/{value.denominator} ≈ {decimal:.6g}"
    return format_value(value)


def to_places(value: Fraction | float, abs_tol: float | None) -> str:
    """The answer as the prompt asks for it: a tolerance of ± 0.05 means "one decimal place", so 24
    shows as 24.0 and 0.419974 (± 0.0005) as 0.420; without a tolerance, ``format_number``."""
    import math

    if abs_tol is None or abs_tol <= 0 or abs_tol >= 0.5:
        return format_number(value)
    places = max(0, -math.floor(math.log10(2 * abs_tol) + 1e-9))
    if places > 12:
        return format_number(value)
    return f"{float(value):.{places}f}"


def format_shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(d) for d in shape)


def read_number(response: str, lang: str) -> Fraction | float:
    """The learner's number; a name where a number belongs gets a message about numbers, not variables."""
    try:
        return expr.parse_number(half_width(response))
    except AnswerError as exc:
        if "not a known name" in exc.message:
            raise AnswerError.of("number-needed") from None
        raise


class NumericChecker:
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        spec = served.spec(NumericSpec)
        if spec.shape is not None:
            want = expected_shape(served)
            got = expr.parse_shape(half_width(response))
            if len(got) == 1 and len(want) > 1 and len(set(want)) == 1:
                got = got * len(want)  # "3" answers a square 3×3
            passed = got == want
            shown, expected = format_shape(got), format_shape(want)
        else:
            want_value = expected_value(served)
            typed = _without_unit(half_width(response).strip(), served, spec)
            got_value = read_number(typed, lang)
            abs_tol, rel_tol = spec.abs_tol, spec.rel_tol
            if abs_tol is None and rel_tol is None and isinstance(want_value, float):
                rel_tol = FALLBACK_REL_TOL
            passed = (expr.numbers_equal(got_value, want_value, abs_tol=abs_tol, rel_tol=rel_tol)
                      or (abs_tol is None and rel_tol is None and _rounds_to(typed, want_value)))
            # echoed as typed ("4.0000000001", not 40000000001/10000000000); a formula shows its value too
            shown = typed if _LITERAL.fullmatch(typed) else f"{typed} = {format_number(got_value)}"
            expected = to_places(want_value, abs_tol)
            if abs_tol is not None:
                expected += f" (± {abs_tol:g})"
            elif spec.rel_tol is not None:
                expected += f" (± {spec.rel_tol:.0%})" if spec.rel_tol >= 0.01 else f" (relative ± {spec.rel_tol:g})"
        expected += _unit(served, spec, lang)
        values = {k: format_value(v) for k, v in served.values.items()}
        return judged(served.item.id, passed, lang=lang, expected=expected, response=response, given=shown,
                      details={"values": values} if values else None)

    def expected(self, served: Served, *, lang: str) -> str:
        spec = served.spec(NumericSpec)
        value = (format_shape(expected_shape(served)) if spec.shape is not None
                 else to_places(expected_value(served), spec.abs_tol))
        return value + _unit(served, spec, lang)


_LITERAL = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")
_DECIMAL = re.compile(r"[-+]?(?P<whole>\d*)\.(?P<places>\d+)")
MIN_SIGNIFICANT = 3  # digits a rounded decimal must have to stand for an exact 2/7 (0.286, not 0.29)


def _rounds_to(typed: str, want: Fraction | float) -> bool:
    """An exact answer with no decimal form (2/7 = 0.285714...) typed as a decimal correctly rounded
    to at least ``MIN_SIGNIFICANT`` significant digits: 0.286 and 0.2857 count, as a marker would
    count them; 0.29 (too short) and 0.285 (cut, not rounded) do not. Answers with an exact decimal
    (1/4) must be typed exactly, and a tolerance, where the author gives one, decides instead."""
    found = _DECIMAL.fullmatch(typed)
    if found is None or not isinstance(want, Fraction) or _has_exact_decimal(want):
        return False
    if len((found["whole"] + found["places"]).lstrip("0")) < MIN_SIGNIFICANT:
        return False
    return abs(Fraction(typed) - want) <= Fraction(1, 2 * 10 ** len(found["places"]))


def _has_exact_decimal(value: Fraction) -> bool:
    denominator = value.denominator
    for factor in (2, 5):
        while denominator % factor == 0:
            denominator //= factor
    return denominator == 1


def _without_unit(typed: str, served: Served, spec: NumericSpec) -> str:
    """``12 MB`` read as 12 when the question asks in MB: the unit the prompt shows may be typed too."""
    if not spec.unit:
        return typed
    for lang in ("en", "ja"):
        unit = served.render(spec.unit, lang).strip()
        if unit and typed.lower().endswith(unit.lower()) and len(typed) > len(unit):
            return typed[: -len(unit)].strip()
    return typed


def _unit(served: Served, spec: NumericSpec, lang: str) -> str:
    """The " MB"-style suffix for an answer, or nothing when the question declares no unit."""
    return f" {served.render(spec.unit, lang)}" if spec.unit else ""

