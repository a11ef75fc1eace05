"""Choice questions: one or several correct options, answered by letter or number of the shown order."""

from __future__ import annotations

import re

from quizzer.bank.model import ChoiceSpec
from quizzer.bank.serve import Served, letter
from quizzer.errors import AnswerError
from quizzer.results import Result

_SPLIT = re.compile(r"[\s,、，;/]+")


def parse_choice(served: Served, response: str) -> list[str]:
    """The option keys the learner picked, in the order typed; AnswerError when unreadable."""
    count = len(served.options)
    last = letter(count - 1)
    usage = f"answer with a letter a–{last} or a number 1–{count}" + ("; several as a,c" if served.spec(ChoiceSpec).multiple else "")
    tokens = [t for t in _SPLIT.split(response.strip().lower()) if t]
    if not tokens:
        raise AnswerError(f"the answer is empty; {usage}")
    if len(tokens) == 1 and len(tokens[0]) > 1 and tokens[0].isalpha() and all(c in "abcdefghijklmnopqrstuvwxyz"[:count] for c in tokens[0]):
        tokens = list(tokens[0])  # "ac" for a,c
    picked: list[str] = []
    for token in tokens:
        token = token.strip("().")
        if len(token) == 1 and "a" <= token <= last:
            index = ord(token) - ord("a")
        elif token.isdigit() and 1 <= int(token) <= count:
            index = int(token) - 1
        else:
            raise AnswerError(f"{token!r} is not one of the options; {usage}")
        key = served.options[index].key
        if key not in picked:
            picked.append(key)
    if len(picked) > 1 and not served.spec(ChoiceSpec).multiple:
        raise AnswerError("this question has exactly one correct option; give one letter")
    return picked


class ChoiceChecker:
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        spec = served.spec(ChoiceSpec)
        picked = set(parse_choice(served, response))
        right = picked & spec.answer
        wrong = picked - spec.answer
        passed = picked == set(spec.answer)
        # partial credit on multiple-answer questions: right picks minus wrong picks, never below zero
        score = 1.0 if passed else max(0.0, (len(right) - len(wrong)) / len(spec.answer)) if spec.multiple else 0.0
        expected = self.expected(served, lang=lang)
        if passed:
            feedback = _t(lang, "Correct.", "正解です。")
        elif spec.multiple and right and not wrong:
            feedback = _t(lang, f"Partly right: some correct options are missing. The answer is {expected}.",
                          f"一部正解です。選ぶべき選択肢が足りません。正解は {expected} です。")
        else:
            feedback = _t(lang, f"Not quite. The answer is {expected}.", f"不正解です。正解は {expected} です。")
        return Result(
            item_id=served.item.id,
            passed=passed,
            score=score,
            feedback=feedback,
            expected=expected,
            response=response.strip(),
            details={"picked": sorted(picked), "correct": sorted(spec.answer)},
        )

    def expected(self, served: Served, *, lang: str) -> str:
        spec = served.spec(ChoiceSpec)
        shown = [f"{letter(i)}) {o.text.get(lang)}" for i, o in enumerate(served.options) if o.key in spec.answer]
        return ", ".join(shown)


def _t(lang: str, en: str, ja: str) -> str:
    return ja if lang == "ja" else en
