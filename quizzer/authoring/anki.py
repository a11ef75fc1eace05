"""The bank as an Anki deck (.apkg), through genanki.

One note type per kind of item (choice with its options, numeric, symbolic, text, flashcard, and
code with its template in a monospaced block), so each card shows what that kind needs. Each note's
GUID, the identity Anki matches on import, is derived from the item id alone: importing a deck
built after the bank changed updates the existing notes instead of adding copies. Note types and
the deck have fixed ids for the same reason. Tags: ``quizzer``, ``topic::<topic>``,
``source::course`` or ``source::original``, and ``difficulty::<1-3>`` where the item has one.

A parameterised item is exported as one fixed serving (its values drawn with seed 0), and its card
says so: quizzer draws fresh values at every serving, Anki cannot.

genanki is imported here only, so only ``quizzer export --format anki`` needs it (the ``anki``
extra in pyproject.toml).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from quizzer.bank.filters import difficulty_of, is_course
from quizzer.bank.model import ChoiceSpec, Exercise, FlashcardSpec, Item, Question
from quizzer.bank.serve import Served, serve
from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label
from quizzer.i18n.text import LANGUAGES

DECK_NAME = "quizzer: RNN (JDLA E-qualification)"
FIXED_SEED = 0

CSS = """
.card { font-family: -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", sans-serif;
        font-size: 18px; text-align: left; color: black; background-color: white; }
