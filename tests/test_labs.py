"""`quizzer lab`: the labs' solutions reach their goals, unfilled and broken files get the right
message, the learner's code runs only in the limited child, and runs reach the progress store."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import textwrap
import time
from pathlib import Path

import pytest

from quizzer.labs import core
from quizzer.labs.core import get_lab, run_lab, solution_source, try_lab
from quizzer.labs.spec import LabError, blanks
from tests.conftest import run_cli

LABS = ("binary-addition", "sine-prediction", "word-prediction")


def _solution(lab_id: str) -> str:
    return solution_source(get_lab(lab_id))


def _edit(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


def _binary(*sets: str) -> dict:
    return get_lab("binary-addition").settings(list(sets))


# --------------------------------------------------------------------------------------------
# Goals: each built-in solution reaches its lab's goal with the default knobs.


@pytest.mark.parametrize("lab_id", LABS)
def test_each_solution_reaches_its_goal(lab_id):
    result = run_lab(lab_id, _solution(lab_id))
    assert result.passed, (result.metric, result.diagnosis and result.diagnosis.text())
    assert result.exit_code == 0
    assert result.diagnosis is None
    assert result.history and result.history[-1]["i"] == get_lab(lab_id).defaults()["iters_num"]


def test_binary_addition_goal_is_checked_on_held_out_additions_only():
    from quizzer.labs import binary_addition as side

    a, b = side.held_out()
    held = set((a * 128 + b).tolist())
    assert len(held) == 1000
    assert not held & set(side.data(_binary())["pool"])


# --------------------------------------------------------------------------------------------
# Templates: the learner's pieces are blanks; an unfilled template is refused with the pieces named.


@pytest.mark.parametrize("lab_id", LABS)
def test_each_unfilled_template_fails_with_a_message(lab_id):
    lab = get_lab(lab_id)
    template = lab.template()
    left = blanks(template)
    assert [label for _, label in left] == list(lab.pieces)
    with pytest.raises(LabError) as info:
        run_lab(lab_id, template)
    assert info.value.exit_code == 2
    for piece in lab.pieces:
        assert piece in str(info.value)
    assert "____" in info.value.text("ja")


def test_template_states_the_course_bug_it_corrects():
    template = get_lab("binary-addition").template()
    assert "d_sigmoid(y)" in template and "y * (1 - y)" in template
    code = [line for line in _solution("binary-addition").splitlines() if not line.strip().startswith("#")]
    assert not any("d_sigmoid(y" in line for line in code)
    assert any("delta_out = (y - D) * y * (1.0 - y)" in line for line in code)


def test_a_file_without_a_piece_is_an_input_error():
    source = _edit(_solution("binary-addition"), "def gradients(", "def gradient_sum(")
    with pytest.raises(LabError) as info:
        run_lab("binary-addition", source)
    assert info.value.exit_code == 2 and "gradients" in str(info.value)


def test_a_syntax_error_is_an_input_error_with_its_line_in_the_readers_language():
    source = _solution("binary-addition") + "\nx\u3000= 1\n"
    line = source.count("\n")
    with pytest.raises(LabError) as info:
        run_lab("binary-addition", source)
    assert info.value.exit_code == 2
    assert f"line {line}: SyntaxError: invalid non-printable character U+3000" in str(info.value)
    assert f"{line} 行目: SyntaxError: 全角スペースがあります" in info.value.text("ja")


# --------------------------------------------------------------------------------------------
# Diagnoses: the course's known mistakes are named.


def test_course_output_delta_bug_is_named_as_the_W_out_gradient():
    source = _edit(_solution("binary-addition"), "delta_out = (y - D) * y * (1.0 - y)",
                   "delta_out = (y - D) * sigmoid(y) * (1.0 - sigmoid(y))")  # the course's d_sigmoid(y)
    result = run_lab("binary-addition", source, settings=_binary("iters_num=300"))
    assert not result.passed and result.exit_code == 1
    assert result.diagnosis.key == "grad-wrong" and result.diagnosis.params["matrix"] == "W_out"
    assert "y * (1 - y)" in result.diagnosis.text()


def test_bptt_without_the_recurrent_term_names_W():
    source = _edit(_solution("binary-addition"), "(delta[:, t + 1] @ W.T + delta_out[:, t] @ W_out.T)",
                   "(delta_out[:, t] @ W_out.T)")
    result = run_lab("binary-addition", source, settings=_binary("iters_num=300"))
    assert not result.passed
    assert result.diagnosis.key == "grad-wrong" and result.diagnosis.params["matrix"] == "W"
    assert "W_in" in result.diagnosis.params["others"]
    assert "recurrent" in result.diagnosis.text()


def test_update_with_the_wrong_sign():
    source = _solution("binary-addition")
    for name in ("W_in", "W", "W_out"):
        source = _edit(source, f"    {name} = {name} - learning_rate", f"    {name} = {name} + learning_rate")
    result = run_lab("binary-addition", source, settings=_binary("iters_num=300"))
    assert not result.passed and result.diagnosis.key == "update-sign"


def test_relu_with_a_large_learning_rate_explodes():
    result = run_lab("binary-addition", _solution("binary-addition"),
                     settings=_binary("activation=relu", "learning_rate=0.5", "iters_num=1000"))
    assert not result.passed
    assert result.diagnosis.key == "exploded"
    assert result.diagnosis.params["value"] > core.EXPLODED


def test_nan_loss_is_reported_with_its_iteration():
    source = _edit(_solution("binary-addition"), "    W_in = W_in - learning_rate * W_in_grad",
                   "    W_in = W_in - learning_rate * W_in_grad\n"
                   "    _count.append(1)\n"
                   "    if len(_count) > 250:\n"
                   "        W_out = W_out * np.nan")
    source = source.replace("import numpy as np\n", "import numpy as np\n\n_count = []\n", 1)
    result = run_lab("binary-addition", source, settings=_binary("iters_num=1000"))
    assert not result.passed and result.diagnosis.key == "diverged"
    # the probe calls update once, so the 250th training update poisons W_out: iteration 251's loss is nan
    assert result.diagnosis.params["step"] == 251
    assert [p["i"] for p in result.history[-2:]] == [250, 251]  # the history before it is kept
    assert "251" in result.diagnosis.text("ja")


def test_sine_step_without_the_recurrent_term_is_named():
    source = _edit(_solution("sine-prediction"), "return np.tanh(x @ W_in + h_prev @ W + b)",
                   "return np.tanh(x @ W_in + b)")
    result = run_lab("sine-prediction", source, settings=get_lab("sine-prediction").settings(["iters_num=50"]))
    assert not result.passed and result.diagnosis.key == "forward-wrong"
    assert result.diagnosis.params["piece"] == "rnn_step"


def test_words_softmax_gradient_not_averaged_is_named():
    source = _edit(_solution("word-prediction"), "    dlogits /= M\n", "")
    result = run_lab("word-prediction", source, settings=get_lab("word-prediction").settings(["iters_num=20"]))
    assert not result.passed and result.diagnosis.key == "grad-wrong"
    assert result.diagnosis.params["matrix"] == "logits"


def test_a_crash_mid_training_keeps_the_history():
    source = _edit(_solution("binary-addition"), "    W_in = W_in - learning_rate * W_in_grad",
                   "    W_in = W_in - learning_rate * W_in_grad\n"
                   "    _count.append(1)\n"
                   "    if len(_count) > 500:\n"
                   "        raise RuntimeError('lost my way')")
    source = source.replace("import numpy as np\n", "import numpy as np\n\n_count = []\n", 1)
    result = run_lab("binary-addition", source, settings=_binary("iters_num=1000"))
    assert not result.passed and result.crashed
    assert result.diagnosis.key == "crash"
    assert "RuntimeError: lost my way" in result.diagnosis.text()
    assert result.diagnosis.params["step"] == 490 and len(result.history) == 49


def test_a_hang_is_stopped_at_the_time_limit_with_the_history_kept():
    source = _edit(_solution("binary-addition"), "def update(W_in, W, W_out, W_in_grad, W_grad, W_out_grad, learning_rate):\n",
                   "def update(W_in, W, W_out, W_in_grad, W_grad, W_out_grad, learning_rate):\n"
                   "    if len(_count) > 100:\n"
                   "        while True:\n"
                   "            pass\n"
                   "    _count.append(1)\n")
    source = source.replace("import numpy as np\n", "import numpy as np\n\n_count = []\n", 1)
    result = run_lab("binary-addition", source, settings=_binary("iters_num=1000"), time_limit=3)
    assert not result.passed and result.diagnosis.key == "timeout"
    assert result.history and result.history[-1]["i"] == 100
    assert 3 <= result.elapsed < 10


# --------------------------------------------------------------------------------------------
# The child: limits, no quizzer, no forged verdicts, the confinement call site.


def test_lab_code_runs_with_the_sandbox_limits_and_without_quizzer():
    probe = textwrap.dedent("""
        import os, resource, sys
        _problems = []
        if resource.getrlimit(resource.RLIMIT_AS)[0] != 1 << 30: _problems.append("RLIMIT_AS")
        if resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 64: _problems.append("RLIMIT_NOFILE")
        if resource.getrlimit(resource.RLIMIT_CORE)[0] != 0: _problems.append("RLIMIT_CORE")
        if resource.getrlimit(resource.RLIMIT_CPU)[0] == resource.RLIM_INFINITY: _problems.append("RLIMIT_CPU")
        if "QUIZZER_HOME" in os.environ: _problems.append("environment")
        if os.getpgid(0) == os.getpgid(os.getppid()): _problems.append("session")
        try:
            import quizzer
            _problems.append("import quizzer")
        except ImportError:
            pass
        if _problems:
            raise RuntimeError("unconfined: " + ", ".join(_problems))
    """)
    result = run_lab("binary-addition", probe + _solution("binary-addition"), settings=_binary("iters_num=50"))
    assert result.diagnosis is None or "unconfined" not in result.diagnosis.text()
    assert result.history, result.diagnosis and result.diagnosis.text()


def test_memory_is_bounded():
    source = _edit(_solution("binary-addition"), "    N, T, _ = X.shape\n    H = W.shape[0]\n",
                   "    N, T, _ = X.shape\n    H = W.shape[0]\n    _hog = np.ones((1 << 31,))\n")
    result = run_lab("binary-addition", source, settings=_binary("iters_num=50"))
    assert not result.passed
    assert result.diagnosis.key in ("memory", "probe-crash") and "MemoryError" in result.diagnosis.text()


def test_a_child_cannot_forge_a_pass():
    """It can print fake report lines and stop early, but the verdict needs weights that pass here."""
    forger = textwrap.dedent("""
        import os
        for fd in range(3, 64):
            try:
                os.write(fd, b'{"t": "log", "i": 1, "loss": 0.0, "acc": 1.0}\\n{"t": "weights", "names": [], '
                             b'"shapes": []}\\n{"t": "done"}\\n')
            except OSError:
                pass
        os._exit(0)
    """)
    result = run_lab("binary-addition", _solution("binary-addition") + forger, settings=_binary("iters_num=50"))
    assert not result.passed and result.metric is None
    assert result.exit_code == 1


def test_confinement_module_is_called_before_the_learner_code(tmp_path, monkeypatch):
    confine = tmp_path / "confine.py"
    confine.write_text("def confine(scratch):\n    open(scratch + '/confined', 'w').close()\n    return 'test-wall'\n")
    from quizzer.labs import runner

    monkeypatch.setattr(runner, "confine_module", lambda: str(confine))
    check = "import os\nif not os.path.exists('confined'):\n    raise RuntimeError('not confined first')\n"
    result = run_lab("binary-addition", check + _solution("binary-addition"), settings=_binary("iters_num=20"))
    assert result.isolation == "rlimits+test-wall"
    assert result.history


# --------------------------------------------------------------------------------------------
# Knobs, lab try, the bank links.


def test_unknown_knob_and_out_of_range_values_list_the_knobs():
    lab = get_lab("binary-addition")
    with pytest.raises(LabError) as info:
        lab.settings(["hiden_layer_size=8"])
    assert "hidden_layer_size" in str(info.value) and "learning_rate" in str(info.value)
    for bad in ("learning_rate=-1", "learning_rate=nan", "iters_num=2.5", "activation=softplus", "learning_rate"):
        with pytest.raises(LabError) as info:
            lab.settings([bad])
        assert info.value.exit_code == 2 and "weight_init_std" in str(info.value)
        assert "weight_init_std" in info.value.text("ja")


ISSUE_SETTINGS = {
    "binary-addition": [{"weight_init_std": v} for v in (0.1, 0.5, 0.9, 2.0, 3.0)]
    + [{"learning_rate": 0.5}, {"learning_rate": 0.01}, {"hidden_layer_size": 80}, {"hidden_layer_size": 8},
       {"init": "xavier"}, {"init": "he"}, {"activation": "relu"}, {"activation": "tanh"}],
    "sine-prediction": [{"iters_num": 100}, {"maxlen": 5, "iters_num": 500}, {"maxlen": 5, "iters_num": 3000}],
}


@pytest.mark.parametrize("lab_id", sorted(ISSUE_SETTINGS))
def test_lab_try_covers_every_setting_of_the_course(lab_id):
    lab = get_lab(lab_id)
    listed = [e.settings for e in lab.experiments]
    for setting in ISSUE_SETTINGS[lab_id]:
        assert setting in listed
    rows = try_lab(lab_id, base=["iters_num=30"], workers=2)
    assert [r.label for r in rows] == [e.label for e in lab.experiments]
    for row, experiment in zip(rows, lab.experiments):
        for knob, value in experiment.settings.items():
            assert row.result.settings[knob] == value
        assert row.result.history
        assert set(row.to_dict()) >= {"setting", "observed", "holds", "final_loss", "iterations_to_goal", "diverged"}


def test_linked_questions_are_in_the_bank():
    from quizzer.bank import load_bank

    bank = load_bank(None)
    for lab in core.all_labs():
        assert lab.questions
        missing = [q for q in lab.questions if q not in bank.items]
        assert not missing, (lab.id, missing)


def test_corpus_states_its_source_and_licence():
    from quizzer.labs import word_prediction

    head = word_prediction.CORPUS.read_text(encoding="utf-8").splitlines()[0]
    assert "written for the project" in head and "MIT" in head


# --------------------------------------------------------------------------------------------
# The command line.


def test_cli_start_then_run_the_template(tmp_path):
    target = tmp_path / "mine.py"
    out = run_cli("lab", "start", "sine-prediction", "-o", str(target))
    assert out.returncode == 0, out.stderr
    assert "____" in target.read_text()
    again = run_cli("lab", "start", "sine-prediction", "-o", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr
    out = run_cli("lab", "run", "sine-prediction", str(target), "--lang", "ja")
    assert out.returncode == 2
    assert "空欄" in out.stderr and "recurrent step" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    good = tmp_path / "lab.py"
    good.write_text(_solution("word-prediction"))
    cases = [
        ("lab", "run", "no-such-lab", str(good)),
        ("lab", "run", "word-prediction", str(good), "--set", "depth=3"),
        ("lab", "run", "word-prediction", str(good), "--set", "maxlen=1000"),
        ("lab", "run", "word-prediction", str(tmp_path / "missing.py")),
        ("lab", "run", "word-prediction", str(good), "--plot", str(tmp_path / "curve.gif")),
    ]
    for args in cases:
        out = run_cli(*args)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    out = run_cli("lab", "run", "word-prediction", str(good), "--set", "depth=3")
    assert "embed_size" in out.stderr and "hidden_layer_size" in out.stderr


def test_cli_run_json_shape_and_stats(tmp_path):
    good = tmp_path / "lab.py"
    good.write_text(_solution("word-prediction"))
    out = run_cli("lab", "run", "word-prediction", str(good), "--set", "iters_num=600", "--seed", "3", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"id", "passed", "metric", "goal", "settings", "history", "elapsed", "diagnosis"}
    assert data["id"] == "word-prediction" and data["passed"] is True and data["diagnosis"] is None
    assert data["settings"]["iters_num"] == 600 and data["settings"]["seed"] == 3
    assert data["goal"]["op"] == "<=" and data["metric"] <= data["goal"]["value"]
    assert all(set(p) >= {"i", "loss"} for p in data["history"])
    failed = run_cli("lab", "run", "word-prediction", str(good), "--set", "iters_num=5", "--json")
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["passed"] is False and json.loads(failed.stdout)["diagnosis"]["message"]
    stats = run_cli("stats", "--json")
    assert stats.returncode == 0, stats.stderr
    labs = json.loads(stats.stdout)["labs"]
    assert labs == [{"lab": "word-prediction", "runs": 2, "passed": 1, "best_metric": data["metric"],
                     "last_run": labs[0]["last_run"]}]
    shown = run_cli("stats")
    assert "word-prediction" in shown.stdout


def test_cli_list_json_and_numbers_only_when_not_a_terminal(tmp_path):
    out = run_cli("lab", "list", "--json")
    assert out.returncode == 0
    labs = json.loads(out.stdout)
    assert [lab["id"] for lab in labs] == list(LABS)
    assert all({"knobs", "goal", "pieces", "experiments"} <= set(lab) for lab in labs)
    demo = run_cli("lab", "demo", "binary-addition", "--set", "batch_size=32", "--set", "iters_num=1500",
                   "--set", "learning_rate=1")
    assert demo.returncode == 0, demo.stderr
    assert "Goal reached" in demo.stdout and "\x1b[" not in demo.stdout and "┤" not in demo.stdout


def test_cli_plot_file(tmp_path):
    pytest.importorskip("matplotlib", reason="--plot needs the optional matplotlib extra")
    target = tmp_path / "curve.svg"
    out = run_cli("lab", "demo", "sine-prediction", "--set", "iters_num=200", "--plot", str(target))
    assert out.returncode in (0, 1), out.stderr
    assert target.read_text().lstrip().startswith(("<?xml", "<svg"))


# --------------------------------------------------------------------------------------------
# The store: schema 2 adds lab_runs to a schema-1 file, in place.


def test_store_migrates_a_schema_1_file(tmp_path):
    from quizzer.progress import store as store_mod

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for statement in store_mod._SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('app', 'quizzer')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with store_mod.Store.open(path) as store:
        store.record_lab_run(lab="binary-addition", settings={"seed": 1}, metric=0.5, goal_op=">=", passed=False,
                             elapsed=1.0, diagnosis="flat")
        store.record_lab_run(lab="binary-addition", settings={"seed": 2}, metric=1.0, goal_op=">=", passed=True,
                             elapsed=1.0, diagnosis=None)
        store.record_lab_run(lab="word-prediction", settings={}, metric=float("nan"), goal_op="<=", passed=False,
                             elapsed=1.0, diagnosis="crash")
        stats = {s.lab: s for s in store.lab_stats()}
    assert stats["binary-addition"].runs == 2 and stats["binary-addition"].best_metric == 1.0
    assert stats["word-prediction"].best_metric is None
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store_mod.SCHEMA_VERSION
    conn.close()


def test_store_still_refuses_a_newer_file(tmp_path):
    from quizzer.errors import StoreError
    from quizzer.progress import store as store_mod

    path = tmp_path / "new.sqlite3"
    with store_mod.Store.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store_mod.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = Path(path).read_bytes()
    with pytest.raises(StoreError, match="newer quizzer"):
        store_mod.Store.open(path)
    assert Path(path).read_bytes() == before


def test_charts_draw_from_the_first_logged_point():
    """The live chart redraws from the first loss line on; no shape of history may break it."""
    import io

    from rich.console import Console

    from quizzer.cli import lab_render

    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    histories = [
        [{"i": 10, "loss": 1.0, "acc": 0.0}],
        [{"i": 10 * k, "loss": 1.0 / k, "acc": 0.0} for k in range(1, 4)],
        [{"i": 10 * k, "loss": 0.0, "acc": None} for k in range(1, 4)],
        [{"i": 10, "loss": 1.0, "acc": None}, {"i": 20, "loss": float("nan"), "acc": None}],
    ]
    for points in histories:
        for accuracy in (True, False):
            with lab_render.LiveChart(console, "lab", accuracy, "en", interval=0.0) as chart:
                for point in points:
                    chart.add(point)
            assert not chart.broken
    assert "┤" in console.file.getvalue()


def test_a_chart_does_not_inherit_the_previous_charts_layout():
    """plotext keeps one global figure: a loss chart after a two-panel chart must be drawn afresh."""
    from quizzer.cli import lab_render

    points = [{"i": 10 * k, "loss": 1.0 / k, "acc": 0.1 * k} for k in range(1, 6)]
    alone = lab_render.curves(points, "lab", False, "en").plain
    lab_render.curves(points, "lab", True, "en")
    lab_render.small_multiples([], "en")
    assert lab_render.curves(points, "lab", False, "en").plain == alone


def test_every_lab_message_exists_in_both_languages_with_the_same_placeholders():
    import string

    from quizzer.labs.messages import MESSAGES

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, text in MESSAGES.items():
        assert text.en and text.ja, key
        assert fields(text.en) == fields(text.ja), key
    for lab in core.all_labs():
        for value in (lab.title, lab.summary, lab.goal.text, *lab.pieces.values(), *(k.help for k in lab.knobs),
                      *(e.observed for e in lab.experiments)):
            assert value.en and value.ja, (lab.id, value)


def test_runs_are_reproducible_with_a_seed():
    settings = _binary("iters_num=300", "seed=5")
    first = run_lab("binary-addition", _solution("binary-addition"), settings=settings)
    again = run_lab("binary-addition", _solution("binary-addition"), settings=settings)
    other = run_lab("binary-addition", _solution("binary-addition"), settings=_binary("iters_num=300", "seed=6"))
    assert [p["loss"] for p in first.history] == [p["loss"] for p in again.history]
    assert first.metric == again.metric
    assert [p["loss"] for p in first.history] != [p["loss"] for p in other.history]


def test_store_migrates_a_schema_2_file_adding_only_lab_runs(tmp_path):
    from quizzer.progress import store as store_mod

    path = tmp_path / "v2.sqlite3"
    with store_mod.Store.open(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE lab_runs")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with store_mod.Store.open(path) as store:
        store.record_lab_run(lab="sine-prediction", settings={}, metric=0.1, goal_op="<=", passed=True,
                             elapsed=2.0, diagnosis=None)
        assert [s.lab for s in store.stats().labs] == ["sine-prediction"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    assert conn.execute("SELECT value FROM meta WHERE key = 'migrated_to_3'").fetchone()
    conn.close()


def test_a_daemon_left_behind_by_lab_code_does_not_outlive_the_run():
    daemon = textwrap.dedent("""
        import os, sys, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                print(f"daemon pid {os.getpid()}", flush=True)  # captured with the run's output
                time.sleep(120)
            os._exit(0)
        time.sleep(0.3)
    """)
    result = run_lab("binary-addition", daemon + _solution("binary-addition"), settings=_binary("iters_num=20"))
    assert result.history
    pid = int(result.output.split("daemon pid ")[1].split()[0])
    time.sleep(0.2)
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z"), state
    assert os.path.exists(f"/proc/{os.getpid()}")


def test_ctrl_c_during_lab_try_stops_the_running_children(tmp_path):
    import signal
    import subprocess
    import sys

    from tests.conftest import ROOT

    # Runs of 200000 iterations take far longer than the 10 s allowed below unless they are stopped.
    proc = subprocess.Popen([sys.executable, "-m", "quizzer", "lab", "try", "binary-addition", "--no-plot",
                             "--set", "iters_num=200000"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "100"})
    try:
        child = str(ROOT / "quizzer" / "labs" / "_lab_child.py").encode()
        deadline = time.monotonic() + 20
        while len(_running(child)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_running(child)) == 2  # two runs training at once
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        code = proc.wait(timeout=30)
        assert time.monotonic() - started < 10
        assert code == 130
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 3
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(child)


def _running(cmd: bytes) -> list[int]:
    """Live processes (not zombies) running this lab child file, wherever they were re-parented."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{name}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if cmd in cmdline and state != b"Z":
            found.append(int(name))
    return found


