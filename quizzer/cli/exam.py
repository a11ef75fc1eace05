"""`quizzer exam`: the mock exam's terminal view (a CBT), and `exam history` / `exam show N`.

The view reads one line at a time, in a terminal or piped on standard input. A line is an answer
to the item shown, or one of the navigation words (``NAVIGATION``); ``=`` before an answer that
happens to be a navigation word makes it an answer. In a terminal the countdown in the prompt
ticks every second while the learner types; piped, it is printed with each prompt. Either way the
exam is submitted the moment the time runs out. Ctrl-C, a closed terminal, ``pause`` and the end
of the input all pause the exam: everything is already saved, and ``quizzer exam --resume``
continues it with the time it had left.
"""

from __future__ import annotations

import codecs
import os
import select
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text as RichText

from quizzer.cli.common import (
    EXIT_OK,
    EXIT_WRONG,
    BankOption,
    DifficultyOption,
    JsonOption,
    LangOption,
    SourceOption,
    console,
    handle_errors,
    load,
    print_json,
)
from quizzer.errors import AnswerError, QuizzerError
from quizzer.i18n.labels import label

if TYPE_CHECKING:
    from rich.console import Console

    from quizzer.progress.exam import ExamResult, ExamRun

NAVIGATION = {
    "next": ("", "n", "next", "次", "つぎ"),
    "prev": ("p", "prev", "previous", "back", "前", "まえ"),
    "go": ("g", "go", "移動"),
    "mark": ("m", "mark", "マーク"),
    "overview": ("o", "overview", "一覧"),
    "submit": ("submit", "提出"),
    "pause": ("pause", "quit", "中断"),
}
YES = ("y", "yes", "はい")

TIMEOUT = object()  # what Input.read returns when the deadline passes


class _Pause(Exception):
    """A closed terminal or a termination signal: pause like Ctrl-C."""


# --- reading lines, with a deadline ----------------------------------------------------------


class Input:
    """Lines from standard input with a deadline: a live countdown in a terminal, plain lines when piped."""

    def __init__(self, out: Console, stream=None) -> None:
        self.out = out
        self.stream = stream or sys.stdin
        try:
            self.fd: int | None = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        self.tty = self.fd is not None and os.isatty(self.fd)
        self._pending = b""
        self._eof = False
        self._ahead = ""  # keys typed after an Enter, for the next line
        self._escape = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def read(self, prompt: Callable[[], str], deadline: float | None) -> str | None | object:
        """A line (without its newline), None at the end of the input, or TIMEOUT once ``deadline`` passes."""
        if self.fd is None:
            return self._read_plain(prompt)
        if self.tty:
            try:
                import termios  # noqa: F401 - POSIX only; elsewhere the plain prompt
            except ImportError:
                return self._read_plain(prompt)
            return self._read_tty(prompt, deadline)
        return self._read_pipe(prompt, deadline)

    def _read_plain(self, prompt: Callable[[], str]) -> str | None:
        self.out.print(prompt(), end="", markup=False)
        line = self.stream.readline()
        return line.rstrip("\n") if line else None

    def _read_pipe(self, prompt: Callable[[], str], deadline: float | None) -> str | None | object:
        assert self.fd is not None
        self.out.print(prompt(), end="", markup=False)
        while b"\n" not in self._pending and not self._eof:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                self.out.print()
                return TIMEOUT
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                continue
            chunk = os.read(self.fd, 65536)
            if chunk:
                self._pending += chunk
            else:
                self._eof = True
        if b"\n" in self._pending:
            raw, self._pending = self._pending.split(b"\n", 1)
        elif self._pending:
            raw, self._pending = self._pending, b""
        else:
            self.out.print()
            return None
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        self.out.print(line, markup=False, highlight=False)  # piped answers appear in the transcript
        return line

    def _read_tty(self, prompt: Callable[[], str], deadline: float | None) -> str | None | object:
        import termios
        import tty

        from rich.cells import cell_len

        assert self.fd is not None
        fd = self.fd
        saved = termios.tcgetattr(fd)
        decoder = self._decoder
        buffer: list[str] = []
        out = sys.stdout

        def draw() -> None:
            head = prompt()
            room = max(self.out.width - cell_len(head) - 1, 8)
            typed = "".join(buffer)
            while cell_len(typed) > room:  # long answers scroll: show the end being typed
                typed = typed[1:]
            out.write("\r\x1b[K" + head + typed)
            out.flush()

        def feed(text: str) -> str | None:
            """Take keys; the line at Enter (later keys wait in the type-ahead for the next read)."""
            for index, char in enumerate(text):
                if self._escape:  # skip arrow keys and other escape sequences
                    if char.isalpha() or char == "~":
                        self._escape = False
                    continue
                if char == "\x1b":
                    self._escape = True
                elif char in "\r\n":
                    self._ahead = text[index + 1 :]
                    draw()  # what was typed, as it ends up
                    out.write("\n")
                    out.flush()
                    return "".join(buffer)
                elif char in "\x7f\x08":
                    if buffer:
                        buffer.pop()
                elif char == "\x15":  # Ctrl-U
                    buffer.clear()
                elif char == "\x04":  # Ctrl-D on an empty line: end of input
                    if not buffer:
                        self._ahead = text[index + 1 :]
                        out.write("\n")
                        raise EOFError
                elif char >= " ":
                    buffer.append(char)
            self._ahead = ""
            return None

        try:
            tty.setcbreak(fd)  # keys one by one, no echo; Ctrl-C still raises KeyboardInterrupt
            draw()
            try:
                line = feed(self._ahead)
                while line is None:
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        out.write("\n")
                        return TIMEOUT
                    wait = 1.0 - (now % 1.0)
                    if deadline is not None:
                        wait = min(wait, deadline - now)
                    ready, _, _ = select.select([fd], [], [], wait)
                    if not ready:
                        draw()  # the countdown ticks
                        continue
                    try:
                        data = os.read(fd, 1024)
                    except OSError:  # the terminal went away
                        raise _Pause from None
                    if not data:
                        raise _Pause
                    line = feed(decoder.decode(data))
                    if line is None:
                        draw()
            except EOFError:
                return None
            return line
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


