"""docs/authoring.md stays true: its examples validate, its commands exist, its claims hold.

- every ```yaml block that is a whole bank file (its first line that is not a comment starts with
  ``format_version``) is written to a file and must pass ``quizzer validate``, exercises included;
- the examples' ids are unique and free in the built-in bank, so they can sit beside it;
- every ``quizzer <command>`` in the guide's code is a real command, with real options;
- the task table lists exactly the registered engine tasks, with their arguments and outputs;
- what the guide says learners may type is what the checkers accept;
- the sample ``quizzer validate`` output is what validate prints for the file below.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from quizzer.authoring.validate import validate
from quizzer.bank import Problems, load_bank, read_files
from quizzer.bank.model import Question
from quizzer.bank.serve import letter, serve
from quizzer.checking import check
from quizzer.errors import AnswerError
from tests.conftest import ROOT, run_cli

GUIDE = ROOT / "docs" / "authoring.md"
TEXT = GUIDE.read_text(encoding="utf-8")

_FENCE = re.compile(r"^( *)```([\w-]*)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def _fenced() -> list[tuple[str, str]]:
    """(language, body) of every fenced block, indented ones (inside a list item) dedented."""
    return [(m.group(2), textwrap.dedent(m.group(3))) for m in _FENCE.finditer(TEXT)]


def _is_bank_file(block: str) -> bool:
    for line in block.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped.startswith("format_version")
    return False


BANK_BLOCKS = [body for lang, body in _fenced() if lang == "yaml" and _is_bank_file(body)]


def _write_blocks(folder: Path) -> list[Path]:
    paths = []
    for number, body in enumerate(BANK_BLOCKS, start=1):
        path = folder / f"guide-example-{number:02d}.yaml"
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths


@functools.lru_cache(maxsize=1)
def _guide_items() -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        problems = Problems()
        items = read_files(_write_blocks(Path(tmp)), problems)
        assert not problems, "\n".join(str(p) for p in problems.items)
        return items


# --- the examples ------------------------------------------------------------------------------


def test_the_guide_has_an_example_of_every_kind():
    items = _guide_items()
    types = {item.type for item in items.values()}
    assert types >= {"choice", "numeric", "symbolic", "text", "flashcard", "blank", "function"}
    assert any(item.params for item in items.values()), "no parameterised example"
    assert any(getattr(item, "alternatives", ()) for item in items.values()), "no example with alternatives"
    assert any(getattr(item, "provided", "") for item in items.values()), "no example with provided code"


@pytest.mark.parametrize("number", range(1, len(BANK_BLOCKS) + 1))
def test_every_example_validates(number, tmp_path):
    path = tmp_path / f"example-{number:02d}.yaml"
    path.write_text(BANK_BLOCKS[number - 1], encoding="utf-8")
    report = validate([str(path)])
    assert report.items > 0
    assert report.clean, "\n".join(str(p) for p in report.problems)


def test_example_ids_are_unique_and_free_in_the_builtin_bank(tmp_path):
    problems = Problems()
    items = read_files(_write_blocks(tmp_path), problems)
    assert not problems, "\n".join(str(p) for p in problems.items)  # includes ids repeated across blocks
    taken = set(items) & set(load_bank(["builtin"], cache=False).items)
    assert not taken, f"ids also used by the built-in bank: {sorted(taken)}"


def test_every_yaml_snippet_parses():
    for lang, body in _fenced():
        if lang == "yaml":
            yaml.safe_load(body)


def test_examples_satisfy_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from quizzer.bank.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    for body in BANK_BLOCKS:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(body))]
        assert not errors, errors


# --- commands ----------------------------------------------------------------------------------


def _code_texts() -> list[str]:
    """Inline code spans and non-YAML code blocks, where the guide writes commands."""
    blocks = [body for lang, body in _fenced() if lang != "yaml"]
    prose = _FENCE.sub("", TEXT)
    spans = [m.group(1).replace("\n", " ") for m in re.finditer(r"`([^`]+)`", prose)]
    return blocks + spans


def _command_lines() -> list[tuple[str, str]]:
    """(command, rest of the line) for every `quizzer COMMAND ...` in the guide's code."""
    found = []
    for text in _code_texts():
        for line in text.splitlines():
            for m in re.finditer(r"(?<![\w/.-])quizzer ([a-z][a-z-]*)([^|>;#&]*)", line):
                found.append((m.group(1), m.group(2)))
    return found


@functools.cache
def _help(*command: str) -> str:
    result = run_cli(*command, "--help")
    assert result.returncode == 0, result.stderr
    return result.stdout


def _commands() -> set[str]:
    listing = _help().split("Commands:", 1)[1]
    return {m.group(1) for m in re.finditer(r"^\s{2}([a-z][a-z-]*)\s", listing, re.MULTILINE)}


