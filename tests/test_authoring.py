"""Instructors' tools: validate proves a bank, new writes skeletons, schema and export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from quizzer.authoring.validate import validate
from quizzer.bank.schema import json_schema
from tests.conftest import ROOT, run_cli

GOOD_QUESTION = """  - id: {id}
    topic: rnn
    type: numeric
    source: original
    prompt: {{en: "{prompt}", ja: "{prompt}"}}
    explanation: {{en: E, ja: E}}
"""

CLIP_EXERCISE = """format_version: 1
exercises:
  - id: my-clip
    topic: training
    type: blank
    title: {{en: Clip, ja: クリップ}}
    prompt: {{en: Clip the gradient., ja: 勾配をクリップせよ。}}
    source: original
    task: gradient-clipping
    entry: gradient_clipping
    template: |
      import numpy as np

      def gradient_clipping(grad, threshold):
          norm = np.linalg.norm(grad)
          rate = threshold / norm
          if rate < 1:
              return ____
          return grad
    solution: {solution}
    hints: [{{en: Scale it., ja: 縮めよ。}}]
    misconceptions:
      - blank: {wrong}
        feedback: {{en: That one is wrong., ja: 違う。}}
      - blank: grad / rate
        feedback: {{en: Dividing by the rate makes it larger., ja: 割ると大きくなる。}}
      - blank: threshold
        feedback: {{en: "That is a number, not a gradient.", ja: それは数値である。}}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_bank_validates_clean():
    report = validate()
    assert report.clean, "\n".join(map(str, report.problems))
    assert report.questions >= 150 and report.exercises >= 20


def test_validate_cli_exit_codes(fixture_bank):
    clean = run_cli("validate", "--no-code", str(ROOT / "questions"))
    assert clean.returncode == 0, clean.stdout
    dirty = run_cli("validate", "--bank", str(fixture_bank))
    assert dirty.returncode == 1
    assert "mini.yaml:96: mini-english-only: some texts have no 'ja' version" in dirty.stdout


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (GOOD_QUESTION.format(id="q-a", prompt="x") + "    answer: 2 *\n", "the answer does not evaluate"),
        (GOOD_QUESTION.format(id="q-b", prompt="W = {W}") + "    params: {W: {range: [4, 7]}}\n    shape: [(W - 3)/2 + 1, 1]\n",
         "shape dimension 1.5 is not a positive whole number (with W = 4)"),
        (GOOD_QUESTION.format(id="q-c", prompt="x") + "    answer: tanh(1)\n", "is not exact; give a tolerance"),
        (GOOD_QUESTION.format(id="q-d", prompt="H = {H} and {D}") + "    params: {H: {choices: [2]}}\n    answer: H\n", "{D} in a text is not a declared parameter"),
        (GOOD_QUESTION.format(id="q-e", prompt="no params") + "    params: {H: {choices: [2]}}\n    answer: H\n", "parameter 'H' never appears in the prompt"),
        (GOOD_QUESTION.format(id="q-f", prompt="x").replace("{en: E, ja: E}", "{en: E}") + "    answer: 1\n", "no 'ja' version"),
        (GOOD_QUESTION.format(id="q-g", prompt="x").replace("{en: E, ja: E}", "Because the chain rule says so") + "    answer: 1\n",
         "a sentence is written as a plain string"),
        (GOOD_QUESTION.format(id="q-h", prompt="x") + "    title: {en: Only English}\n    answer: 1\n", "no 'ja' version"),
    ],
)
def test_validate_finds_question_problems(tmp_path, body, problem):
    path = write(tmp_path, "q.yaml", "format_version: 1\nquestions:\n" + body)
    report = validate([str(path)])
    messages = [str(p) for p in report.problems]
    assert any(problem in m for m in messages), messages
    assert all(m.startswith(f"{path}:3: ") for m in messages)


