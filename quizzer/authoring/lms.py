"""What the LMS exports (Moodle XML, GIFT) share: servings, texts as HTML, answers as an LMS states them.

An LMS question is fixed, so a parameterised item becomes ``variants`` servings with distinct
values (seeds 0, 1, ...; a seed drawing values already exported is passed over, so an item with
fewer combinations than ``variants`` gets them all). Texts are HTML:
both languages as Moodle's multilang spans (``<span lang="en" class="multilang">``), which the
multi-language content filter shows in the learner's language, or one language when ``lang`` is
given. What a format cannot carry is returned as ``Export.skipped``, one sentence per item, for the
command to print on standard error.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from quizzer.bank.model import Item, NumericSpec, Question
from quizzer.bank.serve import Served, serve
from quizzer.i18n.labels import label
from quizzer.i18n.text import LANGUAGES, Text

__all__ = ["Export", "Serving", "html_text", "numeric_answer", "servings", "shape_answers", "text_html"]

CATEGORY_ROOT = "$course$/quizzer"
_CODE = re.compile(r"`([^`\n]+)`")
_DIGITS = 12  # significant digits of an answer written as a decimal
APPROX_REL = 5e-4  # an exact answer with no finite decimal: right to four significant figures


@dataclass
class Export:
    """The exported file's text, and one sentence per item the format could not carry."""

    text: str
    questions: int = 0
    skipped: list[str] = field(default_factory=list)
    approximated: list[str] = field(default_factory=list)  # exact answers exported as rounded decimals


@dataclass(frozen=True)
class Serving:
    """One question as the LMS will hold it: a serving with its own name and id number."""

    question: Question
    served: Served
    name: str
    idnumber: str


def servings(items: Sequence[Item], variants: int) -> Iterator[Serving]:
    """Each question once, or ``variants`` times with distinct values when it has parameters."""
    for item in items:
        if not isinstance(item, Question):
            continue
        if not item.params:
            yield Serving(item, serve(item, seed=0), item.id, item.id)
            continue
        seen: set[tuple] = set()
        for seed in range(variants * 20):  # further seeds stand in for ones that drew values already seen
            if len(seen) == variants:
                break
            served = serve(item, seed=seed)
            key = tuple(sorted(served.values.items()))
            if key in seen:
                continue
            seen.add(key)
            n = len(seen)
            yield Serving(item, served, f"{item.id} ({n})", f"{item.id}-v{n}")


def html_text(text: str) -> str:
    """Plain bank text as HTML: escaped, `code` as <code>, line breaks kept."""
    escaped = html.escape(text.strip(), quote=False)
    escaped = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    return escaped.replace("\n", "<br>")


def text_html(served: Served, text: Text, lang: str | None) -> str:
    """``text`` rendered for this serving as HTML: one language, or every language as multilang spans."""
    if lang is not None or text.neutral or len(text.languages()) < 2:
        return html_text(served.render(text, lang or "en"))
    return "".join(f'<span lang="{code}" class="multilang">{html_text(served.render(text, code))}</span>'
                   for code in LANGUAGES if code in text.languages())


def _decimal(value: Fraction | float) -> str:
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.{_DIGITS}g}"
    return text if "e" not in text else f"{float(value):.{_DIGITS}e}"


def numeric_answer(served: Served) -> tuple[str, str, bool]:
    """(value, absolute tolerance, approximated) as decimals: an LMS states tolerance in the answer's units.

    A relative tolerance becomes the absolute one at this serving's value. An exact answer with no
    finite decimal (2/7) cannot be typed into an LMS, which reads decimals only: it is exported to
    four significant figures (``APPROX_REL``) and flagged, for the command to list.
    """
    from quizzer.checking.numeric import FALLBACK_REL_TOL, expected_value

    spec = served.spec(NumericSpec)
    value = expected_value(served)
    written = _decimal(value)
    tolerance = 0.0
    if spec.abs_tol is not None:
        tolerance = spec.abs_tol
    if spec.rel_tol is not None:
        tolerance = max(tolerance, spec.rel_tol * abs(float(value)))
    approximated = False
    if spec.abs_tol is None and spec.rel_tol is None:
        if isinstance(value, float):
            tolerance = FALLBACK_REL_TOL * abs(value)
        elif Fraction(written) != value:
            approximated = True
            written = f"{float(value):.6g}"
            tolerance = APPROX_REL * abs(float(value))
    return written, f"{tolerance:.3g}" if approximated else f"{tolerance:.6g}", approximated


def shape_answers(shape: tuple[int, ...]) -> list[str]:
    """The ways a learner writes a shape, as quizzer reads them: 3x3, 3×3, 3 x 3, (3, 3)."""
    dims = [str(d) for d in shape]
    return list(dict.fromkeys(["x".join(dims), "×".join(dims), " x ".join(dims), f"({', '.join(dims)})",
                               ",".join(dims)]))


def approximation(serving: Serving, value: str, tolerance: str, lang: str) -> str:
    from quizzer.checking.numeric import expected_value, format_number

    exact = format_number(expected_value(serving.served)).split(" ")[0]
    return label("lms-approx", lang, id=serving.name, exact=exact, value=value, tolerance=tolerance)


def cannot_carry(item: Item, fmt: str, lang: str) -> str:
    key = "lms-skip-code" if item.kind == "exercise" else "lms-skip-symbolic"
    return label(key, lang, id=item.id, format=fmt)
