"""Jupyter notebooks as submissions: the code cells in order, as one Python file.

A notebook is read as "Restart & Run All" would run it, minus what is not Python: IPython line
magics (``%matplotlib inline``), shell escapes (``!pip install ...``, ``files = !ls``), help
lookups (``np.dot?``) and cell magics whose body is not Python (``%%bash``, ``%%writefile``) become
``pass`` lines or comments, so nothing is executed outside the sandbox and line numbers stay put.
``%%time``-style cell magics keep their body, which is Python. Outputs are ignored.

The file is read as plain JSON and checked against the shape of nbformat 4 (``cells`` of
``cell_type``/``source``) rather than with the ``nbformat`` library: its validation imports
jsonschema (about 2 s on the course machines) and a grader needs none of it. Every cell keeps a
``# %% [cell N]`` marker, so a traceback's line in the joined source points back at its cell.

``notebook(...)`` writes the other direction: an exercise as a fresh v4 notebook.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label

if TYPE_CHECKING:
    from quizzer.bank.model import Exercise

__all__ = ["NOTEBOOK_SUFFIX", "NotebookError", "cell_line", "exercise_notebook", "is_notebook", "line_label", "notebook",
           "notebook_source"]

NOTEBOOK_SUFFIX = ".ipynb"
CELL_MARKER = "# %% [cell {n}]"
_MARKER = re.compile(r"# %% \[cell (\d+)\]")

# cell magics whose body is Python that would run anyway; every other %%magic's body is not Python
# (%%bash, %%html, %%writefile, %%script ...) and is commented out whole
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "markdown_skip"})
_ESCAPE = re.compile(r"^(?P<indent>[ \t]*)(?:[!%]|(?P<target>[\w.,\s\[\]()*]+?)\s*=\s*[!%])")
_HELP = re.compile(r"^[ \t]*(?:\?{1,2}[\w.]+|[\w.]+\?{1,2})[ \t]*$")


class NotebookError(QuizzerError):
    """A notebook that cannot be graded: not JSON, not nbformat 4, no code, a cell that does not parse."""


def is_notebook(path: object) -> bool:
    return str(path).lower().endswith(NOTEBOOK_SUFFIX)


def _say(key: str, lang: str, **values: object) -> str:
    return label(key, lang, **values)


def _text(source: object) -> str | None:
    """A cell's ``source``: a string or a list of strings (nbformat allows both)."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return None


