"""`quizzer list` as aligned lines: light imports only, so the cached list starts fast.

On a terminal the table fits its width: columns are dropped (language, level, kind, type, topic, in that
order) before a title would get fewer than ``MIN_TITLE`` columns, and a title that is still too long
wraps under itself. Piped (``quizzer list | grep``), every row is whole, on one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text as RichText

from quizzer.i18n.labels import label

MIN_TITLE = 30
TITLE_LINES = 2
_COLUMNS = ("id", "kind", "topic", "type", "difficulty", "languages")
_DROP_ORDER = ("languages", "difficulty", "kind", "type", "topic")
_HEADERS = {"id": "col-id", "kind": "col-kind", "topic": "topic", "type": "col-type", "difficulty": "level",
            "languages": "col-lang"}
_STYLES = {"id": "cyan", "languages": "dim"}
_SAME_NAME = re.compile(r"\b([A-Za-z_]\w*) = \{\1\}")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")


def readable_title(title: str) -> str:
    """A parameterised item's title without raw placeholders: "size H = {H}" reads "size H"."""
    return _PLACEHOLDER.sub(r"\1", _SAME_NAME.sub(r"\1", title))


def _cell(row: dict, column: str, lang: str) -> str:
    value = row.get(column)
    if column == "difficulty":
        return str(value or "-")
    if column == "kind":
        return label(f"kind-{value}", lang)
    return ",".join(value) if isinstance(value, (list, tuple)) else str(value)


def _cut(text: str, width: int) -> str:
    while cell_len(text) > width:
        text = text[:-1]
    return text


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_len(text))


def list_lines(rows: Sequence[dict], lang: str, width: int | None) -> RichText:
    """The item list (rows from quizzer.bank.index_entry); ``width`` None: piped, every row whole."""
    from quizzer.cli.prose import wrap

    columns = list(_COLUMNS)
    header = {c: label(_HEADERS[c], lang) for c in columns}
    widths = {c: max([cell_len(header[c])] + [cell_len(_cell(r, c, lang)) for r in rows]) for c in columns}

    def title_room() -> int:
        return (width or 0) - sum(widths[c] + 2 for c in columns)

    if width is not None:
        for column in _DROP_ORDER:
            if title_room() >= MIN_TITLE:
                break
            columns.remove(column)
    out = RichText()
    out.append("  ".join(_pad(header[c], widths[c]) for c in columns) + "  " + label("col-title", lang) + "\n",
               style="bold")
    indent = sum(widths[c] + 2 for c in columns)
    for row in rows:
        for column in columns:
            out.append(_pad(_cell(row, column, lang), widths[column]) + "  ", style=_STYLES.get(column, ""))
        title = readable_title(row["title"])
        if width is None or title_room() < 8:
            out.append(title + "\n")
            continue
        lines = wrap(title, title_room())
        if len(lines) > TITLE_LINES:  # a terminal row stays short; piped output has the whole title
            lines = lines[:TITLE_LINES]
            lines[-1] = _cut(lines[-1], title_room() - 1) + "…"
        out.append(lines[0] + "\n")
        for line in lines[1:]:
            out.append(" " * indent + line + "\n")
    return out
