"""Practice and review sessions, free of any rendering: plan the items, serve them, grade and record answers.

The terminal view (quizzer.cli.practice) drives a Session; so could a test or another front end.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from quizzer.bank import Bank
from quizzer.bank.filters import check_filters, check_names, keep
from quizzer.bank.model import Item
from quizzer.bank.serve import Served, serve
from quizzer.checking import Result, check
from quizzer.errors import QuizzerError
from quizzer.progress.store import Store

# Whole-function exercises need a file and an editor: practice points to `quizzer start` for them.
PRACTICE_KINDS = ("choice", "numeric", "symbolic", "text", "flashcard", "blank")


def practicable(item: Item) -> bool:
    return item.type in PRACTICE_KINDS


def plan_practice(
    bank: Bank,
    *,
    topics: Sequence[str] = (),
    types: Sequence[str] = (),
    count: int | None = None,
    seed: int | None = None,
    history: dict[str, bool] | None = None,
    source: str | None = None,
    difficulty: Sequence[int] | None = None,
    lang: str = "en",
) -> list[Item]:
    """Items for a practice session, in a (seeded) random order within three groups: never answered
    first, then those whose latest answer was wrong, then the rest, so that sessions work through
    the whole bank before repeating it. ``history`` is ``Store.last_results()``; ``source`` and
    ``difficulty`` as in quizzer.bank.filters."""
    check_filters(source, difficulty, lang)
    check_names(topics, types, bank.topics)
    items = [i for i in bank.select(topics=topics, types=types) if practicable(i)]
    items = keep(items, source=source, difficulty=difficulty)
    if not items:
        if types:
            raise QuizzerError.of("no-items-of-type", types=", ".join(types))
        raise QuizzerError.of("no-practicable-items")
    rng = random.Random(seed)
    rng.shuffle(items)
    if history:
        items.sort(key=lambda item: 0 if item.id not in history else 1 if not history[item.id] else 2)
    return items[:count] if count else items


def plan_review(bank: Bank, store: Store, *, count: int | None = None, now: datetime | None = None) -> list[Item]:
    """Items due under spaced repetition that are still in the bank, most overdue first."""
    due = store.due([i for i in bank.items if practicable(bank.items[i])], now=now)
    items = [bank.items[d.item_id] for d in due]
    return items[:count] if count else items


@dataclass
class TopicTally:
    answered: int = 0
    correct: int = 0
    skipped: int = 0


@dataclass
class Session:
    """One sitting: serves each planned item once, grades answers and commits each to the store at once."""

    items: list[Item]
    store: Store | None
    mode: str = "practice"
    lang: str = "en"
    seed: int | None = None
    topics: Sequence[str] = ()
    tallies: dict[str, TopicTally] = field(default_factory=dict)
    session_id: str | None = None
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        if self.store is not None:
            self.session_id = self.store.start_session(mode=self.mode, topics=list(self.topics), seed=self.seed)

    def __iter__(self):
        for item in self.items:
            yield self.serve(item)

    def serve(self, item: Item) -> Served:
        return serve(item, seed=self._rng.randrange(2**31))

    def answer(self, served: Served, response: str, *, hinted: bool = False) -> Result:
        """Grade and record; raises AnswerError (nothing recorded) when the response cannot be read."""
        result = check(served, response, lang=self.lang)
        self._record(served.item, result, hinted=hinted)
        return result

    def skip(self, item: Item) -> None:
        self.tallies.setdefault(item.topic, TopicTally()).skipped += 1

    def finish(self) -> None:
        if self.store is not None and self.session_id is not None:
            self.store.finish_session(self.session_id)

    def _record(self, item: Item, result: Result, *, hinted: bool) -> None:
        tally = self.tallies.setdefault(item.topic, TopicTally())
        tally.answered += 1
        tally.correct += int(bool(result.passed))
        if self.store is not None:
            self.store.record(
                item_id=item.id,
                topic=item.topic,
                kind=item.kind,
                item_type=item.type,
                passed=bool(result.passed),
                score=result.score,
                max_score=result.max_score,
                response=result.response,
                rating=result.rating,
                hinted=hinted,
                session_id=self.session_id,
            )

    @property
    def answered(self) -> int:
        return sum(t.answered for t in self.tallies.values())

    @property
    def correct(self) -> int:
        return sum(t.correct for t in self.tallies.values())

    def summary(self) -> list[tuple[str, TopicTally]]:
        return sorted(self.tallies.items())
