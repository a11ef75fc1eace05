"""Safe reading, evaluation and comparison of maths typed by learners and bank authors.

Nothing here hands text to ``eval``, ``sympify`` or ``parse_expr``: those run their input.
Instead a small tokenizer and a Pratt parser build an immutable tree (``Expr``) that can only
contain what the grammar allows, so anything else is refused by construction:

* numbers (``3``, ``0.25``, ``.25``, ``2.5e-3``), kept exact as ``Fraction``;
* the variables the question declares, and the constants ``e`` and ``pi`` (``π``) unless a
  variable takes that name;
* ``+ - * / // % ^ **`` (``^`` is power), unary minus, parentheses;
* calls to the functions the question allows (default: every entry of ``FUNCTIONS``);
* implicit multiplication: ``2x``, ``2(x+y)``, ``(x+y)(x-y)``, ``x y``, ``2pi``, and a run of
  declared names written together (``xy`` is ``x*y`` when ``x`` and ``y`` are declared).

Precedence, loosest first: ``+ -``; ``* / // %`` and implicit multiplication (left to right,
so ``1/2x`` is ``(1/2)*x``); unary minus (``-x^2`` is ``-(x^2)``); ``^`` (right to left, and its
exponent may carry a sign: ``2^-2``). A number directly after a value needs an operator
(``x 2`` is refused), and ``2e-3`` is always the number 0.002, never ``2*e - 3``.

Everything is bounded before it is computed: answer length, nesting depth, tree size, the size
of exact numbers and exponents. A thread timeout cannot interrupt a big-integer operation, so
the sizes are predicted and refused first. Every refusal is an ``AnswerError`` with one line.
SymPy (imported only when ``to_sympy`` or ``equivalent`` needs it) gets sized input too, and
``equivalent`` also runs it in a forked child with a time limit, since SymPy's own evaluation
has slow paths no size estimate foresees.
"""

from __future__ import annotations

import keyword
import math
import numbers
import os
import random
import re
import select
import signal
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from quizzer.errors import AnswerError, QuizzerError

__all__ = [
    "FUNCTIONS",
    "MAX_BITS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_HEIGHT",
    "MAX_LENGTH",
    "MAX_NODES",
    "BinOp",
    "Call",
    "Const",
    "Expr",
    "Neg",
    "Num",
    "Var",
    "equivalent",
    "evaluate",
    "numbers_equal",
    "parse",
    "parse_number",
    "parse_shape",
    "to_sympy",
]

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


# --------------------------------------------------------------------------- the tree


class Expr:
    """A parsed expression. Immutable and hashable; two trees are == when they have the same
    shape (``2(x+y)`` and ``2*(x+y)`` give equal trees, ``2x+2y`` does not: use ``equivalent``).
    ``str()`` gives a canonical form that ``parse`` reads back to an equal tree."""

    __slots__ = ()

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


