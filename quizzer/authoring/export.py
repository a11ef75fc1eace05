"""Printable and machine-readable exports of a bank: the markdown review sheet and plain JSON.

Both serve every item once with a seed taken from its id (``sheet_seed``): its options appear in a
shuffled order that is the same at every export (authored order would put most right answers under
"a"), and its parameters take one fixed set of values. Numbers are written as the question shows them:
a parameter 2 as "2", and a decimal answer to as many places as its tolerance asks for.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from quizzer.bank.model import Exercise, Item, NumericSpec, Question

if TYPE_CHECKING:
    from quizzer.bank.serve import Served


def sheet_seed(item: Item) -> int:
    """A serving seed fixed by the item's id, so that every export shows the same order and values."""
    return int.from_bytes(hashlib.sha256(item.id.encode("utf-8")).digest()[:4], "big")


def shown_answer(served: Served, lang: str) -> str:
    """The answer as the sheet prints it: a toleranced decimal to the places the tolerance implies."""
    from quizzer.checking import checker_for

    item = served.item
    if isinstance(item, Question) and isinstance(item.spec, NumericSpec) and item.spec.answer is not None and item.spec.abs_tol:
        from quizzer.checking.numeric import expected_value

        places = max(0, -math.floor(math.log10(2 * item.spec.abs_tol) + 1e-9))
        unit = f" {served.render(item.spec.unit, lang)}" if item.spec.unit else ""
        return f"{float(expected_value(served)):.{places}f}{unit}"
    return checker_for(item.type).expected(served, lang=lang)


def named_values(served: Served, lang: str) -> str | None:
    """``d = 7, H = 3`` for the parameters the prompt itself names as symbols (``d``), None when it
    names none: a parameter that is only a number in the prompt (``lv``, ``ep`` behind "log σ² = 2")
    is an author's name a learner never sees."""
    from quizzer.bank.serve import format_value

    # The Japanese prompt when there is one: a Latin letter standing alone there is a symbol, whereas
    # "a" in an English sentence is an article.
    prompt = served.item.prompt
    template = prompt.get("ja") if "ja" in prompt.languages() else prompt.get("en")
    template = re.sub(r"\{[^{}]*\}", " ", template)
    named = [(name, value) for name, value in served.values.items()
             if re.search(rf"(?<![\w.]){re.escape(name)}(?![\w(])", template)]
    if not named:
        return None
    return ("、" if lang == "ja" else ", ").join(f"{n} = {format_value(v)}" for n, v in named)


def values_line(served: Served, lang: str) -> str:
    """The sheet's note under a parameterised item, as a person would write it: ``here d = 7`` for the
    parameters the prompt names, else a pointer to the numbers shown above."""
    from quizzer.i18n.labels import label

    named = named_values(served, lang)
    return label("sheet-values-shown", lang) if named is None else label("sheet-values-named", lang, values=named)


def export_markdown(items: Sequence[Item], lang: str) -> str:
    """A printable review sheet: every item with its answer and explanation, grouped by topic."""
    from quizzer.bank.serve import letter, serve

    ja = lang == "ja"
    out = ["# quizzer 復習シート" if ja else "# quizzer review sheet", ""]
    topics: dict[str, list[Item]] = {}
    for item in items:
        topics.setdefault(item.topic, []).append(item)
    for topic in sorted(topics):
        out += [f"## {topic}", ""]
        for item in topics[topic]:
            served = serve(item, seed=sheet_seed(item))
            title = item.title.get(lang) if item.title else ""
            out.append(f"### {item.id}" + (f": {title}" if title else ""))
            out.append("")
            out.append(served.prompt(lang).strip())
            out.append("")
            if served.options:
                for i, option in enumerate(served.options):
                    out.append(f"- {letter(i)}) {served.render(option.text, lang)}")
                out.append("")
            if isinstance(item, Exercise):
                out += ["```python", item.template_for(lang).rstrip(), "```", ""]
            expected = shown_answer(served, lang)
            label = "解答" if ja else "Answer"
            if "\n" in expected:
                out += [f"**{label}:**", "", "```python", expected.rstrip(), "```", ""]
            else:
                out += [f"**{label}:** {expected}", ""]
            explanation = served.explanation(lang) if isinstance(item, Question) else item.explanation.get(lang)
            if explanation:
                out += [f"**{'解説' if ja else 'Explanation'}:** {explanation.strip()}", ""]
            if served.values:
                out += [f"*({values_line(served, lang)})*", ""]
    return "\n".join(out).rstrip() + "\n"


def export_json(items: Sequence[Item], lang: str) -> list[dict[str, Any]]:
    """The bank as plain JSON (texts in the chosen language, answers included)."""
    from quizzer.bank.serve import serve

    rows = []
    for item in items:
        served = serve(item, seed=sheet_seed(item))
        row: dict[str, Any] = {
            "id": item.id,
            "kind": item.kind,
            "topic": item.topic,
            "type": item.type,
            "source": item.source,
            "languages": list(item.languages()),
            "prompt": served.prompt(lang),
            "answer": shown_answer(served, lang),
            "explanation": served.explanation(lang) if isinstance(item, Question) else item.explanation.get(lang),
            "hints": [h.get(lang) for h in item.hints],
            "tags": list(item.tags),
        }
        if served.options:
            row["options"] = {o.key: o.text.get(lang) for o in served.options}
        if item.params:
            row["example_values"] = served.values
        rows.append(row)
    return rows
