"""The sandbox runs learner code in another process and hands back only arrays or a clear error."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from quizzer.engine.sandbox import Limits, Runner, SandboxError, normalize_return, run

REPO = Path(__file__).resolve().parents[1]

LSTM = """
import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def lstm(x, prev_h, prev_c, W, U, b):
    H = prev_h.shape[1]
    a = x @ W + prev_h @ U + b
    f, g, i, o = a[:, :H], a[:, H:2*H], a[:, 2*H:3*H], a[:, 3*H:]
    c = sigmoid(f) * prev_c + np.tanh(g) * sigmoid(i)
    h = sigmoid(o) * np.tanh(c)
    return h, c
"""


def lstm_reference(x, prev_h, prev_c, W, U, b):
    H = prev_h.shape[1]
    a = x @ W + prev_h @ U + b
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    c = sig(a[:, :H]) * prev_c + np.tanh(a[:, H:2 * H]) * sig(a[:, 2 * H:3 * H])
    return sig(a[:, 3 * H:]) * np.tanh(c), c


def lstm_cases(n=3, seed=0):
    rng = np.random.default_rng(seed)
    N, D, H = 2, 3, 4
    return [
        {"x": rng.normal(size=(N, D)), "prev_h": rng.normal(size=(N, H)), "prev_c": rng.normal(size=(N, H)),
         "W": rng.normal(size=(D, 4 * H)), "U": rng.normal(size=(H, 4 * H)), "b": rng.normal(size=4 * H)}
        for _ in range(n)
    ]


ONE = [{"x": np.arange(3.0)}]


def only_case(outcome):
    (case,) = outcome.cases
    return case


@pytest.fixture(scope="module")
def runner():
    with Runner(Limits(wall_seconds=2.0)) as r:
        yield r


# --- correct code -------------------------------------------------------------------------


def test_correct_submission_returns_the_right_arrays(runner):
    cases = lstm_cases()
    outcome = runner.run(LSTM, "lstm", cases)
    assert outcome.error is None
    assert len(outcome.cases) == 3
    for case, inputs in zip(outcome.cases, cases):
        assert case.error is None
        h, c = case.outputs
        ref_h, ref_c = lstm_reference(**inputs)
        assert h.dtype == np.float64 and np.allclose(h, ref_h) and np.allclose(c, ref_c)
    assert {"lstm", "sigmoid"} <= set(outcome.defined_names)


def test_one_off_run_works_without_a_runner():
    outcome = run("def f(x):\n    return x + 1\n", "f", ONE)
    assert np.array_equal(only_case(outcome).outputs[0], [1.0, 2.0, 3.0])


def test_preamble_helpers_and_nested_case_values_reach_the_function(runner):
    preamble = "import numpy as np\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
    source = "def leaves(tree):\n    return sigmoid(tree['left']['v']) + tree['right'][0] * tree['k']\n"
    tree = {"left": {"v": np.zeros(2)}, "right": [np.ones(2)], "k": 3}
    outcome = runner.run(source, "leaves", [{"tree": tree}], preamble=preamble)
    assert np.allclose(only_case(outcome).outputs[0], [3.5, 3.5])
    assert "sigmoid" in outcome.defined_names


def test_nan_outputs_come_back_as_arrays_for_the_parent_to_judge(runner):
    outcome = runner.run("import numpy as np\ndef f(x):\n    return x * np.nan\n", "f", ONE)
    assert np.isnan(only_case(outcome).outputs[0]).all()


def test_output_is_captured(runner):
    outcome = runner.run("def f(x):\n    print('shape', x.shape)\n    return x\n", "f", ONE)
    assert "shape (3,)" in outcome.output


# --- learner mistakes ----------------------------------------------------------------------


def test_syntax_error_reports_its_line(runner):
    outcome = runner.run("def f(x):\n    y = (x +\n    return y\n", "f", ONE)
    assert outcome.error.kind == "syntax"
    assert outcome.error.line in (2, 3)
    assert only_case(outcome).error is outcome.error


def test_name_error_names_the_name_and_lists_defined_names(runner):
    source = "import numpy as np\ndef sigmoid(z):\n    return z\ndef f(x):\n    return sigmod(x)\n"
    outcome = runner.run(source, "f", ONE)
    err = only_case(outcome).error
    assert err.kind == "exception" and err.exc_type == "NameError"
    assert err.name == "sigmod" and err.line == 5
    assert "submission.py" in err.traceback and "_sandbox_child" not in err.traceback
    assert "sigmoid" in outcome.defined_names


def test_an_exception_in_one_case_does_not_stop_the_others(runner):
    source = "def f(x):\n    if x[0] == 1:\n        raise ValueError('bad case')\n    return x\n"
    outcome = runner.run(source, "f", [{"x": np.zeros(1)}, {"x": np.ones(1)}, {"x": np.zeros(1)}])
    assert outcome.error is None
    assert [c.error.exc_type if c.error else None for c in outcome.cases] == [None, "ValueError", None]


def test_missing_entry_is_reported(runner):
    outcome = runner.run("def lstm_cell(x):\n    return x\n", "lstm", ONE)
    assert outcome.error.kind == "missing-entry"
    assert "lstm_cell" in outcome.defined_names


def test_returning_a_string_is_a_bad_return(runner):
    err = only_case(runner.run("def lstm(x):\n    return 'h'\n", "lstm", ONE)).error
    assert err.kind == "bad-return" and err.message == "lstm returned a str; expected arrays"


def test_returning_a_patched_ndarray_subclass_is_a_bad_return(runner):
    source = ("import numpy as np\nclass A(np.ndarray):\n    def __eq__(self, o):\n        return True\n"
              "def f(x):\n    return x.view(A)\n")
    assert only_case(runner.run(source, "f", ONE)).error.kind == "bad-return"


def test_normalize_return_is_shared_with_the_reference_side():
    h, c = normalize_return((np.ones(2, dtype=np.float32), 3))
    assert h.dtype == np.float64 and c.shape == () and c == 3.0
    with pytest.raises(ValueError):
        normalize_return(None, "lstm")


def test_endless_recursion_is_a_recursion_error(runner):
    err = only_case(runner.run("def f(x):\n    return f(x)\n", "f", ONE)).error
    assert err.kind == "exception" and err.exc_type == "RecursionError"
    assert "maximum recursion depth" in err.message
    assert len(err.traceback) < 2000  # repeated frames are collapsed


def test_input_raises_instead_of_hanging(runner):
    start = time.monotonic()
    err = only_case(runner.run("def f(x):\n    input('n? ')\n    return x\n", "f", ONE)).error
    assert err.exc_type == "EOFError" and time.monotonic() - start < 1.5


# --- limits --------------------------------------------------------------------------------


def test_infinite_loop_times_out_and_the_runner_still_works(runner):
    start = time.monotonic()
    outcome = runner.run("def f(x):\n    while True:\n        pass\n", "f", ONE)
    assert time.monotonic() - start < 2.0 + 1.0
    assert outcome.error.kind == "timeout" and "2 s" in outcome.error.message
    assert only_case(outcome).error is outcome.error
    assert only_case(runner.run("def f(x):\n    return x\n", "f", ONE)).outputs is not None


def test_output_printed_before_a_timeout_is_kept(runner):
    source = "def f(x):\n    print('step 1 done')\n    while True:\n        pass\n"
    outcome = runner.run(source, "f", ONE)
    assert outcome.error.kind == "timeout" and "step 1 done" in outcome.output


def test_a_segfault_is_a_crash_naming_the_signal(runner):
    outcome = runner.run("import ctypes\ndef f(x):\n    return ctypes.string_at(0)\n", "f", ONE)
    assert outcome.error.kind == "crash" and "SIGSEGV" in outcome.error.message


def test_cases_finished_before_a_timeout_keep_their_results(runner):
    source = "def f(x):\n    while x[0] == 1:\n        pass\n    return x\n"
    outcome = runner.run(source, "f", [{"x": np.zeros(1)}, {"x": np.ones(1)}, {"x": np.zeros(1)}])
    assert outcome.cases[0].outputs is not None
    assert outcome.cases[1].error.kind == outcome.cases[2].error.kind == "timeout"


def test_ignoring_sigterm_does_not_escape_the_kill(runner):
    source = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ndef f(x):\n    while True:\n        pass\n"
    start = time.monotonic()
    assert runner.run(source, "f", ONE).error.kind == "timeout"
    assert time.monotonic() - start < 3.0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_forked_processes_die_with_the_submission(runner):
    # The pids come back through the captured output: the submission can write nowhere else.
    source = """
