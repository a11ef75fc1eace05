"""Localised text: every learner-facing string can carry English and Japanese."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

LANGUAGES = ("en", "ja")
_WORDS = re.compile(r"[A-Za-z]{3,}")
DEFAULT_LANGUAGE = "en"


def resolve_language(lang: str | None) -> str:
    """The language asked for, else ``QUIZZER_LANG``, else English."""
    chosen = (lang or os.environ.get("QUIZZER_LANG") or DEFAULT_LANGUAGE).strip().lower()
    if chosen not in LANGUAGES:
        from quizzer.errors import QuizzerError

        raise QuizzerError(f"unknown language {chosen!r}; choose one of: {', '.join(LANGUAGES)}")
    return chosen


@dataclass(frozen=True)
class Text:
    """A string in up to two languages; reading it falls back to the other language."""

    en: str | None = None
    ja: str | None = None
    neutral: bool = False  # written as one plain string: meant for numbers, code and formulas

    @classmethod
    def plain(cls, value: str) -> Text:
        return cls(en=value, ja=value, neutral=True)

    def looks_like_prose(self) -> bool:
        """A plain string that reads as words in one language (so it cannot stand for both)."""
        if not self.neutral or not self.en:
            return False
        if any("\u3040" <= ch <= "\u9fff" for ch in self.en):  # kana or kanji
            return True
        return len(_WORDS.findall(self.en)) >= 2

    def get(self, lang: str = DEFAULT_LANGUAGE) -> str:
        first = getattr(self, lang, None)
        if first:
            return first
        for other in LANGUAGES:
            value = getattr(self, other)
            if value:
                return value
        return ""

    def languages(self) -> frozenset[str]:
        return frozenset(lang for lang in LANGUAGES if getattr(self, lang))

    def __bool__(self) -> bool:
        return bool(self.en or self.ja)

    def to_dict(self) -> dict[str, str]:
        if self.neutral:
            return {"en": self.en or ""}
        return {lang: getattr(self, lang) for lang in LANGUAGES if getattr(self, lang)}


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0x3001: 0x2C}


def half_width(text: str) -> str:
    """Full-width ASCII as a Japanese keyboard types it (ｂ, ２．５, ，, 　) read as ASCII; 、 as a comma.

    Not NFKC: that would also turn ½ into 1⁄2 and x² into x2, which the maths reader reads differently.
    """
    return text.translate(_FULL_WIDTH)
