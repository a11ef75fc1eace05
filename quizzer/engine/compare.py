"""Comparing a submission's arrays with the reference's, in quizzer's process.

The order of the checks matters: the number of outputs, then the EXACT shape (``np.allclose``
broadcasts a (1, H) answer against (N, H) and calls it equal, so shape is never left to it), then
finite values (a NaN is never "close"), then the values with the exercise's tolerance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from quizzer.bank.model import Tolerance


@dataclass(frozen=True)
class Mismatch:
    """Why one case's outputs are not the reference's. ``kind`` is count, shape, nonfinite or value."""

    kind: str
    output: str = ""  # name of the output (e.g. "h"), for count: ""
    expected_count: int = 0
    received_count: int = 0
    expected_shape: tuple[int, ...] = ()
    received_shape: tuple[int, ...] = ()
    nonfinite: str = ""  # "NaN", "inf" or "NaN and inf"
    max_abs: float = 0.0
    max_rel: float = 0.0
    first_index: tuple[int, ...] = ()
    expected_value: float = 0.0
    received_value: float = 0.0

    @property
    def batch_of_one(self) -> bool:
        """A (1, ...) result where (N, ...) was expected: the answer only works for a batch of 1."""
        e, r = self.expected_shape, self.received_shape
        return (self.kind == "shape" and len(e) == len(r) and len(e) >= 1 and r[0] == 1 and e[0] > 1
                and e[1:] == r[1:])

    @property
    def broadcastable(self) -> bool:
        """np.allclose would have compared the two by broadcasting and might have passed them."""
        try:
            np.broadcast_shapes(self.expected_shape, self.received_shape)
        except ValueError:
            return False
        return self.kind == "shape"

    def to_dict(self) -> dict:
        out: dict = {"kind": self.kind}
        if self.kind == "count":
            out.update(expected_count=self.expected_count, received_count=self.received_count)
            return out
        out.update(output=self.output, expected_shape=list(self.expected_shape),
                   received_shape=list(self.received_shape))
        if self.kind == "nonfinite":
            out.update(nonfinite=self.nonfinite, first_index=list(self.first_index))
        if self.kind == "value":
            out.update(max_abs_error=self.max_abs, max_rel_error=self.max_rel, first_index=list(self.first_index),
                       expected_value=self.expected_value, received_value=self.received_value)
        return out


def compare(expected: Sequence[np.ndarray], received: Sequence[np.ndarray], names: Sequence[str],
            tolerance: Tolerance) -> Mismatch | None:
    """None when every output has the expected shape and is close to the reference."""
    if len(received) != len(expected):
        return Mismatch("count", expected_count=len(expected), received_count=len(received))
    for k, (exp, got) in enumerate(zip(expected, received)):
        name = names[k] if k < len(names) else f"output {k}"
        exp = np.asarray(exp, dtype=np.float64)
        got = np.asarray(got, dtype=np.float64)
        if exp.shape != got.shape:
            return Mismatch("shape", name, expected_shape=exp.shape, received_shape=got.shape)
        bad = ~np.isfinite(got)
        if bad.any():
            kinds = [k for k, present in (("NaN", np.isnan(got).any()), ("inf", np.isinf(got).any())) if present]
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            return Mismatch("nonfinite", name, expected_shape=exp.shape, received_shape=got.shape,
                            nonfinite=" and ".join(kinds), first_index=first)
        close = np.isclose(got, exp, rtol=tolerance.rtol, atol=tolerance.atol)
        if not close.all():
            diff = np.abs(got - exp)
            scale = np.abs(exp)
            rel = np.divide(diff, scale, out=np.full_like(diff, np.inf), where=scale > 0)
            rel[diff == 0] = 0.0
            first = tuple(int(i) for i in np.argwhere(~close)[0])
            return Mismatch("value", name, expected_shape=exp.shape, received_shape=got.shape,
                            max_abs=float(diff.max()), max_rel=float(rel.max()), first_index=first,
                            expected_value=float(exp[first]), received_value=float(got[first]))
    return None


def same(a: Sequence[np.ndarray], b: Sequence[np.ndarray], tolerance: Tolerance, *, equal_nan: bool = False) -> bool:
    """Two output tuples are equal: same count, same shapes, close values. Non-finite values are never
    equal unless ``equal_nan``, where NaN matches NaN and inf matches inf of the same sign at the same
    places (a submission that overflows exactly like a known wrong answer *is* that answer)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if np.shape(x) != np.shape(y):
            return False
        if not equal_nan and not (np.isfinite(x).all() and np.isfinite(y).all()):
            return False
        if not np.allclose(x, y, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=equal_nan):
            return False
    return True
