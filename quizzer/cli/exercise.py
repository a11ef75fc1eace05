"""Exercise commands: ``start``, ``hint``, ``grade``, ``watch``, and the terminal view of a code result.

Each command is typed options plus one call into the core (``quizzer.engine.grade``); the core
raises QuizzerError, which ``handle_errors`` turns into a message and exit code 2. numpy is imported
only by the commands that grade.
"""

from __future__ import annotations

import json as jsonlib
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from quizzer.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRONG,
    BankOption,
    JsonOption,
    LangOption,
    console,
    err_console,
    handle_errors,
    load,
    print_json,
)
from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label

if TYPE_CHECKING:
    from rich.console import Console

    from quizzer.authoring.roster import Identity, Roster
    from quizzer.bank.model import Exercise
    from quizzer.engine.sandbox import Limits
    from quizzer.results import Result

HINTS_FILE = "hints.json"
SUBMISSION_SUFFIXES = (".py", ".ipynb")  # what a class folder's submissions are

TimeoutOption = Annotated[float | None, typer.Option(
    "--timeout", min=0.1, metavar="SECONDS",
    help="Wall-clock limit per submission (default: 5 s).", show_default=False)]
MemoryOption = Annotated[int | None, typer.Option(
    "--memory", min=64, metavar="MB", help="Memory limit per submission in MiB (default: 1024).",
    show_default=False)]
RequireIsolationOption = Annotated[bool, typer.Option(
    "--require-isolation", help="Refuse to grade (exit 2) unless full kernel confinement is available.")]


def _t(key: str, lang: str, **values: object) -> str:
    return label(key, lang, **values)


# --- rendering -------------------------------------------------------------------------------


def isolation_text(level: str, lang: str) -> str:
    """The isolation level a result carries (``full``, ``partial (missing: ...)``, ``none``) in words."""
    prefix = "partial (missing: "
    if level.startswith(prefix) and level.endswith(")"):
        return _t("isolation-partial", lang, missing=level[len(prefix):-1])
    if level in ("full", "none"):
        return _t(f"isolation-{level}", lang)
    return level


def render_code_result(result: Result, console: Console, *, lang: str = "en", title: str | None = None) -> None:
    """Print a code-grading result: verdict and score, the feedback paragraph, failing cases, output."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text as RichText

    ok = result.passed
    mark = "[bold green]✓[/]" if ok else "[bold red]✗[/]"
    verdict = _t("passed" if ok else "failed", lang)
    score = f"{result.score:g}/{result.max_score:g} {_t('cases', lang)}"
    from quizzer.cli.prose import Prose

    parts: list = [RichText.from_markup(f"{mark} [bold]{escape(verdict)}[/]  [dim]{escape(score)}[/]"),
                   Prose(result.feedback)]
    failing = [c for c in result.cases if not c.passed]
    if failing and len(result.cases) > 1:
        from quizzer.engine.diagnose import case_name

        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="dim")
        table.add_column()
        # one failure everywhere (up to the sizes in it): the feedback above already says it, once
        messages = {_DIGITS.sub("#", c.message) for c in failing}
        same = len(messages) == 1
        for case in result.cases:
            reason = "" if case.passed or same else _shorten(case.message, 160)
            table.add_row(("✓ " if case.passed else "✗ ") + case_name(case.name, lang), Prose(reason))
        parts.append(RichText(""))
        parts.append(table)
    output = (result.details or {}).get("output") or ""
    if output.strip():
        lines = output.strip().splitlines()
        shown = "\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else "")
        parts.append(RichText(""))
        parts.append(RichText(f"{_t('output', lang)}:", style="dim"))
        parts.append(RichText(shown, style="dim"))
    if result.isolation is not None:
        parts.append(RichText(""))
        parts.append(RichText(f"{_t('isolation', lang)}: {isolation_text(result.isolation, lang)}", style="dim"))
    console.print(Panel(Group(*parts), title=title or result.item_id, title_align="left",
                        border_style="green" if ok else "red"))


_DIGITS = re.compile(r"\(\s*\d[\d, ]*\)|\[\s*\d[\d, ]*\]|\d+(?:\.\d+)?(?:e[-+]?\d+)?")  # shapes, indices, numbers


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a space before ``limit``, so that no number is cut in the middle."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(",;: ") + " …"


# --- helpers ---------------------------------------------------------------------------------


def _prespawn_sandbox(workers: int) -> None:
    """Start the sandbox's fork servers now: they import numpy on the other core while this process
    loads the bank and computes the reference, which is most of a one-file grade's time."""
    from quizzer.engine import spawn

    spawn.prespawn(workers)


