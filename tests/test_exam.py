"""Mock exams: planning, the CBT driven on standard input, time limits, resume after kill -9, history,
the store's exam tables and migration, the --source/--difficulty filters and readiness."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from quizzer.bank import load_bank
from quizzer.progress.exam import TOPIC_WEIGHTS, eligible, plan_exam, quotas
from quizzer.progress.store import SCHEMA_VERSION, Store

# Six choice items in the bank's own option order, so the right letter is known: the answer key.
ITEMS = [
    ("e-rnn-1", "rnn", "a", "original"),
    ("e-rnn-2", "rnn", "b", "confirmation-test:e-rnn-2"),
    ("e-lstm-1", "lstm", "c", "original"),
    ("e-lstm-2", "lstm", "d", "original"),
    ("e-gru-1", "gru", "a", "original"),
    ("e-attention-1", "attention", "b", "original"),
]
SEED = 5


def _bank_yaml() -> str:
    lines = ["format_version: 1", "questions:"]
    for item_id, topic, key, source in ITEMS:
        lines += [
            f"  - id: {item_id}",
            f"    topic: {topic}",
            "    type: choice",
            f"    source: {source}",
            "    shuffle: false",
            f"    prompt: {{en: 'Question {item_id}: pick {key}.', ja: '問題 {item_id}: {key} を選んでください。'}}",
            f"    explanation: {{en: 'Because {key}.', ja: '{key} だから。'}}",
            f"    answer: {key}",
            "    options:",
            *[f"      - {{key: {k}, text: 'option {k}'}}" for k in "abcd"],
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def exam_bank(tmp_path) -> Path:
    path = tmp_path / "exam-bank.yaml"
    path.write_text(_bank_yaml(), encoding="utf-8")
    return path


def _order(bank: Path, count: int = 6, seed: int = SEED) -> list[tuple[str, str]]:
    """(item id, right letter) in the order the exam serves them (the same planning code as the command)."""
    loaded = load_bank([str(bank)], cache=False)
    keys = {item_id: key for item_id, _, key, _ in ITEMS}
    return [(i.id, keys[i.id]) for i in plan_exam(eligible(loaded), count=count, seed=seed)]


def _wrong(letter: str) -> str:
    return "a" if letter != "a" else "b"


def _show(n: int = 1, bank: Path | None = None) -> dict:
    out = run_cli("exam", "show", str(n), "--json", *(["--bank", str(bank)] if bank else []))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# --- planning ------------------------------------------------------------------------------------


def test_a_default_exam_follows_the_topic_weights_and_is_mostly_choice():
    bank = load_bank()
    items = plan_exam(eligible(bank), count=20, seed=11)
    assert Counter(i.topic for i in items) == Counter({t: n for t, n in TOPIC_WEIGHTS.items() if n})
    types = Counter(i.type for i in items)
    assert types["choice"] >= 8, types
    assert set(types) <= {"choice", "numeric", "symbolic", "text", "blank"}
    assert len({i.id for i in items}) == 20
    assert [i.id for i in plan_exam(eligible(bank), count=20, seed=11)] == [i.id for i in items]


def test_a_topic_short_of_items_gives_its_share_to_the_others():
    shares = quotas({"rnn": 1, "lstm": 10, "gru": 10}, 9)
    assert shares["rnn"] == 1 and sum(shares.values()) == 9
    assert quotas({"rnn": 2}, 5) == {"rnn": 2}


# --- the CBT on standard input -------------------------------------------------------------------


def test_navigation_marking_going_back_changing_an_answer_and_submitting(exam_bank, _isolated_home):
    order = _order(exam_bank)
    (i1, k1), (i2, k2), (i3, _), (i4, k4), (i5, k5), (i6, _) = order
    script = [
        _wrong(k1),  # 1 wrong, moves on to 2
        k2,  # 2 right, moves on to 3
        "mark",  # 3 marked
        "p",  # back to 2
        _wrong(k2),  # 2 changed to a wrong answer, moves on to 3
        "go 99",  # explained, re-asked
        "flurb",  # not an option: explained, re-asked, not counted
        "go 5",
        k5,  # 5 right, moves on to 6
        "o",
        "submit",
        "no",
        "go 4",
        k4,  # 4 right
        "submit",
        "yes",
    ]
    out = run_cli("exam", "-n", "6", "--seed", str(SEED), "--bank", str(exam_bank), stdin="\n".join(script) + "\n")
    assert out.returncode == 1, out.stdout + out.stderr  # 2 of 6 right: below the 70% pass line
    assert "`go` needs an item number from 1 to 6" in out.stdout
    assert "'flurb' is not one of the options" in out.stdout
    assert "Submit with 3 unanswered (3, 4, 6)? yes / no" in out.stdout
    assert "Not submitted; carry on." in out.stdout
    assert "Submit with 2 unanswered (3, 6)? yes / no" in out.stdout
    assert "Exam 1: 2/6 right (33%) · FAIL" in out.stdout
    assert "Pass line 70%" in out.stdout and "publishes no pass mark" in out.stdout
    assert "⏱ 9:" in out.stdout  # the countdown with every prompt: 6 items × 1.5 minutes

    result = _show(1)  # the exam remembers the bank it was drawn from
    assert [o["id"] for o in result["outcomes"]] == [i1, i2, i3, i4, i5, i6]
    assert [o["response"] for o in result["outcomes"]] == [_wrong(k1), _wrong(k2), None, k4, k5, None]
    assert [o["passed"] for o in result["outcomes"]] == [False, False, False, True, True, False]
    assert [o["marked"] for o in result["outcomes"]] == [False, False, True, False, False, False]
    assert [o["expected"][:2] for o in result["outcomes"]] == [f"{k})" for _, k in order]
    assert result["items"] == 6 and result["answered"] == 4 and result["correct"] == 2
    assert result["passed"] is False and result["ended_by"] == "submitted"
    topics = {t["topic"]: (t["items"], t["correct"]) for t in result["per_topic"]}
    expected_topics: dict[str, list[int]] = {}
    for position, (item_id, _) in enumerate(order):
        topic = next(t for i, t, _, _ in ITEMS if i == item_id)
        tally = expected_topics.setdefault(topic, [0, 0])
        tally[0] += 1
        tally[1] += int(result["outcomes"][position]["passed"])
    assert topics == {t: tuple(v) for t, v in expected_topics.items()}
    assert all(o["seconds"] >= 0 for o in result["outcomes"])
    assert sum(o["seconds"] for o in result["outcomes"]) <= result["elapsed_s"] + 1

    # The result view also names every missed item with the right answer and the explanation.
    shown = run_cli("exam", "show", "1", "--bank", str(exam_bank))
    assert "Missed items" in shown.stdout and f"Because {k1}." in shown.stdout

    # Answers fed spaced repetition once each (the final response); unanswered items were not recorded.
    with Store.open(_isolated_home / "progress.sqlite3") as store:
        assert [a.response for a in store.history(i2)] == [_wrong(k2)]
        assert [a.passed for a in store.history(i4)] == [True]
        assert store.card(i3) is None and store.card(i6) is None
        assert store.card(i1) is not None


def test_a_pass_with_every_item_right_exits_0(exam_bank):
    answers = [k for _, k in _order(exam_bank)]
    out = run_cli("exam", "-n", "6", "--seed", str(SEED), "--bank", str(exam_bank),
                  stdin="\n".join(answers) + "\nsubmit\nyes\n")
    assert out.returncode == 0, out.stdout
    assert "Exam 1: 6/6 right (100%) · PASS" in out.stdout and "Every item is answered." in out.stdout
    assert "Submit the exam? yes / no" in out.stdout


def test_the_time_limit_submits_the_answers_given(exam_bank, _isolated_home):
    (_, k1), *_ = _order(exam_bank)
    env = {**os.environ, "QUIZZER_HOME": str(_isolated_home), "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizzer", "exam", "-n", "6", "--seed", str(SEED), "--minutes", "0.05",
         "--bank", str(exam_bank)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdin is not None
    proc.stdin.write(f"{k1}\n")
    proc.stdin.flush()  # then nothing more, and standard input stays open: only the clock can end it
    try:
        proc.wait(timeout=30)
    finally:
        proc.stdin.close()
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()
    assert "Time is up: the exam is submitted with the answers given." in out, out + err
    assert "(time ran out)" in out
    result = _show(1)
    assert result["ended_by"] == "time" and result["answered"] == 1 and result["correct"] == 1
    assert result["elapsed_s"] == pytest.approx(3.0, abs=0.05)


def test_resume_after_kill_9_keeps_the_answers_and_the_time_left(exam_bank, _isolated_home):
    order = _order(exam_bank)
    env = {**os.environ, "QUIZZER_HOME": str(_isolated_home), "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizzer", "exam", "-n", "6", "--seed", str(SEED), "--bank", str(exam_bank)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdin is not None
    proc.stdin.write(f"{order[0][1]}\n{_wrong(order[1][1])}\nmark\n")
    proc.stdin.flush()
    path = _isolated_home / "progress.sqlite3"
    deadline = time.time() + 30
    state = (0, 0)
    while time.time() < deadline:
        try:
            conn = sqlite3.connect(path)
            state = conn.execute("SELECT count(response), coalesce(sum(marked), 0) FROM exam_answers").fetchone()
            conn.close()
        except sqlite3.Error:
            pass
        if state == (2, 1):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert state == (2, 1)

    rest = [k for _, k in order[2:]]
    out = run_cli("exam", "--resume", stdin="\n".join(rest) + "\nsubmit\nyes\n")  # the bank is remembered
    assert "Exam 1 resumed" in out.stdout, out.stdout + out.stderr
    assert f"3/6 ★  {order[2][0].split('-')[1]} · {order[2][0]}" in out.stdout  # back where it stopped, mark kept
    result = _show(1)
    assert [o["response"] for o in result["outcomes"]] == [order[0][1], _wrong(order[1][1]), *rest]
    assert result["correct"] == 5 and result["finished"] is True
    assert result["elapsed_s"] < result["time_limit_s"]
    assert run_cli("exam", "--resume", "--bank", str(exam_bank)).returncode == 2  # nothing left to resume


def test_end_of_input_pauses_and_history_shows_both_kinds(exam_bank):
    (_, k1), *_ = _order(exam_bank)
    paused = run_cli("exam", "-n", "6", "--seed", str(SEED), "--bank", str(exam_bank), stdin=f"{k1}\n")
    assert paused.returncode == 0
    assert "Exam 1 paused with" in paused.stdout and "quizzer exam --resume" in paused.stdout
    done = run_cli("exam", "-n", "2", "--seed", "1", "--bank", str(exam_bank), stdin="submit\nyes\n")
    assert "Exam 1 is unfinished" in done.stdout and done.returncode == 1

    rows = json.loads(run_cli("exam", "history", "--json").stdout)
    assert [r["id"] for r in rows] == [1, 2]
    keys = {"id", "started_at", "finished", "ended_by", "items", "answered", "correct", "score", "pass_line",
            "passed", "time_limit_s", "elapsed_s", "per_topic"}
    assert all(set(r) == keys for r in rows)
    assert (rows[0]["finished"], rows[0]["answered"], rows[0]["items"]) == (False, 1, 6)
    assert (rows[1]["finished"], rows[1]["ended_by"], rows[1]["score"]) == (True, "submitted", 0.0)
    assert all(set(t) == {"topic", "items", "correct", "score"} for r in rows for t in r["per_topic"])
    chart = run_cli("exam", "history").stdout
    assert "unfinished" in chart and "Exam scores over time" in chart and "#2" in chart


def test_the_exam_in_japanese(exam_bank):
    out = run_cli("exam", "-n", "6", "--seed", str(SEED), "--lang", "ja", "--bank", str(exam_bank), stdin="o\n提出\nはい\n")
    assert "残り 9:" in out.stdout and "未解答: 1, 2, 3, 4, 5, 6" in out.stdout
    assert "未解答が 6 問" in out.stdout and "不合格" in out.stdout and "合格点を公表していません" in out.stdout


# --- filters -------------------------------------------------------------------------------------


def test_source_course_serves_only_the_course_items():
    from quizzer.progress.session import plan_practice

    bank = load_bank()
    course = [r for r in json.loads(run_cli("list", "--source", "course", "--json").stdout)]
    assert len(course) == 19 and all(r["source"] != "original" for r in course)
    planned = plan_practice(bank, source="course", count=100, seed=1)
    assert sorted(i.id for i in planned) == sorted(r["id"] for r in course)
    originals = json.loads(run_cli("list", "--source", "original", "--json").stdout)
    assert len(originals) == len(bank.items) - 19

    # the exam asks the 15 of them that it can grade (its 4 flashcards need a self-rating)
    out = run_cli("exam", "--source", "course", "-n", "15", "--seed", "2", stdin="submit\nyes\n")
    ids = [o["id"] for o in _show(1)["outcomes"]]
    assert len(ids) == 15 and {bank.items[i].source != "original" for i in ids} == {True}, out.stdout


def test_fewer_items_than_asked_says_how_many_and_asks_nothing():
    out = run_cli("exam", "--source", "course", "-n", "16", stdin="a\n")
    assert out.returncode == 2 and "only 15 items match these filters, fewer than the 16 asked" in out.stderr
    assert "╭" not in out.stdout
    assert json.loads(run_cli("exam", "history", "--json").stdout) == []


@pytest.mark.parametrize("command", [["practice"], ["exam"], ["list"], ["export"]])
def test_unknown_filter_values_name_what_exists(command):
    bad_source = run_cli(*command, "--source", "course-only", stdin="")
    assert bad_source.returncode == 2
    assert "unknown source 'course-only'; choose one of: course, original, all" in bad_source.stderr
    bad_level = run_cli(*command, "--difficulty", "4", stdin="")
    assert bad_level.returncode == 2 and "unknown difficulty 4; choose one of: 1, 2, 3" in bad_level.stderr
    ja = run_cli(*command, "--source", "x", "--lang", "ja", stdin="")
    assert "出典 'x' はありません" in ja.stderr


def test_exam_option_errors_are_one_line():
    assert "--minutes must be more than 0" in run_cli("exam", "--minutes", "0").stderr
    assert "--pass-line must be between 1 and 100" in run_cli("exam", "--pass-line", "150").stderr
    assert "leave out -n" in run_cli("exam", "--resume", "-n", "3").stderr
    assert "no exam 7" in run_cli("exam", "show", "7").stderr


# --- the store -----------------------------------------------------------------------------------


def test_a_version_1_store_is_migrated_keeping_its_answers(tmp_path):
    db = tmp_path / "old.sqlite3"
    with Store.open(db) as store:
        store.record(item_id="x", topic="rnn", kind="question", item_type="choice", passed=True, score=1,
                     max_score=1, response="a")
    raw = sqlite3.connect(db)  # make it the file a version-1 quizzer wrote
    raw.execute("DROP TABLE exam_answers")
    raw.execute("DROP TABLE exam_attempts")
    raw.execute("DROP TABLE lab_runs")  # schema 3 (lab runs) came later still
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    with Store.open(db) as store:
        assert [a.response for a in store.history("x")] == ["a"]
        assert store.exams() == []
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"exam_attempts", "exam_answers", "attempts", "cards", "lab_runs"} <= tables


def test_a_version_2_store_missing_its_exam_tables_is_refused(tmp_path):
    db = tmp_path / "damaged.sqlite3"
    Store.open(db).close()
    raw = sqlite3.connect(db)
    raw.execute("DROP TABLE exam_answers")
    raw.commit()
    raw.close()
    from quizzer.errors import StoreError

    with pytest.raises(StoreError, match="damaged"):
        Store.open(db)


# --- readiness -----------------------------------------------------------------------------------


def test_readiness_per_topic_follows_its_definition(exam_bank, tmp_path):
    from quizzer.progress.exam import ExamRun
    from quizzer.progress.readiness import readiness

    bank = load_bank([str(exam_bank)], cache=False)
    now = datetime.now(timezone.utc)
    with Store.open(tmp_path / "r.sqlite3") as store:
        empty = readiness(bank, store, now=now)
        assert empty.overall == 0 and all(t.recall is None and t.seen == 0 for t in empty.per_topic)
        store.record(item_id="e-rnn-1", topic="rnn", kind="question", item_type="choice", passed=True, score=1,
                     max_score=1, response="a", when=now - timedelta(days=1))
        items = [bank.items["e-lstm-1"], bank.items["e-lstm-2"]]
        run = ExamRun.start(store, items, time_limit_s=60, pass_line=0.7, lang="en", seed=1, filters={})
        run.go(0)
        run.answer("c")  # e-lstm-1 right; e-lstm-2 left unanswered
        run.submit()
        figures = readiness(bank, store, now=now)
    by_topic = {t.topic: t for t in figures.per_topic}
    rnn, lstm, gru = by_topic["rnn"], by_topic["lstm"], by_topic["gru"]
    assert rnn.seen == 0.5 and rnn.exam is None and 0.9 < rnn.recall <= 1
    assert rnn.readiness == pytest.approx(0.5 * rnn.recall)
    assert lstm.seen == 0.5 and lstm.exam == 0.5
    assert lstm.readiness == pytest.approx((0.5 * lstm.recall + 0.5) / 2)
    assert gru.readiness == 0
    weights = {t.topic: TOPIC_WEIGHTS[t.topic] for t in figures.per_topic}
    assert figures.overall == pytest.approx(sum(by_topic[t].readiness * w for t, w in weights.items()) / sum(weights.values()))
    assert [t.topic for t in figures.study_next] == ["attention", "gru", "rnn"]
    assert figures.study_next[0].command == f"quizzer practice --topic {figures.study_next[0].topic}"


def test_stats_shows_readiness_and_what_to_study_next(exam_bank):
    out = run_cli("stats", "--bank", str(exam_bank))
    assert "Readiness" in out.stdout and "Study next" in out.stdout and "quizzer practice --topic" in out.stdout
    figures = json.loads(run_cli("stats", "--json", "--bank", str(exam_bank)).stdout)
    assert set(figures["readiness"]) == {"overall", "per_topic", "study_next"}
    assert {t["topic"] for t in figures["readiness"]["per_topic"]} == {"rnn", "lstm", "gru", "attention"}


def test_the_readme_weights_table_is_the_one_the_exam_uses():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- exam-weights:start -->")[1].split("<!-- exam-weights:end -->")[0]
    rows = dict(line.strip("| ").split(" | ") for line in block.strip().splitlines()[2:])
    assert {t: int(n) for t, n in rows.items()} == TOPIC_WEIGHTS
    from quizzer.progress.exam import DEFAULT_COUNT, DEFAULT_PASS_LINE, SECONDS_PER_ITEM

    assert sum(TOPIC_WEIGHTS.values()) == DEFAULT_COUNT == 20  # the default length the README states
    assert DEFAULT_COUNT * SECONDS_PER_ITEM == 30 * 60 and DEFAULT_PASS_LINE == 0.7


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "closed-terminal"])
def test_ctrl_c_or_a_closed_terminal_pauses_keeping_the_answers(exam_bank, _isolated_home, signum):
    order = _order(exam_bank)
    env = {**os.environ, "QUIZZER_HOME": str(_isolated_home), "COLUMNS": "100", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizzer", "exam", "-n", "6", "--seed", str(SEED), "--bank", str(exam_bank)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"{order[0][1]}\n")
    proc.stdin.flush()
    path = _isolated_home / "progress.sqlite3"
    deadline = time.time() + 30
    answered = 0
    while time.time() < deadline and answered != 1:
        try:
            conn = sqlite3.connect(path)
            answered = conn.execute("SELECT count(response) FROM exam_answers").fetchone()[0]
            conn.close()
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    proc.send_signal(signum)
    try:
        proc.wait(timeout=30)
    finally:
        proc.stdin.close()
    out = proc.stdout.read()
    assert proc.returncode == 130
    assert "Exam 1 paused with" in out and "Traceback" not in (proc.stderr.read() if proc.stderr else "")
    rows = json.loads(run_cli("exam", "history", "--json").stdout)
    assert (rows[0]["finished"], rows[0]["answered"]) == (False, 1)


def test_the_difficulty_filter_keeps_the_level_asked_and_leaves_out_items_without_one():
    from quizzer.bank.filters import keep

    rows = [
        {"id": "a", "source": "original", "difficulty": 1},
        {"id": "b", "source": "confirmation-test:x", "difficulty": 2},
        {"id": "c", "source": "original"},  # no difficulty authored
    ]
    assert [r["id"] for r in keep(rows, difficulty=[2])] == ["b"]
    assert [r["id"] for r in keep(rows, difficulty=[1, 2])] == ["a", "b"]
    assert [r["id"] for r in keep(rows)] == ["a", "b", "c"]
    assert [r["id"] for r in keep(rows, source="original", difficulty=[1])] == ["a"]
    assert [r["id"] for r in keep(rows, source="course")] == ["b"]


def test_difficulty_filters_list_practice_and_exam():
    from quizzer.progress.session import plan_practice

    bank = load_bank()
    hard = json.loads(run_cli("list", "--difficulty", "3", "--json").stdout)
    assert hard and {r["difficulty"] for r in hard} == {3}
    assert len(hard) == sum(getattr(i, "difficulty", None) == 3 for i in bank.items.values())
    assert {i.difficulty for i in plan_practice(bank, difficulty=[1], count=500)} == {1}
    run_cli("exam", "-n", "5", "--difficulty", "1", "--difficulty", "2", "--seed", "3", stdin="submit\nyes\n")
    ids = [o["id"] for o in _show(1)["outcomes"]]
    assert len(ids) == 5 and {bank.items[i].difficulty for i in ids} <= {1, 2}
