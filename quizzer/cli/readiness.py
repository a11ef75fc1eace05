"""The readiness part of `quizzer stats`: per-topic figures, the overall figure and what to study next."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text as RichText

from quizzer.cli.render import bar
from quizzer.i18n.labels import label
from quizzer.progress.readiness import Readiness


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def readiness_view(figures: Readiness, lang: str) -> list:
    table = Table(box=box.SIMPLE_HEAVY, title=label("readiness", lang), title_justify="left", title_style="bold")
    table.add_column(label("topic", lang))
    table.add_column(label("recall", lang), justify="right")
    table.add_column(label("coverage", lang), justify="right")
    table.add_column(label("exam-scores", lang), justify="right")
    table.add_column(label("readiness", lang), justify="right")
    table.add_column("", no_wrap=True)
    for row in figures.per_topic:
        colour = "green" if row.readiness >= 0.7 else "yellow" if row.readiness >= 0.4 else "red"
        table.add_row(row.topic, _percent(row.recall), _percent(row.seen), _percent(row.exam),
                      _percent(row.readiness), bar(row.readiness, 16, colour))
    parts: list = [table, RichText(label("readiness-overall", lang, value=_percent(figures.overall)), style="bold")]
    if figures.study_next:
        parts.append(RichText(label("study-next", lang), style="bold"))
        for row in figures.study_next:
            parts.append(RichText("  • " + label("study-next-line", lang, topic=row.topic, value=_percent(row.readiness), command=row.command)))
    return parts
