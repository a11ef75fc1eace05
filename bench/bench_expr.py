"""Speed of reading and comparing typed maths, and the worst case over hostile input.

1. ``equivalent`` on typical right/wrong pairs, the first call in a fresh process (it pays the
   SymPy import) and the median of repeated calls afterwards.
2. Every hostile input (towers of powers, deep nesting, 100 000 characters...) through parse and
   evaluate, and a few oversized equivalence checks. Target: each answered in under 2 s.

    python bench/bench_expr.py [--runs 5]

Prints the figures; exits 1 if a target is missed. The machine's load changes from minute to
minute, so run it twice before believing a slow figure.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from quizzer.errors import AnswerError
from quizzer.maths import equivalent, evaluate, parse

LIMIT = 2.0

PAIRS = [
    (["x", "y"], "2(x+y)", "2x+2y"),
    (["x", "y"], "2(x+y)", "2x+y"),
    (["x"], "sigmoid(x)*(1-sigmoid(x))", "exp(-x)/(1+exp(-x))^2"),
    (["x"], "1 - tanh(x)^2", "1/cosh(x)^2"),
    (["D", "H"], "4H(D+H+1)", "4*(D*H + H*H + H)"),
    (["W", "P", "F", "S"], "(W - F + 2P)//S + 1", "(W + 2*P - F)//S + 1"),
]

HOSTILE = [
    "().__class__",
    "__import__('os').system('echo hi')",
    "9**9**9**9",
    "10**10**10",
    "factorial(10**7)",
    "exp(exp(exp(1000)))",
    "(x+y)^100000",
    "1" * 100_000,
    "(" * 10_000 + "x" + ")" * 10_000,
    "*".join(["x^1400"] * 70),
    "2^" * 250 + "2",
]

HEAVY_PAIRS = [
    (["x", "y"], "(x+y)^100000", "x+y"),
    (["x", "y"], "(x+y)^9999", "(x+y)^9998*(x-y)"),
    (["a", "b", "c", "d"], "(a+b+c+d)^6/(a-b+c-d)^5", "(a+b+c+d)^5*(a+b+c+d)/(a-b+c-d)^5 + 0*a"),
    (
        ["a", "b", "c", "d"],
        "(sin(a)+cos(b)+tan(c)+sinh(d))^8",
        "(sin(a)+cos(b)+tan(c)+sinh(d))^7*(sin(a)+cos(b)+tan(c)+sinh(d)+1e-15)",
    ),
    (["x", "z"], "tan(cosh((sqrt(3-z)-3)^30 + x))", "tan(cosh((sqrt(3-z)-3)^30 + x)) + 1e-12"),
    (["x"], "sin(cos(tan(x)))^2 + cos(cos(tan(x)))^2", "1"),
    (["x"], "exp(" * 99 + "x" + ")" * 99, "exp(" * 99 + "x" + ")" * 99 + "+0"),
]


def first_call_seconds() -> float:
    code = (
        "import time; from quizzer.maths import parse, equivalent; v=['x','y']; t=time.perf_counter();"
        "equivalent(parse('2(x+y)', v), parse('2x+2y', v), v); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout)


def parse_and_evaluate(text: str):
    return evaluate(parse(text, ["x", "y"]), {"x": 3, "y": 2})


def parse_and_compare(left: str, right: str, names: list[str]) -> bool:
    return equivalent(parse(left, names), parse(right, names), names)


def timed(fn) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        outcome = repr(fn())
    except AnswerError as exc:
        outcome = f"AnswerError: {exc}"
    return time.perf_counter() - started, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    missed = False

    print(f"first equivalent() in a fresh process (SymPy import included): {first_call_seconds():.3f} s")
    for names, left, right in PAIRS:
        a, b = parse(left, names), parse(right, names)
        times = [timed(partial(equivalent, a, b, names))[0] for _ in range(args.runs)]
        print(f"  {statistics.median(times) * 1000:7.1f} ms  {left}  ~  {right}  -> {equivalent(a, b, names)}")

    print("hostile input (parse + evaluate):")
    for text in HOSTILE:
        seconds, outcome = timed(partial(parse_and_evaluate, text))
        missed |= seconds > LIMIT
        print(f"  {seconds * 1000:7.1f} ms  {text[:40]!r:44} {outcome[:70]}")
        if len(text) > 500:
            seconds, outcome = timed(partial(parse, text, ["x", "y"], max_length=len(text)))
            missed |= seconds > LIMIT
            print(f"  {seconds * 1000:7.1f} ms  (max_length raised)                         {outcome[:70]}")

    print("oversized equivalence checks:")
    for names, left, right in HEAVY_PAIRS:
        seconds, outcome = timed(partial(parse_and_compare, left, right, names))
        missed |= seconds > LIMIT
        print(f"  {seconds * 1000:7.1f} ms  {left[:36]!r:40} -> {outcome}")

    if missed:
        print(f"MISSED: something took longer than {LIMIT} s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
