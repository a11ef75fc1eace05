"""The terminal experience (issue 9), driven as a learner drives it: the real command, piped and on a
pseudo-terminal, at 80 and 160 columns, in English and Japanese, asserting what the learner sees."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import string
import struct
import subprocess
import sys
import termios
import time

import pytest
from rich.cells import cell_len

from tests.conftest import FIXTURE_BANK, ROOT, run_cli

BANK = ["--bank", str(FIXTURE_BANK)]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_tty(*args: str, columns: int = 80, stdin: str = "", env: dict[str, str] | None = None,
            timeout: float = 60, answers: tuple[str, ...] = ()) -> tuple[int, str]:
    """Run quizzer on a pseudo-terminal ``columns`` wide; returns (exit code, screen text without colours).

    ``answers`` are typed one at a time, each once a new prompt (›) is on the screen, as a person types."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    full_env.update({"TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([sys.executable, "-m", "quizzer", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=full_env, cwd=ROOT, close_fds=True)
    os.close(slave)
    if stdin:
        os.write(master, stdin.encode())
    chunks: list[bytes] = []
    typed = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
            prompts = b"".join(chunks).count("›".encode())
            if answers and prompts > typed:
                os.write(master, answers[typed].encode())
                typed += 1
                answers_left = answers[typed:]
                if not answers_left:
                    answers = ()
        elif proc.poll() is not None:
            break
    os.close(master)
    code = proc.wait(timeout=10)
    return code, ANSI.sub("", b"".join(chunks).decode("utf-8", "replace")).replace("\r\n", "\n")


def piped(*args: str, columns: int = 80, lang: str = "en", stdin: str | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, stdin=stdin, env={"COLUMNS": str(columns), "QUIZZER_LANG": lang})


# --- the catalogue ---------------------------------------------------------------------------


def test_every_message_of_the_catalogue_has_japanese_with_the_same_placeholders():
    from quizzer.i18n.labels import LABELS

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}

    assert set(LABELS["en"]) == set(LABELS["ja"]), set(LABELS["en"]) ^ set(LABELS["ja"])
    for key, english in LABELS["en"].items():
        japanese = LABELS["ja"][key]
        assert japanese.strip(), f"{key} has no Japanese"
        assert fields(english) == fields(japanese), key
        assert all(name for name in fields(english)), f"{key}: name every placeholder"


# --- no traceback on any path ----------------------------------------------------------------


@pytest.fixture
def traps(tmp_path):
    """Paths a careless user passes: a missing folder, a folder, a file in place of a folder, a pipe."""
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    (tmp_path / "empty-dir").mkdir()
    return tmp_path


ERROR_PATHS = [
    ("export", "-o", "{t}/missing/out.md"),
    ("export", "-o", "{t}"),
    ("export", "-o", "{t}/a-file/out.md"),
    ("schema", "-o", "{t}/missing/schema.json"),
    ("schema", "-o", "{t}"),
    ("new", "question", "--topic", "rnn", "--bank", "{t}/a-file"),
    ("new", "question", "--topic", "rnn", "--bank", "{t}/a-file/bank"),
    ("start", "lstm-cell", "-o", "{t}"),
    ("start", "lstm-cell", "-o", "{t}/missing/x.py"),
    ("grade", "lstm-cell", "{t}/pipe.py"),
    ("grade", "lstm-cell", "{t}/nothing.py"),
    ("grade", "lstm-cell", "{t}/empty-dir"),
    ("grade", "lstm-cell", "{t}/empty-dir", "-o", "{t}/missing/results.csv"),
    ("watch", "lstm-cell", "{t}"),
    ("watch", "lstm-cell", "{t}/pipe.py"),
    ("reset", "no-such-item"),
    ("show", "no-such-item"),
    ("answer", "no-such-item", "1"),
    ("hint", "no-such-item"),
    ("list", "--topic", "no-such-topic"),
    ("list", "--type", "numerc"),
    ("practice", "--topic", "no-such-topic"),
    ("export", "--topic", "no-such-topic"),
    ("list", "--lang", "fr"),
    ("validate", "{t}/missing-bank"),
    ("export", "-f", "anki", "-o", "{t}/missing/deck.apkg"),
    ("export", "-f", "moodle", "-o", "{t}"),
    ("gradescope", "lstm-cell", "-o", "{t}/missing/autograder.zip"),
    ("exam", "show", "99"),
    ("exam", "--topic", "no-such-topic"),
]


