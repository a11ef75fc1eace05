"""Whether two expressions are the same function: random points first, SymPy as the judge of last resort."""

from __future__ import annotations

import random
from collections.abc import Sequence
from fractions import Fraction

from quizzer.errors import AnswerError
from quizzer.maths.evaluate import _evaluate, evaluate, numbers_equal
from quizzer.maths.sympy_bridge import _sympy_verdict
from quizzer.maths.tree import Expr, Number, _TooLarge

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
