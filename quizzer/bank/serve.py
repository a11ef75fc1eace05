"""Serving an item: drawing its parameters, fixing its option order, and rendering its texts.

A ``Served`` item is what one learner sees at one moment; the same seed gives the same serving.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

from quizzer.bank.model import ChoiceSpec, Exercise, Item, Option, Question
from quizzer.i18n.text import Text

S = TypeVar("S")
_SIGNED_PLACEHOLDER = re.compile(r"(?:([+\-−])(\s*))?\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Served:
    item: Item
    values: dict[str, int | float] = field(default_factory=dict)
    options: tuple[Option, ...] = ()  # choice questions: options in the order shown (letters a, b, c...)
    seed: int | None = None

    def spec(self, kind: type[S]) -> S:
        """The question's answer spec, which the caller (a checker or a view) knows to be a ``kind``."""
        spec = getattr(self.item, "spec", None)
        if not isinstance(spec, kind):
            raise TypeError(f"{self.item.id} has no {kind.__name__}")
        return spec

    def exercise(self) -> Exercise:
        """The item as a code exercise, which the caller (the code checker) knows it to be."""
        if not isinstance(self.item, Exercise):
            raise TypeError(f"{self.item.id} is not a code exercise")
        return self.item

    def exact_values(self) -> dict[str, Fraction]:
        """The parameters as exact fractions (0.1 is 1/10), for evaluating answer formulas."""
        return exact(self.values)

    def render(self, text: Text, lang: str) -> str:
        """``text`` in ``lang`` with ``{param}`` placeholders replaced by this serving's values."""
        raw = text.get(lang)
        if not self.values:
            return raw
        return _SIGNED_PLACEHOLDER.sub(self._filled, raw)

    def _filled(self, m: re.Match[str]) -> str:
        """A value in place of its ``{name}``; after a + or −, a negative value turns the sign
        ("0.5 + {b}" with b = −0.6 reads "0.5 − 0.6", not "0.5 + -0.6")."""
        sign, space, name = m.group(1) or "", m.group(2) or "", m.group(3)
        if name not in self.values:
            return m.group(0)
        value = self.values[name]
        if sign and value < 0:
            return ("−" if sign == "+" else "+") + space + format_value(-value)
        return sign + space + format_value(value)

    def prompt(self, lang: str) -> str:
        return self.render(self.item.prompt, lang)

    def explanation(self, lang: str) -> str:
        return self.render(self.item.explanation, lang)

    def hints(self, lang: str) -> list[str]:
        return [self.render(h, lang) for h in self.item.hints]


def exact(values: dict[str, int | float]) -> dict[str, Fraction]:
    return {name: Fraction(str(value)) if isinstance(value, float) else Fraction(value) for name, value in values.items()}


def format_value(value: float | Fraction) -> str:
    if isinstance(value, Fraction):
        value = float(value) if value.denominator != 1 else int(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def serve(item: Item, seed: int | None = None) -> Served:
    """Draw parameters and option order; ``seed`` makes the serving reproducible."""
    rng = random.Random(seed)
    values = {p.name: rng.choice(p.values()) for p in item.params}
    options: tuple[Option, ...] = ()
    if isinstance(item, Question) and isinstance(item.spec, ChoiceSpec):
        opts = list(item.spec.options)
        if item.spec.shuffle:
            rng.shuffle(opts)
        options = tuple(opts)
    return Served(item=item, values=values, options=options, seed=seed)


def letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index]