@pytest.mark.parametrize("args", ERROR_PATHS, ids=lambda a: " ".join(a).replace("{t}/", ""))
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_error_path_is_one_line_and_exit_2(traps, args, lang):
    out = run_cli(*(a.format(t=traps) for a in args), stdin="", env={"QUIZZER_LANG": lang, "COLUMNS": "80"}, timeout=30)
    assert "Traceback" not in out.stderr + out.stdout
    assert out.returncode == 2, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("エラー: " if lang == "ja" and "--lang" not in args else ("error: ", "エラー: "))


def test_japanese_errors_are_in_japanese(traps):
    out = piped("export", "-o", str(traps), lang="ja")
    assert "フォルダです" in out.stderr
    out = piped("list", "--topic", "lstn", lang="ja")
    assert "トピック 'lstn' はありません" in out.stderr and "lstm" in out.stderr


def test_a_pipe_is_refused_at_once_instead_of_hanging(traps):
    start = time.monotonic()
    out = run_cli("grade", "lstm-cell", str(traps / "pipe.py"), timeout=30)
    assert out.returncode == 2 and "not a regular file" in out.stderr
    assert time.monotonic() - start < 25


def test_watch_on_a_folder_asks_for_the_file(traps):
    out = run_cli("watch", "lstm-cell", str(traps))
    assert "is a folder; watch needs the one file you are editing" in out.stderr


def test_reset_with_an_unknown_id_says_so_before_asking():
    code, screen = run_tty("reset", "no-such-item", stdin="")
    assert code == 2
    assert "no recorded item has the id no-such-item" in screen and "Forget" not in screen


def test_validate_names_the_mistyped_type_first_and_clashes_with_the_builtin_bank(tmp_path):
    bank = tmp_path / "mine" / "questions"
    bank.mkdir(parents=True)
    (bank / "t.yaml").write_text(
        "format_version: 1\nquestions:\n  - id: my-count\n    topic: t\n    type: numerc\n"
        "    prompt: {en: How many?, ja: いくつ?}\n    answer: 3\n", encoding="utf-8")
    out = run_cli("validate", "--no-code", str(tmp_path / "mine"))
    assert out.returncode == 1
    problems = out.stdout.strip().splitlines()
    assert len(problems) == 1 and "did you mean 'numeric'?" in problems[0]
    assert "1 file," in out.stderr and "1 files" not in out.stderr

    builtin_id = json.loads(run_cli("list", "--json").stdout)[0]["id"]
    (bank / "t.yaml").write_text(
        f"format_version: 1\nquestions:\n  - id: {builtin_id}\n    topic: t\n    type: numeric\n"
        "    prompt: {en: How many?, ja: いくつ?}\n    answer: 3\n"
        "    explanation: {en: Three., ja: 3つ。}\n    source: original\n", encoding="utf-8")
    out = run_cli("validate", "--no-code", str(tmp_path / "mine"))
    assert out.returncode == 1 and "the built-in bank already uses this id" in out.stdout


# --- code and formulas read right ------------------------------------------------------------


@pytest.mark.parametrize("columns", [80, 160])
def test_code_in_a_prompt_keeps_its_indentation_and_is_never_cut(columns):
    code, screen = run_tty("show", "bptt-course-loop-count", "--seed", "1", columns=columns)
    assert code == 0
    assert re.search(r"│ +for t in reversed\(range\(n_seq\)\):", screen)
    assert re.search(r"│ {4,}for bptt_step in reversed\(range\(t\+1\)\):", screen), screen
    assert re.search(r"│ {8,}dW \+= \.\.\.", screen)
    assert all(cell_len(line) <= columns for line in screen.splitlines())