def _limits(exercise: Exercise, timeout: float | None, memory: int | None) -> Limits:
    from quizzer.engine.grade import limits_for

    return limits_for(exercise, timeout=timeout, memory=memory)


def _check_isolation(required: bool, lang: str) -> None:
    """With --require-isolation, stop (exit 2, one line) before anything runs unless every layer is up."""
    if not required:
        return
    from quizzer.engine import confine

    missing = confine.probe().missing()
    if missing:
        raise QuizzerError(_t("isolation-required", lang, missing=", ".join(missing)))


def _exercise(bank: list[str] | None, item_id: str) -> Exercise:
    from quizzer.bank.model import Exercise

    item = load(bank).get(item_id)
    if not isinstance(item, Exercise):
        raise QuizzerError.of("not-an-exercise", id=item_id)
    return item


def _starter(exercise: Exercise, lang: str) -> str:
    from quizzer.bank.model import BLANK

    title = exercise.title.get(lang)
    lines = [f"# quizzer exercise {exercise.id}: {title}", "#"]
    from quizzer.cli.prose import wrap

    for paragraph in exercise.prompt.get(lang).splitlines():
        for line in wrap(paragraph, 96):  # 96 columns: Japanese counted two a character, 禁則 applied
            lines.append(f"# {line}".rstrip())
    lines.append("#")
    key = "starter-blank" if exercise.type == "blank" else "starter-fn"
    lines.append("# " + _t(key, lang, blank=BLANK, id=exercise.id, entry=exercise.entry))
    lines.append("# " + _t("starter-watch", lang, id=exercise.id))
    body = "\n".join(lines) + "\n\n"
    if exercise.provided.strip():
        body += _rule(_t("starter-provided", lang))
        body += exercise.provided_for(lang).rstrip() + "\n"
        body += _rule(_t("starter-yours", lang)) + "\n"
    return body + exercise.template_for(lang).rstrip() + "\n"


def _rule(title: str) -> str:
    """``# --- title -----`` to column 80 (a Japanese title counts two columns a character)."""
    from rich.cells import cell_len

    head = f"# --- {title} "
    return head + "-" * max(3, 80 - cell_len(head)) + "\n"


def _default_path(exercise: Exercise) -> Path:
    return Path(exercise.id.replace("-", "_") + ".py")


def _hints_path() -> Path:
    from quizzer.paths import data_dir

    return data_dir() / HINTS_FILE


def _read_hints(path: Path) -> dict[str, int]:
    try:
        data = jsonlib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {}  # a damaged hints file only loses the position of the next hint
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, int) and v >= 0}


def _write_atomic(path: Path, text: str) -> None:
    from quizzer.paths import write_file

    write_file(path, text)


# --- commands --------------------------------------------------------------------------------


