"""Loading bank files: typed values out, `path:line: problem` for everything malformed."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzer.bank import Problems, load_bank, read_files
from quizzer.bank.model import ChoiceSpec, NumericSpec, Question
from quizzer.errors import BankError, UnknownItemError

HEAD = "format_version: 1\nquestions:\n"
GOOD = """  - id: ok-one
    topic: rnn
    type: text
    source: original
    prompt: {en: P, ja: P}
    explanation: {en: E, ja: E}
    accept: {en: [okay]}
"""


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    read_files([path], problems)
    return [str(p).replace(str(path), "bank.yaml") for p in problems.items]


def test_fixture_bank_loads_into_typed_values(fixture_bank):
    bank = load_bank([str(fixture_bank)])
    choice = bank.get("mini-choice")
    assert isinstance(choice, Question) and isinstance(choice.spec, ChoiceSpec)
    assert choice.spec.answer == frozenset({"b"})
    assert choice.location.line == 3
    param = bank.get("mini-param")
    assert isinstance(param.spec, NumericSpec) and [p.name for p in param.params] == ["D", "H"]
    assert bank.get("mini-english-only").languages() == ("en",)
    assert bank.get("mini-text").languages() == ("en", "ja")


def test_unknown_id_suggests_close_ids(fixture_bank):
    bank = load_bank([str(fixture_bank)])
    with pytest.raises(UnknownItemError, match="did you mean mini-choice"):
        bank.get("mini-choise")


def test_unknown_key_is_reported_with_its_line(tmp_path):
    text = HEAD + GOOD + "    colour: red\n"
    assert problems_of(tmp_path, text) == ["bank.yaml:10: question 'ok-one': unknown key 'colour'"]


def test_misspelt_key_gets_a_suggestion(tmp_path):
    text = HEAD + GOOD.replace("explanation:", "explantion:")
    found = problems_of(tmp_path, text)
    assert "bank.yaml:8: question 'ok-one': unknown key 'explantion' (did you mean 'explanation'?)" in found
    assert "bank.yaml:3: question 'ok-one': missing required field 'explanation'" in found


def test_invalid_yaml_names_the_line(tmp_path):
    found = problems_of(tmp_path, HEAD + GOOD + "  - id: [unclosed\n")
    assert len(found) == 1 and found[0].startswith("bank.yaml:1") and "not valid YAML" in found[0]


def test_duplicate_ids_across_files_point_at_the_first(tmp_path):
    (tmp_path / "a.yaml").write_text(HEAD + GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(HEAD + GOOD, encoding="utf-8")
    problems = Problems()
    read_files([tmp_path / "a.yaml", tmp_path / "b.yaml"], problems)
    assert len(problems.items) == 1
    assert "id 'ok-one' is already used at" in str(problems.items[0]) and "a.yaml:3" in str(problems.items[0])


def test_choice_answer_must_be_an_option_key(tmp_path):
    text = HEAD + """  - id: bad-choice
    topic: rnn
    type: choice
    source: original
    prompt: P
    explanation: E
    options: [{key: a, text: x}, {key: b, text: y}]
    answer: c
