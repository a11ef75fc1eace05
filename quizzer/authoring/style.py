"""The bank's Japanese house style, checked by ``quizzer validate`` (docs/authoring.md, section 8).

One spelling per thing, so that a learner reads the same term in every file: half-width brackets and
colon, もつ in kana, the glossary's terms, and a space between Japanese and a Latin word. Each rule is a
pattern and the fix it asks for; answers that a learner may type (``accept``, ``concepts``) are not prose
and are not checked.
"""

from __future__ import annotations

import re

_JA = "\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff"  # kana and kanji, without the middle dot ・

# (pattern, what to write instead). Order matters only for the order of the messages.
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile("[（）]"), "half-width parentheses ( )"),
    (re.compile("："), "a half-width colon ':'"),
    (re.compile("持(?:[つたって]|ち(?!込))"), "もつ in kana (もつ, もたない, もっている)"),
    (re.compile("オートエンコーダ(?!ー)"), "オートエンコーダー"),
    (re.compile("語彙"), "ボキャブラリ"),
    (re.compile("隠れ層"), "中間層"),
    (re.compile("[1１一]時刻前"), "1ステップ前"),
    (re.compile(f"[{_JA}][A-Za-z(]|[A-Za-z)][{_JA}]"), "a space between Japanese and a Latin word or a bracket (双方向 RNN, one-hot ベクトル, 状態 (h))"),
)


def style_problems(text: str) -> list[str]:
    """One message per rule that ``text`` (a Japanese text) breaks, quoting the first offending spot."""
    problems = []
    for pattern, wanted in RULES:
        match = pattern.search(text)
        if match:
            start = max(0, match.start() - 6)
            problems.append(f"Japanese style: “…{text[start:match.end() + 6]}…”: write {wanted}")
    return problems
