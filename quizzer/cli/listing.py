"""`quizzer list` as aligned lines: light imports only, so the cached list starts fast."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text as RichText

from quizzer.i18n.labels import label


def list_lines(rows: Sequence[dict], lang: str, width: int) -> RichText:
    """The item list (rows from quizzer.bank.index_entry) as aligned lines; a Rich Table is slow here."""
    header = ("id", "kind", label("topic", lang), "type", label("level", lang), "lang")
    cells = [(r["id"], r["kind"], r["topic"], r["type"], str(r.get("difficulty") or "-"), ",".join(r["languages"]), r["title"]) for r in rows]
    columns = len(header)
    widths = [max([len(header[i])] + [len(c[i]) for c in cells]) for i in range(columns)]
    rest = max(width - sum(widths) - 2 * columns - 1, 0)
    out = RichText()
    out.append("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "\n", style="bold")
    styles = ("cyan", "", "", "", "", "dim")
    for cell in cells:
        for i in range(columns):
            out.append(cell[i].ljust(widths[i]) + "  ", style=styles[i])
        summary = cell[columns]
        if rest > 3:
            out.append(summary if len(summary) <= rest else summary[: rest - 1] + "…")
        out.append("\n")
    return out
