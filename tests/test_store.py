"""The progress store: what survives, what is refused untouched, and how FSRS schedules answers."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quizzer.errors import StoreError
from quizzer.paths import data_dir, db_path
from quizzer.progress import store as store_module
from quizzer.progress.store import SCHEMA_VERSION, Store

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def answer(store: Store, item_id: str = "lstm-gates-1", *, passed: bool = True, **overrides) -> None:
    fields = dict(
        item_id=item_id,
        topic="lstm",
        kind="choice",
        item_type="question",
        passed=passed,
        score=1.0 if passed else 0.0,
        max_score=1.0,
        response="b",
        when=T0,
    )
    fields.update(overrides)
    store.record(**fields)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_python(code: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=REPO, **kwargs)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(db: Path):
    with Store.open(db) as opened:
        yield opened


# --- where the data lives ------------------------------------------------------------------------


def test_quizzer_home_is_used_and_created(tmp_path, monkeypatch):
    home = tmp_path / "nested" / "home"
    monkeypatch.setenv("QUIZZER_HOME", str(home))
    assert data_dir() == home and home.is_dir()
    assert db_path() == home / "progress.sqlite3"
    with Store.open() as opened:
        assert opened.path == home / "progress.sqlite3"
    assert (home / "progress.sqlite3").is_file()


def test_without_quizzer_home_the_platform_data_dir_is_used(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.delenv("QUIZZER_HOME", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "platform"))
    assert data_dir() == tmp_path / "platform"
    assert (tmp_path / "platform").is_dir()


def test_quizzer_home_pointing_at_a_file_is_refused(tmp_path, monkeypatch):
    afile = tmp_path / "not-a-dir"
    afile.write_text("hello")
    for home in (afile, afile / "below"):
        monkeypatch.setenv("QUIZZER_HOME", str(home))
        with pytest.raises(StoreError) as caught:
            Store.open()
        assert str(afile) in str(caught.value) and "\n" not in str(caught.value)
    assert afile.read_text() == "hello"


_READ_ONLY_PROBE = """
import sys
from pathlib import Path
from quizzer.errors import StoreError
from quizzer.progress.store import Store
home = Path(sys.argv[1])
for attempt in (lambda: Store.open(), lambda: Store.open(home / "progress.sqlite3")):
    try:
        attempt()
    except StoreError as exc:
        assert "\\n" not in str(exc)
        print(exc)
    else:
        print("OPENED")
