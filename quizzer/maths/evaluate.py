"""Exact evaluation of a tree (Fractions where the arithmetic is rational), numbers and shapes."""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from fractions import Fraction

from quizzer.errors import AnswerError, QuizzerError
from quizzer.maths.parser import parse
from quizzer.maths.tree import (
    MAX_BITS,
    MAX_EXPONENT,
    MAX_LENGTH,
    BinOp,
    Call,
    Const,
    Expr,
    Neg,
    Num,
    Number,
    Var,
    _check_size,
    _TooLarge,
    _Undefined,
)


def _short(value: Number) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1 and value.numerator.bit_length() < 64:
            return str(value.numerator)
        if max(value.numerator.bit_length(), value.denominator.bit_length()) < 64:
            return str(value)
    return f"{float(value):.6g}"


def _to_float(value: Number) -> float:
    try:
        return float(value)
    except OverflowError:
        raise _TooLarge() from None


def _power(base: Number, exponent: Number) -> Number:
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        n = exponent.numerator
        if base == 0:
            if n < 0:
                raise _Undefined("division by zero")
            return Fraction(1) if n == 0 else base * 0
        if base == 1 or n == 0:
            return Fraction(1) if isinstance(base, Fraction) else 1.0
        if base == -1:
            return base if n % 2 else -base
        if abs(n) > MAX_EXPONENT:
            raise _TooLarge()
        if isinstance(base, Fraction):
            # log2 of a big int is exact enough and cheap: predicts the size before computing.
            size = max(math.log2(abs(base.numerator)), math.log2(base.denominator))
            if abs(n) * size > MAX_BITS:
                raise _TooLarge()
            return base**n
        return base**n
    if isinstance(exponent, float) and exponent.is_integer():
        if abs(exponent) > MAX_EXPONENT:
            raise _TooLarge()
        return _to_float(base) ** int(exponent)
    if base < 0:
        raise _Undefined(f"a negative number ({_short(base)}) to a fractional power is undefined")
    if base == 0:
        if exponent < 0:
            raise _Undefined("division by zero")
        return base * 0
    if base == 1:
        return base
    if isinstance(base, Fraction) and exponent == Fraction(1, 2):
        root = _exact_sqrt(base)
        if root is not None:
            return root
    return _to_float(base) ** _to_float(exponent)


def _exact_sqrt(value: Fraction) -> Fraction | None:
    top, bottom = math.isqrt(value.numerator), math.isqrt(value.denominator)
    if top * top == value.numerator and bottom * bottom == value.denominator:
        return Fraction(top, bottom)
    return None


def _log(value: Number) -> Number:
    if value <= 0:
        raise _Undefined(f"log({_short(value)}) is undefined")
    if value == 1:
        return Fraction(0)
    if isinstance(value, Fraction):
        # Big integers have an exact log in math, so huge-but-allowed values do not overflow.
        return math.log(value.numerator) - math.log(value.denominator)
    return math.log(value)


def _sigmoid(value: Number) -> Number:
    if value == 0:
        return Fraction(1, 2)
    x = _to_float(value)
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _float_function(name: str, fn, at_zero: Fraction):
    def apply(value: Number) -> Number:
        if value == 0:
            return at_zero
        return fn(_to_float(value))

    apply.__name__ = name
    return apply


def _sqrt(value: Number) -> Number:
    if value < 0:
        raise _Undefined(f"sqrt({_short(value)}) is undefined")
    if isinstance(value, Fraction):
        root = _exact_sqrt(value)
        if root is not None:
            return root
    return math.sqrt(_to_float(value))


def _call(name: str, args: list[Number]) -> Number:
    if name in ("log", "ln"):
        if len(args) == 2:
            base = args[1]
            if base <= 0 or base == 1:
                raise _Undefined(f"log to the base {_short(base)} is undefined")
            if args[0] == 1:
                return Fraction(0)
            return _to_float(_log(args[0])) / _to_float(_log(base))
        return _log(args[0])
    if name == "min":
        return min(args)
    if name == "max":
        return max(args)
    return _UNARY_FUNCTIONS[name](args[0])


