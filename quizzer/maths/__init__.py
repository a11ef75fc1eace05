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

from quizzer.maths.equivalence import equivalent
from quizzer.maths.evaluate import evaluate, numbers_equal, parse_number, parse_shape
from quizzer.maths.parser import parse
from quizzer.maths.sympy_bridge import to_sympy
from quizzer.maths.tree import (
    FUNCTIONS,
    MAX_BITS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_HEIGHT,
    MAX_LENGTH,
    MAX_NODES,
    BinOp,
    Call,
    Const,
    Expr,
    Neg,
    Num,
    Var,
)

__all__ = ["FUNCTIONS", "MAX_BITS", "MAX_DEPTH", "MAX_EXPONENT", "MAX_HEIGHT", "MAX_LENGTH", "MAX_NODES", "BinOp", "Call", "Const", "Expr", "Neg", "Num", "Var", "equivalent", "evaluate", "numbers_equal", "parse", "parse_number", "parse_shape", "to_sympy"]
