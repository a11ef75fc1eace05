"""The learner's progress: every answer given, and one FSRS card per item practised.

One SQLite file (``quizzer.paths.db_path()`` unless told otherwise), in WAL mode so that a second
quizzer (another terminal) can read and write at the same time. Every ``record`` is its own
transaction, committed with ``synchronous=FULL`` before it returns: closing the terminal or killing
the process right after an answer loses nothing.

Before writing to an existing file the store checks, through a read-only connection, that it is a
quizzer database of a schema it understands; anything else (not SQLite, another application's
database, a newer quizzer's) raises ``StoreError`` and the file is not modified.

Scheduling uses FSRS (py-fsrs), imported only when an answer is recorded. The rating given to FSRS:

=========================================  =======
the answer                                 rating
=========================================  =======
a flashcard self-rating (``rating=...``)   that rating (again / hard / good / easy)
wrong (``passed=False``)                   Again: back after 10 minutes
right after a hint (``hinted=True``)       Hard
right                                      Good: back after about 2 days, then ever longer
=========================================  =======

``passed`` alone decides right or wrong; partial credit below the pass mark counts as wrong.
Items are referred to by id only, so the bank may change: the cards and attempts of an item that
later leaves the bank stay in the database, and callers filter ``due()`` by the ids they know.
All timestamps are stored as UTC ISO-8601 text, which also sorts chronologically.

Mock exams (``quizzer exam``) live in two tables of their own: ``exam_attempts`` (one row per
attempt: its limit, time used, pass line, filters, and whether and how it ended) and
``exam_answers`` (one row per item of the attempt, in the order served, with the learner's latest
response, its grade, the mark-for-review flag and the seconds spent on it). Each response and each
move is committed as it happens, so a killed exam resumes where it stopped. Submitting an attempt
records each answered item once (its final response) as an ordinary answer, so exams feed FSRS
exactly like practice; unanswered items are not recorded, as a skip in practice is not.

Schema versions: 1 (answers, cards, sessions); 2 adds the exam tables; 3 adds ``lab_runs`` (one row
per finished `quizzer lab` run). An older file is migrated in place on first open, every step in one
transaction with the version bump; files of a newer version are refused.
"""

from __future__ import annotations

import json
import math
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizzer.errors import StoreError

if TYPE_CHECKING:
    from fsrs import Rating, Scheduler
    from typing_extensions import Self  # for the annotations only (typing.Self needs Python 3.11)

APP_NAME = "quizzer"
SCHEMA_VERSION = 3
BUSY_TIMEOUT_S = 5.0
RATINGS = ("again", "hard", "good", "easy")

