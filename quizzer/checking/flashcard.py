"""Flashcards: the learner answers in their own words, sees the model answer, and rates themselves."""

from __future__ import annotations

from quizzer.bank.model import FlashcardSpec
from quizzer.bank.serve import Served
from quizzer.errors import AnswerError
from quizzer.results import Result

RATINGS = ("again", "hard", "good", "easy")
_ALIASES = {
    "1": "again", "2": "hard", "3": "good", "4": "easy",
    "a": "again", "h": "hard", "g": "good", "e": "easy",
    "もう一度": "again", "難しい": "hard", "普通": "good", "簡単": "easy",
}


def parse_rating(text: str) -> str:
    word = text.strip().lower()
    rating = word if word in RATINGS else _ALIASES.get(word)
    if rating is None:
        raise AnswerError("rate yourself with again, hard, good or easy (or 1–4)")
    return rating


class FlashcardChecker:
    """``response`` is the learner's self-rating; their free-text answer is not graded by quizzer."""

    def check(self, served: Served, response: str, *, lang: str) -> Result:
        rating = parse_rating(response)
        passed = rating != "again"
        feedback = {
            "en": "Rated: {r}. It will come back {when}.",
            "ja": "自己評価: {r}。{when}",
        }
        when_en = "soon" if rating == "again" else "later"
        when_ja = "近いうちにもう一度出題します。" if rating == "again" else "しばらく後に復習します。"
        text = feedback["ja" if lang == "ja" else "en"].format(r=rating, when=when_ja if lang == "ja" else when_en)
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
