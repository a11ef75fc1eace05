"""The bank's Japanese house style, checked by ``quizzer validate`` (docs/authoring.md, section 8).

One spelling per thing, so that a learner reads the same term in every file: half-width brackets and
colon, もつ in kana, the glossary's terms, and a space between Japanese and a Latin word. Each rule is a
pattern and the fix it asks for; answers that a learner may type (``accept``, ``concepts``) are not prose
and are not checked.
"""

from __future__ import annotations

import re

from quizzer.errors import Phrase

_JA = "\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff"  # kana and kanji, without the middle dot ・

# (pattern, the catalogue key of what to write instead). Order matters only for the order of the messages.
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("[（）]"), "style-parentheses"),
    (re.compile("："), "style-colon"),
    (re.compile("持(?:[つたって]|ち(?!込))"), "style-motsu"),
    (re.compile("オートエンコーダ(?!ー)"), "style-autoencoder"),
    (re.compile("語彙"), "style-vocabulary"),
    (re.compile("隠れ層"), "style-hidden-layer"),
    (re.compile("[1１一]時刻前"), "style-one-step"),
    (re.compile(f"[{_JA}][A-Za-z(]|[A-Za-z)][{_JA}]"), "style-space"),
)


def style_problems(text: str) -> list[Phrase]:
    """One finding per rule that ``text`` (a Japanese text) breaks, quoting the first offending spot: a
    catalogue sentence (``style-finding``), rendered in the reader's language."""
    problems = []
    for pattern, wanted in RULES:
        match = pattern.search(text)
        if match:
            start = max(0, match.start() - 6)
            problems.append(Phrase("style-finding", quote=text[start:match.end() + 6], wanted=Phrase(wanted)))
    return problems