# --- the exam view ---------------------------------------------------------------------------


def clock(seconds: float, *, countdown: bool = False) -> str:
    """m:ss (h:mm:ss from an hour); a countdown rounds up, so it shows 0:00 only when time is up."""
    seconds = max(int(seconds + 0.999) if countdown else int(seconds + 0.5), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ExamView:
    """Drives an ExamRun from lines of input; returns how it ended: 'submitted', 'time' or 'paused'."""

    def __init__(self, run: ExamRun, out: Console, reader: Input | None = None) -> None:
        self.run = run
        self.out = out
        self.lang = run.lang
        self.input = reader or Input(out)
        self._deadline = time.monotonic() + run.remaining_s

    def t(self, key: str, **values: object) -> str:
        return label(key, self.lang, **values)

    def prompt(self) -> str:
        run = self.run
        left = self.t("exam-left", time=clock(run.remaining_s, countdown=True))
        where = f"{run.position + 1}/{len(run)}"
        if self.input.tty:
            return f"\x1b[1;33m⏱ {left}\x1b[0m │ \x1b[1;36m{where}\x1b[0m › "
        return f"⏱ {left} │ {where} › "

    def loop(self) -> str:
        from quizzer.progress.exam import ENDED_TIME

        run = self.run
        self.show()
        while True:
            if run.timed_out:
                return self._time_up()
            line = self.input.read(self.prompt, self._deadline)
            if line is TIMEOUT or run.timed_out:
                return self._time_up()
            if line is None:
                return "paused"
            assert isinstance(line, str)
            outcome = self.handle(line)
            if outcome == "submitted":
                return outcome
            if outcome == "paused":
                return outcome
            if outcome == ENDED_TIME:
                return self._time_up()

    def handle(self, line: str) -> str | None:
        run = self.run
        text = line.strip()
        if text.startswith("="):
            return self._answer(text[1:])
        words = text.split()
        head = words[0].lower() if words else ""
        if len(words) <= 1 and head in NAVIGATION["next"]:
            if run.position + 1 < len(run):
                run.go(run.position + 1)
                self.show()
            else:
                self.out.print(f"[dim]{escape(self.t('exam-last'))}[/]")
                self.overview()
            return None
        if len(words) == 1 and head in NAVIGATION["prev"]:
            if run.position > 0:
                run.go(run.position - 1)
                self.show()
            else:
                self.out.print(f"[dim]{escape(self.t('exam-first'))}[/]")
            return None
        if head in NAVIGATION["go"] and len(words) <= 2:
            target = words[1] if len(words) == 2 else ""
            if not target.isdigit() or not 1 <= int(target) <= len(run):
                self.out.print(f"[yellow]⚠ {escape(self.t('exam-bad-go', n=len(run)))}[/]")
                return None
            run.go(int(target) - 1)
            self.show()
            return None
        if len(words) == 1 and head in NAVIGATION["mark"]:
            flag = run.toggle_mark()
            self.out.print(f"[magenta]{escape(self.t('exam-marked' if flag else 'exam-unmarked'))}[/]")
            return None
        if len(words) == 1 and head in NAVIGATION["overview"]:
            self.overview()
            return None
        if len(words) == 1 and head in NAVIGATION["submit"]:
            return self._confirm_submit()
        if len(words) == 1 and head in NAVIGATION["pause"]:
            return "paused"
        return self._answer(text)

    def _answer(self, text: str) -> str | None:
        run = self.run
        if not text:
            self.out.print(f"[yellow]⚠ {escape(self.t('exam-unreadable', message='?'))}[/]")
            return None
        try:
            run.answer(text)
        except AnswerError as exc:
            self.out.print(f"[yellow]⚠ {escape(self.t('exam-unreadable', message=exc.text(self.lang)))}[/]")
            return None
        if run.position + 1 < len(run):
            run.go(run.position + 1)
            self.show()
        else:
            self.out.print(f"[green]{escape(self.t('exam-kept'))}[/] [dim]{escape(self.t('exam-last'))}[/]")
            self.overview()
        return None

    def _confirm_submit(self) -> str | None:
        run = self.run
        missing = run.unanswered()
        if missing:
            question = self.t("exam-confirm", n=len(missing), items=", ".join(str(i + 1) for i in missing))
        else:
            question = self.t("exam-confirm-all")
        self.out.print(f"[bold]{escape(question)}[/]")
        reply = self.input.read(self.prompt, self._deadline)
        if reply is TIMEOUT:
            from quizzer.progress.exam import ENDED_TIME

            return ENDED_TIME
        if reply is None:
            return "paused"
        assert isinstance(reply, str)
        if reply.strip().lower() in YES:
            run.submit()
            return "submitted"
        self.out.print(f"[dim]{escape(self.t('exam-not-submitted'))}[/]")
        return None

    def _time_up(self) -> str:
        from quizzer.progress.exam import ENDED_TIME

        self.out.print(f"[bold red]{escape(self.t('exam-time-up'))}[/]")
        self.run.submit(ended_by=ENDED_TIME)
        return ENDED_TIME

    def show(self) -> None:
        from quizzer.cli import render

        run = self.run
        served = run.current
        flag = " ★" if run.marked[run.position] else ""
        self.out.print()
        self.out.print(render.item_panel(served, self.lang, position=f"{run.position + 1}/{len(run)}{flag}"))
        response = run.responses[run.position]
        if response is not None:
            self.out.print(f"[cyan]{escape(self.t('exam-your-answer', response=response))}[/]")
        answered = len(run) - len(run.unanswered())
        status = self.t("exam-status", answered=answered, items=len(run), marked=sum(run.marked))
        self.out.print(f"[dim]{escape(status)} · {escape(self.t('exam-controls'))}[/]")

    def overview(self) -> None:
        run = self.run
        cells = []
        for i, response in enumerate(run.responses):
            sign = "●" if response is not None else "○"
            cells.append(f"{i + 1:>3}{sign}{'★' if run.marked[i] else ' '}")
        per_line = max((self.out.width - 2) // 6, 1)
        self.out.print(f"[bold]{escape(self.t('exam-overview'))}[/]  [dim]{escape(self.t('exam-legend'))}[/]")
        for start in range(0, len(cells), per_line):
            self.out.print(" ".join(cells[start : start + per_line]), markup=False)
        missing = run.unanswered()
        marked = [i for i, m in enumerate(run.marked) if m]
        if missing:
            self.out.print(escape(self.t("exam-unanswered", items=", ".join(str(i + 1) for i in missing))))
        else:
            self.out.print(escape(self.t("exam-none-left")))
        if marked:
            self.out.print(escape(self.t("exam-marked-list", items=", ".join(str(i + 1) for i in marked))))


# --- results and history ---------------------------------------------------------------------


def result_view(result: ExamResult, lang: str, *, details: bool = True) -> list:
    """The score, pass or fail, per-topic table, time per item and the missed items with explanations."""
    from rich.console import Group
    from rich.panel import Panel

    from quizzer.cli import render
    from quizzer.cli.prose import Prose

    def t(key: str, **values: object) -> str:
        return label(key, lang, **values)

    verdict = t("exam-pass") if result.passed else t("exam-fail")
    style = "bold green" if result.passed else "bold red"
    head = t("exam-result", n=result.attempt_id, correct=result.correct, items=result.items,
             score=f"{result.score:.0%}", verdict=verdict)
    parts: list = [RichText(head, style=style), RichText(t("exam-pass-line", line=f"{result.pass_line:.0%}"), style="dim")]
    how = t("exam-by-time") if result.ended_by == "time" else ""
    parts.append(RichText(t("exam-time-used", used=clock(result.elapsed_s), limit=clock(result.time_limit_s), how=how), style="dim"))
    topics = Table(box=box.SIMPLE_HEAVY)
    topics.add_column(label("topic", lang))
    topics.add_column(t("exam-items"), justify="right")
    topics.add_column(label("correct", lang), justify="right")
    topics.add_column(t("exam-score"), justify="right")
    topics.add_column("", no_wrap=True)
    for row in result.per_topic:
        colour = "green" if row.share >= result.pass_line else "red"
        topics.add_row(row.topic, str(row.items), str(row.correct), f"{row.share:.0%}", render.bar(row.share, 16, colour))
    parts.append(topics)
    if not details:
        return parts
    items = Table(box=box.SIMPLE, title=t("exam-per-item"), title_justify="left")
    items.add_column("#", justify="right")
    items.add_column("id", overflow="fold")
    items.add_column(label("topic", lang))
    items.add_column(t("exam-yours"), overflow="fold")
    items.add_column(t("exam-result-col"), justify="center")
    items.add_column(t("exam-time"), justify="right")
    for o in result.outcomes:
        mark = "[green]✓[/]" if o.passed else ("[dim]–[/]" if o.response is None else "[red]✗[/]")
        yours = escape(o.response) if o.response is not None else f"[dim]{escape(t('exam-blank'))}[/]"
        items.add_row(f"{o.position + 1}{'★' if o.marked else ''}", escape(o.item_id), escape(o.topic), yours, mark, clock(o.seconds))
    parts.append(items)
    missed = result.missed
    if missed:
        parts.append(RichText(t("exam-missed"), style="bold"))
        for o in missed:
            body: list = [
                RichText.assemble((f"{t('exam-yours')}: ", "bold"), o.response if o.response is not None else t("exam-blank")),
                Prose(o.expected, prefix=f"{t('exam-right')}: ", prefix_style="bold green") if o.expected else RichText(""),
            ]
            if o.explanation.strip():
                body.append(Prose(o.explanation.strip()))
            parts.append(Panel(Group(*body), title=f"{o.position + 1} · {escape(o.topic)} · {escape(o.item_id)}",
                               title_align="left", border_style="red", box=box.ROUNDED))
    return parts


def history_view(results: list[ExamResult], lang: str) -> list:
    """Every attempt in a table, then each finished attempt's score as a bar, oldest first."""
    from quizzer.cli import render

    table = Table(box=box.SIMPLE_HEAVY)
    table.add_column("#", justify="right")
    table.add_column(label("exam-date", lang))
    table.add_column(label("exam-items", lang), justify="right")
    table.add_column(label("correct", lang), justify="right")
    table.add_column(label("exam-score", lang), justify="right")
    table.add_column(label("exam-result-col", lang))
    table.add_column(label("exam-time", lang), justify="right")
    for r in results:
        if r.finished:
            verdict = f"[green]{label('exam-pass', lang)}[/]" if r.passed else f"[red]{label('exam-fail', lang)}[/]"
        else:
            verdict = f"[yellow]{label('exam-unfinished', lang)}[/]"
        table.add_row(str(r.attempt_id), r.started_at[:16].replace("T", " "), str(r.items), str(r.correct),
                      f"{r.score:.0%}", verdict, clock(r.elapsed_s))
    chart = Table(box=None, show_header=False, padding=(0, 1))
    chart.add_column(justify="right")
    chart.add_column(no_wrap=True)
    chart.add_column(justify="right")
    width = 30
    for r in results:
        if not r.finished:
            continue
        bar = render.bar(r.score, width, "green" if r.passed else "red")
        line_at = min(round(r.pass_line * width), width - 1)
        plain = bar.plain
        bar = RichText(plain[:line_at], style=bar.style) + RichText("|", style="bold") + RichText(plain[line_at + 1 :], style=bar.style)
        chart.add_row(f"#{r.attempt_id}", bar, f"{r.score:.0%}")
    return [table, RichText(label("exam-history", lang), style="bold"), chart]


# --- the commands ----------------------------------------------------------------------------

exam_app = typer.Typer(
    name="exam",
    help="A timed mock exam (a CBT): no verdicts until you submit; then the score, pass or fail and every missed item. "
    "At the prompt: an answer, or next (Enter), prev, go K, mark, overview, submit, pause.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)

@exam_app.callback()
def exam(
    ctx: typer.Context,
    count: Annotated[int | None, typer.Option("-n", "--count", help="How many items (default: 20).", show_default=False)] = None,
    minutes: Annotated[float | None, typer.Option("--minutes", "-m", help="Time limit in minutes (default: 1.5 per item).", show_default=False)] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).", show_default=False)] = None,
    source: SourceOption = None,
    difficulty: DifficultyOption = None,
    pass_line: Annotated[float | None, typer.Option("--pass-line", help="Percentage of items right needed to pass (default: 70).", show_default=False)] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Make the exam reproducible (items, order, values).", show_default=False)] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the latest unfinished exam with the time it had left.")] = False,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """A timed mock exam. Navigation: next (Enter), prev, go K, mark, overview, submit, pause. Subcommands: history, show N."""
    if ctx.invoked_subcommand is not None:
        return
    handle_errors(_run_exam)(count, minutes, topic or [], source, difficulty or [], pass_line, seed, resume, lang, bank)


def _run_exam(count, minutes, topics, source, difficulty, pass_line, seed, resume, lang, bank) -> None:
    from quizzer.i18n.text import resolve_language
    from quizzer.progress import exam as core
    from quizzer.progress.store import Store

    language = resolve_language(lang)
    if resume:
        given = [name for name, value in (("-n", count), ("--minutes", minutes), ("--topic", topics), ("--source", source),
                                          ("--difficulty", difficulty), ("--pass-line", pass_line), ("--seed", seed)) if value]
        if given:
            raise QuizzerError(label("exam-resume-options", language, options=", ".join(given)))
    if minutes is not None and minutes <= 0:
        raise QuizzerError(label("exam-bad-minutes", language))
    if pass_line is not None and not 0 < pass_line <= 100:
        raise QuizzerError(label("exam-bad-pass", language))
    with Store.open() as store:
        if resume:
            unfinished = store.exams(finished=False)
            loaded = load(bank or (unfinished[-1].filters.get("bank") if unfinished else None))
            run = core.ExamRun.resume(store, loaded, language)
            console.print(f"[bold]{escape(label('exam-resumed', language, n=run.attempt_id, left=clock(run.remaining_s)))}[/]")
        else:
            loaded = load(bank)
            pool = core.eligible(loaded, topics=topics, source=source, difficulty=difficulty, lang=language)
            if not pool:
                raise QuizzerError(label("exam-none", language))
            wanted = count if count is not None else core.DEFAULT_COUNT
            if count is None and len(pool) < wanted:
                console.print(f"[yellow]{escape(label('exam-shortened', language, available=len(pool)))}[/]")
                wanted = len(pool)
            if seed is None:
                import random

                seed = random.SystemRandom().randrange(10**6)
            items = core.plan_exam(pool, count=wanted, seed=seed, lang=language)
            unfinished = store.exams(finished=False)
            if unfinished:
                console.print(f"[dim]{escape(label('exam-unfinished-note', language, n=unfinished[-1].id))}[/]")
            limit = minutes * 60 if minutes is not None else wanted * core.SECONDS_PER_ITEM
            # the banks in use, absolute, so that `exam show` and `--resume` find the items again
            banks = [b if b == "builtin" else str(Path(b).resolve()) for b in bank] if bank else None
            filters = {"topics": topics, "source": source or "all", "difficulty": difficulty, "bank": banks}
            run = core.ExamRun.start(store, items, time_limit_s=limit, lang=language, seed=seed, filters=filters,
                                     pass_line=(pass_line if pass_line is not None else core.DEFAULT_PASS_LINE * 100) / 100)
            intro = label("exam-intro", language, n=run.attempt_id, items=len(items), minutes=f"{limit / 60:g}")
            console.print(f"[bold]{escape(intro)}[/]")
        ended = _drive(run)
        if ended == "paused":
            return
        result = run.result(loaded)
    console.print()
    for part in result_view(result, language):
        console.print(part)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_WRONG)


