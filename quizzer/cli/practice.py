"""The interactive practice/review loop in the terminal: reads answers, renders verdicts.

Works in a real terminal and with answers piped on standard input, one per line. At every prompt:
``?`` (or ``hint``) shows the next hint, ``skip`` moves on, ``quit`` ends the session; end of input
ends it too. An answer that cannot be read is explained and asked again, and is not counted.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape
from rich.rule import Rule

from quizzer.bank.model import Exercise
from quizzer.bank.serve import Served
from quizzer.checking.flashcard import RATINGS
from quizzer.cli import render
from quizzer.errors import AnswerError
from quizzer.i18n.labels import label
from quizzer.progress.session import Session

HINT_WORDS = ("?", "hint", "ヒント")
SKIP_WORDS = ("skip", "スキップ")
QUIT_WORDS = ("quit", "exit", ":q", "終了")

class _Quit(Exception):
    pass


class PracticeUI:
    def __init__(self, session: Session, console: Console, read: Callable[[str], str] | None = None) -> None:
        self.session = session
        self.console = console
        self.lang = session.lang
        self._read = read or self._terminal_read

    def t(self, key: str, **values: object) -> str:
        return label(key, self.lang, **values)

    def run(self) -> None:
        """Serve every item; quit, end of input and Ctrl-C all end with the summary (Ctrl-C then re-raised)."""
        total = len(self.session.items)
        interrupted = False
        try:
            for number, served in enumerate(self.session, start=1):
                self.console.print()
                self.console.print(render.item_panel(served, self.lang, position=f"{number}/{total}"))
                self.console.print(f"[dim]{escape(self.t('controls'))}[/]")
                self.ask(served)
        except _Quit:
            pass
        except KeyboardInterrupt:
            interrupted = True
        finally:
            self.session.finish()
        self.print_summary()
        if interrupted:
            raise KeyboardInterrupt

    def _terminal_read(self, prompt: str) -> str:
        if sys.stdin.isatty():
            _line_editing()
            with self.console.capture() as captured:
                self.console.print(prompt, end="")
            # readline must know the prompt to redraw the line; \001..\002 mark its colours as zero-width
            return input(_ANSI.sub("\001\\1\002", captured.get()))
        self.console.print(prompt, end="")
        line = sys.stdin.readline()
        if not line:
            self.console.print()
            raise EOFError
        self.console.print(escape(line.rstrip("\n")), highlight=False)  # piped answers appear in the transcript
        return line.rstrip("\n")

    def read(self, prompt: str) -> str:
        try:
            line = self._read(f"[bold cyan]{escape(prompt)}[/] › ")
        except EOFError:
            raise _Quit from None
        line = _ANSI.sub("", line)  # arrow keys typed where no line editing exists: never part of an answer
        if line.strip().lower() in QUIT_WORDS:
            raise _Quit
        return line

    def show_hint(self, hints: list[str], shown: int) -> int:
        """Print the next hint (or say there is none); returns how many hints have been shown."""
        if shown < len(hints):
            self.console.print(render.hint_line(hints[shown], shown + 1, len(hints), self.lang))
            return shown + 1
        self.console.print(f"[yellow]{escape(self.t('no-more-hints' if hints else 'no-hints-here'))}[/]")
        return shown

    def ask(self, served: Served) -> None:
        item = served.item
        hints = served.hints(self.lang)
        shown = 0
        if item.type == "flashcard":
            self.ask_flashcard(served, hints)
            return
        while True:
            response = self.read(self.t("prompt"))
            word = response.strip().lower()
            if word in HINT_WORDS:
                shown = self.show_hint(hints, shown)
                continue
            if word in SKIP_WORDS:
                self.session.skip(item)
                expected = _expected(served, self.lang)
                self.console.print(f"[dim]{escape(self.t('skipped-item'))} → {escape(expected)}[/]")
                explanation = (served.explanation(self.lang) if not isinstance(item, Exercise)
                               else item.explanation.get(self.lang))
                if explanation.strip():
                    self.console.print(render.explanation_panel(explanation, self.lang))
                return
            try:
                result = self.session.answer(served, response, hinted=shown > 0)
            except AnswerError as exc:
                self.console.print(f"[yellow]⚠ {escape(exc.text(self.lang))}[/]")
                continue
            self.show_result(served, result)
            return

    def ask_flashcard(self, served: Served, hints: list[str]) -> None:
        shown = 0
        while True:
            response = self.read(self.t("own"))
            if response.strip().lower() in HINT_WORDS:
                shown = self.show_hint(hints, shown)
                continue
            if response.strip().lower() in SKIP_WORDS:
                self.session.skip(served.item)
                self.console.print(render.flashcard_reveal(served, self.lang))
                return
            break
        self.console.print(render.flashcard_reveal(served, self.lang))
        while True:
            rating = self.read(self.t("rate"))
            try:
                result = self.session.answer(served, rating, hinted=shown > 0)
            except AnswerError as exc:
                self.console.print(f"[yellow]⚠ {escape(exc.text(self.lang))}[/]")
                continue
            self.console.print(render.verdict(result, self.lang, explanation=served.explanation(self.lang)))
            return

    def show_result(self, served: Served, result) -> None:
        if isinstance(served.item, Exercise):
            from quizzer.cli.exercise import render_code_result

            render_code_result(result, self.console, lang=self.lang)
            if result.passed and served.item.explanation:
                self.console.print(render.explanation_panel(served.item.explanation.get(self.lang), self.lang))
            return
        self.console.print(render.verdict(result, self.lang, explanation=served.explanation(self.lang)))

    def print_summary(self) -> None:
        self.console.print()
        self.console.print(Rule())
        session = self.session
        if not session.tallies:
            self.console.print(self.t("nothing"))
            return
        rows = [(topic, t.answered, t.correct, t.skipped) for topic, t in session.summary()]
        self.console.print(render.summary_table(rows, self.lang))
        self.console.print(self.t("done", correct=session.correct, answered=session.answered))
        if session.store is not None:
            self.console.print(f"[dim]{escape(self.t('saved', path=session.store.path))}[/]")


_ANSI = re.compile(r"(\x1b\[[0-9;?]*[A-Za-z~])")
_EDITING: list[bool] = []


def _line_editing() -> None:
    """Arrow keys, Home/End and history at the prompt: loading readline is enough for input() (which
    Rich's console.input calls) to use it. Imported at the first prompt, not at start-up; absent on
    some platforms (Windows without pyreadline), where the prompt stays plain."""
    if _EDITING:
        return
    _EDITING.append(True)
    try:
        import readline  # noqa: F401
    except ImportError:
        pass


def _expected(served: Served, lang: str) -> str:
    from quizzer.checking import checker_for

    try:
        return checker_for(served.item.type).expected(served, lang=lang)
    except Exception:  # noqa: BLE001 - showing the answer after a skip must never end the session
        return ""


__all__ = ["RATINGS", "PracticeUI"]
