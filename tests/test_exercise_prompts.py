"""Exercise prompts, templates and provided helpers speak the learner's language.

Every exercise prompt states its conventions in plain words (no internal labels such as the names of
quizzer.reference.conventions), the Japanese prompt does not quote English sentences, and the comments
and docstrings of the code handed out come in the learner's language: the bank may give a template or
its provided helpers as {en, ja}, the reader proves the two are the same code, and `quizzer start`
writes the learner's one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.bank import Problems, read_files
from quizzer.bank.model import Exercise
from quizzer.cli import app
from quizzer.reference import conventions

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = {k: v for k, v in read_files(sorted((ROOT / "exercises").glob("*.yaml")), Problems()).items()
             if isinstance(v, Exercise)}
LABELS = sorted(name for name in vars(conventions) if re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+", name))
# four or more English words in a row, each of two letters or more: a sentence, not a name or a formula
ENGLISH_RUN = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")
COMMENT_OR_DOCSTRING = re.compile(r"#.*|\"\"\"[^\"]*(?:\"\"\")?")


def test_the_label_list_is_the_reference_s():
    assert {"WEIGHT_LAYOUT", "GRU_COURSE", "SEQUENCE_LAYOUT", "BPTT_GRADIENT_SCALE", "INITIAL_STATE"} <= set(LABELS)


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_prompts_state_conventions_without_internal_labels(exercise_id):
    ex = EXERCISES[exercise_id]
    for lang in ("en", "ja"):
        prompt = ex.prompt.get(lang)
        used = [name for name in LABELS if name in prompt]
        assert not used, f"{lang} prompt names {used}: say what the convention is instead"


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_japanese_prompts_and_template_comments_are_in_japanese(exercise_id):
    ex = EXERCISES[exercise_id]
    prompt = re.sub(r"`[^`]*`", "", ex.prompt.get("ja"))  # code in backticks is not prose
    assert not ENGLISH_RUN.search(prompt), ENGLISH_RUN.search(prompt).group(0)
    for code in (ex.template_for("ja"), ex.provided_for("ja")):
        for comment in COMMENT_OR_DOCSTRING.findall(code):
            assert not ENGLISH_RUN.search(comment), comment


def test_translated_code_is_the_code_that_runs_with_other_comments():
    translated = [ex for ex in EXERCISES.values() if ex.template_text]
    assert len(translated) >= 25
    for ex in translated:
        assert ex.template == ex.template_for("en") != ex.template_for("ja")
        assert ex.template.count("\n") == ex.template_for("ja").count("\n")
    helpers = [ex for ex in EXERCISES.values() if ex.provided_text]
    assert {"hred-context", "bptt-delta", "numerical-gradient"} <= {ex.id for ex in helpers}
    for ex in helpers:
        assert ex.provided == ex.provided_for("en") != ex.provided_for("ja")


def _bank(tmp_path: Path, template: str) -> Path:
    path = tmp_path / "exercises" / "mine.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""format_version: 1
exercises:
  - id: mine-double
    topic: training
    type: function
    source: original
    task: tanh-derivative
    entry: tanh_grad
    title: {{en: "Double", ja: "2倍"}}
    prompt: {{en: "Write it.", ja: "書け。"}}
{template}
    solution: |
      def tanh_grad(x):
          return x
    hints: [{{en: "Think.", ja: "考えよ。"}}]
""", encoding="utf-8")
    return path


def test_the_reader_takes_a_translated_template(tmp_path):
    path = _bank(tmp_path, '''    template:
      en: |
        def tanh_grad(x):
            """Derivative of tanh."""
            raise NotImplementedError  # write it
      ja: |
        def tanh_grad(x):
            """tanh の導関数。"""
            raise NotImplementedError  # ここを書く
''')
    problems = Problems()
    ex = read_files([path], problems)["mine-double"]
    assert not problems.items
    assert "# write it" in ex.template and "# ここを書く" in ex.template_for("ja")


@pytest.mark.parametrize(("template", "message"), [
    ('''    template:
      en: |
        def tanh_grad(x):
            raise NotImplementedError
      ja: |
        def tanh_grad(x):
            return x  # 別のコード
''', "differ in more than comments"),
    ('''    template:
      en: |
        def tanh_grad(x):
            raise NotImplementedError
''', "needs every language"),
])
def test_the_reader_refuses_template_versions_that_are_not_the_same_code(tmp_path, template, message):
    problems = Problems()
    read_files([_bank(tmp_path, template)], problems)
    assert any(message in str(p) for p in problems.items), [str(p) for p in problems.items]


def test_start_writes_the_learner_s_language(tmp_path):
    runner = CliRunner()
    for exercise_id, lang, expected in (
        ("gru-cell", "ja", ["# リセットゲート r と更新ゲート z", "下の ____ を埋めて採点", "用意されたコード"]),
        ("gru-cell", "en", ["# the reset gate r and the update gate z", "Replace ____ below", "provided:"]),
        ("bptt-delta", "ja", ["各系列の損失 0.5 * sum((outputs - ys) ** 2) の dL/do"]),
        ("bptt-delta", "en", ["dL/do for the loss 0.5 * sum((outputs - ys) ** 2) of each sequence"]),
    ):
        target = tmp_path / f"{exercise_id}_{lang}.py"
        result = runner.invoke(app, ["start", exercise_id, "-o", str(target), "--lang", lang,
                                     "--bank", str(ROOT / "exercises" / "course.yaml")])
        assert result.exit_code == 0, result.output
        text = target.read_text(encoding="utf-8")
        assert all(piece in text for piece in expected), (exercise_id, lang)
        compile(text, str(target), "exec")
