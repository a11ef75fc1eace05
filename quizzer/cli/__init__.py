"""The command layer: the Typer app, one module per group of commands, and everything that prints.

Only this package imports typer or rich or writes to the terminal; the core packages return values
and raise ``QuizzerError``, and the commands here turn those into views and exit codes.
"""

from quizzer.cli.main import EXIT_OK, EXIT_USAGE, EXIT_WRONG, app, fail, run

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_WRONG", "app", "fail", "run"]