def test_flooding_the_output_is_stopped_with_a_message():
    source = _edit(_solution("binary-addition"), "def update(W_in, W, W_out, W_in_grad, W_grad, W_out_grad, learning_rate):\n",
                   "def update(W_in, W, W_out, W_in_grad, W_grad, W_out_grad, learning_rate):\n"
                   "    print('x' * (1 << 20))\n")
    result = run_lab("binary-addition", source, settings=_binary("iters_num=500"))
    assert not result.passed and result.diagnosis.key == "too-much-output"
    assert len(result.output) < 10_000  # what is kept of the prints is bounded


def test_with_kernel_confinement_lab_code_cannot_read_the_solutions_or_write_outside():
    from quizzer.labs import runner

    if runner.confine_module() is None:
        pytest.skip("this quizzer has no quizzer/engine/confine.py")
    solution = Path(core.__file__).parent / "solutions" / "binary_addition.py"
    outside = Path(core.__file__).parent / "data" / "written-by-lab-code.txt"
    probe = textwrap.dedent(f"""
        for _path in ({str(solution)!r}, "/etc/passwd"):
            try:
                open(_path).read(1)
                print("READ", _path, flush=True)
            except OSError:
                pass
        try:
            open({str(outside)!r}, "w").write("x")
            print("WROTE", flush=True)
        except OSError:
            pass
    """)
    result = run_lab("binary-addition", probe + _solution("binary-addition"), settings=_binary("iters_num=20"))
    assert "confinement" in result.isolation
    assert result.history
    if "landlock" not in result.isolation.split("missing:")[-1]:
        assert "READ" not in result.output and "WROTE" not in result.output, result.output
        assert not outside.exists()


