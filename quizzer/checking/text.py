"""Text questions: a normalised match against accepted answers and synonyms in every language."""

from __future__ import annotations

import re
import unicodedata

from quizzer.bank.model import TextSpec
from quizzer.bank.serve import Served
from quizzer.errors import AnswerError
from quizzer.results import Result, judged

# Generic words that do not change the meaning of a short answer ("the forget gate" == "forget").
_FILLER_WORDS = ("the", "a", "an", "gate", "gates", "ゲート")
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
MAX_LENGTH = 2000


def normalise(text: str) -> str:
    """Fold case, width and punctuation; drop filler words such as 'the' and 'gate' / 'ゲート'."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = folded.replace("ゲート", " ゲート ")
    words = [w for w in _PUNCT.split(folded) if w]
    kept = [w for w in words if w not in _FILLER_WORDS]
    return "".join(kept or words)


class TextChecker:
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        spec = served.spec(TextSpec)
        if not response.strip():
            raise AnswerError("the answer is empty")
        if len(response) > MAX_LENGTH:
            raise AnswerError(f"the answer is too long ({len(response)} characters; the limit is {MAX_LENGTH})")
        given = normalise(response)
        accepted = {normalise(a) for a in spec.all_answers()}
        passed = given in accepted
        return judged(served.item.id, passed, lang=lang, expected=self.expected(served, lang=lang), response=response)

    def expected(self, served: Served, *, lang: str) -> str:
        spec = served.spec(TextSpec)
        answers = spec.accept.get(lang) or spec.all_answers()
        return answers[0]
