"""Mock exams, free of any rendering: plan an exam from the bank, run an attempt, score it.

An exam draws items by topic weight (``TOPIC_WEIGHTS``, the table in the README), grades each
response as it is given but shows no verdict until the end, and keeps every response, move and
second in the progress store as it happens (``Store.save_exam_*``), so a killed exam resumes with
the time it had left. Submitting (or the time running out) finishes the attempt in the store, which
records each answered item once as an ordinary answer: exams feed spaced repetition.

The terminal view (quizzer.cli.exam) drives an ``ExamRun``; so does a test.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizzer.bank import Bank
from quizzer.bank.filters import check_filters, keep
from quizzer.bank.model import Item
from quizzer.bank.serve import Served, serve
from quizzer.checking import check
from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label
from quizzer.progress.store import ExamRecord, Store

DEFAULT_COUNT = 20
SECONDS_PER_ITEM = 90  # the default limit: 30 minutes for the default 20 items
DEFAULT_PASS_LINE = 0.7  # JDLA publishes no pass mark for the E-qualification; 70% is our own bar

# Items per topic in a default 20-item exam, and the relative weights of any other length. They
# follow the share of the course's recurrent-network part each topic takes (and of the bank).
TOPIC_WEIGHTS: dict[str, int] = {
    "rnn": 2,
    "bptt": 2,
    "lstm": 2,
    "gru": 2,
    "bidirectional": 1,
    "seq2seq": 2,
    "hred-vhred": 1,
    "autoencoder-vae": 1,
    "word2vec": 2,
    "attention": 2,
    "training": 1,
    "applications": 1,
    "cnn-review": 1,
}

# Types an exam asks (graded without self-rating; whole functions need an editor, flashcards a
# self-rating). Within a topic, CHOICE_SHARE of its items (rounded half up) are choice items where
# the topic has them, so an exam is mostly four-choice (13 of the default 20); the rest are drawn
# from the other types with TYPE_PREFERENCE as weights: numeric, code-completion, formula, term.
EXAM_TYPES = ("choice", "numeric", "symbolic", "text", "blank")
CHOICE_SHARE = 0.6
TYPE_PREFERENCE = {"numeric": 2.0, "blank": 1.5, "symbolic": 1.0, "text": 1.0}

ENDED_SUBMITTED = "submitted"
ENDED_TIME = "time"


def examinable(item: Item) -> bool:
    return item.type in EXAM_TYPES


def eligible(
    bank: Bank,
    *,
    topics: Sequence[str] = (),
    source: str | None = None,
    difficulty: Sequence[int] | None = None,
    lang: str = "en",
) -> list[Item]:
    """Every item an exam with these filters may ask, in bank order (unknown values are refused)."""
    check_filters(source, difficulty, lang)
    unknown = [t for t in topics if t not in bank.topics]
    if unknown:
        raise QuizzerError(label("unknown-topic", lang, value=unknown[0], known=", ".join(bank.topics)))
    chosen = [i for i in bank.select(topics=topics) if examinable(i)]
    return keep(chosen, source=source, difficulty=difficulty)


def quotas(available: dict[str, int], count: int) -> dict[str, int]:
    """Items per topic: ``count`` shared by TOPIC_WEIGHTS (largest remainder), never more than a topic has.

    A topic short of items gives its share to the others, in order of weight. Topics missing from
    the table weigh 1.
    """
    topics = [t for t, n in available.items() if n > 0]
    weights = {t: TOPIC_WEIGHTS.get(t, 1) for t in topics}
    total = sum(weights.values()) or 1
    exact = {t: count * weights[t] / total for t in topics}
    share = {t: min(int(exact[t]), available[t]) for t in topics}
    order = sorted(topics, key=lambda t: (-(exact[t] - int(exact[t])), -weights[t], t))
    while sum(share.values()) < count:
        room = [t for t in order if share[t] < available[t]]
        if not room:
            break
        for topic in room:
            if sum(share.values()) >= count:
                break
            share[topic] += 1
        order = sorted(topics, key=lambda t: (-weights[t], t))  # after the remainders: heaviest first
    return {t: n for t, n in share.items() if n}


def plan_exam(items: Sequence[Item], *, count: int, seed: int, lang: str = "en") -> list[Item]:
    """``count`` items drawn from ``items`` by topic quota, choice items preferred, in a seeded order."""
    if count < 1:
        raise QuizzerError(label("exam-count", lang))
    if len(items) < count:
        raise QuizzerError(label("exam-too-few", lang, available=len(items), count=count))
    rng = random.Random(seed)
    by_topic: dict[str, list[Item]] = {}
    for item in items:
        by_topic.setdefault(item.topic, []).append(item)
    chosen: list[Item] = []
    for topic, n in quotas({t: len(v) for t, v in by_topic.items()}, count).items():
        pool = by_topic[topic]
        choices = [i for i in pool if i.type == "choice"]
        rng.shuffle(choices)
        # the others by weighted sampling without replacement (Efraimidis-Spirakis keys u^(1/w))
        others = sorted(
            (i for i in pool if i.type != "choice"),
            key=lambda i: -(rng.random() ** (1.0 / TYPE_PREFERENCE.get(i.type, 1.0))),
        )
        n_choice = min(len(choices), int(n * CHOICE_SHARE + 0.5))
        n_choice = max(n_choice, n - len(others))  # a topic short of other types fills up with choice
        chosen += choices[:n_choice] + others[: n - n_choice]
    rng.shuffle(chosen)
    return chosen


@dataclass(frozen=True)
class ItemOutcome:
    """One item of a finished attempt, as the result shows it."""

    position: int
    item_id: str
    topic: str
    item_type: str
    response: str | None
    passed: bool
    marked: bool
    seconds: float
    expected: str
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position + 1,
            "id": self.item_id,
            "topic": self.topic,
            "type": self.item_type,
            "response": self.response,
            "passed": self.passed,
            "marked": self.marked,
            "seconds": round(self.seconds, 1),
            "expected": self.expected,
        }


@dataclass(frozen=True)
class TopicScore:
    topic: str
    items: int
    correct: int

    @property
    def share(self) -> float:
        return self.correct / self.items if self.items else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "items": self.items, "correct": self.correct, "score": round(self.share, 4)}


@dataclass(frozen=True)
class ExamResult:
    """A finished (or, for a preview, unfinished) attempt's numbers. Unanswered items count as wrong."""

    attempt_id: int
    started_at: str
    finished: bool
    ended_by: str | None
    items: int
    answered: int
    correct: int
    pass_line: float
    time_limit_s: float
    elapsed_s: float
    per_topic: tuple[TopicScore, ...]
    outcomes: tuple[ItemOutcome, ...]

    @property
    def score(self) -> float:
        return self.correct / self.items if self.items else 0.0

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_line

    @property
    def missed(self) -> list[ItemOutcome]:
        return [o for o in self.outcomes if not o.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.attempt_id,
            "started_at": self.started_at,
            "finished": self.finished,
            "ended_by": self.ended_by,
            "items": self.items,
            "answered": self.answered,
            "correct": self.correct,
            "score": round(self.score, 4),
            "pass_line": self.pass_line,
            "passed": self.passed,
            "time_limit_s": self.time_limit_s,
            "elapsed_s": round(self.elapsed_s, 1),
            "per_topic": [t.to_dict() for t in self.per_topic],
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


def result_of(record: ExamRecord, bank: Bank | None, lang: str) -> ExamResult:
    """The numbers of an attempt; with the bank, each item's right answer and explanation as well."""
    outcomes = []
    tallies: dict[str, list[int]] = {}
    for answer in record.answers:
        expected = explanation = ""
        item = bank.items.get(answer.item_id) if bank is not None else None
        if item is not None:
            served = serve(item, seed=answer.serve_seed)
            expected = _expected(served, lang)
            explanation = served.explanation(lang) if item.kind == "question" else item.explanation.get(lang)
        passed = bool(answer.passed) and answer.response is not None
        outcomes.append(
            ItemOutcome(
                position=answer.position, item_id=answer.item_id, topic=answer.topic, item_type=answer.item_type,
                response=answer.response, passed=passed, marked=answer.marked, seconds=answer.seconds,
                expected=expected, explanation=explanation,
            )
        )
        tally = tallies.setdefault(answer.topic, [0, 0])
        tally[0] += 1
        tally[1] += int(passed)
    return ExamResult(
        attempt_id=record.id,
        started_at=record.started_at.isoformat(timespec="seconds"),
        finished=record.finished_at is not None,
        ended_by=record.ended_by,
        items=len(record.answers),
        answered=sum(a.response is not None for a in record.answers),
        correct=sum(o.passed for o in outcomes),
        pass_line=record.pass_line,
        time_limit_s=record.time_limit_s,
        elapsed_s=record.elapsed_s,
        per_topic=tuple(TopicScore(t, n, c) for t, (n, c) in sorted(tallies.items())),
        outcomes=tuple(outcomes),
    )


def _expected(served: Served, lang: str) -> str:
    from quizzer.checking import checker_for

    try:
        return checker_for(served.item.type).expected(served, lang=lang)
    except Exception:  # noqa: BLE001 - a result must show even if one item's answer cannot be rendered
        return ""


class ExamRun:
    """One attempt in progress: the served items, where the learner is, and the clock.

    Time counts while the run is open (``time.monotonic``); what was used before a resume comes
    from the store. Every change is committed before the method returns.
    """

    def __init__(self, store: Store, record: ExamRecord, served: list[Served], lang: str, *, clock=time.monotonic) -> None:
        self.store = store
        self.attempt_id = record.id
        self.served = served
        self.lang = lang
        self.time_limit_s = record.time_limit_s
        self.responses: list[str | None] = [a.response for a in record.answers]
        self.marked: list[bool] = [a.marked for a in record.answers]
        self.position = min(max(record.current, 0), len(served) - 1)
        self._clock = clock
        self._used_before = record.elapsed_s
        self._opened = clock()
        self._on_item_since = self._opened
        self.finished = record.finished_at is not None

    # --- starting ------------------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        store: Store,
        items: Sequence[Item],
        *,
        time_limit_s: float,
        pass_line: float,
        lang: str,
        seed: int,
        filters: dict[str, Any],
    ) -> ExamRun:
        rng = random.Random(seed)
        seeds = [rng.randrange(2**31) for _ in items]
        attempt_id = store.create_exam(
            [(i.id, i.topic, i.kind, i.type, s) for i, s in zip(items, seeds)],
            time_limit_s=time_limit_s, pass_line=pass_line, lang=lang, seed=seed, filters=filters,
        )
        record = store.exam(attempt_id)
        assert record is not None
        return cls(store, record, [serve(i, seed=s) for i, s in zip(items, seeds)], lang)

    @classmethod
    def resume(cls, store: Store, bank: Bank, lang: str) -> ExamRun:
        """The latest unfinished attempt, served exactly as before."""
        unfinished = store.exams(finished=False)
        if not unfinished:
            raise QuizzerError(label("exam-nothing-to-resume", lang))
        record = unfinished[-1]
        missing = [a.item_id for a in record.answers if a.item_id not in bank.items]
        if missing:
            raise QuizzerError(label("exam-item-gone", lang, id=missing[0], n=record.id))
        served = [serve(bank.items[a.item_id], seed=a.serve_seed) for a in record.answers]
        return cls(store, record, served, lang)

    # --- the clock -----------------------------------------------------------------------------

    @property
    def elapsed_s(self) -> float:
        return self._used_before + (self._clock() - self._opened)

    @property
    def remaining_s(self) -> float:
        return max(self.time_limit_s - self.elapsed_s, 0.0)

    @property
    def timed_out(self) -> bool:
        return self.elapsed_s >= self.time_limit_s

    # --- what the learner does -----------------------------------------------------------------

    @property
    def current(self) -> Served:
        return self.served[self.position]

    def __len__(self) -> int:
        return len(self.served)

    def go(self, position: int) -> None:
        """Show item ``position`` (0-based); the time on the item left is booked to it."""
        if not 0 <= position < len(self.served):
            raise QuizzerError(label("exam-no-such-item", self.lang, k=position + 1, n=len(self.served)))
        self._leave(current=position)
        self.position = position

    def answer(self, response: str) -> None:
        """Grade (silently) and keep the response to the current item; AnswerError if it cannot be read."""
        served = self.current
        result = check(served, response, lang=self.lang)  # AnswerError: nothing kept, the view re-asks
        self.store.save_exam_answer(
            self.attempt_id, self.position, response=response.strip(), passed=bool(result.passed),
            score=result.score, max_score=result.max_score, elapsed_s=self.elapsed_s,
        )
        self.responses[self.position] = response.strip()

    def toggle_mark(self) -> bool:
        flag = not self.marked[self.position]
        self.store.save_exam_state(self.attempt_id, elapsed_s=self.elapsed_s, marked=(self.position, flag))
        self.marked[self.position] = flag
        return flag

    def unanswered(self) -> list[int]:
        return [i for i, r in enumerate(self.responses) if r is None]

    def pause(self) -> None:
        """Keep the time used so far (Ctrl-C, end of input): ``--resume`` continues from here."""
        if not self.finished:
            self._leave(current=self.position)

    def submit(self, *, ended_by: str = ENDED_SUBMITTED) -> None:
        if self.finished:
            return
        self._leave(current=self.position)
        used = min(self.elapsed_s, self.time_limit_s) if ended_by == ENDED_TIME else self.elapsed_s
        self.store.finish_exam(self.attempt_id, ended_by=ended_by, elapsed_s=used)
        self.finished = True

    def result(self, bank: Bank | None) -> ExamResult:
        record = self.store.exam(self.attempt_id)
        assert record is not None
        return result_of(record, bank, self.lang)

    def _leave(self, *, current: int) -> None:
        now = self._clock()
        spent = now - self._on_item_since
        self._on_item_since = now
        self.store.save_exam_state(
            self.attempt_id, elapsed_s=self.elapsed_s, current=current, spent=(self.position, spent)
        )
