"""The --source and --difficulty filters shared by practice, exam, list and export.

``source``: ``course`` keeps the course's own confirmation tests and exercise challenges (an item
whose ``source`` names the course item it reproduces, i.e. anything but ``original``), ``original``
keeps the bank's own additions, ``all`` keeps both. ``difficulty`` (1..3) keeps the items authored
with that difficulty; an item without one is left out by any ``--difficulty`` filter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label

SOURCES = ("course", "original", "all")
DIFFICULTIES = (1, 2, 3)
ORIGINAL = "original"

T = TypeVar("T")


def check_filters(source: str | None, difficulty: Sequence[int] | None, lang: str) -> None:
    """Refuse unknown filter values, naming the ones that exist."""
    if source is not None and source not in SOURCES:
        raise QuizzerError(label("unknown-source", lang, value=source, known=", ".join(SOURCES)))
    for level in difficulty or ():
        if level not in DIFFICULTIES:
            raise QuizzerError(
                label("unknown-difficulty", lang, value=level, known=", ".join(map(str, DIFFICULTIES)))
            )


def check_names(topics: Sequence[str], types: Sequence[str], known_topics: Iterable[str]) -> None:
    """``--topic``/``--type`` values the bank knows, or QuizzerError naming those that exist, the closest
    first (every command alike: list, practice, export)."""
    import difflib

    from quizzer.bank.model import EXERCISE_TYPES, QUESTION_TYPES

    for values, known, key in ((topics, list(dict.fromkeys(known_topics)), "unknown-topic"),
                               (types, [*QUESTION_TYPES, *EXERCISE_TYPES], "unknown-type")):
        for value in values:
            if value not in known:
                close = difflib.get_close_matches(value, known, n=1)
                raise QuizzerError.of(key, value=value, known=", ".join(close + [k for k in known if k not in close]))


def is_course(source: str) -> bool:
    return source != ORIGINAL


def source_matches(source: str, wanted: str | None) -> bool:
    if wanted is None or wanted == "all":
        return True
    return is_course(source) == (wanted == "course")


def difficulty_of(item: Any) -> int | None:
    """An item's authored difficulty (1..3), or None; reads bank items and `quizzer list` rows alike."""
    value = item.get("difficulty") if isinstance(item, dict) else getattr(item, "difficulty", None)
    return value if isinstance(value, int) else None


def keep(items: Iterable[T], *, source: str | None = None, difficulty: Sequence[int] | None = None) -> list[T]:
    """The items (bank items or list rows) that pass both filters, in their order."""
    levels = set(difficulty or ())
    out = []
    for item in items:
        item_source = item["source"] if isinstance(item, dict) else getattr(item, "source")  # noqa: B009 - T is unbound
        if not source_matches(item_source, source):
            continue
        if levels and difficulty_of(item) not in levels:
            continue
        out.append(item)
    return out
