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
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typing_extensions import Self

from quizzer.errors import StoreError

if TYPE_CHECKING:
    from fsrs import Rating, Scheduler

APP_NAME = "quizzer"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 5.0
RATINGS = ("again", "hard", "good", "easy")

# FSRS settings. One short learning step: a miss comes back after 10 minutes, a first right answer
# graduates straight to a review interval of days. No fuzz, so that schedules are reproducible.
DESIRED_RETENTION = 0.9
LEARNING_STEPS = (timedelta(minutes=10),)
RELEARNING_STEPS = (timedelta(minutes=10),)

_SQLITE_MAGIC = b"SQLite format 3\x00"
_MOVE_AWAY = "move it away or set QUIZZER_HOME to another directory"

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
_TABLES = frozenset({"meta", "sessions", "attempts", "cards"})


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
    """Answers given on one UTC calendar day."""

    day: date
    attempts: int
    correct: int

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "attempts": self.attempts, "correct": self.correct}


@dataclass(frozen=True)
class Stats:
    """Totals over every recorded answer; ``last_7_days`` runs oldest first and ends today (UTC)."""

    attempts: int
    correct: int
    accuracy: float | None
    items_seen: int
    due: int
    per_topic: tuple[TopicStats, ...]
    last_7_days: tuple[DayStats, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "attempts": self.attempts,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "items_seen": self.items_seen,
            "due": self.due,
            "per_topic": [topic.to_dict() for topic in self.per_topic],
            "last_7_days": [day.to_dict() for day in self.last_7_days],
        }


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
            raise StoreError(
                f"cannot reach progress database {path} ({exc.strerror or type(exc).__name__})"
            ) from None
        if exists:
            _check_existing(path)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create directory {path.parent} for the progress database "
                    f"({exc.strerror or type(exc).__name__})"
                ) from None
        try:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open progress database {path} ({_one_line(exc)}); check that its "
                "directory is writable or set QUIZZER_HOME to another directory"
            ) from None
        store = cls(conn, path)
        try:
            with store._guard("open"):
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
        from fsrs import Card

        with self._guard("record an answer"), self._transaction():
            row = self._conn.execute("SELECT card FROM cards WHERE item_id = ?", (item_id,)).fetchone()
            card = Card.from_json(row[0]) if row else Card(card_id=0)  # an id avoids Card's 1 ms sleep
            card, _log = _scheduler().review_card(card, fsrs_rating, review_datetime=when)
            self._conn.execute(
                "INSERT INTO attempts (item_id, topic, kind, item_type, passed, score, max_score,"
                " response, rating, self_rated, hinted, session_id, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    item_id, topic, kind, item_type, int(bool(passed)), float(score),
                    float(max_score), response, fsrs_rating.name.lower(), int(rating is not None),
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

    def start_session(self, *, mode: str, topics: Sequence[str], seed: int | None) -> str:
        """Note the start of a practice session; returns its id for ``record(session_id=...)``."""
        session_id = uuid.uuid4().hex
        with self._guard("start a session"), self._transaction():
            self._conn.execute(
                "INSERT INTO sessions (id, mode, topics, seed, started_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, mode, json.dumps(list(topics)), seed, _iso(_utc(None))),
            )
        return session_id

    def finish_session(self, session_id: str) -> None:
        """Mark a session finished (the first call wins). Unknown ids raise StoreError."""
        with self._guard("finish a session"), self._transaction():
            found = self._conn.execute(
                "UPDATE sessions SET finished_at = coalesce(finished_at, ?) WHERE id = ?",
                (_iso(_utc(None)), session_id),
            ).rowcount
        if not found:
            raise StoreError(f"no practice session {session_id!r} in {self.path}")

    def reset(self, item_ids: Iterable[str] | None = None) -> int:
        """Forget the answers and cards of ``item_ids``, or everything (sessions too) if None.

        Returns the number of answers removed.
        """
        with self._guard("reset progress"), self._transaction():
            if item_ids is None:
                removed = self._conn.execute("DELETE FROM attempts").rowcount
                self._conn.execute("DELETE FROM cards")
                self._conn.execute("DELETE FROM sessions")
                return removed
            removed = 0
            for item_id in set(item_ids):
                removed += self._conn.execute(
                    "DELETE FROM attempts WHERE item_id = ?", (item_id,)
                ).rowcount
                self._conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
            return removed

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
        with self._guard("read due items"):
            rows = self._conn.execute(
                "SELECT item_id, topic, due, last_review, state, card FROM cards"
                " WHERE due <= ? ORDER BY due, item_id",
                (_iso(_utc(now)),),
            ).fetchall()
        items = [_due_item(row) for row in rows if wanted is None or row[0] in wanted]
        return items if limit is None else items[: max(limit, 0)]

    def card(self, item_id: str) -> DueItem | None:
        """The item's schedule whether due or not (None if never answered)."""
        with self._guard("read a card"):
            row = self._conn.execute(
                "SELECT item_id, topic, due, last_review, state, card FROM cards WHERE item_id = ?",
                (item_id,),
            ).fetchone()
        return _due_item(row) if row else None

    def history(self, item_id: str) -> list[Attempt]:
        """Every recorded answer to ``item_id``, oldest first."""
        with self._guard("read history"):
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
        with self._guard("read progress"):
            rows = self._conn.execute(
                "SELECT a.item_id, a.passed FROM attempts a"
                " JOIN (SELECT item_id, MAX(id) AS last FROM attempts GROUP BY item_id) l ON a.id = l.last"
            ).fetchall()
        return {item_id: bool(passed) for item_id, passed in rows}

    def stats(self, *, now: datetime | None = None) -> Stats:
        """Totals, per-topic figures and the answers of the last seven UTC days up to ``now``."""
        now = _utc(now)
        today = now.date()
        first_day = today - timedelta(days=6)
        with self._guard("read statistics"):
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
            by_day = {
                day: (count, right)
                for day, count, right in self._conn.execute(
                    "SELECT substr(answered_at, 1, 10), count(*), sum(passed) FROM attempts"
                    " WHERE answered_at >= ? AND answered_at <= ? GROUP BY 1",
                    (first_day.isoformat(), _iso(now)),
                )
            }
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
        )

    # --- internals -----------------------------------------------------------------------------

    def _ensure_schema(self) -> None:
        """Create the schema in a fresh file; called inside a write transaction."""
        version, tables, app = _describe(self._conn)
        if not tables and version == 0:
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("app", APP_NAME), ("created_at", _iso(_utc(None)))],
            )
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            return
        # Another process may have created the file since _check_existing looked at it.
        _judge(self.path, version, tables, app)

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
                hint = "another quizzer is writing to it; try again"
            elif "readonly" in lowered or "read-only" in lowered:
                hint = "the file or its directory is read-only; fix the permissions or set QUIZZER_HOME"
            elif "malformed" in lowered or "not a database" in lowered:
                hint = f"the file is damaged; {_MOVE_AWAY}"
            elif "full" in lowered:
                hint = "the disk is full; free some space"
            else:
                hint = "check the file and its directory"
            raise StoreError(
                f"progress database {self.path}: cannot {action} ({text}); {hint}"
            ) from None


def _check_existing(path: Path) -> None:
    """Refuse, without modifying it, a file that is not a quizzer database this version can use."""
    if path.is_dir():
        raise StoreError(f"progress database {path} is a directory; {_MOVE_AWAY}")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(
            f"cannot read progress database {path} ({exc.strerror or type(exc).__name__})"
        ) from None
    if not header:
        return  # an empty file is a database nobody has written yet
    if header != _SQLITE_MAGIC:
        raise StoreError(f"{path} is not a quizzer progress database (not SQLite); {_MOVE_AWAY}")
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
        raise StoreError(
            f"{path} is not a usable quizzer progress database ({_one_line(exc)}); {_MOVE_AWAY}"
        ) from None
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
        raise StoreError(f"{path} is not a quizzer progress database; {_MOVE_AWAY}")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer quizzer (schema {version}, this one reads up to "
            f"{SCHEMA_VERSION}); upgrade quizzer or set QUIZZER_HOME to another directory"
        )
    if version < 1 or not _TABLES <= tables:
        raise StoreError(f"{path} is a damaged quizzer progress database; {_MOVE_AWAY}")


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