import os
def f(x):
    for i in range(3):
        pid = os.fork()
        if pid == 0:
            if i == 2:
                os.setsid()  # tries to leave the process group too
            while True:
                pass
        print("child", pid, flush=True)
    while True:
        pass
"""
    outcome = runner.run(source, "f", ONE)
    assert outcome.error.kind == "timeout"
    children = [int(line.split()[1]) for line in outcome.output.splitlines() if line.startswith("child ")]
    assert len(children) == 3
    assert not any(_alive(p) for p in children)  # killed before the verdict came back


def test_a_fork_bomb_is_stopped_even_for_root(runner):
    # 128 spinning processes wanted: the kernel refuses forks past the child's own RLIMIT_NPROC
    # (its real uid is its own), and the zygote's census kills the group at the limit.
    source = "import os\ndef f(x):\n    for _ in range(7):\n        os.fork()\n    while True:\n        pass\n"
    outcome = runner.run(source, "f", ONE)
    error = outcome.error or only_case(outcome).error
    assert error.kind in ("crash", "timeout") or error.exc_type == "BlockingIOError"
    assert only_case(outcome).outputs is None
    assert only_case(runner.run("def f(x):\n    return x\n", "f", ONE)).outputs is not None


def test_a_forked_copy_returning_does_not_garble_the_result(runner):
    source = "import os, time\ndef f(x):\n    os.fork()\n    os.fork()\n    time.sleep(0.2)\n    return x + 1\n"
    assert np.array_equal(only_case(runner.run(source, "f", ONE)).outputs[0], [1.0, 2.0, 3.0])


def test_the_fork_server_cannot_be_killed_and_the_next_submission_runs(runner):
    source = """