"""
    assert problems_of(tmp_path, text) == ["bank.yaml:10: question 'bad-choice': answer 'c' is not one of the option keys (a, b)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("questions: []\n", "missing format_version"),
        ("format_version: 7\nquestions: []\n", "format_version 7 is not supported"),
        ("", "the file is empty"),
        ("format_version: 1\n", "neither questions nor exercises"),
        ("- just\n- a list\n", "must be a mapping"),
        (HEAD + GOOD.replace("ok-one", "Not_Kebab"), "must be kebab-case"),
        (HEAD + GOOD.replace("type: text", "type: essay"), "unknown type 'essay'"),
        (HEAD + GOOD.replace("{en: P, ja: P}", "{en: P, fr: P}"), "unknown language 'fr'"),
        (HEAD + GOOD + "    params: {D: {range: [5, 1]}}\n", "range [5, 1] is empty"),
    ],
)
def test_malformed_files_give_one_clear_problem(tmp_path, text, expected):
    found = problems_of(tmp_path, text)
    assert found and any(expected in p for p in found), found
    assert all(p.startswith("bank.yaml") for p in found)


def test_load_bank_raises_the_first_problem_as_bank_error(tmp_path):
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "x.yaml").write_text(HEAD + GOOD + "    colour: red\n", encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_bank([str(tmp_path)])
    assert info.value.exit_code == 2 and info.value.line == 10


def test_missing_bank_folder_is_an_input_error(tmp_path):
    with pytest.raises(BankError, match="no such bank folder"):
        load_bank([str(tmp_path / "nowhere")])


def test_quizzer_bank_environment_variable_selects_the_bank(fixture_bank, monkeypatch):
    monkeypatch.setenv("QUIZZER_BANK", str(fixture_bank))
    assert "mini-choice" in load_bank().items


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    difficulty: 4\n", "difficulty must be 1, 2 or 3, not 4"),
        ("    difficulty: easy\n", "difficulty must be 1, 2 or 3, not 'easy'"),
        ("    concepts: []\n", "concepts is empty"),
        ("    concepts:\n      - name: {en: N, ja: N}\n", "a concept lists no words"),
        ("    concepts:\n      - en: [okay]\n", "missing required field 'name'"),
    ],
)
def test_difficulty_and_concepts_are_checked(tmp_path, extra, expected):
    problems = problems_of(tmp_path, HEAD + GOOD + extra)
    assert any(expected in p for p in problems), problems


def test_difficulty_and_concepts_are_read(tmp_path):
    path = tmp_path / "bank.yaml"
    path.write_text(HEAD + GOOD + "    difficulty: 2\n    concepts:\n      - name: {en: N, ja: N}\n        en: [okay]\n        ja: [よし]\n", encoding="utf-8")
    problems = Problems()
    item = read_files([path], problems)["ok-one"]
    assert not problems.items
    assert item.difficulty == 2
    assert item.spec.concepts[0].all_synonyms() == ("okay", "よし")


@pytest.mark.parametrize(
    ("text", "japanese"),
    [
        ("questions: []\n", "format_version がありません"),
        ("format_version: 7\nquestions: []\n", "format_version 7 には対応していません"),
        ("", "ファイルが空です"),
        ("- just\n- a list\n", "問題集ファイル (YAML) はマッピング (key: value) で書いてください"),
        (HEAD + GOOD.replace("ok-one", "Not_Kebab"), "id 'Not_Kebab' はケバブケース"),
        (HEAD + GOOD.replace("{en: P, ja: P}", "{en: P, fr: P}"), "問題 'ok-one': prompt に未知の言語 'fr' があります。en か ja にしてください"),
        (HEAD + GOOD + "    params: {D: {range: [5, 1]}}\n", "問題 'ok-one': パラメータ D: range [5, 1] には値がありません"),
        (HEAD + GOOD.replace("explanation:", "explantion:"), "未知のキー 'explantion' です ('explanation' のことですか?)"),
        ("format_version: 1\nexercises:\n  - id: ex-one\n    seeds: [1]\n", "演習 'ex-one': seeds には整数を 3 つ以上並べてください"),
    ],
)
def test_every_bank_problem_reads_in_japanese_after_the_same_place(tmp_path, text, japanese):
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    read_files([path], problems)
    assert problems.items
    for problem in problems.items:
        english, ja = problem.text("en"), problem.text("ja")
        assert english == str(problem) and ja != english
        assert ja.startswith(f"{problem.where}: ") and english.startswith(f"{problem.where}: ")
    assert any(japanese in p.text("ja") for p in problems.items), [p.text("ja") for p in problems.items]


def test_a_missing_bank_folder_reads_in_japanese(tmp_path):
    with pytest.raises(BankError) as info:
        load_bank([str(tmp_path / "nowhere")])
    assert info.value.text("ja") == f"{tmp_path / 'nowhere'}: そのような問題集のフォルダーもファイルもありません"
