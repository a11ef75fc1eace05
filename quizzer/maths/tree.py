"""The expression tree, the limits that bound it, and its text form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from quizzer.errors import AnswerError

MAX_LENGTH = 500
"""Default limit on the characters of one answer."""

MAX_DEPTH = 100
"""Deepest nesting of parentheses, signs, powers and calls."""

MAX_HEIGHT = 300
"""Tallest tree: ``x+x+...+x`` is shallow to parse but one level per ``+`` to evaluate."""

MAX_NODES = 1000
"""Largest tree accepted; 500 characters cannot reach it, a caller raising max_length might."""

MAX_BITS = 12_000
"""An exact intermediate number may use this many bits in its numerator or denominator
(about 3 600 decimal digits, so 2^10000 fits and the result still prints under Python's
4 300-digit str() limit); anything bigger is "too large to evaluate"."""

MAX_EXPONENT = 10_000
"""Largest |n| accepted in ``x^n``, except for the harmless bases 0, 1 and -1."""

# name -> (fewest arguments, most arguments). The order is the order of the help message.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "exp": (1, 1),
    "log": (1, 2),
    "ln": (1, 1),
    "sqrt": (1, 1),
    "abs": (1, 1),
    "sin": (1, 1),
    "cos": (1, 1),
    "tan": (1, 1),
    "tanh": (1, 1),
    "sinh": (1, 1),
    "cosh": (1, 1),
    "sigmoid": (1, 1),
    "relu": (1, 1),
    "min": (1, 64),
    "max": (1, 64),
    "floor": (1, 1),
    "ceil": (1, 1),
}

CONSTANTS = ("e", "pi")

Number = Fraction | float


class Expr:
    """A parsed expression. Immutable and hashable; two trees are == when they have the same
    shape (``2(x+y)`` and ``2*(x+y)`` give equal trees, ``2x+2y`` does not: use ``equivalent``).
    ``str()`` gives a canonical form that ``parse`` reads back to an equal tree."""

    __slots__ = ()
    height: int  # every node kind declares it: the levels of the tree it roots (bounded by MAX_HEIGHT)

    def __str__(self) -> str:
        return _format(self)

    @property
    def names(self) -> frozenset[str]:
        """The variables the expression uses (constants and functions excluded)."""
        return frozenset(node.name for node in _walk(self) if isinstance(node, Var))

    @property
    def functions(self) -> frozenset[str]:
        """The functions the expression calls."""
        return frozenset(node.func for node in _walk(self) if isinstance(node, Call))


@dataclass(frozen=True, repr=False)
class Num(Expr):
    """A non-negative number written in the answer, held exactly."""

    value: Fraction
    height: int = field(default=1, compare=False)

    def __repr__(self) -> str:
        return f"Num({_number_text(self.value)})"


@dataclass(frozen=True, repr=False)
class Var(Expr):
    """A declared variable."""

    name: str
    height: int = field(default=1, compare=False)

    def __repr__(self) -> str:
        return f"Var({self.name!r})"


@dataclass(frozen=True, repr=False)
class Const(Expr):
    """The constant ``e`` or ``pi``."""

    name: str
    height: int = field(default=1, compare=False)

    def __repr__(self) -> str:
        return f"Const({self.name!r})"


@dataclass(frozen=True, repr=False)
class Neg(Expr):
    """Unary minus."""

    operand: Expr
    height: int = field(default=1, compare=False)

    def __repr__(self) -> str:
        return f"Neg({self.operand!r})"


@dataclass(frozen=True, repr=False)
class BinOp(Expr):
    """A binary operation; ``op`` is one of ``+ - * / // % ^``."""

    op: str
    left: Expr
    right: Expr
    height: int = field(default=1, compare=False)

    def __repr__(self) -> str:
        return f"BinOp({self.op!r}, {self.left!r}, {self.right!r})"


@dataclass(frozen=True, repr=False)
class Call(Expr):
    """A call to one of ``FUNCTIONS``."""

    func: str
    args: tuple[Expr, ...]
    height: int = field(default=1, compare=False)

    def __repr__(self) -> str:
        return f"Call({self.func!r}, {list(self.args)!r})"


def _children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, BinOp):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def _walk(root: Expr):
    """Every node, without recursion (trees from callers may be deeper than ours)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2, "%": 2, "^": 4}
_NEG_PRECEDENCE = 3
_ATOM = 5


def _number_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    den, twos, fives = value.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den != 1 or value < 0:
        return f"({value.numerator}/{value.denominator})"
    places = max(twos, fives)
    digits = str(value.numerator * 10**places // value.denominator).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}"


def _precedence(node: Expr) -> int:
    if isinstance(node, BinOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Neg):
        return _NEG_PRECEDENCE
    return _ATOM


def _format(node: Expr) -> str:
    if isinstance(node, Num):
        return _number_text(node.value)
    if isinstance(node, (Var, Const)):
        return node.name
    if isinstance(node, Call):
        return f"{node.func}({', '.join(_format(a) for a in node.args)})"
    if isinstance(node, Neg):
        inner = _format(node.operand)
        return f"-({inner})" if _precedence(node.operand) < _NEG_PRECEDENCE else f"-{inner}"
    assert isinstance(node, BinOp)
    mine = _PRECEDENCE[node.op]
    left, right = _format(node.left), _format(node.right)
    if node.op == "^":
        if _precedence(node.left) <= mine:
            left = f"({left})"
        if _precedence(node.right) < mine:
            right = f"({right})"
        return f"{left}^{right}"
    if _precedence(node.left) < mine:
        left = f"({left})"
    if _precedence(node.right) <= mine:
        right = f"({right})"
    if node.op in ("+", "-", "%"):
        return f"{left} {node.op} {right}"
    return f"{left}{node.op}{right}"


class _Undefined(AnswerError):
    """Division by zero, log of a negative number...: no value at this point."""


class _TooLarge(AnswerError):
    def __init__(self) -> None:
        super().__init__("the number is too large to evaluate")


def _check_size(value: Number) -> Number:
    if isinstance(value, Fraction):
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
            raise _TooLarge()
        return value
    if math.isinf(value):
        raise _TooLarge()
    if math.isnan(value):
        raise _Undefined("the expression has no value here")
    return value
