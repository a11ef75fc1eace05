"""The real `quizzer` command end to end on the fixture bank: output, JSON shapes and exit codes."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, run_cli


@pytest.fixture
def bank_args(fixture_bank):
    return ["--bank", str(fixture_bank)]


def test_help_lists_the_commands():
    out = run_cli("--help")
    assert out.returncode == 0
    for command in ("list", "show", "answer", "practice", "review", "stats"):
        assert command in out.stdout


def test_list_json_shape(bank_args):
    out = run_cli("list", "--json", *bank_args)
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert {i["id"] for i in items} >= {"mini-choice", "mini-flashcard", "mini-param"}
    for entry in items:
        assert {"id", "kind", "topic", "type", "languages"} <= entry.keys()
        assert entry["kind"] in ("question", "exercise")
    by_id = {i["id"]: i for i in items}
    assert by_id["mini-english-only"]["languages"] == ["en"]
    assert by_id["mini-text"]["languages"] == ["en", "ja"]


def test_list_filters_by_topic_and_type(bank_args):
    items = json.loads(run_cli("list", "--json", "--topic", "lstm", "--type", "choice", *bank_args).stdout)
    assert [i["id"] for i in items] == ["mini-multi"]


def test_show_renders_in_japanese(bank_args):
    out = run_cli("show", "mini-choice", "--lang", "ja", *bank_args)
    assert out.returncode == 0
    assert "シグモイド関数の導関数の最大値" in out.stdout and "0.25" in out.stdout


def test_quizzer_lang_environment_variable(bank_args):
    out = run_cli("show", "mini-text", *bank_args, env={"QUIZZER_LANG": "ja"})
    assert "不要な記憶を消すゲート" in out.stdout


def test_show_with_answer_reveals_answer_and_explanation(bank_args):
    out = run_cli("show", "mini-shape", "--answer", *bank_args)
    assert "3×3" in out.stdout and "(5 + 2 − 3)/2 + 1 = 3" in out.stdout


@pytest.mark.parametrize(("item", "answer", "code"), [("mini-choice", "b", 0), ("mini-choice", "a", 1), ("mini-numeric", "1/4", 0), ("mini-symbolic", "2x+2y", 0), ("mini-symbolic", "x+y", 1), ("mini-shape", "3 x 3", 0)])
def test_answer_exit_codes(bank_args, item, answer, code):
    out = run_cli("answer", item, answer, *bank_args)
    assert out.returncode == code, out.stdout + out.stderr


def test_answer_json_is_the_result_value(bank_args):
    out = run_cli("answer", "mini-numeric", "0.3", "--json", *bank_args)
    assert out.returncode == 1
    result = json.loads(out.stdout)
    assert result["id"] == "mini-numeric" and result["passed"] is False
    assert result["score"] == 0 and result["max_score"] == 1 and result["expected"] == "0.25"
    assert "feedback" in result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["answer", "no-such-id", "b"], "no question or exercise has the id 'no-such-id'"),
        (["answer", "mini-choice", "z"], "'z' is not one of the options"),
        (["answer", "mini-symbolic", "__import__('os').system('touch /tmp/pwned')"], ""),
        (["answer", "mini-param", "12"], "pass the --seed"),
        (["show", "mini-choice", "--lang", "fr"], "unknown language 'fr'"),
        (["practice", "--topic", "astrology"], "unknown topic 'astrology'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(bank_args, args, message):
    out = run_cli(*args, *bank_args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert message in lines[0]


@pytest.mark.parametrize("answer", ["9**9**9**9", "factorial(10**7)", "x" * 100_000, "(" * 5000 + "x" + ")" * 5000])
def test_hostile_maths_gets_an_answer_fast(bank_args, answer):
    started = time.perf_counter()
    out = run_cli("answer", "mini-symbolic", answer, *bank_args)
    assert time.perf_counter() - started < 10  # the process start dominates; the check itself is bounded in test_expr
    assert out.returncode in (1, 2) and "Traceback" not in out.stderr


def test_parameterised_answer_with_the_seed_show_printed(bank_args):
    shown = run_cli("show", "mini-param", "--seed", "7", *bank_args).stdout
    assert "--seed 7" in shown
    d = int(shown.split("D = ")[1].split(",")[0])
    h = int(shown.split("H = ")[1].split(",")[0])
    assert run_cli("answer", "mini-param", str(4 * (h * d + h * h + h)), "--seed", "7", *bank_args).returncode == 0


def test_malformed_bank_is_path_line_and_exit_2(tmp_path):
    (tmp_path / "bad.yaml").write_text("format_version: 1\nquestions:\n  - id: x\n    topic: rnn\n    type: nope\n", encoding="utf-8")
    out = run_cli("list", "--bank", str(tmp_path / "bad.yaml"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert f"{tmp_path / 'bad.yaml'}:5: question 'x': unknown type 'nope'" in out.stderr


def test_practice_on_piped_answers_with_hint_skip_and_reask(bank_args):
    answers = "?\nzzz\nskip\n0.3\nquit" + "\n"
    out = run_cli("practice", "--type", "numeric", "--seed", "1", "-n", "3", *bank_args, stdin=answers)
    assert out.returncode == 0, out.stderr
    assert "Hint" in out.stdout or "has no hints" in out.stdout or "No more hints" in out.stdout
    assert "⚠" in out.stdout, "an unreadable answer is explained and asked again"
    assert "Skipped" in out.stdout
    assert "Total" in out.stdout and "Session over" in out.stdout
    figures = json.loads(run_cli("stats", "--json").stdout)
    assert figures["attempts"] == 1, "the unreadable answer and the skip are not counted"


def test_practice_serves_every_type_and_records_each_answer(bank_args):
    answers = ["b", "0.25", "3x3", "2(x+y)", "forget", "", "good", "a,c", "1", "update"] * 2
    out = run_cli("practice", "-n", "10", "--seed", "4", *bank_args, stdin="\n".join(answers) + "\n")
    assert out.returncode == 0, out.stderr
    assert "Model answer" in out.stdout, "a flashcard reveals the model answer"
    stats = json.loads(run_cli("stats", "--json").stdout)
    assert stats["attempts"] >= 5 and isinstance(stats["attempts"], int)
    assert {t["topic"] for t in stats["per_topic"]} <= {"training", "lstm", "cnn-review", "bptt", "gru"}


def test_review_brings_back_a_missed_item(bank_args, _isolated_home):
    run_cli("answer", "mini-text", "input", *bank_args)  # `answer` alone records nothing
    assert "Nothing to review" in run_cli("review", *bank_args).stdout
    run_cli("practice", "--type", "text", "--topic", "lstm", "--seed", "2", *bank_args, stdin="input gate\n")
    # a miss is due again after 10 minutes: move the card's due time into the past
    db = sqlite3.connect(_isolated_home / "progress.sqlite3")
    db.execute("UPDATE cards SET due = '2000-01-01T00:00:00.000000+00:00'")
    db.commit()
    db.close()
    out = run_cli("review", *bank_args, stdin="forget gate\n")
    assert "mini-text" in out.stdout and "Correct" in out.stdout


def test_killed_session_keeps_every_answer_given(bank_args, _isolated_home):
    env = {**os.environ, "QUIZZER_HOME": str(_isolated_home), "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizzer", "practice", "--type", "numeric", "--seed", "3", "-n", "4", *bank_args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdin is not None
    proc.stdin.write("0.25\n0.5\n")
    proc.stdin.flush()
    deadline = time.time() + 30
    path = _isolated_home / "progress.sqlite3"
    count = 0
    while time.time() < deadline:
        if path.exists():
            try:
                count = sqlite3.connect(path).execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
            except sqlite3.Error:
                count = 0
            if count == 2:
                break
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert count == 2
    stats = json.loads(run_cli("stats", "--json").stdout)
    assert stats["attempts"] == 2


def test_damaged_progress_file_is_refused_and_left_alone(bank_args, _isolated_home):
    path = _isolated_home / "progress.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    out = run_cli("practice", *bank_args, stdin="b\n")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "not" in out.stderr and "quizzer progress database" in out.stderr
    assert path.read_bytes() == before


def test_stats_json_and_chart(bank_args):
    run_cli("practice", "--type", "choice", "--seed", "1", "-n", "2", *bank_args, stdin="a\nb\n")
    figures = json.loads(run_cli("stats", "--json").stdout)
    assert figures["attempts"] == 2
    chart = run_cli("stats").stdout
    assert "Answers in the last 7 days" in chart and "█" in chart


def test_brackets_in_bank_text_are_shown_not_read_as_markup(tmp_path):
    bank = tmp_path / "b.yaml"
    bank.write_text(
        "format_version: 1\nquestions:\n  - id: br\n    topic: rnn\n    type: choice\n    source: original\n"
        "    prompt: 'Which [bold]line[/bold]?'\n    explanation: e\n    answer: a\n    shuffle: false\n"
        "    options:\n      - {key: a, text: 'W.dot(np.concatenate([left, right]))'}\n      - {key: b, text: 'δᵗ[zᵗ⁻¹]ᵀ'}\n",
        encoding="utf-8",
    )
    out = run_cli("show", "br", "--answer", "--bank", str(bank))
    assert "W.dot(np.concatenate([left, right]))" in out.stdout
    assert "δᵗ[zᵗ⁻¹]ᵀ" in out.stdout and "[bold]line[/bold]" in out.stdout


def test_ctrl_c_ends_the_session_with_its_summary(bank_args, _isolated_home):
    env = {**os.environ, "QUIZZER_HOME": str(_isolated_home), "COLUMNS": "100"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizzer", "practice", "--type", "numeric", "--seed", "3", "-n", "4", *bank_args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("0.25\n")
    proc.stdin.flush()
    path = _isolated_home / "progress.sqlite3"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if sqlite3.connect(path).execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "Session over: " in out and "Traceback" not in err
    assert "everything answered so far is saved" in err
    assert json.loads(run_cli("stats", "--json").stdout)["attempts"] == 1


def test_practice_works_through_unseen_items_before_repeating(bank_args):
    seen: set[str] = set()
    for round_ in range(2):
        out = run_cli("practice", "--type", "numeric", "-n", "2", "--seed", str(round_), *bank_args, stdin="1\n1\n")
        ids = set(re.findall(r"· (mini-[a-z-]+)", out.stdout))
        assert len(ids) == 2 and not ids & seen, "the second session serves the numeric items not yet answered"
        seen |= ids


def test_reset_forgets_progress(bank_args):
    run_cli("practice", "--type", "choice", "--seed", "1", "-n", "2", *bank_args, stdin="a\nb\n")
    refused = run_cli("reset")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert json.loads(run_cli("stats", "--json").stdout)["attempts"] == 2
    done = run_cli("reset", "--yes")
    assert done.returncode == 0 and "Forgot 2 answers" in done.stdout
    assert json.loads(run_cli("stats", "--json").stdout)["attempts"] == 0