def test_validate_runs_exercises(tmp_path):
    good = write(tmp_path, "good.yaml", CLIP_EXERCISE.format(solution="grad * rate", wrong="grad"))
    assert validate([str(good)]).clean
    bad = write(tmp_path, "bad.yaml", CLIP_EXERCISE.format(solution="grad", wrong="rate * grad"))
    messages = [str(p) for p in validate([str(bad)]).problems]
    assert any("the solution does not pass" in m for m in messages), messages
    assert any("misconception 1 passes" in m for m in messages), messages


def test_new_writes_a_skeleton_that_validate_points_at(tmp_path):
    out = run_cli("new", "question", "--topic", "lstm", "--type", "symbolic", "--bank", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "lstm-new-1" in out.stdout
    again = run_cli("new", "exercise", "--topic", "lstm", "--type", "function", "--bank", str(tmp_path), "--id", "lstm-mine")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "bank.schema.json").exists()
    assert (tmp_path / "questions" / "lstm.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../bank.schema.json")
    report = run_cli("validate", str(tmp_path))
    assert report.returncode == 1
    assert "questions/lstm.yaml:4: lstm-new-1: still to fill in: prompt, explanation, hints, answer" in report.stdout
    assert "exercises/lstm.yaml:4: lstm-mine: still to fill in:" in report.stdout
    duplicate = run_cli("new", "question", "--topic", "lstm", "--bank", str(tmp_path), "--id", "lstm-new-1")
    assert duplicate.returncode == 2 and "already used" in duplicate.stderr
    shadow = run_cli("new", "question", "--topic", "lstm", "--bank", str(tmp_path), "--id", "lstm-cell")
    assert shadow.returncode == 2 and "built-in bank" in shadow.stderr


