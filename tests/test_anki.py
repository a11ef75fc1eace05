"""`quizzer export --format anki`: the .apkg opened as the zip and SQLite it is."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import genanki  # the `anki` extra; the `test` extra installs it too
from conftest import run_cli

SEP = "\x1f"  # Anki's field separator


def _open_deck(path: Path, tmp_path: Path) -> sqlite3.Connection:
    assert zipfile.is_zipfile(path)
    with zipfile.ZipFile(path) as deck:
        assert {"collection.anki2", "media"} <= set(deck.namelist())
        target = tmp_path / f"{path.stem}-collection.anki2"
        target.write_bytes(deck.read("collection.anki2"))
    return sqlite3.connect(target)


def _notes(conn: sqlite3.Connection) -> dict[str, dict]:
    """Notes by item id (the first field): guid, note type name, tags, fields."""
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    names = {int(mid): model["name"] for mid, model in models.items()}
    out = {}
    for guid, mid, tags, flds in conn.execute("SELECT guid, mid, tags, flds FROM notes"):
        fields = flds.split(SEP)
        out[fields[0]] = {"guid": guid, "model": names[mid], "tags": set(tags.split()), "fields": fields}
    return out


def test_the_whole_bank_as_a_deck_with_note_types_tags_and_stable_ids(tmp_path):
    deck = tmp_path / "deck.apkg"
    out = run_cli("export", "--format", "anki", "-o", str(deck))
    assert out.returncode == 0, out.stderr
    listed = {r["id"]: r for r in json.loads(run_cli("list", "--json").stdout)}
    assert f"wrote {len(listed)} notes to {deck}" in out.stderr
    notes = _notes(_open_deck(deck, tmp_path))
    assert set(notes) == set(listed)
    assert {n["model"] for n in notes.values()} == {
        "quizzer choice", "quizzer numeric", "quizzer symbolic", "quizzer text", "quizzer flashcard", "quizzer code",
    }
    for item_id, note in notes.items():
        row = listed[item_id]
        source = "original" if row["source"] == "original" else "course"
        assert {"quizzer", f"topic::{row['topic']}", f"source::{source}", f"difficulty::{row['difficulty']}"} <= note["tags"]
        assert note["guid"] == genanki.guid_for("quizzer", item_id)
        expected_model = "quizzer code" if row["kind"] == "exercise" else f"quizzer {row['type']}"
        assert note["model"] == expected_model
    code = notes["lstm-cell"]["fields"]
    assert any("<pre><code>" in f for f in code), "code is shown in a monospaced block"
    choice = next(n for n in notes.values() if n["model"] == "quizzer choice")
    assert choice["fields"][3].count("<li>") >= 3, "the options are on the card"
    parameterised = [i for i, r in listed.items() if r["parameterised"]]
    assert parameterised and all("One fixed serving" in notes[i]["fields"][-1] for i in parameterised)
    assert all("fixed serving" not in notes[i]["fields"][-1] for i, r in listed.items() if not r["parameterised"])

    again = tmp_path / "again.apkg"
    run_cli("export", "--format", "anki", "-o", str(again))
    assert {i: n["guid"] for i, n in _notes(_open_deck(again, tmp_path)).items()} == {i: n["guid"] for i, n in notes.items()}


def test_an_export_after_an_edit_updates_the_same_note(tmp_path):
    bank = tmp_path / "b.yaml"
    text = (
        "format_version: 1\nquestions:\n  - id: edit-me\n    topic: rnn\n    type: numeric\n    source: original\n"
        "    prompt: {en: 'How many weights does a scalar RNN have?', ja: 'スカラーの RNN の重みはいくつか。'}\n"
        "    answer: '3'\n    explanation: {en: 'Input, recurrent, output.', ja: '入力、再帰、出力。'}\n"
    )
    bank.write_text(text, encoding="utf-8")
    first = tmp_path / "first.apkg"
    assert run_cli("export", "-f", "anki", "-o", str(first), "--bank", str(bank)).returncode == 0
    bank.write_text(text.replace("How many weights", "How many weight matrices"), encoding="utf-8")
    second = tmp_path / "second.apkg"
    assert run_cli("export", "-f", "anki", "-o", str(second), "--bank", str(bank)).returncode == 0
    before = _notes(_open_deck(first, tmp_path))["edit-me"]
    after = _notes(_open_deck(second, tmp_path))["edit-me"]
    assert before["guid"] == after["guid"] and before["model"] == after["model"]
    assert "How many weights" in before["fields"][2] and "How many weight matrices" in after["fields"][2]
    models = [json.loads(_open_deck(p, tmp_path).execute("SELECT models FROM col").fetchone()[0]) for p in (first, second)]
    assert set(models[0]) == set(models[1]), "note type ids stay the same, so Anki updates instead of duplicating"


def test_languages_and_filters(tmp_path):
    both = tmp_path / "both.apkg"
    assert run_cli("export", "-f", "anki", "-o", str(both), "--lang", "both", "--source", "course").returncode == 0
    notes = _notes(_open_deck(both, tmp_path))
    assert len(notes) == 19 and all("source::course" in n["tags"] for n in notes.values())
    prompt = notes["lstm-which-gate"]["fields"][2]
    assert 'class="lang-en"' in prompt and 'class="lang-ja"' in prompt
    ja = tmp_path / "ja.apkg"
    assert run_cli("export", "-f", "anki", "-o", str(ja), "--lang", "ja", "--topic", "gru").returncode == 0
    notes = _notes(_open_deck(ja, tmp_path))
    assert notes and all("topic::gru" in n["tags"] for n in notes.values())
    assert any("ゲート" in n["fields"][2] for n in notes.values())


def test_bad_anki_requests_are_one_line_and_exit_2(tmp_path):
    missing = run_cli("export", "-f", "anki")
    assert missing.returncode == 2 and "give it with -o" in missing.stderr
    both = run_cli("export", "-f", "markdown", "--lang", "both")
    assert both.returncode == 2 and "--lang both is for the Anki export only" in both.stderr
    unwritable = run_cli("export", "-f", "anki", "-o", str(tmp_path / "no-such-dir" / "deck.apkg"))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr and "Traceback" not in unwritable.stderr
    fmt = run_cli("export", "-f", "apkg", "--lang", "ja")
    assert fmt.returncode == 2 and "形式 'apkg' はありません" in fmt.stderr
