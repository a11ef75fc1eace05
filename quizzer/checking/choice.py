"""Choice questions: one or several correct options, answered by letter or number of the shown order."""

from __future__ import annotations

import re

from quizzer.bank.model import ChoiceSpec
from quizzer.bank.serve import Served, letter
from quizzer.errors import AnswerError
from quizzer.i18n.labels import label
from quizzer.i18n.text import half_width
from quizzer.results import Result

_SPLIT = re.compile(r"[\s,、，;/]+")


def parse_choice(served: Served, response: str) -> list[str]:
    """The option keys the learner picked, in the order typed; AnswerError when unreadable."""
    count = len(served.options)
    last = letter(count - 1)
    how = "choice-how-many" if served.spec(ChoiceSpec).multiple else "choice-how-one"
    tokens = [t for t in _SPLIT.split(half_width(response).strip().lower()) if t]
    if not tokens:
        raise _error("choice-empty", how, last, count)
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
            raise _error("choice-unknown", how, last, count, token=token)
        key = served.options[index].key
        if key not in picked:
            picked.append(key)
    if len(picked) > 1 and not served.spec(ChoiceSpec).multiple:
        raise AnswerError.of("choice-only-one")
    return picked


class _UsageError(AnswerError):
    """An unreadable choice, with the how-to-answer sentence rendered in the same language."""

    def text(self, lang: str) -> str:
        params = dict(self.params)
        params["how"] = label(str(params.pop("how_key")), lang, last=params.pop("last"), count=params.pop("count"))
        return label(self.key or "", lang, **params)


def _error(key: str, how: str, last: str, count: int, **params: object) -> AnswerError:
    error = _UsageError(label(key, "en", how=label(how, "en", last=last, count=count), **params))
    error.key = key
    error.params = {"how_key": how, "last": last, "count": count, **params}
    return error


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
            feedback = label("verdict-correct", lang)
        elif spec.multiple and right and not wrong:
            feedback = label("verdict-partly", lang, expected=expected)
        else:
            feedback = label("verdict-wrong", lang, expected=expected)
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
        """The correct options as "a) text / c) text": each option's own closing full stop dropped, so
        that the sentence around it does not end in "., c)" or "。」"."""
        spec = served.spec(ChoiceSpec)
        shown = [f"{letter(i)}) {served.render(o.text, lang).strip().rstrip('.。')}"
                 for i, o in enumerate(served.options) if o.key in spec.answer]
        return " / ".join(shown)