def test_committed_schema_matches_the_declarations():
    committed = json.loads((ROOT / "schema" / "bank.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: quizzer schema -o schema/bank.schema.json"


def test_every_bank_file_satisfies_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    validator = jsonschema.Draft202012Validator(json_schema())
    files = sorted((ROOT / "questions").glob("*.yaml")) + sorted((ROOT / "exercises").glob("*.yaml"))
    assert files
    for path in files:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message}"


def test_schema_rejects_what_the_loader_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    bad = {"format_version": 1, "questions": [{"id": "x", "topic": "rnn", "type": "text", "prompt": "p", "explanation": "e", "source": "original", "accept": {"en": ["a"]}, "colour": "red"}]}
    assert list(validator.iter_errors(bad))


def test_export_markdown_has_answers_and_explanations():
    out = run_cli("export", "--topic", "cnn-review")
    assert out.returncode == 0
    assert "### conv-output-size" in out.stdout and "**Answer:** 3×3" in out.stdout and "**Explanation:**" in out.stdout
    ja = run_cli("export", "--topic", "cnn-review", "--lang", "ja").stdout
    assert "**解答:** 3×3" in ja


def test_export_json(tmp_path):
    target = tmp_path / "sheet.json"
    out = run_cli("export", "--format", "json", "--topic", "lstm", "-o", str(target))
    assert out.returncode == 0
    rows = json.loads(target.read_text(encoding="utf-8"))
    assert rows and all(r["topic"] == "lstm" and r["answer"] for r in rows)


def test_export_bad_format_is_a_usage_error():
    out = run_cli("export", "--format", "pdf")
    assert out.returncode == 2 and "unknown format 'pdf'" in out.stderr


TEXT_QUESTION = """format_version: 1
questions:
  - id: t-vector
    topic: seq2seq
    type: text
    source: original
    prompt:
      en: "The encoder's hidden state after the last input (its final state) stands for the sentence. What is the vector called?"
      ja: "{ja}"
    accept:
      en: [thought vector, final state]
      ja: [文脈ベクトル]
    explanation: {{en: The thought vector., ja: 文脈ベクトルである。}}
"""


def test_validate_flags_an_accepted_answer_printed_in_its_prompt(tmp_path):
    path = write(tmp_path, "t.yaml", TEXT_QUESTION.format(ja="エンコーダの最後の隠れ状態を何と呼ぶか。"))
    messages = [str(p) for p in validate([str(path)]).problems]
    assert messages == [f"{path}:3: t-vector: the accepted answer 'final state' appears in the prompt, so the question gives it away"]


@pytest.mark.parametrize(
    ("ja", "rule"),
    [
        ("最後の隠れ状態（h_T）を何と呼ぶか。", "half-width parentheses"),
        ("LSTM：何と呼ぶか。", "a half-width colon"),
        ("意味を持つベクトルを何と呼ぶか。", "もつ in kana"),
        ("双方向RNN の状態を何と呼ぶか。", "a space between Japanese and a Latin word"),
        ("one-hotベクトルを何と呼ぶか。", "a space between Japanese and a Latin word"),
        ("語彙の大きさのベクトルを何と呼ぶか。", "ボキャブラリ"),
        ("隠れ層の状態を何と呼ぶか。", "中間層"),
        ("1時刻前の状態を何と呼ぶか。", "1ステップ前"),
        ("オートエンコーダの潜在変数を何と呼ぶか。", "オートエンコーダー"),
    ],
)
def test_validate_checks_the_japanese_style(tmp_path, ja, rule):
    text = TEXT_QUESTION.format(ja=ja).replace(" (its final state)", "")
    path = write(tmp_path, "t.yaml", text)
    messages = [str(p) for p in validate([str(path)]).problems]
    assert len(messages) == 1 and "Japanese style" in messages[0] and rule in messages[0], messages


def test_text_in_the_house_style_passes():
    clean = TEXT_QUESTION.format(ja="双方向 RNN の one-hot ベクトル (h) をもつ中間層: 1ステップ前のボキャブラリとオートエンコーダーを何と呼ぶか。")
    from quizzer.authoring.style import style_problems

    assert style_problems(clean.split('ja: "')[1].split('"')[0]) == []


def test_validate_prints_the_longest_right_option_ratio():
    out = run_cli("validate", "--no-code", str(ROOT / "questions"))
    assert out.returncode == 0
    assert re.search(r"right option is the longest in \d+ of \d+ single-answer choice questions \(\d+%", " ".join(out.stderr.split()))


def test_export_shuffles_options_in_a_fixed_order():
    first = run_cli("export", "--topic", "lstm").stdout
    assert first == run_cli("export", "--topic", "lstm").stdout
    answers = re.findall(r"\*\*Answer:\*\* ([a-e])\) ", run_cli("export").stdout)
    assert len(set(answers)) >= 4 and answers.count("a") < len(answers) / 2


def test_export_writes_numbers_as_the_question_shows_them():
    sheet = run_cli("export", "--topic", "attention").stdout
    section = sheet.split("### attention-dot-weight-value")[1].split("###")[0]
    assert "**Answer:** 0.731\n" in section
    values = re.findall(r"here ([^)]*)\)", sheet)
    assert values and not any(re.search(r"\d\.0\b", v) for v in values)


def test_validate_prints_its_problems_in_the_readers_language(tmp_path):
    """QUIZZER_LANG=ja: every problem in Japanese after the same path:line, ids and values kept as
    written; exit 1 either way, and the English lines are the ones the docs quote."""
    bank = tmp_path / "questions"
    bank.mkdir()
    path = write(bank, "q.yaml", "format_version: 1\nquestions:\n" + GOOD_QUESTION.format(id="q-ja", prompt="H = {H}, {D}")
                 .replace('ja: "H = {H}, {D}"', 'ja: "隠れ層（h）H = {H}, {D}"').replace("{en: E, ja: E}", "{en: E}")
                 + "    params: {H: {choices: [2]}}\n    answer: tanh(H)\n")
    english = run_cli("validate", "--no-code", str(tmp_path), env={"QUIZZER_LANG": "en"})
    japanese = run_cli("validate", "--no-code", str(tmp_path), env={"QUIZZER_LANG": "ja"})
    assert english.returncode == japanese.returncode == 1
    assert english.stdout.splitlines() == [f"{path}:3: q-ja: {problem}" for problem in (
        "some texts have no 'ja' version (every text needs en and ja)",
        "{D} in a text is not a declared parameter",
        "the answer 0.964028 is not exact (with H = 2); give a tolerance (abs or rel)",
        "Japanese style: “…隠れ層（h）H = …”: write half-width parentheses ( )",
        "Japanese style: “…隠れ層（h）H =…”: write 中間層",
    )]
    assert japanese.stdout.splitlines() == [f"{path}:3: q-ja: {problem}" for problem in (
        "'ja' 版のないテキストがあります (テキストにはすべて en と ja が必要です)",
        "テキスト中の {D} は宣言されたパラメータではありません",
        "正解 0.964028 が厳密な値ではありません (H = 2 のとき)。許容誤差 (abs または rel) を指定してください",
        "日本語の表記: “…隠れ層（h）H = …”: 半角の括弧 ( ) にしてください",
        "日本語の表記: “…隠れ層（h）H =…”: 中間層と書いてください",
    )]


def test_a_malformed_bank_file_is_one_japanese_line_under_any_command(tmp_path):
    bank = tmp_path / "questions"
    bank.mkdir()
    path = write(bank, "q.yaml", "format_version: 1\nquestions:\n" + GOOD_QUESTION.format(id="q-typo", prompt="x")
                 .replace("type: numeric", "type: numerc") + "    answer: 1\n")
    validated = run_cli("validate", "--no-code", str(tmp_path), env={"QUIZZER_LANG": "ja"})
    assert validated.returncode == 1
    assert validated.stdout.splitlines() == [
        (f"{path}:5: 問題 'q-typo': 未知の type 'numerc' です。'numeric' のことですか? "
         "(choice, numeric, symbolic, text, flashcard のいずれかを使ってください)")]
    for args in (("list",), ("show", "q-typo"), ("practice", "-n", "1")):
        for lang, expected in (
            ("ja", f"エラー: {path}:5: 問題 'q-typo': 未知の type 'numerc' です。'numeric' のことですか?"),
            ("en", f"error: {path}:5: question 'q-typo': unknown type 'numerc'; did you mean 'numeric'?"),
        ):
            out = run_cli(*args, "--bank", str(tmp_path), stdin="", env={"QUIZZER_LANG": lang, "COLUMNS": "400"})
            lines = [line for line in out.stderr.splitlines() if line.strip()]
            assert out.returncode == 2 and len(lines) == 1 and lines[0].startswith(expected), (args, out.stderr)
            assert "Traceback" not in out.stderr + out.stdout


def test_a_yaml_error_keeps_pyyamls_words_inside_the_japanese(tmp_path):
    path = write(tmp_path, "broken.yaml", "format_version: 1\nquestions: [\n")
    out = run_cli("validate", "--no-code", str(path), env={"QUIZZER_LANG": "ja"})
    assert out.returncode == 1
    assert out.stdout.startswith(f"{path}:3: YAML として正しくありません: did not find expected node content"), out.stdout


def test_a_misspelt_task_is_named_in_the_readers_language(tmp_path):
    path = write(tmp_path, "e.yaml", CLIP_EXERCISE.format(solution="grad * rate", wrong="grad")
                 .replace("task: gradient-clipping", "task: gradient-clippin"))
    for lang, expected in (("en", "my-clip: no engine task is named 'gradient-clippin'; known tasks: "),
                           ("ja", "my-clip: 'gradient-clippin' という採点タスクはありません。使えるタスク: ")):
        out = run_cli("validate", "--no-code", str(path), env={"QUIZZER_LANG": lang})
        assert out.returncode == 1 and out.stdout.startswith(f"{path}:3: {expected}"), out.stdout
        assert "gradient-clipping" in out.stdout
