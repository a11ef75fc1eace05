"""What every command shares: consoles, common options, and turning QuizzerError into a message + exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from quizzer.errors import QuizzerError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

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


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print a one-line error and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn the core's QuizzerError into its one-line message and exit code (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QuizzerError as exc:
            raise fail(_escape(exc.message), exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("\ninterrupted; everything answered so far is saved.")
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