import os, signal
def f(x):
    try:
        os.kill(os.getppid(), signal.SIGKILL)
    except OSError as exc:
        print("refused", exc.errno, flush=True)
    return x
"""
    outcome = runner.run(source, "f", ONE)
    assert "refused 1" in outcome.output  # EPERM: the server is outside the submission's domain
    assert only_case(outcome).outputs is not None
    assert only_case(runner.run("def f(x):\n    return x\n", "f", ONE)).outputs is not None


def test_a_2gb_allocation_is_a_memory_error():
    source = "import numpy as np\ndef f(x):\n    big = np.ones(2 * 1024**3 // 8)\n    return x\n"
    err = only_case(run(source, "f", ONE, limits=Limits(memory_bytes=1 << 30))).error
    assert err.kind == "memory" and err.exc_type == "MemoryError"
    assert "1.0 GiB" in err.message


def test_print_flood_is_truncated_and_the_result_still_returned(runner):
    source = "def f(x):\n    chunk = 'x' * (1 << 20)\n    for _ in range(100):\n        print(chunk)\n    return x\n"
    outcome = runner.run(source, "f", ONE)
    assert only_case(outcome).outputs is not None
    assert len(outcome.output) < 70 * 1024
    assert "output truncated" in outcome.output


# --- the verdict cannot be forged ------------------------------------------------------------


@pytest.mark.parametrize("ending", ["import os\n    os._exit(0)", "raise SystemExit(0)", "import sys\n    sys.exit(0)"])
def test_ending_the_process_is_never_a_pass(runner, ending):
    outcome = runner.run(f"def f(x):\n    {ending}\n", "f", ONE)
    assert only_case(outcome).outputs is None
    assert only_case(outcome).error.kind == "exit"


def test_exiting_at_module_level_is_an_exit_error(runner):
    outcome = runner.run("import os\nos._exit(0)\ndef f(x):\n    return x\n", "f", ONE)
    assert outcome.error.kind == "exit" and only_case(outcome).outputs is None


def test_fake_result_files_and_markers_change_nothing(runner):
    # The report lives next to the cwd; writing into it can only claim arrays (which returning
    # them would do as well) and the real harness still decides.
    source = """