# FSRS settings. One short learning step: a miss comes back after 10 minutes, a first right answer
# graduates straight to a review interval of days. No fuzz, so that schedules are reproducible.
DESIRED_RETENTION = 0.9
LEARNING_STEPS = (timedelta(minutes=10),)
RELEARNING_STEPS = (timedelta(minutes=10),)

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = (
    """CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE sessions (
        id          TEXT PRIMARY KEY,
        mode        TEXT NOT NULL,
        topics      TEXT NOT NULL,  -- JSON list of topic names
        seed        INTEGER,
        started_at  TEXT NOT NULL,
        finished_at TEXT
    )""",
    """CREATE TABLE attempts (
        id          INTEGER PRIMARY KEY,
        item_id     TEXT NOT NULL,
        topic       TEXT NOT NULL,
        kind        TEXT NOT NULL,
        item_type   TEXT NOT NULL,
        passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
        score       REAL NOT NULL,
        max_score   REAL NOT NULL,
        response    TEXT,
        rating      TEXT NOT NULL,  -- the rating given to FSRS
        self_rated  INTEGER NOT NULL CHECK (self_rated IN (0, 1)),
        hinted      INTEGER NOT NULL CHECK (hinted IN (0, 1)),
        session_id  TEXT,
        answered_at TEXT NOT NULL
    )""",
    "CREATE INDEX attempts_by_item ON attempts (item_id, answered_at)",
    "CREATE INDEX attempts_by_time ON attempts (answered_at)",
    """CREATE TABLE cards (
        item_id     TEXT PRIMARY KEY,
        topic       TEXT NOT NULL,  -- topic of the latest answer
        due         TEXT NOT NULL,
        last_review TEXT,
        state       TEXT NOT NULL,  -- learning / review / relearning
        card        TEXT NOT NULL   -- fsrs.Card.to_json()
    )""",
    "CREATE INDEX cards_by_due ON cards (due)",
)
# Version 2: mock exams. Also the migration from version 1 (run as is on a version-1 file).
_SCHEMA_V2 = (
    """CREATE TABLE exam_attempts (
        id           INTEGER PRIMARY KEY,  -- the N of `quizzer exam show N`
        session_id   TEXT NOT NULL,        -- sessions.id (mode 'exam'), carried by its answers
        started_at   TEXT NOT NULL,
        finished_at  TEXT,                 -- NULL while the attempt can be resumed
        ended_by     TEXT,                 -- submitted / time
        time_limit_s REAL NOT NULL,
        elapsed_s    REAL NOT NULL DEFAULT 0,
        pass_line    REAL NOT NULL,        -- share of items right needed to pass, 0..1
        lang         TEXT NOT NULL,
        seed         INTEGER NOT NULL,
        filters      TEXT NOT NULL,        -- JSON: topics, source, difficulty
        current      INTEGER NOT NULL DEFAULT 0  -- the position shown last
    )""",
    """CREATE TABLE exam_answers (
        attempt_id  INTEGER NOT NULL REFERENCES exam_attempts (id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,      -- 0-based, in the order served
        item_id     TEXT NOT NULL,
        topic       TEXT NOT NULL,
        kind        TEXT NOT NULL,
        item_type   TEXT NOT NULL,
        serve_seed  INTEGER NOT NULL,      -- serve(item, seed=...) gives back the very serving
        response    TEXT,                  -- NULL while unanswered
        passed      INTEGER CHECK (passed IN (0, 1)),
        score       REAL,
        max_score   REAL,
        marked      INTEGER NOT NULL DEFAULT 0 CHECK (marked IN (0, 1)),
        seconds     REAL NOT NULL DEFAULT 0,
        answered_at TEXT,
        PRIMARY KEY (attempt_id, position)
    )""",
)
# Version 3: lab runs (`quizzer lab`). Also the migration from version 2.
_SCHEMA_V3 = (
    """CREATE TABLE lab_runs (
        id          INTEGER PRIMARY KEY,
        lab         TEXT NOT NULL,
        settings    TEXT NOT NULL,  -- JSON object of the knobs used
        metric      REAL,           -- NULL when the run produced no usable weights
        goal_op     TEXT NOT NULL CHECK (goal_op IN ('>=', '<=')),  -- which way the metric is better
        passed      INTEGER NOT NULL CHECK (passed IN (0, 1)),
        elapsed     REAL NOT NULL,
        diagnosis   TEXT,           -- the diagnosis key, e.g. 'grad-wrong'
        finished_at TEXT NOT NULL
    )""",
    "CREATE INDEX lab_runs_by_lab ON lab_runs (lab, finished_at)",
)
# The statements that bring a file of version N-1 to version N.
_MIGRATIONS = {2: _SCHEMA_V2, 3: _SCHEMA_V3}
_TABLES_V1 = frozenset({"meta", "sessions", "attempts", "cards"})
# The tables a file of each version must have.
_TABLES_AT = {1: _TABLES_V1}
_TABLES_AT[2] = _TABLES_AT[1] | {"exam_attempts", "exam_answers"}
_TABLES_AT[3] = _TABLES_AT[2] | {"lab_runs"}


@dataclass(frozen=True)
class Attempt:
    """One recorded answer. ``rating`` is what FSRS was told; ``self_rated`` if the learner chose it."""

    item_id: str
    topic: str
    kind: str
    item_type: str
    passed: bool
    score: float
    max_score: float
    response: str | None
    rating: str
    self_rated: bool
    hinted: bool
    session_id: str | None
    answered_at: datetime

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["answered_at"] = _iso(self.answered_at)
        return data


@dataclass(frozen=True)
class DueItem:
    """An item's FSRS card. ``state`` is learning, review or relearning."""

    item_id: str
    topic: str
    due: datetime
    last_review: datetime | None
    state: str
    stability: float | None
    difficulty: float | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = _iso(self.due)
        data["last_review"] = _iso(self.last_review) if self.last_review else None
        return data


@dataclass(frozen=True)
class TopicStats:
    """Answers in one topic (the topic recorded with each answer) and its cards due now."""

    topic: str
    attempts: int
    correct: int
    accuracy: float | None  # correct / attempts, None before the first answer
    items_seen: int
    due: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class DayStats:
    """Answers given on one calendar day where the learner is (their local time zone)."""

    day: date
    attempts: int
    correct: int

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "attempts": self.attempts, "correct": self.correct}


