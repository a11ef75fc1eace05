"""The bank as GIFT, Moodle's plain-text quiz format (also read by other LMSs).

Each topic is a ``$CATEGORY: $course$/quizzer/<topic>`` line followed by its questions, one
paragraph each: ``::name::[html]text{answers}`` with the explanation as general feedback
(``####``). Choice questions are ``=right ~wrong`` (several right options as ``~%50%``), numeric
ones ``#value:tolerance``, text ones and shapes short answers (``=a =b``), flashcards essays
(``{}``). GIFT has no way to state a symbolic answer (no equivalence, and its short answers would
reject every other form of the same expression) nor a code exercise: those are listed, not written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from quizzer.authoring.lms import (
    CATEGORY_ROOT,
    Export,
    Serving,
    approximation,
    cannot_carry,
    numeric_answer,
    servings,
    shape_answers,
    text_html,
)
from quizzer.authoring.moodle import fraction
from quizzer.bank.model import ChoiceSpec, FlashcardSpec, Item, NumericSpec, Question, SymbolicSpec, TextSpec

__all__ = ["escape", "export_gift"]

_SPECIAL = re.compile(r"([~=#{}:\\])")


def escape(text: str) -> str:
    """GIFT's special characters escaped with a backslash; a line break as GIFT's ``\\n``."""
    return _SPECIAL.sub(r"\\\1", text).replace("\r", "").replace("\n", "\\n")


def _answers(serving: Serving, lang: str | None, notes: list[str], message_lang: str) -> str:
    from quizzer.checking.numeric import expected_shape

    spec = serving.question.spec
    if isinstance(spec, ChoiceSpec):
        right, wrong = len(spec.answer), len(spec.options) - len(spec.answer)
        parts = []
        for option in spec.options:
            text = escape(text_html(serving.served, option.text, lang))
            if not spec.multiple:
                parts.append(("=" if option.key in spec.answer else "~") + text)
            else:
                percent = 100 / right if option.key in spec.answer else -100 / wrong if wrong else 0
                parts.append(f"~%{fraction(percent)}%{text}")
        return " ".join(parts)
    if isinstance(spec, NumericSpec) and spec.shape is not None:
        return " ".join("=" + escape(a) for a in shape_answers(expected_shape(serving.served)))
    if isinstance(spec, NumericSpec):
        value, tolerance, approximated = numeric_answer(serving.served)
        if approximated:
            notes.append(approximation(serving, value, tolerance, message_lang))
        return f"#{value}:{tolerance}"
    if isinstance(spec, TextSpec):
        return " ".join("=" + escape(a.strip()) for a in dict.fromkeys(spec.all_answers()) if a.strip())
    return ""  # a flashcard: an essay


def export_gift(items: Sequence[Item], *, lang: str | None = None, variants: int = 3, message_lang: str = "en") -> Export:
    """The items as GIFT text; ``lang`` None writes every language as Moodle multilang spans."""
    out = ["// quizzer questions in GIFT (Moodle: Question bank > Import > GIFT format)", ""]
    skipped: list[str] = []
    notes: list[str] = []
    count = 0
    topics: dict[str, list[Item]] = {}
    for item in items:
        topics.setdefault(item.topic, []).append(item)
    for topic in sorted(topics):
        group = topics[topic]
        carried = [i for i in group if isinstance(i, Question) and not isinstance(i.spec, SymbolicSpec)]
        skipped += [cannot_carry(i, "GIFT", message_lang) for i in group if i not in carried]
        chosen = list(servings(carried, variants))
        if not chosen:
            continue
        out += [f"$CATEGORY: {CATEGORY_ROOT}/{topic}", ""]
        for serving in chosen:
            prompt = escape(text_html(serving.served, serving.question.prompt, lang))
            feedback = escape(text_html(serving.served, serving.question.explanation, lang))
            answers = _answers(serving, lang, notes, message_lang)
            if isinstance(serving.question.spec, FlashcardSpec):
                model = escape(text_html(serving.served, serving.question.spec.answer, lang))
                feedback = f"{model}<br>{feedback}" if feedback else model
            tail = f"####{feedback}" if feedback else ""
            body = f"{answers} {tail}".strip()
            out += [f"::{escape(serving.name)}::[html]{prompt}{{{body}}}", ""]
            count += 1
    return Export("\n".join(out).rstrip() + "\n", count, skipped, notes)
