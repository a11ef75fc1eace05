"""Printable and machine-readable exports of a bank: the markdown review sheet and plain JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from quizzer.bank.model import Exercise, Item, Question


def export_markdown(items: Sequence[Item], lang: str) -> str:
    """A printable review sheet: every item with its answer and explanation, grouped by topic."""
    from quizzer.bank.serve import letter, serve
    from quizzer.checking import checker_for

    ja = lang == "ja"
    out = ["# quizzer 復習シート" if ja else "# quizzer review sheet", ""]
    topics: dict[str, list[Item]] = {}
    for item in items:
        topics.setdefault(item.topic, []).append(item)
    for topic in sorted(topics):
        out += [f"## {topic}", ""]
        for item in topics[topic]:
            served = serve(item, seed=0)
            if isinstance(item, Question) and served.options:
                from dataclasses import replace

                served = replace(served, options=item.spec.options)  # type: ignore[union-attr]
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
                out += ["```python", item.template.rstrip(), "```", ""]
            expected = checker_for(item.type).expected(served, lang=lang)
            label = "解答" if ja else "Answer"
            if "\n" in expected:
                out += [f"**{label}:**", "", "```python", expected.rstrip(), "```", ""]
            else:
                out += [f"**{label}:** {expected}", ""]
            explanation = served.explanation(lang) if isinstance(item, Question) else item.explanation.get(lang)
            if explanation:
                out += [f"**{'解説' if ja else 'Explanation'}:** {explanation.strip()}", ""]
            if served.values:
                shown = ", ".join(f"{k} = {v}" for k, v in served.values.items())
                out += [f"*({'出題ごとに値が変わります。この例では' if ja else 'Values change at every serving; here'} {shown})*", ""]
    return "\n".join(out).rstrip() + "\n"


def export_json(items: Sequence[Item], lang: str) -> list[dict[str, Any]]:
    """The bank as plain JSON (texts in the chosen language, answers included)."""
    from quizzer.bank.serve import serve
    from quizzer.checking import checker_for

    rows = []
    for item in items:
        served = serve(item, seed=0)
        row: dict[str, Any] = {
            "id": item.id,
            "kind": item.kind,
            "topic": item.topic,
            "type": item.type,
            "source": item.source,
            "languages": list(item.languages()),
            "prompt": served.prompt(lang),
            "answer": checker_for(item.type).expected(served, lang=lang),
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