# --------------------------------------------------------------------------- text in

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾", "0123456789-+()")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾]+")
# Applied after NFKC, which leaves these alone.
_LOOKALIKES = str.maketrans(
    {
        "×": "*",
        "·": "*",
        "⋅": "*",
        "∙": "*",
        "∗": "*",
        "−": "-",
        "–": "-",
        "÷": "/",
        "π": " pi ",
    }
)
_MAX_DECIMAL_EXPONENT = 1000  # 1e1000 still fits comfortably under MAX_BITS
_MAX_DIGITS = 1000  # same reason; also far below Python's 4 300-digit int(str) limit
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:([eE])([+-]?[0-9]+))?")
_NAME = re.compile(r"[^\W\d]\w*")
_OPERATORS = ("**", "//", "+", "-", "*", "/", "%", "^")
_HINTS = {
    ".": "attribute access ('.') is not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "`": "strings are not allowed",
    "[": "subscripts are not allowed",
    "]": "subscripts are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "=": "'=' is not allowed; type only the value or expression",
    "!": "'!' is not allowed (factorial is not supported)",
    "√": "'√' is not allowed; write sqrt(...)",
}


def _normalise(text: str, max_length: int) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as str, got {type(text).__name__}")
    if len(text) > max_length:
        raise AnswerError(f"the answer is too long ({len(text)} characters; the limit is {max_length})")
    # Before NFKC, which would turn x² into x2.
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^(" + m.group().translate(_SUPERSCRIPTS) + ")", text)
    text = unicodedata.normalize("NFKC", text)
    if len(text) > max_length:
        raise AnswerError(f"the answer is too long ({len(text)} characters; the limit is {max_length})")
    text = text.translate(_LOOKALIKES)
    if not text.strip():
        raise AnswerError("the answer is empty")
    return text


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "op", "(", ")", ",", "end"
    text: str
    value: Fraction | None = None


def _describe_char(char: str) -> str:
    if char.isprintable():
        return f"the character '{char}' is not allowed"
    return f"the character U+{ord(char):04X} is not allowed"


def _tokenize(text: str, spellings: Mapping[str, str]) -> list[_Token]:
    tokens: list[_Token] = []
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        number = _NUMBER.match(text, pos)
        if number:
            before = text[pos - 1] if pos else " "
            if char == "." and (before.isalnum() or before in "_)]"):
                if before.isdigit() or before == ".":
                    raise AnswerError(f"'{_number_span(text, pos)}' is not a valid number")
                raise AnswerError(_HINTS["."])
            after = text[number.end()] if number.end() < end else " "
            if number.group().endswith(".") and (after.isalpha() or after == "_"):
                raise AnswerError(_HINTS["."])
            if after == "." or (after == "_" and text[number.end() - 1].isdigit()):
                raise AnswerError(f"'{_number_span(text, pos)}' is not a valid number")
            tokens.append(_Token("num", number.group(), _read_number(number)))
            pos = number.end()
            continue
        name = _NAME.match(text, pos)
        if name:
            word = name.group()
            python_word = keyword.iskeyword(word) or keyword.issoftkeyword(word)
            if python_word and word not in spellings and _split_name(word, spellings) is None:
                if word == "_":
                    raise AnswerError("'_' is not a known name")
                raise AnswerError(f"'{word}' is a Python keyword; only maths is allowed")
            tokens.append(_Token("name", word))
            pos = name.end()
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
        if operator:
            tokens.append(_Token("op", "^" if operator == "**" else operator))
            pos += len(operator)
            continue
        if char in "(),":
            tokens.append(_Token(char, char))
            pos += 1
            continue
        raise AnswerError(_HINTS.get(char) or _describe_char(char))
    tokens.append(_Token("end", ""))
    return tokens


def _number_span(text: str, pos: int) -> str:
    """The run of digits and dots around ``pos``, for the message about a malformed number."""
    start = pos
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
        start -= 1
    stop = pos
    while stop < len(text) and (text[stop].isalnum() or text[stop] in "._"):
        stop += 1
    return text[start:stop]


def _read_number(match: re.Match[str]) -> Fraction:
    mantissa = match.group()[: match.start(1) - match.start()] if match.group(1) else match.group()
    if len(mantissa) > _MAX_DIGITS:
        raise AnswerError(f"a number has too many digits ({len(mantissa)}; the limit is {_MAX_DIGITS})")
    value = Fraction(mantissa)
    if match.group(1):
        exponent = int(match.group(2))
        if abs(exponent) > _MAX_DECIMAL_EXPONENT:
            raise AnswerError(
                f"the exponent of '{match.group()}' is too large (the limit is {_MAX_DECIMAL_EXPONENT})"
            )
        value *= Fraction(10) ** exponent
        _check_size(value)
    return value


# --------------------------------------------------------------------------- parser

_BINDING = {"+": 10, "-": 10, "*": 20, "/": 20, "//": 20, "%": 20, "^": 30}
_IMPLICIT = 20
_UNARY = 25


def _node(cls, *parts) -> Expr:
    height = 1 + max((p.height for p in parts if isinstance(p, Expr)), default=0)
    for part in parts:
        if isinstance(part, tuple):
            height = max(height, 1 + max((p.height for p in part), default=0))
    if height > MAX_HEIGHT:
        raise AnswerError(f"the answer is too complex (more than {MAX_HEIGHT} operations deep)")
    return cls(*parts, height=height)


class _Parser:
    def __init__(
        self,
        tokens: list[_Token],
        variables: frozenset[str],
        constants: frozenset[str],
        functions: tuple[str, ...],
    ) -> None:
        self.tokens = tokens
        self.pos = 0
        self.variables = variables
        self.constants = constants
        self.spellings = _spellings(variables, constants)
        self.functions = functions
        self.nodes = 0

    # -- helpers
    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.peek()
        self.pos += 1
        return token

    def previous(self) -> _Token | None:
        return self.tokens[self.pos - 2] if self.pos >= 2 else None

    def count(self, node: Expr) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise AnswerError(f"the answer is too complex (more than {MAX_NODES} parts)")
        return node

    # -- grammar
    def parse(self) -> Expr:
        tree = self.expression(0, 0)
        token = self.peek()
        if token.kind != "end":
            self.complain_after_value(token)
        return tree

    def expression(self, right_binding: int, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise AnswerError(f"the answer is nested too deeply (the limit is {MAX_DEPTH} levels)")
        left = self.operand(depth)
        while True:
            token = self.peek()
            if token.kind == "op" and token.text in _BINDING:
                op, binding, implicit = token.text, _BINDING[token.text], False
            elif token.kind in ("name", "("):
                op, binding, implicit = "*", _IMPLICIT, True
            else:
                return left
            if binding <= right_binding:
                return left
            if not implicit:
                self.advance()
            # ^ groups to the right: its right side may contain another ^ of equal binding.
            right = self.expression(binding - 1 if op == "^" else binding, depth + 1)
            left = self.count(_node(BinOp, op, left, right))

    def operand(self, depth: int) -> Expr:
        token = self.advance()
        if token.kind == "num":
            return self.count(Num(token.value))
        if token.kind == "name":
            return self.name(token.text, depth)
        if token.kind == "(":
            if self.peek().kind == ")":
                raise AnswerError("empty parentheses '()' are not allowed")
            inner = self.expression(0, depth + 1)
            self.expect_close()
            return inner
        if token.kind == "op" and token.text in ("+", "-"):
            inner = self.expression(_UNARY, depth + 1)
            return inner if token.text == "+" else self.count(_node(Neg, inner))
        self.complain_missing_operand(token)
        raise AssertionError("unreachable")

    def leaf(self, spelling: str) -> Expr:
        name = self.spellings[spelling]
        return self.count(Var(name) if name in self.variables else Const(name))

    def name(self, name: str, depth: int) -> Expr:
        if self.peek().kind == "(":
            if name in self.functions:
                return self.call(name, depth)
            if name in self.spellings:
                return self.leaf(name)
            raise AnswerError(
                f"unknown function '{name}'; allowed functions: {', '.join(self.functions) or 'none'}"
            )
        if name in self.spellings:
            return self.leaf(name)
        if name in self.functions:
            raise AnswerError(f"'{name}' is a function: write {name}(...)")
        pieces = _split_name(name, self.spellings)
        if pieces is None:
            allowed = ", ".join([*sorted(self.variables), *sorted(self.constants)]) or "none"
            raise AnswerError(f"'{name}' is not a known name; allowed names: {allowed}")
        tree: Expr | None = None
        for piece in pieces:
            leaf = self.leaf(piece)
            tree = leaf if tree is None else self.count(_node(BinOp, "*", tree, leaf))
        return tree

    def call(self, name: str, depth: int) -> Expr:
        self.advance()  # the "("
        args: list[Expr] = []
        if self.peek().kind != ")":
            while True:
                if self.peek().kind in (",", ")"):
                    raise AnswerError(f"a value is missing in the arguments of {name}(...)")
                args.append(self.expression(0, depth + 1))
                if self.peek().kind == ",":
                    self.advance()
                    continue
                break
        self.expect_close()
        low, high = FUNCTIONS[name]
        if not low <= len(args) <= high:
            if low == high:
                wanted = f"{low} argument" + ("s" if low != 1 else "")
            elif high >= 64:
                wanted = f"at least {low} argument" + ("s" if low != 1 else "")
            else:
                wanted = f"{low} or {high} arguments"
            raise AnswerError(f"{name} takes {wanted} (got {len(args)})")
        return self.count(_node(Call, name, tuple(args)))

    def expect_close(self) -> None:
        token = self.peek()
        if token.kind == ")":
            self.advance()
            return
        if token.kind == "end":
            raise AnswerError("unbalanced parentheses: a '(' is never closed")
        self.complain_after_value(token)

    # -- messages
    def complain_after_value(self, token: _Token) -> None:
        if token.kind == ")":
            raise AnswerError("unbalanced parentheses: a ')' has no matching '('")
        if token.kind == ",":
            self.complain_comma()
        if token.kind == "num":
            before = self.tokens[self.pos - 1].text
            raise AnswerError(f"an operator is missing between '{before}' and '{token.text}'")
        raise AnswerError(f"unexpected '{token.text}'")

    def complain_comma(self) -> None:
        around = self.tokens[self.pos - 1 : self.pos + 2]
        if [t.kind for t in around] == ["num", ",", "num"]:
            raise AnswerError("',' only separates function arguments (write 1000, not 1,000)")
        raise AnswerError("',' only separates function arguments")

    def complain_missing_operand(self, token: _Token) -> None:
        before = self.previous()
        if token.kind == "end":
            if before is None:
                raise AnswerError("the answer is empty")
            raise AnswerError(f"the answer is incomplete: something is missing after '{before.text}'")
        if token.kind == ")":
            if before is not None and before.kind in ("op", ","):
                raise AnswerError(f"something is missing after '{before.text}'")
            raise AnswerError("unbalanced parentheses: a ')' has no matching '('")
        if token.kind == ",":
            self.complain_comma()
        if before is None:
            raise AnswerError(f"the answer cannot start with '{token.text}'")
        raise AnswerError(f"'{token.text}' cannot follow '{before.text}'")


# A Greek letter may stand for a declared variable spelled out in Latin letters (σ for sigma).
_GREEK = {
    "α": ("alpha",), "β": ("beta",), "γ": ("gamma",), "δ": ("delta",), "ε": ("eps", "epsilon"),
    "ϵ": ("eps", "epsilon"), "η": ("eta",), "θ": ("theta",), "λ": ("lambda", "lam"), "μ": ("mu",),
    "ρ": ("rho",), "σ": ("sigma",), "τ": ("tau",), "φ": ("phi",), "ϕ": ("phi",), "ω": ("omega",),
}


def _spellings(variables: frozenset[str], constants: frozenset[str]) -> dict[str, str]:
    """Every way of writing a declared name -> the name."""
    known = {name: name for name in (*variables, *constants)}
    for letter, spelled in _GREEK.items():
        match = next((s for s in spelled if s in variables), None)
        if match and letter not in known:
            known[letter] = match
    return known


def _split_name(word: str, names: Mapping[str, str] | frozenset[str]) -> list[str] | None:
    """Read ``xy`` as ``x*y`` when the whole word is a run of declared names (longest first)."""
    if not names:
        return None
    longest = max(map(len, names))
    best: dict[int, list[str] | None] = {len(word): []}
    for start in range(len(word) - 1, -1, -1):
        best[start] = None
        for size in range(min(longest, len(word) - start), 0, -1):
            rest = best[start + size]
            if word[start : start + size] in names and rest is not None:
                best[start] = [word[start : start + size], *rest]
                break
    return best[0]


def parse(
    text: str,
    variables: Sequence[str] = (),
    functions: Sequence[str] | None = None,
    *,
    max_length: int = MAX_LENGTH,
) -> Expr:
    """Read ``text`` into an ``Expr``, allowing only ``variables`` and ``functions``.

    ``functions=None`` allows every entry of ``FUNCTIONS``; otherwise only the listed ones
    (each must be in ``FUNCTIONS``). A variable named ``e`` or ``pi`` hides that constant.
    Raises ``AnswerError`` with a one-line message when the text is refused.
    """
    if isinstance(variables, str):
        raise TypeError("variables must be a sequence of names, not one string")
    declared = frozenset(variables)
    for name in declared:
        if not _NAME.fullmatch(name):
            raise QuizzerError(f"'{name}' cannot be a variable name")
    if functions is None:
        allowed = tuple(FUNCTIONS)
    else:
        unknown = [f for f in functions if f not in FUNCTIONS]
        if unknown:
            raise QuizzerError(
                f"unknown function '{unknown[0]}' in the allowed list; known: {', '.join(FUNCTIONS)}"
            )
        allowed = tuple(f for f in FUNCTIONS if f in set(functions))
    constants = frozenset(CONSTANTS) - declared
    tokens = _tokenize(_normalise(text, max_length), _spellings(declared, constants))
    return _Parser(tokens, declared, constants, allowed).parse()


# --------------------------------------------------------------------------- text out

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


# --------------------------------------------------------------------------- evaluation


class _TooLarge(AnswerError):
    def __init__(self) -> None:
        super().__init__("the number is too large to evaluate")


class _Undefined(AnswerError):
    """Division by zero, log of a negative number...: no value at this point."""


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
            raise QuizzerError(f"no value was given for the variable '{node.name}'") from None
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
    """Read a learner's number: ``0.25``, ``.25``, ``1/4``, ``2^-2``, ``sigmoid(0)``, ``1e-3``..."""
    return evaluate(parse(text, (), None, max_length=max_length))


def numbers_equal(
    a: int | float | Fraction,
    b: int | float | Fraction,
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


# --------------------------------------------------------------------------- shapes

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
        raise AnswerError(f"the answer is too long ({len(text)} characters; the limit is {max_length})")
    body = unicodedata.normalize("NFKC", text).strip()
    if not body:
        raise AnswerError("the answer is empty")
    hint = "write a shape like 3x4 or (3, 4)"
    if body[0] in "([" and body[-1] in ")]":
        if (body[0], body[-1]) not in (("(", ")"), ("[", "]")):
            raise AnswerError(f"unbalanced brackets; {hint}")
        body = body[1:-1].strip()
        if not body:
            return ()
    if any(c in body for c in "*·⋅"):
        raise AnswerError(f"'*' multiplies; {hint}")
    if body.endswith(",") and body.count(",") == 1 and not re.search("[x×X]", body):
        body = body[:-1]
    dims = []
    for part in _SHAPE_SEPARATOR.split(body):
        part = part.strip()
        if not part:
            raise AnswerError(f"a size is missing; {hint}")
        if not part.isascii() or not part.isdigit():
            raise AnswerError(f"'{part}' is not a whole number; {hint}")
        if len(part) > 12:
            raise AnswerError(f"'{part}' is too large for a size")
        dims.append(int(part))
    if len(dims) > 32:
        raise AnswerError(f"a shape has at most 32 sizes (got {len(dims)})")
    return tuple(dims)


# --------------------------------------------------------------------------- SymPy

_SYMPY_MAX_EXPONENT = 64  # larger integer powers are left to evaluation at points
_SYMPY_MAX_TERMS = 200  # rough size of the expanded form above which SymPy is not asked
_SYMPY_MAX_NODES = 200
_SYMPY_SECONDS = 0.8  # wall time for the whole SymPy step, child process included
_SYMPY_MAX_CALL_DEPTH = 6  # sigmoid(sigmoid(...)) 50 deep: 0.5 s to build, 3 s to cancel
_EXTREMES = ("min", "max", "relu")
_SYMPY_MAX_EXTREMES = 6  # cancel() on nested Max grows steeply: 8 levels 0.05 s, 16 levels 7 s


def _constant(node: Expr) -> bool:
    return not any(isinstance(n, Var) for n in _walk(node))


def to_sympy(expr: Expr, *, positive: bool = False):
    """A SymPy expression for ``expr``; variables are real symbols (positive if asked).

    Numbers become exact ``Rational``s, and so does every constant part with a rational value
    (``2^-2``, ``sqrt(9/4)``). Constant parts are computed by the bounded evaluator first, so
    SymPy never starts on ``9^9^9^9``: raises ``AnswerError`` for those, for ``log(-1)``,
    ``1/0`` and for exponents beyond ``MAX_EXPONENT``.
    """
    import sympy

    symbols: dict[str, object] = {}

    def symbol(name: str):
        if name not in symbols:
            symbols[name] = sympy.Symbol(name, positive=True) if positive else sympy.Symbol(name, real=True)
        return symbols[name]

    def lazy(function):
        # Evaluating tan(cosh(u)) makes SymPy look for multiples of pi inside u, which can mean
        # expanding and taking gcds of big powers: left to the later, time-limited steps.
        return lambda *args: function(*args, evaluate=False)

    functions = {
        "exp": lazy(sympy.exp),
        "ln": lazy(sympy.log),
        "log": lambda *args: sympy.log(args[0], evaluate=False) / sympy.log(args[1], evaluate=False)
        if len(args) == 2
        else sympy.log(args[0], evaluate=False),
        "sqrt": sympy.sqrt,
        "abs": lazy(sympy.Abs),
        "sin": lazy(sympy.sin),
        "cos": lazy(sympy.cos),
        "tan": lazy(sympy.tan),
        "tanh": lazy(sympy.tanh),
        "sinh": lazy(sympy.sinh),
        "cosh": lazy(sympy.cosh),
        "sigmoid": lambda v: 1 / (1 + sympy.exp(-v, evaluate=False)),
        # Unevaluated: SymPy compares every pair of arguments when it builds a nested Max.
        "relu": lambda v: sympy.Max(0, v, evaluate=False),
        "min": lambda *args: sympy.Min(*args, evaluate=False),
        "max": lambda *args: sympy.Max(*args, evaluate=False),
        "floor": lazy(sympy.floor),
        "ceil": lazy(sympy.ceiling),
    }

    constant: set[int] = set()

    def mark(node: Expr) -> bool:
        parts = [mark(child) for child in _children(node)]  # every child, no short-circuit
        if not isinstance(node, Var) and all(parts):
            constant.add(id(node))
            return True
        return False

    mark(expr)
    rounding = ("floor", "ceil")

    def build(node: Expr, checked: bool, in_floor: bool):
        """``checked``: inside a constant part already evaluated; ``in_floor``: under floor,
        ceil, // or %, which SymPy settles by evaluating constants to full precision."""
        if isinstance(node, Num):
            return sympy.Rational(node.value.numerator, node.value.denominator)
        if isinstance(node, Var):
            return symbol(node.name)
        if isinstance(node, Const):
            return sympy.E if node.name == "e" else sympy.pi
        if not checked and id(node) in constant:
            # The bounded evaluator goes first, so SymPy never starts on 9^9^9^9 or on the
            # thousand-digit floor of an irrational number.
            value = evaluate(node)
            if isinstance(value, Fraction):
                return sympy.Rational(value.numerator, value.denominator)
            floors = in_floor or any(
                (isinstance(n, Call) and n.func in rounding) or (isinstance(n, BinOp) and n.op in ("//", "%"))
                for n in _walk(node)
            )
            if floors and abs(value) >= 2.0**50:
                raise _TooLarge()
            checked = True
        if isinstance(node, Neg):
            return -build(node.operand, checked, in_floor)
        if isinstance(node, Call):
            inner = in_floor or node.func in rounding
            return functions[node.func](*[build(a, checked, inner) for a in node.args])
        inner = in_floor or node.op in ("//", "%")
        left, right = build(node.left, checked, inner), build(node.right, checked, inner)
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op == "/":
            return left / right
        if node.op == "//":
            return sympy.floor(left / right)
        if node.op == "%":
            return sympy.Mod(left, right)
        if id(node.right) in constant and abs(evaluate(node.right)) > MAX_EXPONENT:
            raise _TooLarge()  # x^(10^10): SymPy would hold it, but nothing can be done with it
        return left**right

    return build(expr, False, False)


# (numerator, denominator) terms of a call once rewritten in exp: sin(u) = (exp(iu) - exp(-iu))/2i,
# tan(u) a ratio of two such sums. sigmoid is built as 1/(1 + exp(-u)) from the start.
_REWRITTEN_SIZE = {"sin": (2, 1), "cos": (2, 1), "sinh": (2, 1), "cosh": (2, 1), "tan": (2, 2), "tanh": (2, 2)}


def _call_depth(node: Expr) -> int:
    """How many calls are nested inside one another at the deepest point."""
    inner = max((_call_depth(child) for child in _children(node)), default=0)
    return inner + 1 if isinstance(node, Call) else inner


def _cancel_size(node: Expr, rewritten: bool) -> tuple[int, int]:
    """A generous bound on the terms of the numerator and denominator that SymPy's ``cancel``
    expands ``node`` into, each capped just above the budget. A call is one opaque term (its
    arguments stay inside it) unless ``rewritten`` in exp."""
    cap = _SYMPY_MAX_TERMS + 1
    if isinstance(node, (Num, Var, Const)):
        return 1, 1
    if isinstance(node, Neg):
        return _cancel_size(node.operand, rewritten)
    if isinstance(node, Call):
        if node.func == "sigmoid":
            return 1, 2
        if not rewritten or node.func not in _REWRITTEN_SIZE:
            return 1, 1
        if any(isinstance(n, Call) and n.func in _REWRITTEN_SIZE for a in node.args for n in _walk(a)):
            return cap, cap  # sin(cos(x)) rewrites into exponentials of exponentials: slow to cancel
        return _REWRITTEN_SIZE[node.func]
    if node.op in ("//", "%"):
        return 1, 1  # floor(a/b) and Mod(a, b) are opaque to cancel
    (ln, ld), (rn, rd) = _cancel_size(node.left, rewritten), _cancel_size(node.right, rewritten)
    if node.op in ("+", "-"):
        return min(cap, ln * rd + rn * ld), min(cap, ld * rd)
    if node.op == "*":
        return min(cap, ln * rn), min(cap, ld * rd)
    if node.op == "/":
        return min(cap, ln * rd), min(cap, ld * rn)
    if not _constant(node.right):
        return min(cap, ln + ld + rn + rd), 1  # exp(log(base)*exponent): one opaque term
    try:
        exponent = evaluate(node.right)
    except AnswerError:
        return cap, cap
    if abs(exponent) > _SYMPY_MAX_EXPONENT:
        return cap, cap
    if not (isinstance(exponent, Fraction) and exponent.denominator == 1):
        return 1, 1  # a root of the base: one opaque term
    n = abs(exponent.numerator)

    def power(terms: int) -> int:
        return min(cap, math.comb(n + terms - 1, terms - 1)) if terms > 1 else 1

    top, bottom = power(ln), power(ld)
    return (top, bottom) if exponent >= 0 else (bottom, top)


def _opaque_parts(node: Expr) -> tuple[Expr, ...]:
    """The parts ``cancel`` treats as single terms but still expands inside (deep expansion)."""
    if isinstance(node, Call):
        return node.args
    if isinstance(node, BinOp) and node.op in ("//", "%"):
        return (node.left, node.right)
    if isinstance(node, BinOp) and node.op == "^" and not _constant(node.right):
        return (node.left, node.right)
    return ()


def _term_estimate(a: Expr, b: Expr, rewritten: bool = False) -> int:
    """The estimated size of ``a - b`` brought over one denominator, plus the expansions that
    happen inside function arguments on the way."""
    (an, ad), (bn, bd) = _cancel_size(a, rewritten), _cancel_size(b, rewritten)
    total = an * bd + bn * ad + ad * bd
    for tree in (a, b):
        for node in _walk(tree):
            for part in _opaque_parts(node):
                top, bottom = _cancel_size(part, rewritten)
                total += top + bottom
                if total > _SYMPY_MAX_TERMS:
                    return total
    return total


def _sympy_verdict(a: Expr, b: Expr, positive: bool, allow_numeric: bool) -> str:
    """"zero", "nonzero" (proved different) or "unknown".

    Inputs SymPy is known to choke on are turned away by size first; the rest runs in a forked
    child given ``_SYMPY_SECONDS``, because SymPy's own evaluation can still take minutes on a
    67-character answer (``tan(cosh((sqrt(3-z)-3)^30 + x))``: radicals in a polynomial gcd) and
    no size estimate foresees every such path. Out of time means "unknown"."""
    nodes = sum(1 for _ in _walk(a)) + sum(1 for _ in _walk(b))
    extremes = sum(isinstance(n, Call) and n.func in _EXTREMES for tree in (a, b) for n in _walk(tree))
    if (
        nodes > _SYMPY_MAX_NODES
        or extremes > _SYMPY_MAX_EXTREMES
        or max(_call_depth(a), _call_depth(b)) > _SYMPY_MAX_CALL_DEPTH
    ):
        return "unknown"
    import sympy  # here, so that a forked child starts with it loaded

    return _within_time(_SYMPY_SECONDS, lambda: _sympy_steps(sympy, a, b, positive, allow_numeric))


def _sympy_steps(sympy, a: Expr, b: Expr, positive: bool, allow_numeric: bool) -> str:
    try:
        # Building the difference only collects like terms: (x+y)^5000*(x+y) - (y+x)^5001 is 0.
        difference = to_sympy(a, positive=positive) - to_sympy(b, positive=positive)
        if difference == 0:
            return "zero"
        if _term_estimate(a, b) > _SYMPY_MAX_TERMS:
            return "unknown"
        reduced = sympy.cancel(difference)
        if reduced == 0:
            return "zero"
        if reduced.is_rational_function():
            return "nonzero"  # a non-zero rational function of the variables is not 0 everywhere
        if not reduced.is_number and _term_estimate(a, b, rewritten=True) <= _SYMPY_MAX_TERMS:
            reduced = sympy.cancel(difference.rewrite(sympy.exp))
            if reduced == 0:
                return "zero"
        if reduced.is_number and allow_numeric:
            return "nonzero" if abs(complex(reduced.evalf(30))) > 1e-20 else "zero"
    except Exception:  # SymPy giving up (or failing) on a form only leaves the decision to the points
        return "unknown"
    return "unknown"


_VERDICTS = ("zero", "nonzero", "unknown")


def _within_time(seconds: float, job) -> str:
    """``job()`` (one of ``_VERDICTS``) run in a forked child killed after ``seconds``.

    Where there is no fork (Windows) the job runs here, bounded by the size checks alone."""
    if not hasattr(os, "fork"):
        return job()
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return job()
    if pid == 0:  # the child: answer through the pipe and leave without running any cleanup
        answer = "unknown"
        try:
            os.close(read_end)
            answer = job()
        finally:
            try:
                os.write(write_end, answer.encode())
            finally:
                os._exit(0)
    os.close(write_end)
    answer = ""
    try:
        waiting = select.poll()  # not select(): it fails on descriptors numbered past 1023
        waiting.register(read_end, select.POLLIN)
        if waiting.poll(seconds * 1000):
            answer = os.read(read_end, 16).decode(errors="replace")
    finally:
        os.close(read_end)
        if not answer:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # SIGCHLD ignored by the host program: already reaped
            pass
    return answer if answer in _VERDICTS else "unknown"


_ATTEMPTS_PER_SAMPLE = 5
_SMALLEST_SCALE = Fraction(1, 64)


def _value_at(expr: Expr, point: dict[str, Fraction]) -> tuple[Number | None, bool]:
    """The value at ``point``, exactly if affordable, else in floats; None where undefined.
    The flag says the value was out of float range (a point nearer 0 may do better)."""
    try:
        return evaluate(expr, point), False
    except _TooLarge:
        pass
    except AnswerError:
        return None, False
    try:
        return _evaluate(expr, {name: float(v) for name, v in point.items()}, strict=True), False
    except _TooLarge:
        return None, True
    except AnswerError:
        return None, False


def equivalent(
    a: Expr,
    b: Expr,
    variables: Sequence[str],
    *,
    samples: int = 12,
    seed: int = 0,
    positive: bool = False,
) -> bool:
    """Whether ``a`` and ``b`` are the same function of ``variables``.

    Both are evaluated at random points (values in about [-3, 3], or (0, 3] when ``positive``;
    the range shrinks, down to 1/64 of that, while values overflow), exactly where the
    arithmetic is rational, until ``samples`` points agree; points where either side is
    undefined are skipped (at most ``5 * samples`` tries). An exact disagreement
    is final, and so is a float one far beyond rounding. Otherwise SymPy, on input sized
    beforehand, tries to reduce ``a - b``: ``cancel``, then ``cancel`` after rewriting in
    ``exp``. A proof of 0 wins over float noise; a proof of a non-zero difference (a constant
    like 1e-12, a rational function) wins over agreement within float tolerance. Without a
    proof the points decide: at least 4 defined points, all agreeing. ``simplify`` is never
    called: its running time cannot be bounded (minutes on some 30-character inputs).
    """
    if a == b:
        return True
    names = sorted(set(variables) | a.names | b.names)
    rng = random.Random(seed)
    agreed, float_mismatch = 0, False
    scale = Fraction(1)
    # Points where a side is undefined do not count, so try a few more than asked for.
    for _ in range(_ATTEMPTS_PER_SAMPLE * samples):
        if agreed >= samples:
            break
        point = {}
        for name in names:
            size = Fraction(rng.randint(1, 384), 128) * scale
            point[name] = size if positive or rng.random() < 0.5 else -size
        (left, left_large), (right, right_large) = _value_at(a, point), _value_at(b, point)
        if left_large or right_large:
            scale = max(scale / 2, _SMALLEST_SCALE)  # exp(exp(x)) overflows at x = 3, not at 0.1
        if left is None or right is None:
            continue
        if isinstance(left, Fraction) and isinstance(right, Fraction):
            if left != right:
                return False
        elif not numbers_equal(left, right, rel_tol=1e-8, abs_tol=1e-10):
            if not numbers_equal(left, right, rel_tol=1e-4, abs_tol=1e-6):
                return False  # far beyond rounding error: no proof could rescue it
            float_mismatch = True
            break
        agreed += 1
    verdict = _sympy_verdict(a, b, positive, allow_numeric=agreed > 0 or float_mismatch)
    if verdict != "unknown":
        return verdict == "zero"
    return not float_mismatch and agreed >= min(4, samples)