def _drive(run: ExamRun) -> str:
    """Run the view; Ctrl-C, a hang-up or SIGTERM pause the exam (everything is saved already)."""

    def hang_up(signum, frame):
        raise _Pause

    previous = {}
    for name in ("SIGHUP", "SIGTERM"):
        if hasattr(signal, name):
            previous[name] = signal.signal(getattr(signal, name), hang_up)
    interrupted = False
    try:
        ended = ExamView(run, console).loop()
    except (KeyboardInterrupt, _Pause):
        interrupted = True
        ended = "paused"
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
    if ended == "paused":
        run.pause()
        message = label("exam-paused", run.lang, n=run.attempt_id, left=clock(run.remaining_s))
        try:
            console.print()
            console.print(f"[yellow]{escape(message)}[/]")
        except OSError:  # the terminal is gone; the exam is saved all the same
            pass
        if interrupted:
            raise typer.Exit(130)
    return ended


@exam_app.command("history")
@handle_errors
def history(json: JsonOption = False, lang: LangOption = None) -> None:
    """Every exam attempt, with a chart of scores over time."""
    from quizzer.i18n.text import resolve_language
    from quizzer.progress.exam import result_of
    from quizzer.progress.store import Store

    language = resolve_language(lang)
    with Store.open() as store:
        results = [result_of(record, None, language) for record in store.exams()]
    if json:
        rows = []
        for r in results:
            row = r.to_dict()
            del row["outcomes"]
            rows.append(row)
        print_json(rows)
        return
    if not results:
        console.print(label("exam-no-history", language))
        return
    for part in history_view(results, language):
        console.print(part)


@exam_app.command("show")
@handle_errors
def show(
    number: Annotated[int, typer.Argument(metavar="N", help="The exam's number (see `quizzer exam history`).")],
    json: JsonOption = False,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Replay an exam's result: score, per-topic table, time per item, missed items with explanations."""
    from quizzer.i18n.text import resolve_language
    from quizzer.progress.exam import result_of
    from quizzer.progress.store import Store

    language = resolve_language(lang)
    with Store.open() as store:
        record = store.exam(number)
    if record is None:
        raise QuizzerError(label("exam-not-found", language, n=number))
    try:
        source_bank = load(bank or record.filters.get("bank"))
    except QuizzerError:
        if bank:
            raise
        source_bank = None  # the exam's bank has gone: the numbers still show, without the right answers
    result = result_of(record, source_bank, language)
    if json:
        print_json(result.to_dict())
        return
    for part in result_view(result, language):
        console.print(part)


def register(app: typer.Typer) -> None:
    """Add `exam` (with `exam history` and `exam show N`) to the quizzer app."""
    app.add_typer(exam_app, name="exam")


__all__ = ["ExamView", "Input", "register"]