@dataclass(frozen=True)
class LabStats:
    """The runs of one lab (``quizzer lab run``): how many, how many reached the goal, the best metric."""

    lab: str
    runs: int
    passed: int
    best_metric: float | None  # the best of the goal's metric (the largest or smallest, as its goal says)
    last_run: str  # UTC ISO-8601

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Stats:
    """Totals over every recorded answer; ``last_7_days`` runs oldest first and ends today (local days)."""

    attempts: int
    correct: int
    accuracy: float | None
    items_seen: int
    due: int
    per_topic: tuple[TopicStats, ...]
    last_7_days: tuple[DayStats, ...]
    labs: tuple[LabStats, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "items_seen": self.items_seen,
            "due": self.due,
            "per_topic": [topic.to_dict() for topic in self.per_topic],
            "last_7_days": [day.to_dict() for day in self.last_7_days],
            "labs": [lab.to_dict() for lab in self.labs],
        }


@dataclass(frozen=True)
class ExamAnswer:
    """One item of an exam attempt, in the order served; ``response`` is None while unanswered."""

    position: int
    item_id: str
    topic: str
    kind: str
    item_type: str
    serve_seed: int
    response: str | None
    passed: bool | None
    score: float | None
    max_score: float | None
    marked: bool
    seconds: float
    answered_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["answered_at"] = _iso(self.answered_at) if self.answered_at else None
        return data


