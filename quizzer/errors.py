"""The one exception family the core raises; the command layer turns it into a message."""

from __future__ import annotations

USAGE = 2  # exit code for usage or input errors, as documented in the README


class QuizzerError(Exception):
    """A problem the user can act on: one line of text and an exit code.

    Raise it with a catalogue key and named values (``QuizzerError.of("no-such-file", path=p)``) when a
    learner may read it: the command layer renders ``key`` in the learner's language through
    ``quizzer.i18n.labels``, and ``message`` holds the English text for logs and tests. A plain
    message (``QuizzerError("...")``) is only for the few programming errors tests/test_terminal.py
    allows; a value that is itself a catalogue sentence is a ``Phrase``.
    """

    exit_code: int = USAGE
    key: str | None = None
    params: dict[str, object]

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = {}
        if exit_code is not None:
            self.exit_code = exit_code

    @classmethod
    def of(cls, key: str, *, exit_code: int | None = None, **params: object):
        """The error ``key`` of the catalogue, with its named values (its English text as ``message``)."""
        from quizzer.i18n.labels import label

        error = cls(label(key, "en", **params), exit_code=exit_code)
        error.key = key
        error.params = params
        return error

    def text(self, lang: str) -> str:
        """The message in ``lang`` (the catalogue's text when the error has a key)."""
        if self.key is None:
            return self.message
        return _render(self.key, lang, self.params)

    def __str__(self) -> str:
        return self.message


class Phrase:
    """A sentence of the catalogue used as a value inside another (a hint, an action): rendered in the
    language of the message that holds it."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values

    def render(self, lang: str) -> str:
        return _render(self.key, lang, self.values)

    def __str__(self) -> str:
        return self.render("en")


class BankError(QuizzerError):
    """A bank file is malformed; rendered as ``path:line: problem`` in the reader's language.

    The core builds it with a catalogue key and named values (``BankError.at(path, line, key, ...)``);
    ``problem`` and ``message`` hold the English text for logs and tests, ``text(lang)`` the rendered line.
    """

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.problem = message
        super().__init__(f"{self.where}: {message}")

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @classmethod
    def at(cls, path: str, line: int | None, key: str, /, **params: object) -> BankError:
        """The problem ``key`` of the catalogue at ``path:line``, with its named values."""
        error = cls(path, line, _render(key, "en", params))
        error.key = key
        error.params = params
        return error

    def text(self, lang: str) -> str:
        if self.key is None:
            return self.message
        return f"{self.where}: {_render(self.key, lang, self.params)}"


def _render(key: str, lang: str, params: dict[str, object]) -> str:
    """``key`` in ``lang``; a value that is a Phrase or a QuizzerError is rendered in the same language."""
    from quizzer.i18n.labels import label

    def value(v: object) -> object:
        if isinstance(v, Phrase):
            return v.render(lang)
        if isinstance(v, QuizzerError):
            return v.text(lang)
        return v

    return label(key, lang, **{k: value(v) for k, v in params.items()})


class UnknownItemError(QuizzerError):
    """No question or exercise has the requested id."""


class AnswerError(QuizzerError):
    """The learner's answer could not be read (unparsable, refused syntax, too long...)."""


class StoreError(QuizzerError):
    """The progress database is unusable (damaged, foreign, newer schema)."""
