"""The one exception family the core raises; the command layer turns it into a message."""

from __future__ import annotations

USAGE = 2  # exit code for usage or input errors, as documented in the README


class QuizzerError(Exception):
    """A problem the user can act on: one line of text and an exit code."""

    exit_code: int = USAGE

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class BankError(QuizzerError):
    """A bank file is malformed; rendered as ``path:line: message``."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.problem = message
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


class UnknownItemError(QuizzerError):
    """No question or exercise has the requested id."""


class AnswerError(QuizzerError):
    """The learner's answer could not be read (unparsable, refused syntax, too long...)."""


class StoreError(QuizzerError):
    """The progress database is unusable (damaged, foreign, newer schema)."""