"""


def test_read_only_quizzer_home_is_refused(tmp_path):
    """Run as the user would meet it; as root (CI), drop the capability that ignores file modes."""
    home = tmp_path / "ro"
    home.mkdir()
    home.chmod(0o500)
    prefix: list[str] = []
    if IS_ROOT:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test read-only directories as root"
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    try:
        out = subprocess.run(
            [*prefix, sys.executable, "-c", _READ_ONLY_PROBE, str(home)],
            env={**os.environ, "QUIZZER_HOME": str(home), "PYTHONPATH": str(REPO)},
            capture_output=True, text=True, timeout=60,
        )
        lines = out.stdout.splitlines()
        assert out.returncode == 0, out.stderr
        assert "not writable" in lines[0]
        assert len(lines) == 2 and "OPENED" not in lines[1]
    finally:
        home.chmod(0o700)


# --- opening, and refusing files that are not ours -------------------------------------------------


def test_a_new_database_carries_its_schema_version_and_name(store, db):
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()[0] == "quizzer"
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_answers_survive_closing_and_reopening(db):
    with Store.open(db) as first:
        answer(first)
    with Store.open(db) as second:
        assert [a.item_id for a in second.history("lstm-gates-1")] == ["lstm-gates-1"]
        assert second.card("lstm-gates-1") is not None


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('keep me')")
    conn.commit()
    conn.close()


def _foreign_sqlite_with_meta(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('app', 'anki')")
    conn.commit()
    conn.close()


def _foreign_wal_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE cards (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()


def _newer_quizzer(path: Path) -> None:
    with Store.open(path) as opened:
        answer(opened)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: p.write_bytes(os.urandom(4096)), "not a quizzer progress database"),
        (lambda p: p.write_text("name,score\nada,3\n"), "not a quizzer progress database"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + os.urandom(200)), "not a usable"),
        (_foreign_sqlite, "not a quizzer progress database"),
        (_foreign_sqlite_with_meta, "not a quizzer progress database"),
        (_foreign_wal_sqlite, "not a quizzer progress database"),
        (_newer_quizzer, "newer quizzer"),
    ],
    ids=[
        "random-bytes", "text", "sqlite-header-garbage", "other-app", "other-app-meta",
        "other-app-wal", "newer",
    ],
)
def test_files_that_are_not_ours_are_refused_and_left_untouched(db, make, expected):
    make(db)
    before = digest(db)
    with pytest.raises(StoreError) as caught:
        Store.open(db)
    message = str(caught.value)
    assert expected in message
    assert str(db) in message and "\n" not in message
    assert "QUIZZER_HOME" in message or "upgrade" in message
    assert digest(db) == before


def test_a_directory_in_place_of_the_database_is_refused(db):
    db.mkdir()
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(db)


def test_an_empty_file_is_initialised(db):
    db.touch()
    with Store.open(db) as opened:
        answer(opened)
        assert opened.stats().attempts == 1


def test_an_empty_sqlite_database_is_initialised(db):
    sqlite3.connect(db).close()
    with Store.open(db) as opened:
        assert opened.stats().attempts == 0


def test_a_write_blocked_too_long_is_a_store_error(db, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
    with Store.open(db) as opened:
        blocker = sqlite3.connect(db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="another quizzer is writing"):
                answer(opened)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        answer(opened)  # the store is still usable afterwards
        assert opened.stats().attempts == 1


# --- recording ---------------------------------------------------------------------------------


def test_record_keeps_every_field_with_utc_timestamps(store, db):
    session = store.start_session(mode="practice", topics=["lstm"], seed=7)
    paris = timezone(timedelta(hours=1))
    answer(store, passed=False, score=0.5, max_score=2.0, response="sigmoid", session_id=session,
           when=datetime(2026, 3, 2, 10, 0, tzinfo=paris))
    (attempt,) = store.history("lstm-gates-1")
    assert (attempt.passed, attempt.score, attempt.max_score) == (False, 0.5, 2.0)
    assert (attempt.kind, attempt.item_type, attempt.response) == ("choice", "question", "sigmoid")
    assert (attempt.rating, attempt.self_rated, attempt.session_id) == ("again", False, session)
    assert attempt.answered_at == T0 and attempt.answered_at.utcoffset() == timedelta(0)
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT answered_at FROM attempts").fetchone()[0] == "2026-03-02T09:00:00.000000+00:00"
    raw.close()
    assert json.dumps(attempt.to_dict())


def test_history_is_oldest_first_and_per_item(store):
    answer(store, when=T0 + timedelta(days=1), response="second")
    answer(store, when=T0, response="first")
    answer(store, "gru-update-1")
    assert [a.response for a in store.history("lstm-gates-1")] == ["first", "second"]
    assert store.history("never-answered") == []


def test_sessions_are_started_and_finished(store, db):
    session = store.start_session(mode="exam", topics=["lstm", "gru"], seed=None)
    store.finish_session(session)
    raw = sqlite3.connect(db)
    mode, topics, finished = raw.execute(
        "SELECT mode, topics, finished_at FROM sessions WHERE id = ?", (session,)
    ).fetchone()
    raw.close()
    assert (mode, json.loads(topics)) == ("exam", ["lstm", "gru"]) and finished.endswith("+00:00")
    with pytest.raises(StoreError, match="no practice session"):
        store.finish_session("nope")


def test_ctrl_c_while_recording_leaves_no_half_answer(store, monkeypatch):
    class Interrupted:
        def review_card(self, *args, **kwargs):
            raise KeyboardInterrupt

    answer(store, "before")
    monkeypatch.setattr(store_module, "_scheduler", lambda: Interrupted())
    with pytest.raises(KeyboardInterrupt):
        answer(store, "during")
    monkeypatch.undo()
    assert store.history("during") == [] and store.card("during") is None
    answer(store, "after")  # no transaction was left open
    assert store.stats().attempts == 2


def test_bad_rating_and_naive_time_are_programming_errors(store):
    with pytest.raises(ValueError, match="unknown rating"):
        answer(store, rating="meh")
    with pytest.raises(ValueError, match="timezone-aware"):
        answer(store, when=datetime(2026, 3, 2, 9, 0))
    assert store.stats().attempts == 0


def test_items_removed_from_the_bank_stay_in_the_database(store):
    answer(store, "retired-item", passed=False)
    assert store.history("retired-item")
    assert [d.item_id for d in store.due(now=T0 + timedelta(days=1))] == ["retired-item"]
    assert store.due(["current-item"], now=T0 + timedelta(days=1)) == []  # callers filter by id


def test_reset(store):
    answer(store, "a")
    answer(store, "b")
    answer(store, "b")
    assert store.reset(["b"]) == 2
    assert store.history("b") == [] and store.card("b") is None and store.card("a") is not None
    assert store.reset() == 1
    assert store.stats().attempts == 0


# --- FSRS scheduling -----------------------------------------------------------------------------


def test_a_miss_comes_back_soon_a_sure_answer_much_later(store):
    answer(store, "missed", passed=False)
    answer(store, "known", passed=True)
    answer(store, "easy", passed=True, rating="easy", kind="flashcard")
    missed, known, easy = (store.card(i).due - T0 for i in ("missed", "known", "easy"))
    assert timedelta(minutes=1) <= missed <= timedelta(days=1)
    assert known >= timedelta(days=1)
    assert easy > known


def test_ratings_derived_from_the_answer(store):
    answer(store, "wrong", passed=False)
    answer(store, "right", passed=True)
    answer(store, "hinted", passed=True, hinted=True)
    answer(store, "hinted-wrong", passed=False, hinted=True)
    answer(store, "self-rated", passed=True, rating="Hard", kind="flashcard")
    expected = {
        "wrong": "again", "right": "good", "hinted": "hard", "hinted-wrong": "again",
        "self-rated": "hard",
    }
    assert {item: store.history(item)[0].rating for item in expected} == expected
    assert store.history("self-rated")[0].self_rated
    assert store.card("right").due > store.card("hinted").due > store.card("wrong").due


def test_intervals_grow_while_the_answers_stay_right(store):
    when, intervals = T0, []
    for _ in range(4):
        answer(store, when=when)
        card = store.card("lstm-gates-1")
        intervals.append(card.due - when)
        when = card.due
    assert intervals == sorted(intervals) and intervals[-1] > 2 * intervals[0]
    assert store.card("lstm-gates-1").state == "review"


def test_a_lapse_after_reviews_comes_back_soon(store):
    answer(store, when=T0)
    review_time = store.card("lstm-gates-1").due
    answer(store, passed=False, when=review_time)
    card = store.card("lstm-gates-1")
    assert card.state == "relearning" and card.due - review_time <= timedelta(days=1)


def test_scheduling_is_deterministic(tmp_path):
    dues = []
    for name in ("one.sqlite3", "two.sqlite3"):
        with Store.open(tmp_path / name) as opened:
            for day in range(5):
                answer(opened, when=T0 + timedelta(days=30 * day))
            dues.append(opened.card("lstm-gates-1").due)
    assert dues[0] == dues[1]


def test_due_respects_now_and_ignores_items_never_seen(store):
    answer(store, "missed", passed=False)
    answer(store, "known", passed=True)
    assert store.due(now=T0) == []
    assert [d.item_id for d in store.due(now=T0 + timedelta(hours=1))] == ["missed"]
    assert [d.item_id for d in store.due(now=T0 + timedelta(days=30))] == ["missed", "known"]
    assert store.due(["never-seen"], now=T0 + timedelta(days=365)) == []


def test_due_is_most_overdue_first_filtered_and_limited(store):
    for hours_ago, item in [(1, "b"), (30, "a"), (5, "c")]:
        answer(store, item, passed=False, when=T0 - timedelta(hours=hours_ago))
    due = store.due(now=T0)
    assert [d.item_id for d in due] == ["a", "c", "b"]
    assert all(d.due <= T0 and d.state == "learning" for d in due)
    assert [d.item_id for d in store.due(["b", "c", "zzz"], now=T0)] == ["c", "b"]
    assert [d.item_id for d in store.due(now=T0, limit=2)] == ["a", "c"]
    assert json.dumps([d.to_dict() for d in due])


# --- statistics ----------------------------------------------------------------------------------


def test_stats_on_an_empty_store(store):
    stats = store.stats(now=T0)
    assert (stats.attempts, stats.correct, stats.accuracy, stats.per_topic) == (0, 0, None, ())
    assert [d.attempts for d in stats.last_7_days] == [0] * 7


def test_stats_totals_topics_due_and_last_seven_days(store):
    answer(store, "l1", passed=True, when=T0 - timedelta(days=2))
    answer(store, "l1", passed=False, when=T0)
    answer(store, "l2", passed=True, when=T0)
    answer(store, "g1", topic="gru", passed=False, when=T0 - timedelta(days=10))
    stats = store.stats(now=T0 + timedelta(hours=1))
    assert (stats.attempts, stats.correct, stats.items_seen) == (4, 2, 3)
    assert stats.accuracy == pytest.approx(0.5)
    gru, lstm = stats.per_topic
    assert (gru.topic, gru.attempts, gru.correct, gru.items_seen, gru.due) == ("gru", 1, 0, 1, 1)
    assert gru.accuracy == 0.0
    assert (lstm.topic, lstm.attempts, lstm.correct, lstm.items_seen, lstm.due) == ("lstm", 3, 2, 2, 1)
    assert lstm.accuracy == pytest.approx(2 / 3)
    assert stats.due == 2
    days = stats.last_7_days
    assert len(days) == 7 and days[-1].day == T0.date() and days[0].day == T0.date() - timedelta(days=6)
    assert [d.attempts for d in days] == [0, 0, 0, 0, 1, 0, 2]
    as_json = json.loads(json.dumps(stats.to_dict()))
    assert as_json["attempts"] == 4 and isinstance(as_json["attempts"], int)
    assert as_json["per_topic"][1]["topic"] == "lstm"
    assert as_json["last_7_days"][-1] == {"day": T0.date().isoformat(), "attempts": 2, "correct": 1}


# --- several processes, and processes that die -------------------------------------------------------

WRITER = """
    import sys, time
    import fsrs  # imported up front so that both writers start at the go signal
    from quizzer.progress.store import Store
    who, count = sys.argv[1], int(sys.argv[2])
    with Store.open({db!r}) as store:
        sys.stdin.readline()
        for n in range(count):
            store.record(item_id=f"{{who}}-{{n % 7}}", topic=who, kind="numeric", item_type="question",
                         passed=n % 3 != 0, score=1.0, max_score=1.0, response=str(n))
            time.sleep(0.002)  # a pause, as between a learner's answers, lets the other writer in
