"""Helpers shared by the task modules: seeded random arrays and the extra square (D == H) case."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from quizzer.engine.tasks import Case

# Gate pre-activations scaled so that sigmoid outputs sit far from 0.5: an answer that swaps gates,
# or drops one, then differs clearly instead of by a rounding error.
GATE_SCALE = 1.5


def rng_for(seed: int, salt: int) -> np.random.Generator:
    """A generator for one case family: ``salt`` keeps the families of one seed independent."""
    return np.random.default_rng([seed, salt])


def mat(rng: np.random.Generator, *shape: int, scale: float = 1.0) -> np.ndarray:
    """A normal random array: non-symmetric, so a transposed weight gives different values."""
    return rng.normal(0.0, scale, size=shape)


def shapes(args: dict) -> dict[str, tuple[int, ...]]:
    """The input shapes named in messages (each array of a list argument on its own)."""
    out: dict[str, tuple[int, ...]] = {}
    for name, value in args.items():
        if isinstance(value, np.ndarray):
            out[name] = tuple(value.shape)
        elif isinstance(value, list):
            out.update({f"{name}[{k}]": tuple(np.shape(v)) for k, v in enumerate(value)})
    return out


def with_square(seeds: Sequence[int], make: Callable[[str, int, bool], Case]) -> list[Case]:
    """One case per seed, plus one with D == H, where a missing transpose still has the right shape."""
    cases = [make(f"seed {seed}", seed, False) for seed in seeds]
    cases.append(make(f"seed {seeds[0]}, D == H", seeds[0], True))
    return cases