_UNARY_FUNCTIONS = {
    "exp": _float_function("exp", math.exp, Fraction(1)),
    "sqrt": _sqrt,
    "abs": abs,
    "sin": _float_function("sin", math.sin, Fraction(0)),
    "cos": _float_function("cos", math.cos, Fraction(1)),
    "tan": _float_function("tan", math.tan, Fraction(0)),
    "tanh": _float_function("tanh", math.tanh, Fraction(0)),
    "sinh": _float_function("sinh", math.sinh, Fraction(0)),
    "cosh": _float_function("cosh", math.cosh, Fraction(1)),
    "sigmoid": _sigmoid,
    "relu": lambda v: v if v > 0 else Fraction(0),
    "floor": lambda v: Fraction(math.floor(v)),
    "ceil": lambda v: Fraction(math.ceil(v)),
}


_TINY = 1e-280  # below this a float has lost (or is about to lose) its precision


def _underflowed(result: Number, operands: list[Number]) -> bool:
    """A float that came out (nearly) zero although nothing it was made from is zero."""
    return isinstance(result, float) and abs(result) < _TINY and all(v != 0 for v in operands)


def _eval(node: Expr, env: Mapping[str, Number], strict: bool) -> Number:
    """``strict`` refuses float underflow, which would make unequal expressions agree at 0."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        try:
            return env[node.name]
        except KeyError:
            raise QuizzerError.of("math-no-value", name=node.name) from None
    if isinstance(node, Const):
        return math.e if node.name == "e" else math.pi
    if isinstance(node, Neg):
        return -_eval(node.operand, env, strict)
    if isinstance(node, Call):
        args = [_eval(a, env, strict) for a in node.args]
        result = _check_size(_call(node.func, args))
        if strict and node.func in ("exp", "sigmoid") and _underflowed(result, []):
            raise _TooLarge()
        return result
    assert isinstance(node, BinOp)
    left, right = _eval(node.left, env, strict), _eval(node.right, env, strict)
    op = node.op
    if op == "+":
        result = left + right
    elif op == "-":
        result = left - right
    elif op == "*":
        result = left * right
    elif op == "^":
        result = _power(left, right)
    else:
        if right == 0:
            raise _Undefined("division by zero")
        if op == "/":
            result = left / right
        elif op == "//":
            result = left // right
            result = Fraction(result) if isinstance(result, int) else result
        else:
            result = left % right
    if strict and op in ("*", "/", "^") and _underflowed(result, [left] if op != "*" else [left, right]):
        raise _TooLarge()
    return _check_size(result)


def _as_value(name: str, value) -> Number:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, numbers.Rational):  # int, bool, numpy integers
        return Fraction(value)
    if isinstance(value, numbers.Real):  # float, numpy floats
        return float(value)
    raise TypeError(f"the value of '{name}' must be int, float or Fraction, not {type(value).__name__}")


def evaluate(expr: Expr, values: Mapping[str, int | float | Fraction] | None = None) -> Fraction | float:
    """The value of ``expr`` with ``values`` for its variables.

    Exact (``Fraction``) while only rational arithmetic is involved, so ``0.25``, ``1/4`` and
    ``2^-2`` all give ``Fraction(1, 4)``; a ``float`` once ``e``, ``pi``, a float value or a
    transcendental function (away from its exact points, e.g. ``exp(0)`` is exactly 1) enters.
    ``//`` and ``%`` are floor division and its remainder, as in Python.

    Raises ``AnswerError``: "division by zero", "log(-1) is undefined"..., or "the number is too
    large to evaluate" -- checked before any oversized computation starts.
    """
    return _evaluate(expr, values, strict=False)


def _evaluate(expr: Expr, values: Mapping[str, int | float | Fraction] | None, strict: bool) -> Number:
    env = {name: _as_value(name, v) for name, v in (values or {}).items()}
    for value in env.values():
        _check_size(value)
    try:
        return _eval(expr, env, strict)
    except OverflowError:
        raise _TooLarge() from None
    except ZeroDivisionError:
        raise _Undefined("division by zero") from None
    except ValueError as exc:  # a math domain error not caught above
        raise _Undefined(f"the expression has no value here ({exc})") from None


def parse_number(text: str, *, max_length: int = MAX_LENGTH) -> Fraction | float:
    """Read a learner's number: ``0.25``, ``.25``, ``1/4``, ``2^-2``, ``sigmoid(0)``, ``1e-3``, ``½``...

    ``1e`` is refused: where a number is asked for, it is one whose exponent is missing, not 1 times
    Euler's e (a formula with variables, where ``2e`` may mean 2·e, is read by ``parse``)."""
    if len(text) <= max_length:
        cut = _NO_EXPONENT.search(text)
        if cut:
            raise AnswerError.of("math-no-exponent", text=cut[1], base=cut[1][:-1])
    return evaluate(parse(text, (), None, max_length=max_length))


