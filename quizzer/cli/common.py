"""What every command shares: consoles, common options, and turning QuizzerError into a message + exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from quizzer.errors import QuizzerError

# No emoji codes: bank text is printed as written (":x:" stays three characters), and rich loads its
# 3,600-entry emoji table only when a console replaces them.
console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_WRONG, EXIT_USAGE = 0, 1, 2

BankOption = Annotated[
    list[str] | None,
    typer.Option(
        "--bank",
        help="Bank folder or file to use instead of the built-in bank (repeatable; `builtin` names the built-in one). "
        "Default: $QUIZZER_BANK, else the built-in bank.",
        show_default=False,
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option("--lang", "-l", help="Language of the texts: en or ja (default: $QUIZZER_LANG, else en).", show_default=False),
]
SourceOption = Annotated[
    str | None,
    typer.Option(
        "--source",
        "-s",
        help="course (the course's own confirmation tests and exercise challenges), original (the bank's additions) or all (default).",
        show_default=False,
    ),
]
DifficultyOption = Annotated[
    list[int] | None,
    typer.Option(
        "--difficulty",
        "-d",
        help="Only items of this difficulty, 1 to 3 (repeatable); items without a difficulty are left out.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a rendering.")]


def fail(message: str, code: int = EXIT_USAGE, *, lang: str = "en") -> typer.Exit:
    """Print a one-line error (``message`` is Rich markup) and return the Exit to raise."""
    from quizzer.i18n.labels import label

    err_console.print(f"[bold red]{label('error', lang)}:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def user_language(lang: object = None) -> str:
    """The learner's language for messages: ``--lang``, else $QUIZZER_LANG, else English (never raises)."""
    from quizzer.i18n.text import resolve_language

    try:
        return resolve_language(lang if isinstance(lang, str) else None)
    except QuizzerError:
        try:
            return resolve_language(None)
        except QuizzerError:
            return "en"


def handle_errors(func: F) -> F:
    """Turn the core's QuizzerError into its one-line message, in the learner's language, and exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QuizzerError as exc:
            lang = user_language(kwargs.get("lang"))
            raise fail(_escape(exc.text(lang)), exc.exit_code, lang=lang) from None
        except KeyboardInterrupt:
            from quizzer.i18n.labels import label

            err_console.print("\n" + label("interrupted", user_language(kwargs.get("lang"))), markup=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:  # e.g. `quizzer list | head`
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


def load(bank: list[str] | None):
    """Load the bank in use (imported lazily: commands that need no bank never pay for it)."""
    from quizzer.bank import load_bank

    return load_bank(bank)


def print_json(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def plain_help() -> None:
    """`--help` as a reader wants it, for every command (also those other modules register):

    - the command list shows each command's whole first sentence, wrapped, not cut at 45 characters;
    - an argument reads ``ID``, not ``{ID}``; an option's value reads ``--format FORMAT``, not
      ``--format <str>`` (the placeholders click and typer print for plain help).
    Typer offers no setting for these, so the three methods are wrapped once, here.
    """
    import re

    import typer.core

    # typer 0.26 and later carry their own copy of click (typer._click) and no longer install click:
    # the classes to wrap are that copy's.
    from typer import _click as click

    if getattr(typer.core.TyperArgument, "_quizzer_plain", False):
        return
    short_help = click.Command.get_short_help_str
    argument_metavar = typer.core.TyperArgument.make_metavar
    option_metavar = typer.core.TyperOption.make_metavar
    type_word = re.compile(r"^<[\w ]+>$|^[A-Z]+(?: RANGE)?$")

    def whole_short_help(self: click.Command, limit: int = 45) -> str:
        return short_help(self, limit=1000)

    def argument(self: Any, ctx: Any, *, usage: bool = False) -> str:
        var = argument_metavar(self, ctx, usage=usage)
        return var[1:-1] if var.startswith("{") and var.endswith("}") else var

    def option(self: Any, ctx: Any) -> str:
        var = option_metavar(self, ctx)
        if self.metavar is None and type_word.match(var) and not hasattr(self.type, "choices"):
            return (self.name or "value").rstrip("_").upper()
        return var

    for cls in (click.Command, typer.core.TyperCommand, typer.core.TyperGroup):
        cls.get_short_help_str = whole_short_help  # type: ignore[method-assign]
    typer.core.TyperArgument.make_metavar = argument  # type: ignore[method-assign]
    typer.core.TyperOption.make_metavar = option  # type: ignore[method-assign]
    typer.core.TyperArgument._quizzer_plain = True  # type: ignore[attr-defined]