def test_exercise_code_is_shown_whole_at_80_columns():
    code, screen = run_tty("show", "bptt-delta", columns=80)
    assert code == 0
    assert "h_init" in screen and "____" in screen
    assert all(cell_len(line) <= 80 for line in screen.splitlines())


@pytest.mark.parametrize("width", [14, 20, 33, 47])
def test_a_formula_stays_on_one_line_where_it_fits(width):
    from quizzer.cli.prose import wrap

    text = "The layer has 3H(D + H + 1) parameters, and 0 < p < 1 holds for every gate of the layer."
    lines = wrap(text, width)
    assert any("3H(D + H + 1)" in line for line in lines)
    assert any("0 < p < 1" in line for line in lines)
    assert all(cell_len(line) <= width for line in lines)


@pytest.mark.parametrize("width", [20, 30, 46, 60])
def test_japanese_lines_follow_kinsoku_next_to_latin_words(width):
    from quizzer.cli.prose import wrap

    text = "講座では (binary_dim = 8、input_layer_size = 2) とする。重みの向きは「W has shape (H, D)」である。"
    lines = wrap(text, width)
    assert not any(line[0] in "、。）」" for line in lines[1:])
    assert not any(line[-1] in "「（(" for line in lines)


def test_choice_verdict_reads_as_a_sentence():
    out = run_cli("answer", "mini-multi", "a", *BANK)
    assert out.returncode == 1
    assert "a) input gate / c) forget gate." in out.stdout
    assert ".," not in out.stdout


def test_list_titles_show_no_raw_placeholders():
    out = piped("list", columns=80)
    assert not re.search(r"\{[A-Za-z_]\w*\}", out.stdout)  # "D = {D}"; w_{t−1} is notation, not a placeholder
    assert "hidden size H" in out.stdout


# --- the learner's language and Japanese input -----------------------------------------------


def test_a_japanese_practice_session_speaks_japanese_and_reads_japanese_input():
    out = piped("practice", "--type", "choice", "--topic", "training", "-n", "1", *BANK, lang="ja", stdin="\nｂ\n")
    assert out.returncode == 0, out.stderr
    assert "解答が空です" in out.stdout and "正解です" in out.stdout
    out = piped("practice", "--type", "flashcard", "-n", "1", *BANK, lang="ja", stdin="\nふつうかな\n良い\n")
    assert out.returncode == 0, out.stderr
    assert "もう一度・難しい・良い・簡単" in out.stdout  # the unreadable rating is explained in Japanese
    assert "自己評価: 良い" in out.stdout
    for english in ("the answer is empty", "rate yourself", "Rated:", "answer with", "Skipped", "Session over"):
        assert english not in out.stdout


@pytest.mark.parametrize("typed", ["ｂ", "Ｂ", "(b)", "2"])
def test_full_width_choice_letters_are_read(typed):
    assert run_cli("answer", "mini-choice", typed, *BANK).returncode == 0


@pytest.mark.parametrize("typed", ["良い", "普通", "もう一度", "難しい", "簡単", "３"])
def test_japanese_ratings_are_accepted(typed):
    from quizzer.checking.flashcard import parse_rating

    assert parse_rating(typed) in ("again", "hard", "good", "easy")


def test_the_next_review_is_relative_and_local():
    piped("practice", "--type", "numeric", "-n", "1", "--seed", "1", *BANK, stdin="0.25\n")
    for lang, word in (("en", "in "), ("ja", "後")):
        out = piped("review", *BANK, lang=lang)
        if "due" in out.stdout.lower() or "復習" in out.stdout:
            assert word in out.stdout and "UTC" not in out.stdout, out.stdout


# --- the prompt and the session --------------------------------------------------------------


