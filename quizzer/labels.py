"""Interface words in each language (the bank carries its own texts)."""

from __future__ import annotations

LABELS = {
    "en": {
        "hint": "Hint",
        "explanation": "Explanation",
        "model": "Model answer",
        "points": "Key points",
        "answer": "Answer",
        "variables": "Variables",
        "functions": "Functions",
        "shape": "Answer with a shape such as 3x3.",
        "unit": "Unit",
        "choose_one": "Choose one option (letter or number).",
        "choose_many": "Choose every correct option, e.g. a,c.",
        "blank": "Type the expression that replaces ____.",
        "flashcard": "Answer in your own words, then compare with the model answer and rate yourself.",
        "provided": "Provided",
        "topic": "topic",
        "answered": "Answered",
        "correct": "Correct",
        "accuracy": "Accuracy",
        "skipped": "Skipped",
        "total": "Total",
        "due": "Due",
        "attempts": "Attempts",
        "seen": "Items seen",
    },
    "ja": {
        "hint": "ヒント",
        "explanation": "解説",
        "model": "模範解答",
        "points": "要点",
        "answer": "解答",
        "variables": "使える変数",
        "functions": "使える関数",
        "shape": "3x3 のように形で答えてください。",
        "unit": "単位",
        "choose_one": "選択肢を1つ選んでください(記号または番号)。",
        "choose_many": "正しい選択肢をすべて選んでください(例: a,c)。",
        "blank": "____ に入る式を入力してください。",
        "flashcard": "自分の言葉で答えてから、模範解答と比べて自己評価してください。",
        "provided": "用意されている関数",
        "topic": "トピック",
        "answered": "解答数",
        "correct": "正解数",
        "accuracy": "正答率",
        "skipped": "スキップ",
        "total": "合計",
        "due": "復習待ち",
        "attempts": "解答数",
        "seen": "学習済み",
    },
}


def label(key: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"])[key]