def start(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The exercise id.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write (default: ID with _ as .py or .ipynb).", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
    format_: Annotated[str | None, typer.Option("--format", "-f", help="py (a Python file) or ipynb (a Jupyter notebook); default: from -o, else py.", show_default=False)] = None,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Write an exercise's template to a file (or a notebook), ready to fill in and grade."""
    from quizzer.bank.model import BLANK
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    if format_ is None:
        format_ = "ipynb" if output is not None and output.suffix.lower() == ".ipynb" else "py"
    if format_ not in ("py", "ipynb"):
        raise QuizzerError(_t("bad-start-format", language, format=format_))
    exercise = _exercise(bank, item_id)
    path = output or _default_path(exercise).with_suffix("." + format_)
    if path.is_dir():
        raise QuizzerError.of("write-is-folder", path=path)
    if path.exists() and not force:
        raise QuizzerError.of("already-exists", path=path)
    if format_ == "ipynb":
        from quizzer.engine.notebook import exercise_notebook

        text = exercise_notebook(exercise, language)
    else:
        text = _starter(exercise, language)
    _write_atomic(path, text)
    key = "wrote-nb" if format_ == "ipynb" else "wrote" if exercise.type == "blank" else "wrote-fn"
    console.print(escape(_t(key, language, path=path, blank=BLANK, id=exercise.id, entry=exercise.entry)))


def hint(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The exercise (or question) id.")],
    reset: Annotated[bool, typer.Option("--reset", help="Start the hints over from the first.")] = False,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Show the next hint for an exercise; each call reveals one more."""
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    item = load(bank).get(item_id)
    path = _hints_path()
    progress = _read_hints(path)
    if reset:
        progress.pop(item.id, None)
        _write_atomic(path, jsonlib.dumps(progress, indent=1, sort_keys=True) + "\n")
        console.print(escape(_t("hints-reset", language, id=item.id)))
        return
    hints = item.hints
    if not hints:
        console.print(escape(_t("no-hints", language, id=item.id)))
        return
    index = progress.get(item.id, 0)
    if index >= len(hints):
        console.print(escape(_t("hints-done", language, id=item.id, n=len(hints))))
        return
    console.print(f"[bold]{escape(_t('hint', language))} {index + 1}/{len(hints)}[/] {escape(hints[index].get(language))}")
    progress[item.id] = index + 1
    _write_atomic(path, jsonlib.dumps(progress, indent=1, sort_keys=True) + "\n")


def grade(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The exercise id.")],
    path: Annotated[Path, typer.Argument(metavar="FILE|DIR", help="A filled-in file (.py or .ipynb), or a folder of .py and .ipynb submissions.")],
    json: JsonOption = False,
    format_: Annotated[str | None, typer.Option("--format", "-f", help="json or gradescope (results.json of Gradescope).", show_default=False)] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, help="Submissions graded at once (folders).")] = 2,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Results file: .json or .csv (folders); the --format output (a file).", show_default=False)] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Folders: write a class report, report.html (self-contained, printable) or report.md.", show_default=False)] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="Folders: a CSV (columns file, id, name) naming the student behind each file.", show_default=False)] = None,
    timeout: TimeoutOption = None,
    memory: MemoryOption = None,
    require_isolation: RequireIsolationOption = False,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Grade a file (exit 0 pass, 1 fail) or every .py and .ipynb in a folder (exit 0 if all pass)."""
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    _check_isolation(require_isolation, language)
    if format_ is not None and format_ not in ("json", "gradescope"):
        raise QuizzerError.of("grade-unknown-format", value=format_)
    _prespawn_sandbox(jobs if path.is_dir() else 1)  # first: the fork server imports numpy while we check
    exercise = _exercise(bank, item_id)  # a wrong id is said first, whatever else is wrong
    if not path.exists():
        raise QuizzerError.of("no-such-path", path=path)
    if not path.is_dir() and not path.is_file():
        raise QuizzerError.of("not-regular", path=path)  # a named pipe would hang the read
    if output is not None:
        from quizzer.paths import check_writable

        check_writable(output)  # said before grading, not after
    if (report is not None or roster is not None) and not path.is_dir():
        raise QuizzerError(_t("report-needs-folder", language))
    if report is not None and report.suffix.lower() not in (".html", ".htm", ".md"):
        raise QuizzerError(_t("report-suffix", language, path=report))
    if report is not None and not (report.parent if str(report.parent) else Path(".")).is_dir():
        raise QuizzerError(_t("cannot-write", language, path=report, reason=_t("no-folder", language)))
    class_roster = None
    if roster is not None:
        from quizzer.authoring.roster import read_roster

        class_roster = read_roster(roster, lang=language)  # before grading: a bad roster costs nothing
    if path.is_dir():
        if format_ == "gradescope":
            raise QuizzerError.of("gradescope-one-file")
        passed = _grade_dir(exercise, path, jobs=jobs, output=output, as_json=json or format_ == "json", lang=language,
                            report=report, roster=class_roster, limits=_limits(exercise, timeout, memory))
        raise typer.Exit(EXIT_OK if passed else EXIT_WRONG)
    from quizzer.engine.grade import grade_file, gradescope, shared_runner

    result = grade_file(exercise, path, lang=language, runner=shared_runner(_limits(exercise, timeout, memory)))
    if format_ == "gradescope" or json or format_ == "json":
        data = gradescope(result) if format_ == "gradescope" else {"file": str(path), **result.to_dict()}
        if output is not None:
            _write_atomic(output, jsonlib.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            print_json(data)
    else:
        render_code_result(result, console, lang=language, title=f"{exercise.id} · {path.name}")
        if output is not None:
            from quizzer.engine.grade import Graded, write_results

            write_results(output, [Graded(str(path), result)], lang=language)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_WRONG)


def _grade_dir(exercise: Exercise, folder: Path, *, jobs: int, output: Path | None, as_json: bool, lang: str,
               report: Path | None = None, roster: Roster | None = None, limits: Limits | None = None) -> bool:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from quizzer.cli.prose import Prose
    from quizzer.engine.grade import grade_many, result_rows, shared_runner, write_results

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUBMISSION_SUFFIXES and p.is_file())
    if not files:
        raise QuizzerError(_t("no-submissions", lang, folder=folder))
    if output is not None and output.suffix.lower() not in (".json", ".csv"):
        raise QuizzerError.of("results-suffix", path=output)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("[dim]{task.fields[waiting]}"), console=err_console, transient=True)
    done: list = []
    running: list[str] = []  # started, not finished: the bar names the one it has waited on longest

    def started(path: str) -> None:
        running.append(path)
        progress.update(task, waiting=_t("waiting-on", lang, name=Path(running[0]).name))

    def finished(graded) -> None:
        done.append(graded)
        if graded.file in running:
            running.remove(graded.file)
        waiting = _t("waiting-on", lang, name=Path(running[0]).name) if running else ""
        progress.update(task, advance=1, waiting=waiting)

    try:
        with progress:
            task = progress.add_task(f"{_t('grading', lang)} {exercise.id}", total=len(files), waiting="")
            graded = grade_many(exercise, files, jobs=jobs, lang=lang, runner=shared_runner(limits),
                                on_result=finished, on_start=started)
    except KeyboardInterrupt:
        _interrupted_batch(done, files, output, lang)
        raise typer.Exit(130) from None
    from quizzer.authoring.roster import identify

    identity = identify(graded, roster, lang=lang)
    graded = identity.graded
    n_passed = sum(g.result.passed for g in graded)
    if output is not None:
        write_results(output, graded, lang=lang)
    if report is not None:  # after the results file: a report that cannot be written loses no grades
        _write_report(report, exercise, identity, lang=lang)
    if as_json:
        print_json(result_rows(graded))
    else:
        table = Table(title=f"{exercise.id}: {_t('summary', lang, passed=n_passed, total=len(graded))}",
                      title_justify="left")
        table.add_column(_t("file", lang))
        if roster is not None:
            table.add_column(_t("student", lang))
        table.add_column("", justify="center")
        table.add_column(_t("score", lang), justify="right")
        table.add_column(_t("feedback", lang), overflow="fold")
        for g in graded:
            mark = "[green]✓[/]" if g.result.passed else "[red]✗[/]"
            who = [escape(g.student)] if roster is not None else []
            table.add_row(escape(Path(g.file).name), *who, mark, f"{g.result.score:g}/{g.result.max_score:g}",
                          Prose(_shorten(g.result.feedback, 200)))
        console.print(table)
        levels = sorted({g.result.isolation for g in graded if g.result.isolation is not None})
        if levels:
            console.print(f"[dim]{escape(_t('isolation', lang))}: "
                          f"{escape('; '.join(isolation_text(level, lang) for level in levels))}[/]")
    if output is not None:
        err_console.print(escape(_t("results", lang, path=output)))
    if report is not None:
        err_console.print(escape(_t("report-wrote", lang, path=report)))
    if identity.missing or identity.unlisted or identity.duplicates:
        err_console.print(escape(_t("roster-problems", lang, missing=len(identity.missing),
                                    unlisted=len(identity.unlisted), duplicates=len(identity.duplicates))))
        for line in ([_t("rep-missing", lang, who=f"{s.name} ({s.key})") for s in identity.missing]
                     + [_t("rep-unlisted", lang, file=u) for u in identity.unlisted] + identity.duplicates):
            err_console.print(f"  {escape(line)}", soft_wrap=True)
    return n_passed == len(graded)