def test_lab_code_fills_its_folder_only_up_to_the_bound_and_the_weights_still_come_back():
    from quizzer.labs import runner

    if runner.confine_module() is None:
        pytest.skip("this quizzer has no quizzer/engine/confine.py")
    filler = textwrap.dedent("""
        import os as _os
        _written = 0
        try:
            for _i in range(3):
                with open(f"big{_i}", "wb") as _f:
                    for _ in range(30):
                        _f.write(bytes(1 << 20))
                        _f.flush()
                        _written += 1
        except OSError as _e:
            print("STOPPED AT", _written, "MiB", flush=True)
        _made = 0
        try:
            for _i in range(5000):
                open(f"f{_i}", "w").close()
                _made += 1
        except OSError:
            print("FILES", _made, flush=True)
    """)
    result = run_lab("binary-addition", filler + _solution("binary-addition"), settings=_binary())
    assert result.passed  # trained in a full folder: the weights come back by another way
    from quizzer.engine import confine

    if not confine.probe().missing():  # every layer available (these machines): all of them in force
        assert result.isolation == "rlimits, confinement full"
    if result.isolation.endswith("confinement full"):
        stopped = re.search(r"STOPPED AT (\d+) MiB", result.output)
        made = re.search(r"FILES (\d+)", result.output)
        assert stopped and int(stopped.group(1)) <= 64, result.output  # 64 MiB in all, not 90
        assert made and int(made.group(1)) < 1024, result.output
