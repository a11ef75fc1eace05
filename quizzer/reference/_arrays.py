"""Conversion of inputs to the reference dtype, shared by every layer module."""

from __future__ import annotations

import numpy as np

from .conventions import DTYPE


def as_float64(*arrays):
    """Each argument as a float64 array (no copy when it already is one); None stays None."""
    return tuple(None if a is None else np.asarray(a, dtype=DTYPE) for a in arrays)