def test_skip_shows_the_explanation_and_a_question_mark_without_hints_says_so():
    out = piped("practice", "--type", "numeric", "-n", "1", "--seed", "2", "--topic", "training", *BANK,
                stdin="?\n?\nskip\n")
    assert out.returncode == 0, out.stderr
    assert "Skipped" in out.stdout and "Explanation" in out.stdout
    hints_gone = "has no hints" in out.stdout or "No more hints" in out.stdout
    assert hints_gone and "`skip` shows the answer and the explanation" in out.stdout


def test_practice_says_how_many_items_it_serves():
    out = piped("practice", "-n", "1000000", *BANK, stdin="quit\n")
    assert re.search(r"\d+ items in this session: all that match \(you asked for 1000000\)", out.stdout)


def test_arrow_keys_at_a_prompt_edit_the_line_instead_of_becoming_the_answer():
    # 0.2, Left, 5, Enter: with line editing the answer is 0.25; without it, never "^[[D"
    code, screen = run_tty("answer", "mini-numeric", "0.25", *BANK)
    assert code == 0
    code, screen = run_tty("practice", "--type", "numeric", "--topic", "training", "-n", "1", "--seed", "1", *BANK,
                           answers=("0.2\x1b[D\x1b[C5\r",), columns=80)
    assert code == 0
    assert "U+001B" not in screen and "^[[" not in screen
    assert "Correct" in screen  # 0.25, as edited


@pytest.mark.parametrize(("columns", "lang"), [(80, "en"), (80, "ja"), (160, "en"), (160, "ja")])
def test_list_fits_the_terminal_and_piped_rows_are_whole(columns, lang):
    code, screen = run_tty("list", "--lang", lang, columns=columns)
    assert code == 0
    lines = screen.splitlines()
    assert all(cell_len(line) <= columns for line in lines), max(lines, key=cell_len)
    rows = json.loads(run_cli("list", "--json", "--lang", lang).stdout)
    assert all(row["id"] in screen for row in rows)
    assert ("タイトル" if lang == "ja" else "title") in lines[0]
    whole = piped("list", "--lang", lang, columns=40).stdout.splitlines()
    assert len(whole) == len(rows) + 2  # header, one line per item, the count
    from quizzer.cli.listing import readable_title

    for row, line in zip(rows, whole[1:]):
        assert line.startswith(row["id"]) and line.endswith(readable_title(row["title"]))


def test_help_is_whole_and_has_no_placeholders():
    top = piped("--help", columns=80).stdout
    assert "..." not in top.split("Commands:")[1]
    commands = re.findall(r"^  (\w+)\s", top.split("Commands:")[1], flags=re.MULTILINE)
    assert len(commands) >= 15
    for command in commands:
        text = piped(command, "--help", columns=80).stdout
        assert "<str>" not in text and "{ID}" not in text and "<int" not in text, command


# --- grading and batch -----------------------------------------------------------------------


def test_a_syntax_error_is_reported_as_one_even_when_the_header_names_the_blank(tmp_path):
    path = tmp_path / "delta.py"
    assert run_cli("start", "bptt-delta", "-o", str(path)).returncode == 0
    source = path.read_text(encoding="utf-8")
    assert "____" in source.split("def ")[0]  # the header comment names the blank
    source = source.replace("delta_t = ____", "delta_t = delta_t.dot(U)").replace("dV += np.dot", "dV += np.dot(")
    path.write_text(source, encoding="utf-8")
    out = run_cli("grade", "bptt-delta", str(path))
    assert out.returncode == 1
    assert re.search(r"Syntax error on line \d+", out.stdout) and "still in the code" not in out.stdout


