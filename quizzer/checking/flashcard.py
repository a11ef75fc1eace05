"""Flashcards: the learner answers in their own words, sees the model answer, and rates themselves."""

from __future__ import annotations

from quizzer.bank.model import FlashcardSpec
from quizzer.bank.serve import Served
from quizzer.errors import AnswerError
from quizzer.i18n.labels import label
from quizzer.i18n.text import half_width
from quizzer.results import Result

RATINGS = ("again", "hard", "good", "easy")
_ALIASES = {
    "1": "again", "2": "hard", "3": "good", "4": "easy",
    "a": "again", "h": "hard", "g": "good", "e": "easy",
    # the words of the Japanese prompt, and the ones a learner types instead
    "もう一度": "again", "もういちど": "again", "だめ": "again",
    "難しい": "hard", "むずかしい": "hard",
    "良い": "good", "よい": "good", "いい": "good", "普通": "good", "ふつう": "good",
    "簡単": "easy", "かんたん": "easy",
}


def parse_rating(text: str) -> str:
    word = half_width(text).strip().lower().rstrip("。.")
    rating = word if word in RATINGS else _ALIASES.get(word)
    if rating is None:
        raise AnswerError.of("rating-unknown")
    return rating


class FlashcardChecker:
    """``response`` is the learner's self-rating; their free-text answer is not graded by quizzer."""

    def check(self, served: Served, response: str, *, lang: str) -> Result:
        rating = parse_rating(response)
        passed = rating != "again"
        when = label("rated-soon" if rating == "again" else "rated-later", lang)
        text = label("rated", lang, rating=label(f"rating-{rating}", lang), when=when)
        return Result(
            item_id=served.item.id,
            passed=passed,
            score=1.0 if passed else 0.0,
            feedback=text,
            expected=self.expected(served, lang=lang),
            response=rating,
            rating=rating,
        )

    def expected(self, served: Served, *, lang: str) -> str:
        spec = served.spec(FlashcardSpec)
        return served.render(spec.answer, lang)