_NO_EXPONENT = re.compile(r"(?<![\w.])((?:\d+(?:\.\d*)?|\.\d+)[eE])(?![\w^*(.]|[-+]\d)")


def numbers_equal(
    a: float | Fraction,
    b: float | Fraction,
    *,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
) -> bool:
    """Whether two numbers agree.

    Two exact numbers (int or Fraction) with no tolerance given: exact equality, so
    ``0.26 != 1/4``. Otherwise ``|a - b| <= max(rel_tol * max(|a|, |b|), abs_tol)``, computed
    exactly (no overflow on huge values); a missing tolerance counts as 0, and when a float is
    involved but neither is given the defaults are ``rel_tol=1e-9, abs_tol=1e-12``. NaN equals
    nothing; infinities equal only themselves.
    """
    for tol in (abs_tol, rel_tol):
        if tol is not None and not tol >= 0:
            raise ValueError("tolerances must be non-negative numbers")
    exact = all(isinstance(v, (int, Fraction)) for v in (a, b))
    if exact and abs_tol is None and rel_tol is None:
        return Fraction(a) == Fraction(b)
    if not exact:
        if any(isinstance(v, float) and (math.isnan(v) or math.isinf(v)) for v in (a, b)):
            return a == b
        if abs_tol is None and rel_tol is None:
            abs_tol, rel_tol = 1e-12, 1e-9
    x, y = Fraction(a), Fraction(b)
    allowed = max(Fraction(rel_tol or 0) * max(abs(x), abs(y)), Fraction(abs_tol or 0))
    return abs(x - y) <= allowed


_SHAPE_SEPARATOR = re.compile(r"[x×X,]")


def parse_shape(text: str, *, max_length: int = 100) -> tuple[int, ...]:
    """Read an array shape: ``3``, ``3x4``, ``3 x 4``, ``3×4``, ``(3, 4)``, ``[3, 4]``, ``(3,)``.

    Sizes are whole numbers (0 allowed) separated by ``x``/``×`` or ``,``, optionally in one pair
    of parentheses or brackets; ``()`` is the shape of a scalar. ``3*4`` is refused rather than
    read as 12 or as 3x4: ``*`` multiplies, so the learner is asked to write the shape plainly.
    A bare ``3`` gives ``(3,)``; whether that answers a square 3x3 is the caller's decision.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as str, got {type(text).__name__}")
    if len(text) > max_length:
        raise AnswerError.of("math-too-long", n=len(text), limit=max_length)
    body = unicodedata.normalize("NFKC", text).strip()
    if not body:
        raise AnswerError.of("answer-empty")
    from quizzer.errors import Phrase

    hint = Phrase("shape-hint")
    if body[0] in "([" and body[-1] in ")]":
        if (body[0], body[-1]) not in (("(", ")"), ("[", "]")):
            raise AnswerError.of("shape-brackets", hint=hint)
        body = body[1:-1].strip()
        if not body:
            return ()
    if any(c in body for c in "*·⋅"):
        raise AnswerError.of("shape-star", hint=hint)
    if body.endswith(",") and body.count(",") == 1 and not re.search("[x×X]", body):
        body = body[:-1]
    dims = []
    for part in _SHAPE_SEPARATOR.split(body):
        part = part.strip()
        if not part:
            raise AnswerError.of("shape-size-missing", hint=hint)
        if not part.isascii() or not part.isdigit():
            raise AnswerError.of("shape-not-whole", part=part, hint=hint)
        if len(part) > 12:
            raise AnswerError.of("shape-size-too-large", part=part)
        dims.append(int(part))
    if len(dims) > 32:
        raise AnswerError.of("shape-too-many", n=len(dims))
    return tuple(dims)


