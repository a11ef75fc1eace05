"""Instructors' class commands: ``gradescope`` (the autograder zip; what it runs on Gradescope is
``quizzer.authoring.gradescope.main``, without this layer).

Typed options plus one call into ``quizzer.authoring.gradescope``; the core raises QuizzerError,
which ``handle_errors`` turns into one line and exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from quizzer.cli.common import BankOption, LangOption, err_console, handle_errors, load
from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label


def gradescope(
    item_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="The exercises the autograder grades.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip to write.")] = Path("autograder.zip"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the zip if it exists.")] = False,
    hidden_cases: Annotated[int, typer.Option("--hidden-cases", min=0, help="The last N cases of each exercise are shown to students only once grades are published.")] = 0,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Build a Gradescope autograder (zip): setup.sh installs this quizzer, run_autograder grades each submission."""
    from quizzer import __version__
    from quizzer.authoring.gradescope import build_autograder
    from quizzer.bank.model import Exercise
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    loaded = load(bank)
    exercises = []
    for item_id in dict.fromkeys(item_ids):
        item = loaded.get(item_id)  # an unknown id names the close ones
        if not isinstance(item, Exercise):
            raise QuizzerError(label("not-exercise", language, id=item_id))
        exercises.append(item)
    path = build_autograder(exercises, output, force=force, hidden_cases=hidden_cases, lang=language)
    err_console.print(escape(label("gs-wrote", language, path=path, n=len(exercises), version=__version__)))


def register(app: typer.Typer) -> None:
    """Add gradescope to the quizzer app."""
    app.command("gradescope")(handle_errors(gradescope))


__all__ = ["register"]