def test_every_quizzer_command_in_the_guide_exists():
    mentioned = {command for command, _rest in _command_lines()}
    assert {"validate", "new", "schema", "export", "grade"} <= mentioned
    unknown = mentioned - _commands()
    assert not unknown, f"docs/authoring.md mentions commands that do not exist: {sorted(unknown)}"


def test_every_option_in_the_guide_exists():
    commands = _commands()
    for command, rest in _command_lines():
        if command not in commands:
            continue  # reported by the test above
        for token in rest.split():
            if token.startswith("-") and token != "-":
                option = token.split("=", 1)[0].rstrip(".,)")
                assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", _help(command)), \
                    f"`quizzer {command}` has no option {option}"


def test_mentioned_repository_paths_exist():
    for m in re.finditer(r"`((?:quizzer|schema|exercises|questions|docs|tests)/[\w./-]*)`", TEXT):
        assert (ROOT / m.group(1)).exists(), f"docs/authoring.md names {m.group(1)}, which does not exist"


def test_links_within_the_guide_resolve():
    def slug(heading: str) -> str:  # GitHub's anchors
        text = heading.strip().lower().replace("`", "")
        return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")

    anchors = {slug(h) for h in re.findall(r"^#{1,6} (.+)$", _FENCE.sub("", TEXT), re.MULTILINE)}
    for target in re.findall(r"\]\(#([^)]+)\)", TEXT):
        assert target in anchors, f"docs/authoring.md links to #{target}, which is no heading"


def test_named_conventions_are_the_reference_constants_and_prompts_use_plain_words():
    from quizzer.reference import conventions

    for name in ("SEQUENCE_LAYOUT", "WEIGHT_LAYOUT", "LSTM_GATE_ORDER", "GRU_COURSE", "CLIPPING_RULE"):
        assert f"`{name}`" in TEXT and hasattr(conventions, name)
    flat = " ".join(TEXT.split())
    assert "State each convention in plain words, in each language" in flat
    # the guide's own example exercises follow the rule it gives
    for name in ("SEQUENCE_LAYOUT", "WEIGHT_LAYOUT", "LSTM_GATE_ORDER", "GRU_COURSE", "CLIPPING_RULE"):
        assert all(name not in body for _, _, body in _FENCE.findall(TEXT)), name


# --- the task table ----------------------------------------------------------------------------


def test_task_table_matches_the_registered_tasks():
    from quizzer.engine.tasks import get_task, task_names

    rows = re.findall(r"^\| `([a-z0-9-]+)` \| `([^`]*)` \| `([^`]*)` \| (\d+) \|", TEXT, re.MULTILINE)
    assert {name for name, *_ in rows} == set(task_names()), "the task table in docs/authoring.md is out of date"
    for name, args, outputs, count in rows:
        task = get_task(name)
        cases = task.cases([1, 2, 3])
        assert [a.strip() for a in outputs.split(",")] == list(task.outputs), name
        assert sorted(a.strip() for a in args.split(",")) == sorted(cases[0].args), name
        assert int(count) == len(cases), name


# --- what learners may type --------------------------------------------------------------------

PASS, FAIL, REFUSED = "pass", "fail", "refused"


def _verdict(item, response: str, seed: int = 0) -> str:
    try:
        result = check(serve(item, seed=seed), response, lang="en")
    except AnswerError:
        return REFUSED
    return PASS if result.passed else FAIL


CLAIMS = [
    ("guide-sigmoid-grad-at-zero", ["0.25", ".25", "1/4", "25/100", "2^-2", "2**-2", "2.5e-1", "1/2 * 1/2", "１／４"], PASS),
    ("guide-sigmoid-grad-at-zero", ["0.26"], FAIL),
    ("guide-sigmoid-grad-at-zero", ["25%", "0,25"], REFUSED),
    ("guide-tanh-grad-at-one", ["0.420", "0.42"], PASS),
    ("guide-tanh-grad-at-one", ["0.421"], FAIL),
    ("guide-lstm-w-shape", ["80x10", "80 x 10", "80X10", "80×10", "(80, 10)", "[80, 10]"], PASS),
    ("guide-lstm-w-shape", ["10x80"], FAIL),
    ("guide-lstm-w-shape", ["80*10"], REFUSED),
    ("guide-tanh-unit-grad", ["x(1 - tanh(wx)^2)", "x - x tanh(w x)^2", "x*(1-tanh(x*w)**2)"], PASS),
    ("guide-tanh-unit-grad", ["1 - tanh(wx)^2"], FAIL),
    ("guide-tanh-unit-grad", ["x/cosh(wx)^2", "x*(1 - tanh(w*y)^2)", "x = 1"], REFUSED),
    ("guide-output-gate-name", ["output gate", "output", "The Output Gate.", "OUTPUT-GATE", "ＯＵＴＰＵＴ", "出力ゲート", "出力"], PASS),
    ("guide-output-gate-name", ["forget gate"], FAIL),
    ("guide-vanishing-gradient-card", ["good", "hard", "easy", "3", "g", "簡単"], PASS),
    ("guide-vanishing-gradient-card", ["again", "1", "もう一度"], FAIL),
]