def test_a_reduction_without_keepdims_is_named_once(tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text("import numpy as np\n\n\ndef softmax(x):\n"
                    "    return np.exp(x - x.max(axis=-1)) / np.exp(x - x.max(axis=-1)).sum(axis=-1)\n",
                    encoding="utf-8")
    out = run_cli("grade", "softmax", str(path), env={"COLUMNS": "80"})
    assert out.returncode == 1
    assert "keepdims=True" in out.stdout and "axis -1" in out.stdout
    assert out.stdout.count("dropped that axis") == 1  # not once per case
    assert "broadcast together" not in out.stdout


def test_ctrl_c_during_a_batch_writes_what_was_graded(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a_quick.py").write_text("def lstm_cell(*args):\n    return 1\n", encoding="utf-8")
    for i in range(4):
        (folder / f"slow{i}.py").write_text("import time\ntime.sleep(4)\n", encoding="utf-8")
    results = tmp_path / "results.csv"
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "quizzer", "grade", "lstm-cell", str(folder), "-o", str(results),
                             "-j", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not results.exists():
        time.sleep(0.3)
        if proc.poll() is not None:
            break
        # the first, quick submission is graded within a few seconds: interrupt during the slow ones
        if time.monotonic() > deadline - 32:
            proc.send_signal(signal.SIGINT)
            break
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    text = results.read_text(encoding="utf-8")
    assert "a_quick.py" in text and "not graded (interrupted)" in text
    assert "marked incomplete" in err


# --- numbers ---------------------------------------------------------------------------------


def test_numbers_are_read_and_echoed_as_typed():
    out = run_cli("answer", "mini-numeric", "1e", *BANK)
    assert out.returncode == 2 and "exponent is missing" in out.stderr
    out = run_cli("answer", "mini-numeric", "0.2500000001", *BANK)
    assert out.returncode == 1 and "you answered 0.2500000001." in out.stdout
    assert run_cli("answer", "mini-numeric", "¼", *BANK).returncode == 0
    assert run_cli("answer", "mini-numeric", "０．２５", *BANK).returncode == 0


def test_the_unit_shown_in_the_prompt_may_be_typed():
    shown = run_cli("show", "word2vec-embedding-memory", "--seed", "1", "--answer").stdout
    value = re.search(r"Answer: ([\d.]+) MB", shown)[1]
    assert run_cli("answer", "word2vec-embedding-memory", f"{value} MB", "--seed", "1").returncode == 0


def test_the_shown_answer_has_the_decimal_places_the_prompt_asks_for():
    shown = run_cli("show", "word2vec-embedding-memory", "--seed", "1", "--answer").stdout
    assert re.search(r"Answer: \d+\.\d MB", shown)  # the prompt asks for one decimal place
    out = run_cli("answer", "mini-tanh", "1", *BANK)
    assert "The answer is 0.420 (± 0.0005)" in out.stdout


def test_a_negative_value_after_a_plus_turns_the_sign():
    from quizzer.bank import load_bank
    from quizzer.bank.serve import Served
    from quizzer.i18n.text import Text

    item = next(iter(load_bank([str(FIXTURE_BANK)]).items.values()))
    served = Served(item=item, values={"a": 0.4, "b": -0.6}, options=(), seed=1)
    assert served.render(Text.plain("here {a} + {b}, and {a} - {b}"), "en") == "here 0.4 − 0.6, and 0.4 + 0.6"


def test_validate_names_the_values_of_a_division_by_zero(tmp_path):
    bank = tmp_path / "questions"
    bank.mkdir()
    (bank / "t.yaml").write_text(
        "format_version: 1\nquestions:\n  - id: mine-div\n    topic: t\n    type: numeric\n"
        "    params:\n      D: {range: [2, 4]}\n    prompt: {en: 'D = {D}?', ja: 'D = {D} のとき?'}\n"
        "    answer: '1/(D-3)'\n    explanation: {en: It is 1/(D-3)., ja: 1/(D-3) である。}\n    source: original\n",
        encoding="utf-8")
    out = run_cli("validate", "--no-code", str(tmp_path))
    assert out.returncode == 1 and "(with D = 3): division by zero" in out.stdout


# --- the second pass over the core's errors ----------------------------------------------------

# Raises that may stay literal English, each with why: programming errors in a task or a bank that
# no learner's input can reach. (The bank's own problems, `path:line: problem`, are catalogue keys.)
ENGLISH_RAISES_ALLOWED = {
    ("quizzer/engine/grade.py", "has no seeds to build cases from"),  # an exercise without seeds
    ("quizzer/engine/sandbox.py", "invalid sandbox limits"),  # limits validated before they reach here
    ("quizzer/engine/sandbox.py", "a case holds"),  # a task built a case the sandbox cannot pass
    ("quizzer/engine/sandbox.py", "the sandbox runner is closed"),  # used after close: a programming error
    ("quizzer/engine/sandbox.py", "is not a function name"),  # an exercise's entry point is malformed
    ("quizzer/engine/sandbox.py", "filename cannot be"),  # an internal name
    ("quizzer/i18n/text.py", "unknown language"),  # the learner's language is what is unknown
}


def test_no_error_a_user_reads_is_raised_as_an_english_literal():
    """A new ``raise QuizzerError("English...")`` (or any subclass) outside the allow-list fails here:
    it must be a catalogue key raised with ``.of(...)`` (a bank problem: ``BankError.at(path, line, key)``)."""
    import ast

    from quizzer import errors

    error_names = {name for name, value in vars(errors).items() if isinstance(value, type)
                   and issubclass(value, errors.QuizzerError)}
    error_names |= {"SandboxError", "NotebookError", "_UsageError"}
    found = []
    for path in sorted((ROOT / "quizzer").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in error_names):
                continue
            if not node.args or not isinstance(node.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
                continue
            text = ast.unparse(node.args[0])
            relative = path.relative_to(ROOT).as_posix()
            if not any(relative == file and snippet in text for file, snippet in ENGLISH_RAISES_ALLOWED):
                found.append(f"{relative}:{node.lineno}: {text[:70]}")
    assert not found, "raise these with QuizzerError.of(key, ...) and en + ja in labels.py:\n" + "\n".join(found)


@pytest.mark.parametrize(("item", "typed", "english", "japanese"), [
    ("mini-shape", "3*4", "'*' multiplies; write a shape like 3x4", "'*' は掛け算です。3x4 や (3, 4) のように形状を書いてください"),
    ("mini-shape", "3x", "a size is missing", "サイズが抜けています"),
    ("mini-symbolic", "exp(1,2)", "exp takes 1 argument (got 2)", "exp の引数は 1 個です (2 個与えられました)"),
    ("mini-symbolic", "foo(2)", "unknown function 'foo'", "'foo' という関数はありません"),
    ("mini-numeric", "lambda", "'lambda' is a Python keyword", "'lambda' は Python のキーワードです"),
    ("mini-numeric", "(" * 120 + "1" + ")" * 120, "nested too deeply", "入れ子が深すぎます"),
    ("mini-numeric", "1e999999", "the exponent of '1e999999' is too large", "'1e999999' の指数が大きすぎます"),
])
def test_rarer_answer_errors_speak_the_learners_language(item, typed, english, japanese):
    for lang, expected in (("en", english), ("ja", japanese)):
        out = piped("answer", item, typed, *BANK, lang=lang)
        assert out.returncode == 2 and expected in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_command_errors_and_a_bad_data_directory_speak_japanese(tmp_path):
    (tmp_path / "answer.py").write_text("x = 1\n", encoding="utf-8")
    out = piped("start", "lstm-cell", "-o", str(tmp_path / "answer.py"), lang="ja")
    assert out.returncode == 2 and "はすでにあります" in out.stderr and "already" not in out.stderr
    out = piped("grade", "lstm-cell", str(tmp_path / "answer.py"), "--format", "xml", lang="ja")
    assert out.returncode == 2 and "json か gradescope" in out.stderr
    out = piped("grade", "lstm-cell", str(tmp_path), "--format", "gradescope", lang="ja")
    assert out.returncode == 2 and "フォルダではなくファイル" in out.stderr
    out = piped("start", "mini-numeric", *BANK, lang="ja")
    assert out.returncode == 2 and "コード演習ではなく問題です" in out.stderr
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x", encoding="utf-8")
    for lang, expected in (("en", "exists but is not a directory"), ("ja", "ディレクトリではありません")):
        out = run_cli("stats", env={"QUIZZER_HOME": str(not_a_folder), "QUIZZER_LANG": lang})
        assert out.returncode == 2 and expected in out.stderr and len(out.stderr.strip().splitlines()) == 1
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.sqlite3").write_text("not a database at all", encoding="utf-8")
    out = run_cli("stats", env={"QUIZZER_HOME": str(home), "QUIZZER_LANG": "ja"})
    assert out.returncode == 2 and "進捗のデータベースではありません" in out.stderr, out.stderr


def test_the_seven_day_chart_counts_the_learners_local_days():
    """An answer at 00:00:30 in Tokyo belongs to that Tokyo day, though its UTC date is the day before."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from quizzer.progress.store import Store

    tokyo = ZoneInfo("Asia/Tokyo")
    now = datetime.now(tokyo)
    just_after_midnight = min(now.replace(hour=0, minute=0, second=30, microsecond=0), now - timedelta(seconds=1))
    with Store.open() as store:
        store.record(item_id="mini-numeric", topic="rnn", kind="question", item_type="numeric", passed=True,
                     score=1, max_score=1, response="0.25", when=just_after_midnight.astimezone(timezone.utc))
    out = run_cli("stats", "--json", env={"TZ": "Asia/Tokyo"})
    days = json.loads(out.stdout)["last_7_days"]
    assert days[-1] == {"day": just_after_midnight.date().isoformat(), "attempts": 1, "correct": 1}
    shown = run_cli("stats", env={"TZ": "Asia/Tokyo", "QUIZZER_LANG": "ja"}).stdout
    today = f"{just_after_midnight:%m-%d}"
    assert re.search(rf"^\s*{today}\s+█+\s+1\s*$", shown, flags=re.MULTILINE), shown


# --- grading feedback: case names in the learner's language, the wrong axis named once ---------

SOFTMAX_AXIS_0 = ("import numpy as np\n\n\ndef softmax(x):\n"
                  "    e = np.exp(x - x.max(axis=0))\n    return e / e.sum(axis=0)\n")
SOFTMAX_AXIS_1 = ("import numpy as np\n\n\ndef softmax(x):\n"
                  "    e = np.exp(x - x.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)\n")
ATTENTION_WHOLE = ("import numpy as np\n\n\ndef attention_context(s, hs):\n"
                   "    scores = np.sum(hs * s[:, None, :], axis=2)\n    e = np.exp(scores - scores.max())\n"
                   "    weights = e / e.sum()\n    return weights, np.sum(weights[:, :, None] * hs, axis=1)\n")


def test_japanese_feedback_names_its_cases_in_japanese(tmp_path):
    path = tmp_path / "softmax.py"
    path.write_text(SOFTMAX_AXIS_1, encoding="utf-8")
    out = run_cli("grade", "softmax", str(path), env={"QUIZZER_LANG": "ja", "COLUMNS": "160"})
    assert out.returncode == 1
    assert "ケース「シード 1、3 次元の入力」" in out.stdout and "✗ シード 1、3 次元の入力" in out.stdout
    assert "行の値が +-1000 付近" in out.stdout
    assert not re.search(r"seed|input|rows around", out.stdout), out.stdout
    english = run_cli("grade", "softmax", str(path), env={"COLUMNS": "160"}).stdout
    assert 'In case "seed 1, 3-d input"' in english and "✗ seed 1, 3-d input" in english


def test_every_case_name_of_every_task_reads_in_japanese():
    from quizzer.engine import tasks
    from quizzer.engine.diagnose import case_name

    for task in tasks.task_names():
        for case in tasks.get_task(task).make_cases([1, 2, 3]):
            japanese = case_name(case.name, "ja")
            assert not re.search(r"[A-Za-z]{2,}", japanese.replace("max_len", "")), (task, case.name, japanese)
            assert case_name(case.name, "en") == case.name


@pytest.mark.parametrize(("exercise", "source", "english", "japanese"), [
    ("softmax", SOFTMAX_AXIS_0, "The values of your y sum to 1 along axis 0, not along each row", "y は axis 0 に沿った合計が 1"),
    ("softmax", SOFTMAX_AXIS_1, "The values of your y sum to 1 along axis 1, not along each row", "y は axis 1 に沿った合計が 1"),
    ("attention-context", ATTENTION_WHOLE, "The values of your weights sum to 1 over the whole array",
     "weights は配列全体の合計が 1"),
])
def test_a_wrong_axis_is_named_in_one_sentence(tmp_path, exercise, source, english, japanese):
    path = tmp_path / "answer.py"
    path.write_text(source, encoding="utf-8")
    for lang, sentence in (("en", english), ("ja", japanese)):
        out = run_cli("grade", exercise, str(path), env={"QUIZZER_LANG": lang, "COLUMNS": "200"})
        assert out.returncode == 1
        flat = " ".join(out.stdout.replace("│", " ").split())
        assert flat.count(sentence) == 1, out.stdout
        assert "axis=-1" in flat and "broadcast" not in flat


# --- exports name only what the learner sees -------------------------------------------------


@pytest.mark.parametrize(("lang", "named", "unnamed"), [
    ("en", "*(Values change at every serving; here ", "*(Values change at every serving; the numbers above are one example)*"),
    ("ja", "*(出題ごとに値が変わります。この例では ", "*(出題ごとに値が変わります。上の数値はその一例です)*"),
])
def test_the_sheet_names_only_the_parameters_its_prompt_shows(lang, named, unnamed):
    sheet = piped("export", "--lang", lang).stdout
    sections = sheet.split("\n### ")[1:]
    assert sections
    checked = 0
    for section in sections:
        item_id, _, body = section.partition("\n")
        prompt = body.strip().split("\n\n")[0]
        for line in body.splitlines():
            if line.startswith(named):
                checked += 1
                for name in re.findall(r"([A-Za-z_][\w]*) = ", line[len(named):]):
                    assert re.search(rf"(?<![\w]){name}(?![\w])", prompt), (item_id, name, line)
    assert checked > 10
    vae = next(s for s in sections if s.startswith("autoencoder-vae-reparam-sample"))
    assert unnamed in vae and "lv =" not in vae and "ep =" not in vae


def test_new_and_validate_speak_japanese(tmp_path):
    out = piped("new", "question", "--topic", "rnn", "--bank", str(tmp_path / "mine"), lang="ja")
    assert out.returncode == 0 and "rnn-new-1 を" in out.stdout and "に書き込みました" in out.stdout
    assert "TODO の欄を埋めてから" in out.stdout and "wrote" not in out.stdout
    out = piped("new", "question", "--topic", "rnn", "--id", "rnn-new-1", "--bank", str(tmp_path / "mine"), lang="ja")
    assert out.returncode == 2 and "すでに使われています" in out.stderr
    out = piped("new", "question", "--topic", "Bad_Topic", "--bank", str(tmp_path / "mine"), lang="ja")
    assert out.returncode == 2 and "ケバブケース" in out.stderr


def test_a_time_limit_is_told_in_japanese(tmp_path):
    path = tmp_path / "loop.py"
    path.write_text("def softmax(x):\n    while True:\n        pass\n", encoding="utf-8")
    out = run_cli("grade", "softmax", str(path), "--timeout", "1", env={"QUIZZER_LANG": "ja", "COLUMNS": "200"})
    assert out.returncode == 1 and "制限時間を超えました (上限 1 秒)" in out.stdout
    assert "the submission" not in out.stdout and "time limit" not in out.stdout