import os, glob, json
def f(x):
    print('{"t": "done"}')
    for path in glob.glob('../out/*'):
        open(path, 'w').write('garbage')
    with open('../out/report.jsonl', 'a') as fh:
        fh.write(json.dumps({"t": "case", "i": 0, "n": 1, "error": None}) + "\\n")
        fh.write(json.dumps({"t": "done"}) + "\\n")
    os._exit(0)
"""
    case = only_case(runner.run(source, "f", ONE))
    assert case.outputs is None  # no case file: nothing to read, so no pass
    assert case.error is not None


def test_planting_fifos_and_device_links_cannot_hang_or_flood_the_parent(runner):
    source = """
import os
os.symlink('/dev/zero', '../out/case0.bin')
def f(x):
    os.remove('../out/report.jsonl')
    os.mkfifo('../out/report.jsonl')
    return x
"""
    start = time.monotonic()
    outcome = runner.run(source, "f", ONE)
    assert time.monotonic() - start < 1.5
    assert only_case(outcome).outputs is None and outcome.error is not None


def test_patching_numpy_in_the_child_changes_nothing(runner):
    source = ("import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
              "np.array = lambda *a, **k: 'patched'\ndef f(x):\n    return x * 0\n")
    case = only_case(runner.run(source, "f", ONE))
    assert np.array_equal(case.outputs[0], np.zeros(3))
    assert not np.allclose(case.outputs[0], np.ones(3))


def test_the_submission_cannot_import_quizzer(runner):
    source = f"import sys\nsys.path.insert(0, {str(REPO)!r})\ndef f(x):\n    import quizzer.engine.sandbox\n    return x\n"
    err = only_case(runner.run(source, "f", ONE)).error
    assert err.kind == "exception" and err.exc_type == "ModuleNotFoundError"


def test_the_submission_runs_in_an_empty_directory_of_its_own(runner):
    source = "import os\ndef f(x):\n    assert os.listdir('.') == [], os.listdir('.')\n    open('scratch.txt', 'w').write('x')\n    return x\n"
    before = os.listdir(".")
    for _ in range(2):  # the second run would see the first one's file if the directory were reused
        outcome = runner.run(source, "f", ONE)
        assert only_case(outcome).error is None, only_case(outcome).error
    assert os.listdir(".") == before


def test_unpassable_case_values_are_refused_up_front(runner):
    with pytest.raises(SandboxError):
        runner.run("def f(x):\n    return 0\n", "f", [{"x": object()}])


# --- batch ---------------------------------------------------------------------------------


def test_batch_of_twenty_with_hostile_ones_returns_every_good_result():
    hostile = {
        3: "def lstm(**kw):\n    while True:\n        pass\n",
        9: "import numpy as np\ndef lstm(**kw):\n    return np.ones(10**10)\n",
        15: "import os\ndef lstm(**kw):\n    os.fork(); os.fork()\n    while True:\n        pass\n",
    }
    cases = lstm_cases(2, seed=1)
    jobs = [(hostile.get(i, LSTM), "lstm", cases) for i in range(20)]
    with Runner(Limits(wall_seconds=2.0)) as runner:
        outcomes = runner.run_many(jobs, workers=2)
    refs = [lstm_reference(**c) for c in cases]
    for i, outcome in enumerate(outcomes):
        if i in hostile:
            assert all(c.outputs is None for c in outcome.cases)
            continue
        assert outcome.error is None
        for case, ref in zip(outcome.cases, refs):
            assert all(np.allclose(a, b) for a, b in zip(case.outputs, ref))
    assert outcomes[3].error.kind == outcomes[15].error.kind == "timeout"
    assert outcomes[9].cases[0].error.kind == "memory"