.lang-ja { margin-top: .6em; }
pre, code { font-family: "DejaVu Sans Mono", Menlo, Consolas, "Noto Sans Mono CJK JP", monospace; }
pre { background: #f4f4f4; padding: .6em; border-radius: 4px; white-space: pre; overflow-x: auto; }
.options li { margin: .2em 0; }
.meta { color: #888; font-size: 13px; }
.fixed { color: #a06000; font-size: 14px; margin-top: .8em; }
.answer { font-weight: bold; color: #0a6a0a; }
"""

_LABELS = {
    "en": {"answer": "Answer", "explanation": "Explanation", "points": "Key points",
           "fixed": "One fixed serving: in quizzer the values change at every serving ({values}).",
           "fixed-unnamed": "One fixed serving: in quizzer the values change at every serving.",
           "fill": "Fill in ____", "write": "Write the function"},
    "ja": {"answer": "解答", "explanation": "解説", "points": "要点",
           "fixed": "固定した1通りの出題です。quizzer では出題のたびに値が変わります ({values})。",
           "fixed-unnamed": "固定した1通りの出題です。quizzer では出題のたびに値が変わります。",
           "fill": "____ を埋めてください", "write": "関数を書いてください"},
}

# note type -> extra fields after Id, Topic, Question; every type ends with Answer, Explanation, Info
_KINDS = {
    "choice": ("Options",),
    "numeric": (),
    "symbolic": (),
    "text": (),
    "flashcard": (),
    "code": ("Code",),
}


@dataclass(frozen=True)
class AnkiReport:
    path: Path
    notes: int


def stable_id(*parts: str) -> int:
    """A positive 31-bit id from text (Anki model and deck ids must stay the same across exports)."""
    digest = hashlib.sha256("|".join(("quizzer", *parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF | (1 << 30)


def note_guid(item_id: str) -> str:
    import genanki

    return str(genanki.guid_for("quizzer", item_id))


def kind_of(item: Item) -> str:
    return "code" if isinstance(item, Exercise) else item.type


def _models() -> dict:
    import genanki

    models = {}
    for kind, extra in _KINDS.items():
        fields = ["Id", "Topic", "Question", *extra, "Answer", "Explanation", "Info"]
        front = '<div class="meta">{{Topic}} · {{Id}}</div>{{Question}}'
        if "Options" in extra:
            front += '<ol class="options" type="a">{{Options}}</ol>'
        if "Code" in extra:
            front += "{{Code}}"
        back = front + '<hr id="answer"><div class="answer">{{Answer}}</div>{{Explanation}}{{Info}}'
        models[kind] = genanki.Model(
            stable_id("model", kind),
            f"quizzer {kind}",
            fields=[{"name": f} for f in fields],
            templates=[{"name": f"quizzer {kind}", "qfmt": front, "afmt": back}],
            css=CSS,
        )
    return models


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _prose(text: str) -> str:
    """Plain bank text as HTML: escaped, inline `code` monospaced, line breaks kept."""
    escaped = html.escape(text.strip())
    escaped = _CODE_SPAN.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    return escaped.replace("\n", "<br>")


def _pre(code: str) -> str:
    return f"<pre><code>{html.escape(code.rstrip())}</code></pre>"


def _in_langs(langs: Sequence[str], make) -> str:
    """``make(lang)`` for each language, one block per language (ja below en when both)."""
    parts = [make(lang) for lang in langs]
    if len(parts) == 1:
        return parts[0]
    return "".join(f'<div class="lang-{lang}">{part}</div>' for lang, part in zip(langs, parts) if part)


def _fixed_serving(item: Item) -> Served:
    served = serve(item, seed=FIXED_SEED)
    if isinstance(item, Question) and isinstance(item.spec, ChoiceSpec):
        served = replace(served, options=item.spec.options)  # the bank's own order: a, b, c as authored
    return served


def note_fields(item: Item, langs: Sequence[str]) -> tuple[str, list[str]]:
    """(note type, field values) of one item."""
    from quizzer.checking import checker_for

    served = _fixed_serving(item)
    kind = kind_of(item)
    question = _in_langs(langs, lambda lang: _prose(served.prompt(lang)))
    fields = [html.escape(item.id), html.escape(item.topic), question]
    if kind == "choice":
        fields.append("".join(
            f"<li>{_in_langs(langs, lambda lang, o=o: _prose(served.render(o.text, lang)))}</li>" for o in served.options
        ))
    if kind == "code":
        assert isinstance(item, Exercise)
        provided = _pre(item.provided) if item.provided.strip() else ""
        fields.append(provided + _pre(item.template))

    def answer(lang: str) -> str:
        expected = checker_for(item.type).expected(served, lang=lang)
        if kind == "code" or "\n" in expected:
            return _pre(expected)
        return _prose(expected)

    answer_html = _in_langs(langs, answer)
    if isinstance(item, Question) and isinstance(item.spec, FlashcardSpec) and item.spec.key_points:
        spec = item.spec

        def points(lang: str) -> str:
            bullets = "".join(f"<li>{_prose(served.render(p, lang))}</li>" for p in spec.key_points)
            return f"<div>{_LABELS[lang]['points']}:</div><ul>{bullets}</ul>"

        answer_html += _in_langs(langs, points)

    def explanation(lang: str) -> str:
        text = served.explanation(lang) if isinstance(item, Question) else item.explanation.get(lang)
        return f"<p>{_prose(text)}</p>" if text.strip() else ""

    info = ""
    if served.values:
        from quizzer.authoring.export import named_values

        def fixed(lang: str) -> str:
            named = named_values(served, lang)  # only the names the prompt shows (d = 7), never an author's lv
            text = _LABELS[lang]["fixed-unnamed"] if named is None else _LABELS[lang]["fixed"].format(values=named)
            return f'<div class="fixed">{html.escape(text)}</div>'

        info = _in_langs(langs, fixed)
    fields += [answer_html, _in_langs(langs, explanation), info]
    return kind, fields


def tags_of(item: Item) -> list[str]:
    tags = ["quizzer", f"topic::{item.topic}", f"source::{'course' if is_course(item.source) else 'original'}"]
    level = difficulty_of(item)
    if level is not None:
        tags.append(f"difficulty::{level}")
    return tags


def export_anki(items: Sequence[Item], path: Path, *, lang: str) -> AnkiReport:
    """Write ``items`` as an .apkg deck; ``lang`` is en, ja or both."""
    langs = list(LANGUAGES) if lang == "both" else [lang]
    try:
        import genanki
    except ImportError:
        raise QuizzerError(label("anki-needs-genanki", langs[0])) from None
    models = _models()
    deck = genanki.Deck(stable_id("deck"), DECK_NAME)
    for item in items:
        kind, fields = note_fields(item, langs)
        deck.add_note(genanki.Note(model=models[kind], fields=fields, tags=tags_of(item), guid=note_guid(item.id)))
    try:
        genanki.Package(deck).write_to_file(str(path))
    except OSError as exc:
        raise QuizzerError(label("cannot-write", langs[0], path=path, reason=exc.strerror or type(exc).__name__)) from None
    return AnkiReport(path=path, notes=len(items))


__all__ = ["AnkiReport", "export_anki", "note_fields", "note_guid", "stable_id", "tags_of"]