"""


def test_two_processes_writing_at_once_lose_nothing(db):
    Store.open(db).close()
    code = WRITER.format(db=str(db))
    writers = []
    for who in ("alice", "bob"):
        env = dict(os.environ, PYTHONPATH=str(REPO))
        writers.append(subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), who, "200"],
            env=env, cwd=REPO, stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        ))
    for writer in writers:
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    with Store.open(db) as opened:
        stats = opened.stats()
        assert stats.attempts == 400
        assert {t.topic: t.attempts for t in stats.per_topic} == {"alice": 200, "bob": 200}
        assert len(opened.due(now=datetime.now(timezone.utc) + timedelta(days=3650))) == 14
    raw = sqlite3.connect(db)
    writers_in_order = [who for (who,) in raw.execute("SELECT topic FROM attempts ORDER BY id")]
    raw.close()
    assert sum(a != b for a, b in itertools.pairwise(writers_in_order)) >= 10  # they overlapped
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_a_killed_process_loses_no_answer(db):
    victim = run_python(
        f"""
        import os, signal
        from datetime import datetime, timedelta, timezone
        from quizzer.progress.store import Store
        store = Store.open({str(db)!r})
        t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        for n in range(5):
            store.record(item_id=f"item-{{n}}", topic="rnn", kind="choice", item_type="question",
                         passed=n % 2 == 0, score=1.0, max_score=1.0, response="x",
                         when=t0 + timedelta(minutes=n))
        os.kill(os.getpid(), signal.SIGKILL)
        """,
        stderr=subprocess.PIPE,
    )
    victim.communicate(timeout=60)
    assert victim.returncode == -signal.SIGKILL
    with Store.open(db) as reopened:
        assert reopened.stats().attempts == 5
        assert [len(reopened.history(f"item-{n}")) for n in range(5)] == [1] * 5
        assert reopened.card("item-0").state == "review" and reopened.card("item-1").state == "learning"
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_importing_the_store_stays_cheap():
    probe = run_python(
        """
        import sys
        import quizzer.progress.store, quizzer.paths
        heavy = {"fsrs", "platformdirs", "rich", "typer", "numpy", "sympy", "yaml"} & set(sys.modules)
        print(sorted(heavy))
        """,
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = probe.communicate(timeout=60)
    assert out.strip() == "[]"