@pytest.mark.parametrize("item_id, responses, expected", CLAIMS)
def test_what_the_guide_says_learners_may_type(item_id, responses, expected):
    item = _guide_items()[item_id]
    for response in responses:
        assert _verdict(item, response) == expected, f"{item_id}: {response!r}"


def test_choice_answers_are_letters_or_numbers_of_the_shown_order():
    items = _guide_items()
    single, multiple = items["guide-forget-gate"], items["guide-clipping-statements"]
    for seed in range(5):
        served = serve(single, seed=seed)
        index = next(i for i, o in enumerate(served.options) if o.key == "prev-cell")
        for response in (letter(index), letter(index).upper(), str(index + 1), f"({letter(index)})"):
            assert check(served, response, lang="en").passed, response
        with pytest.raises(AnswerError):
            check(served, "a,b", lang="en")  # one correct option: two letters are refused

        served = serve(multiple, seed=seed)
        right = sorted(i for i, o in enumerate(served.options) if o.key in ("direction", "below"))
        a, c = (letter(i) for i in right)
        for response in (f"{a},{c}", f"{a} {c}", f"{a}{c}", f"{right[0] + 1},{right[1] + 1}", f"{a}、{c}"):
            assert check(served, response, lang="en").passed, response
        partial = check(served, a, lang="en")
        assert not partial.passed and partial.score == 0.5


def test_exact_parameter_arithmetic():
    assert (1 - 0.7) * 100 != 30  # what floating point would have made of it
    item = _guide_items()["guide-dropout-dropped-units"]
    seen = 0
    for seed in range(200):
        served = serve(item, seed=seed)
        if served.values == {"p": 0.7, "H": 100}:
            assert check(served, "30", lang="en").passed
            seen += 1
    assert seen, "no serving drew p = 0.7, H = 100"


def test_a_single_number_answers_a_square_shape(tmp_path):
    path = tmp_path / "square.yaml"
    path.write_text(
        "format_version: 1\nquestions:\n  - id: square\n    topic: cnn-review\n    type: numeric\n"
        "    source: original\n    prompt: P\n    shape: [3, 3]\n    explanation: X\n",
        encoding="utf-8",
    )
    item = read_files([path], Problems())["square"]
    assert isinstance(item, Question)
    assert [_verdict(item, r) for r in ("3", "3x3", "3 × 3", "3x4")] == [PASS, PASS, PASS, FAIL]


def test_text_normalisation_ignores_spaces_and_hyphens():
    from quizzer.checking.text import normalise

    assert normalise("long short-term memory") == normalise("Long Short Term Memory")


# --- the sample output of quizzer validate -----------------------------------------------------

BAD_FILE = """format_version: 1
questions:
  - id: bad-hint
    topic: rnn
    type: numeric
    source: original
    params:
      H: {range: [1, 4]}
    prompt: {en: "What is 1/{H}?", ja: "1/{H} はいくつか。"}
    answer: "1/H"
    explanation: {en: "By definition.", ja: "定義より。"}
    hint: []
  - id: bad-key
    topic: rnn
    type: choice
    source: original
    prompt: {en: "P", ja: "P"}
    options:
      - {key: a, text: A}
      - {key: b, text: B}
    answer: c
    explanation: X
  - id: bad-tanh
    topic: rnn
    type: numeric
    source: original
    params:
      x: {range: [-1, 1], step: 0.5}
    prompt: {en: "tanh({x})?", ja: "tanh({x}) は?"}
    answer: "tanh(x)"
    explanation: X
  - id: bad-name
    topic: rnn
    type: symbolic
    source: original
    prompt: P
    variables: [x]
    answer: "2*y"
    explanation: X
"""


def test_sample_validate_output_is_real(tmp_path):
    sample = next(body for lang, body in _fenced() if lang == "text" and body.startswith("bad.yaml:"))
    *lines, summary = sample.strip().splitlines()
    (tmp_path / "bad.yaml").write_text(BAD_FILE, encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "quizzer", "validate", "bad.yaml"], capture_output=True,
                            text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    assert result.stdout.splitlines() == lines
    assert result.stderr.strip() == summary
