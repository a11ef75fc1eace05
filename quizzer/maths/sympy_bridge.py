"""The bridge to SymPy: sized conversion of a tree, and SymPy's verdict on a difference, run in a forked child
with a time limit."""

from __future__ import annotations

import math
import os
import select
import signal
from fractions import Fraction

from quizzer.errors import AnswerError
from quizzer.maths.evaluate import evaluate
from quizzer.maths.tree import MAX_EXPONENT, BinOp, Call, Const, Expr, Neg, Num, Var, _children, _TooLarge, _walk

_SYMPY_MAX_EXPONENT = 64  # larger integer powers are left to evaluation at points
_SYMPY_MAX_TERMS = 200  # rough size of the expanded form above which SymPy is not asked
_SYMPY_MAX_NODES = 200
_SYMPY_SECONDS = 0.8  # wall time for the whole SymPy step, child process included
_SYMPY_MAX_CALL_DEPTH = 6  # sigmoid(sigmoid(...)) 50 deep: 0.5 s to build, 3 s to cancel
_EXTREMES = ("min", "max", "relu")
_SYMPY_MAX_EXTREMES = 6  # cancel() on nested Max grows steeply: 8 levels 0.05 s, 16 levels 7 s


def _magnitude(value: Fraction | float) -> Fraction | float:
    """abs(value), spelled out: typeshed's abs(SupportsAbs[T]) -> T finds no T for this union."""
    return -value if value < 0 else value


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
        assert isinstance(node, BinOp)  # the last kind of node
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
        if id(node.right) in constant and _magnitude(evaluate(node.right)) > MAX_EXPONENT:
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
    assert isinstance(node, BinOp)  # the last kind of node
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
    if _magnitude(exponent) > _SYMPY_MAX_EXPONENT:
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