@dataclass(frozen=True)
class ExamRecord:
    """One exam attempt as stored; ``finished_at`` is None while it can be resumed."""

    id: int
    session_id: str
    started_at: datetime
    finished_at: datetime | None
    ended_by: str | None
    time_limit_s: float
    elapsed_s: float
    pass_line: float
    lang: str
    seed: int
    filters: dict[str, Any]
    current: int
    answers: tuple[ExamAnswer, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = _iso(self.started_at)
        data["finished_at"] = _iso(self.finished_at) if self.finished_at else None
        data["answers"] = [a.to_dict() for a in self.answers]
        return data


class Store:
    """An open progress database. Use as a context manager, or call ``close()``."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating on first use) the database at ``path``, by default ``db_path()``."""
        if path is None:
            from quizzer.paths import db_path

            path = db_path()
        path = Path(path)
        try:
            exists = path.exists()
        except OSError as exc:
            raise StoreError.of("store-cannot-reach", path=path, reason=exc.strerror or type(exc).__name__) from None
        if exists:
            _check_existing(path)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError.of("store-cannot-mkdir", path=path.parent,
                                    reason=exc.strerror or type(exc).__name__) from None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError.of("store-cannot-open", path=path, reason=_one_line(exc)) from None
        store = cls(conn, path)
        try:
            with store._guard("store-do-open"):
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                with store._transaction():
                    store._ensure_schema()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # --- writing -------------------------------------------------------------------------------

    def record(
        self,
        *,
        item_id: str,
        topic: str,
        kind: str,
        item_type: str,
        passed: bool,
        score: float,
        max_score: float,
        response: str | None,
        rating: str | None = None,
        hinted: bool = False,
        session_id: str | None = None,
        when: datetime | None = None,
    ) -> None:
        """Record one answer and reschedule the item; committed before returning.

        ``rating`` is a flashcard's self-rating (again/hard/good/easy); without one the rating is
        derived from ``passed`` and ``hinted`` (see the module docstring). ``when`` must be
        timezone-aware; it defaults to now. Raises ValueError for an unknown rating.
        """
        fsrs_rating = _fsrs_rating(passed=passed, rating=rating, hinted=hinted)
        when = _utc(when)
        with self._guard("store-do-record"), self._transaction():
            self._insert_answer(
                item_id=item_id, topic=topic, kind=kind, item_type=item_type, passed=passed,
                score=score, max_score=max_score, response=response, fsrs_rating=fsrs_rating,
                self_rated=rating is not None, hinted=hinted, session_id=session_id, when=when,
            )

    def _insert_answer(
        self,
        *,
        item_id: str,
        topic: str,
        kind: str,
        item_type: str,
        passed: bool,
        score: float,
        max_score: float,
        response: str | None,
        fsrs_rating: Rating,
        self_rated: bool,
        hinted: bool,
        session_id: str | None,
        when: datetime,
    ) -> None:
        """Insert one answer and reschedule its card; the caller holds the write transaction."""
        from fsrs import Card

        row = self._conn.execute("SELECT card FROM cards WHERE item_id = ?", (item_id,)).fetchone()
        card = Card.from_json(row[0]) if row else Card(card_id=0)  # an id avoids Card's 1 ms sleep
        card, _log = _scheduler().review_card(card, fsrs_rating, review_datetime=when)
        self._conn.execute(
            "INSERT INTO attempts (item_id, topic, kind, item_type, passed, score, max_score,"
            " response, rating, self_rated, hinted, session_id, answered_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id, topic, kind, item_type, int(bool(passed)), float(score),
                float(max_score), response, fsrs_rating.name.lower(), int(self_rated),
                int(bool(hinted)), session_id, _iso(when),
            ),
        )
        self._conn.execute(
            "INSERT INTO cards (item_id, topic, due, last_review, state, card)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (item_id) DO UPDATE SET topic = excluded.topic, due = excluded.due,"
            " last_review = excluded.last_review, state = excluded.state, card = excluded.card",
            (
                item_id, topic, _iso(card.due),
                _iso(card.last_review) if card.last_review else None,
                card.state.name.lower(), card.to_json(),
            ),
        )

    def record_lab_run(self, *, lab: str, settings: dict[str, Any], metric: float | None, goal_op: str,
                       passed: bool, elapsed: float, diagnosis: str | None, when: datetime | None = None) -> None:
        """Record one finished lab run; committed before returning. ``goal_op`` ('>=' or '<=')
        says whether a larger or a smaller metric is better."""
        if goal_op not in (">=", "<="):
            raise ValueError(f"goal_op must be '>=' or '<=', not {goal_op!r}")
        if metric is not None and not math.isfinite(metric):
            metric = None
        with self._guard("store-do-record-lab-run"), self._transaction():
            self._conn.execute(
                "INSERT INTO lab_runs (lab, settings, metric, goal_op, passed, elapsed, diagnosis, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (lab, json.dumps(settings, sort_keys=True), metric, goal_op, int(bool(passed)), float(elapsed),
                 diagnosis, _iso(_utc(when))),
            )

    def lab_stats(self) -> tuple[LabStats, ...]:
        """Per lab: runs, runs that reached the goal, the best metric, the time of the latest run."""
        with self._guard("store-do-read-lab-runs"):
            rows = self._conn.execute(
                "SELECT lab, count(*), sum(passed), max(metric), min(metric), max(goal_op), max(finished_at)"
                " FROM lab_runs GROUP BY lab ORDER BY lab"
            ).fetchall()
        return tuple(LabStats(lab, n, right, low if op == "<=" else high, last)
                     for lab, n, right, high, low, op, last in rows)

    def start_session(self, *, mode: str, topics: Sequence[str], seed: int | None) -> str:
        """Note the start of a practice session; returns its id for ``record(session_id=...)``."""
        session_id = uuid.uuid4().hex
        with self._guard("store-do-start-session"), self._transaction():
            self._conn.execute(
                "INSERT INTO sessions (id, mode, topics, seed, started_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, mode, json.dumps(list(topics)), seed, _iso(_utc(None))),
            )
        return session_id

    def finish_session(self, session_id: str) -> None:
        """Mark a session finished (the first call wins). Unknown ids raise StoreError."""
        with self._guard("store-do-finish-session"), self._transaction():
            found = self._conn.execute(
                "UPDATE sessions SET finished_at = coalesce(finished_at, ?) WHERE id = ?",
                (_iso(_utc(None)), session_id),
            ).rowcount
        if not found:
            raise StoreError.of("store-no-session", id=session_id, path=self.path)

    def reset(self, item_ids: Iterable[str] | None = None) -> int:
        """Forget the answers and cards of ``item_ids``, or everything (sessions and exams too) if None.

        Returns the number of answers removed.
        """
        with self._guard("store-do-reset"), self._transaction():
            if item_ids is None:
                removed = self._conn.execute("DELETE FROM attempts").rowcount
                self._conn.execute("DELETE FROM cards")
                self._conn.execute("DELETE FROM exam_answers")
                self._conn.execute("DELETE FROM exam_attempts")
                self._conn.execute("DELETE FROM sessions")
                return removed
            removed = 0
            for item_id in set(item_ids):
                removed += self._conn.execute(
                    "DELETE FROM attempts WHERE item_id = ?", (item_id,)
                ).rowcount
                self._conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
            return removed

    # --- exams ---------------------------------------------------------------------------------

    def create_exam(
        self,
        items: Sequence[tuple[str, str, str, str, int]],
        *,
        time_limit_s: float,
        pass_line: float,
        lang: str,
        seed: int,
        filters: dict[str, Any],
    ) -> int:
        """Start an exam attempt over ``items`` ((item_id, topic, kind, item_type, serve_seed), in order); its id."""
        session_id = uuid.uuid4().hex
        now = _iso(_utc(None))
        topics = sorted({topic for _, topic, _, _, _ in items})
        with self._guard("store-do-start-exam"), self._transaction():
            self._conn.execute(
                "INSERT INTO sessions (id, mode, topics, seed, started_at) VALUES (?, 'exam', ?, ?, ?)",
                (session_id, json.dumps(topics), seed, now),
            )
            cursor = self._conn.execute(
                "INSERT INTO exam_attempts (session_id, started_at, time_limit_s, pass_line, lang, seed, filters)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, now, float(time_limit_s), float(pass_line), lang, seed, json.dumps(filters)),
            )
            attempt_id = int(cursor.lastrowid or 0)
            self._conn.executemany(
                "INSERT INTO exam_answers (attempt_id, position, item_id, topic, kind, item_type, serve_seed)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(attempt_id, pos, *item) for pos, item in enumerate(items)],
            )
        return attempt_id

    def save_exam_answer(
        self,
        attempt_id: int,
        position: int,
        *,
        response: str,
        passed: bool,
        score: float,
        max_score: float,
        elapsed_s: float,
        when: datetime | None = None,
    ) -> None:
        """Keep the learner's (latest) response to one exam item with its grade; committed before returning."""
        with self._guard("store-do-save-exam-answer"), self._transaction():
            self._conn.execute(
                "UPDATE exam_answers SET response = ?, passed = ?, score = ?, max_score = ?, answered_at = ?"
                " WHERE attempt_id = ? AND position = ?",
                (response, int(bool(passed)), float(score), float(max_score), _iso(_utc(when)), attempt_id, position),
            )
            self._touch_exam(attempt_id, elapsed_s=elapsed_s)

    def save_exam_state(
        self,
        attempt_id: int,
        *,
        elapsed_s: float,
        current: int | None = None,
        spent: tuple[int, float] | None = None,
        marked: tuple[int, bool] | None = None,
    ) -> None:
        """Keep the time used, the position shown, time ``spent`` on one item, a ``marked`` flag."""
        with self._guard("store-do-save-exam"), self._transaction():
            if spent is not None:
                self._conn.execute(
                    "UPDATE exam_answers SET seconds = seconds + ? WHERE attempt_id = ? AND position = ?",
                    (max(float(spent[1]), 0.0), attempt_id, spent[0]),
                )
            if marked is not None:
                self._conn.execute(
                    "UPDATE exam_answers SET marked = ? WHERE attempt_id = ? AND position = ?",
                    (int(bool(marked[1])), attempt_id, marked[0]),
                )
            self._touch_exam(attempt_id, elapsed_s=elapsed_s, current=current)

    def _touch_exam(self, attempt_id: int, *, elapsed_s: float, current: int | None = None) -> None:
        found = self._conn.execute(
            "UPDATE exam_attempts SET elapsed_s = ?, current = coalesce(?, current)"
            " WHERE id = ? AND finished_at IS NULL",
            (float(elapsed_s), current, attempt_id),
        ).rowcount
        if not found:
            raise StoreError.of("store-exam-closed", id=attempt_id, path=self.path)

    def finish_exam(self, attempt_id: int, *, ended_by: str, elapsed_s: float, when: datetime | None = None) -> None:
        """End an attempt and record each answered item's final response as an answer (FSRS included).

        One transaction: either the attempt is finished and every answer recorded, or nothing
        changed. Finishing an attempt already finished changes nothing.
        """
        when = _utc(when)
        with self._guard("store-do-submit-exam"), self._transaction():
            row = self._conn.execute(
                "SELECT session_id, finished_at FROM exam_attempts WHERE id = ?", (attempt_id,)
            ).fetchone()
            if row is None:
                raise StoreError.of("store-no-exam", id=attempt_id, path=self.path)
            session_id, finished_at = row
            if finished_at is not None:
                return
            answered = self._conn.execute(
                "SELECT item_id, topic, kind, item_type, passed, score, max_score, response"
                " FROM exam_answers WHERE attempt_id = ? AND response IS NOT NULL ORDER BY position",
                (attempt_id,),
            ).fetchall()
            # Reviewed at the submission: the verdict reaches the learner then, and a card practised
            # elsewhere during the exam never gets a review dated before its last one.
            for item_id, topic, kind, item_type, passed, score, max_score, response in answered:
                self._insert_answer(
                    item_id=item_id, topic=topic, kind=kind, item_type=item_type, passed=bool(passed),
                    score=score, max_score=max_score, response=response,
                    fsrs_rating=_fsrs_rating(passed=bool(passed), rating=None, hinted=False),
                    self_rated=False, hinted=False, session_id=session_id, when=when,
                )
            self._conn.execute(
                "UPDATE exam_attempts SET finished_at = ?, ended_by = ?, elapsed_s = ? WHERE id = ?",
                (_iso(when), ended_by, float(elapsed_s), attempt_id),
            )
            self._conn.execute(
                "UPDATE sessions SET finished_at = coalesce(finished_at, ?) WHERE id = ?", (_iso(when), session_id)
            )

    def exam(self, attempt_id: int) -> ExamRecord | None:
        """One attempt with its answers, or None."""
        found = self._exams("WHERE id = ?", (attempt_id,))
        return found[0] if found else None

    def exams(self, *, finished: bool | None = None) -> list[ExamRecord]:
        """Every attempt, oldest first; only finished (or unfinished) ones if ``finished`` says so."""
        where = "" if finished is None else "WHERE finished_at IS NOT NULL" if finished else "WHERE finished_at IS NULL"
        return self._exams(where, ())

    def _exams(self, where: str, args: tuple[Any, ...]) -> list[ExamRecord]:
        with self._guard("store-do-read-exams"):
            rows = self._conn.execute(
                "SELECT id, session_id, started_at, finished_at, ended_by, time_limit_s, elapsed_s, pass_line,"
                f" lang, seed, filters, current FROM exam_attempts {where} ORDER BY id",
                args,
            ).fetchall()
            answers: dict[int, list[ExamAnswer]] = {row[0]: [] for row in rows}
            if rows:
                marks = ",".join("?" * len(rows))
                for r in self._conn.execute(
                    "SELECT attempt_id, position, item_id, topic, kind, item_type, serve_seed, response, passed,"
                    " score, max_score, marked, seconds, answered_at FROM exam_answers"
                    f" WHERE attempt_id IN ({marks}) ORDER BY attempt_id, position",
                    tuple(answers),
                ):
                    answers[r[0]].append(
                        ExamAnswer(
                            position=r[1], item_id=r[2], topic=r[3], kind=r[4], item_type=r[5], serve_seed=r[6],
                            response=r[7], passed=None if r[8] is None else bool(r[8]), score=r[9],
                            max_score=r[10], marked=bool(r[11]), seconds=r[12],
                            answered_at=_parse(r[13]) if r[13] else None,
                        )
                    )
        return [
            ExamRecord(
                id=r[0], session_id=r[1], started_at=_parse(r[2]), finished_at=_parse(r[3]) if r[3] else None,
                ended_by=r[4], time_limit_s=r[5], elapsed_s=r[6], pass_line=r[7], lang=r[8], seed=r[9],
                filters=json.loads(r[10]), current=r[11], answers=tuple(answers[r[0]]),
            )
            for r in rows
        ]

    def retrievability(self, *, now: datetime | None = None) -> dict[str, float]:
        """FSRS's predicted probability of recalling each answered item at ``now`` (0..1), by item id."""
        from fsrs import Card

        now = _utc(now)
        with self._guard("store-do-read-cards"):
            rows = self._conn.execute("SELECT item_id, card FROM cards").fetchall()
        scheduler = _scheduler()
        return {item_id: float(scheduler.get_card_retrievability(Card.from_json(card), now)) for item_id, card in rows}

    # --- reading -------------------------------------------------------------------------------

    def due(
        self,
        item_ids: Iterable[str] | None = None,
        *,
        now: datetime | None = None,
        limit: int | None = None,
    ) -> list[DueItem]:
        """Cards due at ``now`` (default: now), most overdue first, optionally only ``item_ids``.

        Items never answered have no card and are never due.
        """
        wanted = None if item_ids is None else set(item_ids)
        with self._guard("store-do-read-due"):
            rows = self._conn.execute(
                "SELECT item_id, topic, due, last_review, state, card FROM cards"
                " WHERE due <= ? ORDER BY due, item_id",
                (_iso(_utc(now)),),
            ).fetchall()
        items = [_due_item(row) for row in rows if wanted is None or row[0] in wanted]
        return items if limit is None else items[: max(limit, 0)]

    def card(self, item_id: str) -> DueItem | None:
        """The item's schedule whether due or not (None if never answered)."""
        with self._guard("store-do-read-card"):
            row = self._conn.execute(
                "SELECT item_id, topic, due, last_review, state, card FROM cards WHERE item_id = ?",
                (item_id,),
            ).fetchone()
        return _due_item(row) if row else None

    def history(self, item_id: str) -> list[Attempt]:
        """Every recorded answer to ``item_id``, oldest first."""
        with self._guard("store-do-read-history"):
            rows = self._conn.execute(
                "SELECT item_id, topic, kind, item_type, passed, score, max_score, response,"
                " rating, self_rated, hinted, session_id, answered_at"
                " FROM attempts WHERE item_id = ? ORDER BY answered_at, id",
                (item_id,),
            ).fetchall()
        return [
            Attempt(
                item_id=r[0], topic=r[1], kind=r[2], item_type=r[3], passed=bool(r[4]),
                score=r[5], max_score=r[6], response=r[7], rating=r[8], self_rated=bool(r[9]),
                hinted=bool(r[10]), session_id=r[11], answered_at=_parse(r[12]),
            )
            for r in rows
        ]

    def last_results(self) -> dict[str, bool]:
        """Whether the latest answer to each answered item was right (one query, for planning sessions)."""
        with self._guard("store-do-read-progress"):
            rows = self._conn.execute(
                "SELECT a.item_id, a.passed FROM attempts a"
                " JOIN (SELECT item_id, MAX(id) AS last FROM attempts GROUP BY item_id) l ON a.id = l.last"
            ).fetchall()
        return {item_id: bool(passed) for item_id, passed in rows}

    def stats(self, *, now: datetime | None = None) -> Stats:
        """Totals, per-topic figures and the answers of the last seven days up to ``now``.

        Days are calendar days where the learner is: in ``now``'s time zone when it is given, else
        in the machine's local zone (with its own daylight-saving rules for each answer)."""
        zone = None if now is None else now.tzinfo  # None: the machine's local zone
        now = _utc(now)  # refuses a naive ``now``
        today = now.astimezone(zone).date()
        first_day = today - timedelta(days=6)
        # A day's first moment is at most 14 hours before its UTC date starts: widen by a day, then
        # sort the answers into local days below.
        since = datetime.combine(first_day - timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
        with self._guard("store-do-read-stats"):
            attempts, correct, items_seen = self._conn.execute(
                "SELECT count(*), coalesce(sum(passed), 0), count(DISTINCT item_id) FROM attempts"
            ).fetchone()
            by_topic = self._conn.execute(
                "SELECT topic, count(*), sum(passed), count(DISTINCT item_id)"
                " FROM attempts GROUP BY topic"
            ).fetchall()
            due_by_topic = dict(
                self._conn.execute(
                    "SELECT topic, count(*) FROM cards WHERE due <= ? GROUP BY topic",
                    (_iso(now),),
                ).fetchall()
            )
            recent = self._conn.execute(
                "SELECT answered_at, passed FROM attempts WHERE answered_at >= ? AND answered_at <= ?",
                (_iso(since), _iso(now)),
            ).fetchall()
        by_day: dict[str, tuple[int, int]] = {}
        for answered_at, passed in recent:
            local_day = _parse(answered_at).astimezone(zone).date().isoformat()
            count, right = by_day.get(local_day, (0, 0))
            by_day[local_day] = (count + 1, right + (1 if passed else 0))
        per_topic = {
            topic: TopicStats(topic, n, right, _ratio(right, n), seen, due_by_topic.get(topic, 0))
            for topic, n, right, seen in by_topic
        }
        for topic, due_count in due_by_topic.items():  # a card's topic may differ from old answers'
            per_topic.setdefault(topic, TopicStats(topic, 0, 0, None, 0, due_count))
        days = []
        for offset in range(7):
            day = first_day + timedelta(days=offset)
            count, right = by_day.get(day.isoformat(), (0, 0))
            days.append(DayStats(day, count, right))
        return Stats(
            attempts=attempts,
            correct=correct,
            accuracy=_ratio(correct, attempts),
            items_seen=items_seen,
            due=sum(due_by_topic.values()),
            per_topic=tuple(per_topic[name] for name in sorted(per_topic)),
            last_7_days=tuple(days),
            labs=self.lab_stats(),
        )

    # --- internals -----------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        """Create the schema in a fresh file, or migrate an older quizzer's file up to
        SCHEMA_VERSION; called inside a write transaction."""
        version, tables, app = _describe(self._conn)
        if not tables and version == 0:
            for statement in (*_SCHEMA, *(s for v in sorted(_MIGRATIONS) for s in _MIGRATIONS[v])):
                self._conn.execute(statement)
            self._conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("app", APP_NAME), ("created_at", _iso(_utc(None)))],
            )
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        # Another process may have created the file since _check_existing looked at it.
        _judge(self.path, version, tables, app)
        if version < SCHEMA_VERSION:  # migrate in the same write transaction: all of it or none of it
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[step]:
                    self._conn.execute(statement)
                self._conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (f"migrated_to_{step}", _iso(_utc(None)))
                )
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE (take the write lock up front, waiting up to busy_timeout) ... COMMIT."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:  # KeyboardInterrupt too: leave no transaction open
            if self._conn.in_transaction:
                with suppress(sqlite3.Error):
                    self._conn.rollback()
            raise

    @contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        """Turn SQLite failures into a one-line StoreError naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            text = _one_line(exc)
            lowered = text.lower()
            if "locked" in lowered or "busy" in lowered:
                hint = "store-hint-busy"
            elif "readonly" in lowered or "read-only" in lowered:
                hint = "store-hint-readonly"
            elif "malformed" in lowered or "not a database" in lowered:
                hint = "store-hint-damaged"
            elif "full" in lowered:
                hint = "store-hint-full"
            else:
                hint = "store-hint-check"
            from quizzer.errors import Phrase

            raise StoreError.of("store-failed", path=self.path, action=Phrase(action), reason=text,
                                hint=Phrase(hint)) from None


def _check_existing(path: Path) -> None:
    """Refuse, without modifying it, a file that is not a quizzer database this version can use."""
    if path.is_dir():
        raise StoreError.of("store-is-dir", path=path)
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError.of("store-cannot-read", path=path, reason=exc.strerror or type(exc).__name__) from None
    if not header:
        return  # an empty file is a database nobody has written yet
    if header != _SQLITE_MAGIC:
        raise StoreError.of("store-not-sqlite", path=path)
    # Read-only: a read-write connection could roll back a hot journal or checkpoint a WAL on
    # close, changing another application's file.
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
        try:
            version, tables, app = _describe(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError.of("store-unusable", path=path, reason=_one_line(exc)) from None
    if tables or version:
        _judge(path, version, tables, app)


def _describe(conn: sqlite3.Connection) -> tuple[int, set[str], str | None]:
    """(user_version, table names, the meta 'app' value or None) of an open database."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        )
    }
    app = None
    if "meta" in tables:
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
        except sqlite3.OperationalError:  # a 'meta' table of some other shape
            row = None
        app = row[0] if row else None
    return version, tables, app


def _judge(path: Path, version: int, tables: set[str], app: str | None) -> None:
    if app != APP_NAME:
        raise StoreError.of("store-foreign", path=path)
    if version > SCHEMA_VERSION:
        raise StoreError.of("store-newer", path=path, version=version, supported=SCHEMA_VERSION)
    if version < 1 or not _TABLES_AT[version] <= tables:
        raise StoreError.of("store-damaged", path=path)


_SCHEDULER: Scheduler | None = None


def _scheduler() -> Scheduler:
    global _SCHEDULER
    if _SCHEDULER is None:
        from fsrs import Scheduler

        _SCHEDULER = Scheduler(
            desired_retention=DESIRED_RETENTION,
            learning_steps=LEARNING_STEPS,
            relearning_steps=RELEARNING_STEPS,
            enable_fuzzing=False,
        )
    return _SCHEDULER


def _fsrs_rating(*, passed: bool, rating: str | None, hinted: bool) -> Rating:
    from fsrs import Rating

    if rating is not None:
        key = rating.strip().lower()
        if key not in RATINGS:
            raise ValueError(f"unknown rating {rating!r}; expected one of {', '.join(RATINGS)}")
        return Rating[key.capitalize()]
    if not passed:
        return Rating.Again
    return Rating.Hard if hinted else Rating.Good


def _due_item(row: tuple[Any, ...]) -> DueItem:
    item_id, topic, due, last_review, state, card_json = row
    card = json.loads(card_json)
    return DueItem(
        item_id=item_id,
        topic=topic,
        due=_parse(due),
        last_review=_parse(last_review) if last_review else None,
        state=state,
        stability=card.get("stability"),
        difficulty=card.get("difficulty"),
    )


def _utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(timezone.utc)
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware, e.g. datetime.now(timezone.utc)")
    return when.astimezone(timezone.utc)


def _iso(when: datetime) -> str:
    """Fixed-width UTC ISO-8601, so that text order is time order."""
    return when.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