def _write_report(report: Path, exercise: Exercise, identity: Identity, *, lang: str) -> None:
    """The class report, HTML or Markdown by the file's suffix."""
    from quizzer.authoring.report import class_report, report_html, report_markdown

    figures = class_report(exercise, identity.graded, lang=lang,
                           missing=[f"{s.name} ({s.key})" for s in identity.missing],
                           unlisted=identity.unlisted, duplicates=identity.duplicates)
    text = report_markdown(figures, lang) if report.suffix.lower() == ".md" else report_html(figures, lang)
    _write_atomic(report, text)


def _interrupted_batch(done: list, files: list[Path], output: Path | None, lang: str) -> None:
    """Ctrl-C during a batch: what was graded goes to the results file, with the rest marked not graded."""
    from quizzer.engine.grade import write_results

    graded_files = {g.file for g in done}
    if output is not None and done:
        missing = [str(f) for f in files if str(f) not in graded_files]
        write_results(output, sorted(done, key=lambda g: g.file), not_graded=missing, lang=lang)
        err_console.print(escape(_t("grade-interrupted", lang, done=len(done), total=len(files), path=output)), soft_wrap=True)
    else:
        err_console.print(escape(_t("grade-interrupted-none", lang, done=len(done), total=len(files))), soft_wrap=True)