def _cells(data: bytes | str, name: str, lang: str) -> list[dict]:
    """The notebook's cells, after checking the v4 structure; NotebookError otherwise."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        nb = json.loads(data)
    except UnicodeDecodeError:
        raise NotebookError(_say("nb-not-utf8", lang, name=name)) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise NotebookError(_say("nb-not-json", lang, name=name, line=line or 1)) from None
    except RecursionError:  # nested past the parser's depth: no notebook is
        raise NotebookError(_say("nb-not-notebook", lang, name=name)) from None
    if not isinstance(nb, dict) or ("cells" not in nb and "worksheets" not in nb and "nbformat" not in nb):
        raise NotebookError(_say("nb-not-notebook", lang, name=name))
    version = nb.get("nbformat")
    if version != 4:
        if isinstance(version, int) and not isinstance(version, bool):
            raise NotebookError(_say("nb-old-format", lang, name=name, version=version))
        raise NotebookError(_say("nb-not-notebook", lang, name=name))
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise NotebookError(_say("nb-bad-structure", lang, name=name, what="cells"))
    for index, cell in enumerate(cells, 1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str) \
                or _text(cell.get("source", "")) is None:
            raise NotebookError(_say("nb-bad-cell", lang, name=name, cell=index))
    return cells


def neutralise(code: str) -> str:
    """One code cell with IPython syntax made inert, line for line (the line count never changes)."""
    lines = code.split("\n")
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if first[2:].strip() else ""
        if magic in _PYTHON_CELL_MAGICS:
            return "\n".join([f"pass  # {lines[0].strip()}", *lines[1:]])
        return "\n".join(f"# {line}" if line else "#" for line in lines)
    out = []
    continued = False  # the previous escape line ended with a backslash: this one belongs to it
    for line in lines:
        match = _ESCAPE.match(line)
        if continued or match is not None or _HELP.match(line):
            indent = match.group("indent") if match is not None else re.match(r"[ \t]*", line).group(0)  # type: ignore[union-attr]
            if continued:
                out.append(f"# {line}" if line.strip() else "#")
            else:
                out.append(f"{indent}pass  # {line.strip()}")
            continued = line.rstrip().endswith("\\")
        else:
            out.append(line)
    return "\n".join(out)


def notebook_source(data: bytes | str, *, name: str = "notebook.ipynb", lang: str = "en") -> str:
    """The notebook's code cells, in order and neutralised, joined as one Python source.

    Raises NotebookError (one line, naming the file) for a file that is not JSON, not nbformat 4,
    has no code, or has a code cell that does not parse (its cell number and line).
    """
    cells = _cells(data, name, lang)
    parts: list[str] = []
    for number, cell in enumerate(cells, 1):
        if cell["cell_type"] != "code":
            continue
        code = _text(cell.get("source", "")) or ""
        if not code.strip():
            continue
        try:
            ast.parse(code)  # plain Python (a `% b` continuation line included) is kept exactly as written
        except (SyntaxError, ValueError):
            code = neutralise(code)
            try:
                ast.parse(code)
            except SyntaxError as exc:
                raise NotebookError(_say("nb-cell-syntax", lang, name=name, cell=number, line=exc.lineno or 1,
                                         message=exc.msg)) from None
            except ValueError as exc:  # a NUL byte
                raise NotebookError(_say("nb-cell-syntax", lang, name=name, cell=number, line=1,
                                         message=str(exc))) from None
        parts.append(CELL_MARKER.format(n=number) + "\n" + code.rstrip() + "\n")
    if not parts:
        raise NotebookError(_say("nb-no-code", lang, name=name))
    return "\n".join(parts)


def cell_line(source: str, line: int) -> tuple[int, int] | None:
    """Where line ``line`` of a joined notebook source comes from: (cell number, line in that cell)."""
    lines = source.split("\n")
    for index in range(min(line, len(lines)) - 1, -1, -1):
        found = _MARKER.fullmatch(lines[index])
        if found:
            return int(found.group(1)), line - index - 1
    return None


def line_label(source: str, lang: str) -> Callable[[int], str]:
    """Words for a line of the joined source: "11 of cell 3" (a sentence puts "line" before it)."""

    def label_for(line: int) -> str:
        where = cell_line(source, line)
        return str(line) if where is None else _say("nb-line", lang, cell=where[0], line=where[1])

    return label_for


def _lines(text: str) -> list[str]:
    """A cell's source as nbformat writes it: lines keeping their newline, the last without one."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


def notebook(cells: Sequence[tuple[str, str]]) -> str:
    """A v4 notebook (as JSON text) of ``(cell_type, source)`` cells, "markdown" or "code"."""
    out = []
    for kind, source in cells:
        cell: dict = {"cell_type": kind, "metadata": {}, "source": _lines(source.rstrip("\n"))}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    nb = {
        "cells": out,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    # nbformat 4.5 wants an id per cell
    for index, cell in enumerate(out):
        cell["id"] = f"quizzer-{index}"
    return json.dumps(nb, ensure_ascii=False, indent=1) + "\n"


def exercise_notebook(exercise: Exercise, lang: str = "en") -> str:
    """The exercise as a notebook: instructions, the provided helpers, the code to fill, how to grade."""
    from quizzer.bank.model import BLANK

    intro = f"# {exercise.id}: {exercise.title.get(lang)}\n\n{exercise.prompt.get(lang).strip()}"
    cells: list[tuple[str, str]] = [("markdown", intro)]
    if exercise.provided.strip():
        cells.append(("markdown", _say("nb-provided", lang)))
        cells.append(("code", exercise.provided.strip()))
    todo = _say("nb-fill-blank" if exercise.type == "blank" else "nb-write-fn", lang, blank=BLANK, entry=exercise.entry)
    cells.append(("markdown", todo))
    cells.append(("code", exercise.template.strip()))
    cells.append(("markdown", _say("nb-how-to-grade", lang, id=exercise.id)))
    return notebook(cells)