def watch(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The exercise id.")],
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The file (.py or .ipynb) you are editing.")],
    interval: Annotated[float, typer.Option("--interval", min=0.05, help="Seconds between checks for a save.")] = 0.5,
    max_grades: Annotated[int | None, typer.Option("--max-grades", hidden=True, min=1)] = None,
    timeout: TimeoutOption = None,
    memory: MemoryOption = None,
    require_isolation: RequireIsolationOption = False,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Re-grade a file every time it is saved (Ctrl-C to stop)."""
    from quizzer.engine.grade import grade_source, read_submission, shared_runner
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    _check_isolation(require_isolation, language)
    if path.is_dir():
        raise QuizzerError.of("watch-needs-file", path=path, id=item_id)
    if not path.exists():
        raise QuizzerError.of("no-such-file", path=path)
    if not path.is_file():
        raise QuizzerError.of("not-regular", path=path)
    _prespawn_sandbox(1)
    exercise = _exercise(bank, item_id)
    console.print(escape(_t("watching", language, path=path, id=exercise.id)))
    last: tuple[float, int] | None = None
    graded = 0
    try:
        while True:
            try:
                stat = path.stat()
                stamp = (stat.st_mtime, stat.st_size)
            except OSError:
                stamp = None  # mid-save by an editor that replaces the file; look again
            if stamp is not None and stamp != last:
                last = stamp
                try:
                    source = read_submission(path, lang=language)
                except QuizzerError as exc:
                    err_console.print(f"[red]{escape(exc.text(language))}[/]")
                else:
                    if console.is_terminal:
                        console.clear()
                    result = grade_source(exercise, source, lang=language, filename=path.name,
                                          runner=shared_runner(_limits(exercise, timeout, memory)))
                    render_code_result(result, console, lang=language,
                                       title=f"{exercise.id} · {path.name} · {time.strftime('%H:%M:%S')}")
                graded += 1
                if max_grades is not None and graded >= max_grades:
                    return
            time.sleep(interval)
    except KeyboardInterrupt:
        console.print(escape(_t("stopped", language)))
        raise typer.Exit(EXIT_OK) from None


def register(app: typer.Typer) -> None:
    """Add start, hint, grade and watch to the quizzer app."""
    app.command("start")(handle_errors(start))
    app.command("hint")(handle_errors(hint))
    app.command("grade")(handle_errors(grade))
    app.command("watch")(handle_errors(watch))


__all__ = ["EXIT_USAGE", "register", "render_code_result"]
