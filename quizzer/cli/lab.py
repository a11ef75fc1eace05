"""`quizzer lab`: the course's implementation labs, trained on the learner's own code.

Each command is typed options plus one call into ``quizzer.labs``; the learner's file only ever runs
in the lab child process. Exit codes: 0 the goal reached, 1 not reached, 2 usage or input error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from quizzer.cli.common import (
    EXIT_USAGE,
    JsonOption,
    LangOption,
    console,
    err_console,
    fail,
    handle_errors,
    print_json,
)

app = typer.Typer(
    name="lab",
    help="The course's implementation labs: binary addition, sine prediction, word prediction.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

LabId = Annotated[str, typer.Argument(help="The lab: binary-addition, sine-prediction or word-prediction.",
                                      show_default=False)]
SetOption = Annotated[list[str] | None, typer.Option("--set", help="KNOB=VALUE (repeatable); `quizzer lab list` "
                                                        "shows the knobs.", show_default=False)]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Random seed for the weights and the data.",
                                                   show_default=False)]
NoPlotOption = Annotated[bool, typer.Option("--no-plot", help="Numbers only, no charts.")]
PlotOption = Annotated[str | None, typer.Option("--plot", help="Also save the curves to FILE.png or FILE.svg "
                                                   "(needs matplotlib: pip install 'quizzer[plot]').",
                                                   show_default=False)]


def _lang(lang: str | None) -> str:
    from quizzer.i18n.text import resolve_language

    return resolve_language(lang)


def _lab_error(exc: Exception, lang: str) -> typer.Exit:
    from quizzer.labs.spec import LabError

    if isinstance(exc, LabError):
        return fail(_escape(exc.text(lang)), exc.exit_code, lang=lang)
    return fail(_escape(str(exc)), EXIT_USAGE, lang=lang)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _read(path: str, lang: str) -> str:
    from quizzer.labs.spec import LabError

    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise LabError("unreadable", path=path, reason=reason) from None


def _check_plot_path(plot: str | None) -> None:
    from quizzer.labs.spec import LabError

    if plot is None:
        return
    if not plot.lower().endswith((".png", ".svg")):
        raise LabError("bad-plot", path=plot)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise LabError("no-matplotlib") from None
    parent = Path(plot).resolve().parent
    if not parent.is_dir():
        raise LabError("unreadable", path=str(parent), reason="no such directory")


@handle_errors
def list_labs(json: JsonOption = False, lang: LangOption = None) -> None:
    """The labs, with their knobs, defaults and goals."""
    from quizzer.labs.core import all_labs

    language = _lang(lang)
    labs = all_labs()
    if json:
        print_json([lab.to_dict(language) for lab in labs])
        return
    from quizzer.cli import lab_render

    console.print(lab_render.lab_list(labs, language))


@handle_errors
def start(
    lab_id: LabId,
    output: Annotated[str | None, typer.Option("-o", "--output", help="Where to write the file "
                                                  "(default: ./LAB.py).", show_default=False)] = None,
    lang: LangOption = None,
) -> None:
    """Write the lab's file for you to fill in: the pieces you write are marked ____."""
    from quizzer.labs.core import get_lab
    from quizzer.labs.messages import say
    from quizzer.labs.spec import LabError
    from quizzer.paths import write_file

    language = _lang(lang)
    try:
        lab = get_lab(lab_id)
        path = Path(output or f"{lab.module}.py")
        if path.is_file():  # the learner's work is never overwritten; a folder or a bad path is said by write_file
            raise LabError("exists", path=str(path))
    except LabError as exc:
        raise _lab_error(exc, language) from None
    write_file(path, lab.template())
    console.print(say("wrote", language, path=str(path), pieces=", ".join(lab.pieces), id=lab.id))


def _record(results: list[Any]) -> None:
    """Save finished runs; a store problem is reported once, never allowed to hide the verdict."""
    from quizzer.errors import StoreError
    from quizzer.labs.core import get_lab
    from quizzer.progress.store import Store

    try:
        with Store.open() as store:
            for result in results:
                store.record_lab_run(lab=result.id, settings=result.settings, metric=result.metric,
                                     goal_op=get_lab(result.id).goal.op, passed=result.passed,
                                     elapsed=result.elapsed,
                                     diagnosis=result.diagnosis.key if result.diagnosis else None)
    except StoreError as exc:
        err_console.print(f"warning: {_escape(exc.message)}")


def _train(lab_id: str, source: str, path: str, settings: dict[str, Any], *, json: bool, no_plot: bool,
           plot: str | None, quiz: bool, lang: str) -> None:
    from quizzer.cli import lab_render
    from quizzer.labs.core import get_lab, run_lab

    lab = get_lab(lab_id)
    live = not json and not no_plot and console.is_terminal
    if live:
        with lab_render.LiveChart(console, lab.id, lab.plot_accuracy, lang) as chart:
            result = run_lab(lab_id, source, path=path, settings=settings, on_log=chart.add)
    else:
        shown: list[int] = []

        def numbers(point: dict[str, Any]) -> None:
            if len(shown) % 10 == 9:
                console.print(lab_render.progress_line(point, lang), highlight=False)
            shown.append(point["i"])

        result = run_lab(lab_id, source, path=path, settings=settings, on_log=None if json else numbers)
    _record([result])
    if plot is not None:
        lab_render.save_plot(plot, result, lab, lang)
    if json:
        print_json(result.to_dict(lang))
    else:
        if live:
            wave = lab_render.wave_chart(result.detail, lang, width=min(console.width - 2, 100))
            if wave is not None:
                console.print(wave)
        elif result.history and len(result.history) % 10 != 0:  # the last line, unless just printed
            console.print(lab_render.progress_line(result.history[-1], lang), highlight=False)
        if result.output.strip():
            console.print(f"[dim]{lab_render.word('printed', lang)}:[/]")
            console.print(_escape(result.output.rstrip()[-1500:]), highlight=False)
        console.print(lab_render.verdict(result, lang))
    if quiz and not json:
        _quiz(lab, lang)
    raise typer.Exit(result.exit_code)


def _quiz(lab: Any, lang: str) -> None:
    from quizzer.bank import load_bank
    from quizzer.cli.practice import PracticeUI
    from quizzer.progress.session import Session, practicable
    from quizzer.progress.store import Store

    bank = load_bank(None)
    items = [bank.items[i] for i in lab.questions if i in bank.items and practicable(bank.items[i])]
    if not items:
        return
    from quizzer.cli import lab_render

    console.rule(lab_render.word("questions", lang))
    with Store.open() as store:
        PracticeUI(Session(items, store, mode="lab", lang=lang, topics=()), console).run()


@handle_errors
def run(
    lab_id: LabId,
    file: Annotated[str, typer.Argument(help="Your lab file (from `quizzer lab start`).", show_default=False)],
    set_: SetOption = None,
    seed: SeedOption = None,
    json: JsonOption = False,
    no_plot: NoPlotOption = False,
    plot: PlotOption = None,
    quiz: Annotated[bool, typer.Option("--quiz", help="Afterwards, answer the bank's questions about this lab.")] = False,
    lang: LangOption = None,
) -> None:
    """Train with your code in the sandbox, with a live loss chart, then judge it on held-out data."""
    from quizzer.labs.core import get_lab, read_source
    from quizzer.labs.spec import LabError

    language = _lang(lang)
    try:
        lab = get_lab(lab_id)
        settings = lab.settings(set_ or (), seed=seed)
        _check_plot_path(plot)
        source = _read(file, language)
        read_source(source, file, lab)
        _train(lab.id, source, file, settings, json=json, no_plot=no_plot, plot=plot, quiz=quiz, lang=language)
    except LabError as exc:
        raise _lab_error(exc, language) from None


@handle_errors
def demo(lab_id: LabId, set_: SetOption = None, seed: SeedOption = None, json: JsonOption = False,
         no_plot: NoPlotOption = False, plot: PlotOption = None, lang: LangOption = None) -> None:
    """Run the built-in solution (for instructors, and to see what a passing run looks like)."""
    from quizzer.labs.core import get_lab, solution_source
    from quizzer.labs.spec import LabError

    language = _lang(lang)
    try:
        lab = get_lab(lab_id)
        settings = lab.settings(set_ or (), seed=seed)
        _check_plot_path(plot)
        _train(lab.id, solution_source(lab), f"{lab.module}_solution.py", settings, json=json, no_plot=no_plot,
               plot=plot, quiz=False, lang=language)
    except LabError as exc:
        raise _lab_error(exc, language) from None


@handle_errors
def try_(
    lab_id: LabId,
    file: Annotated[str | None, typer.Argument(help="Your lab file (default: the built-in solution).",
                                                  show_default=False)] = None,
    set_: SetOption = None,
    seed: SeedOption = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Runs at a time (default: the "
                                                "number of cores).", show_default=False)] = None,
    json: JsonOption = False,
    no_plot: NoPlotOption = False,
    lang: LangOption = None,
) -> None:
    """The course's experiments: every setting, side by side with what the course's notes observed."""
    from quizzer.labs.core import get_lab, read_source, try_lab
    from quizzer.labs.spec import LabError

    language = _lang(lang)
    try:
        lab = get_lab(lab_id)
        source = None
        path = "lab.py"
        if file is not None:
            source = _read(file, language)
            read_source(source, file, lab)
            path = file
        workers = jobs or (os.cpu_count() or 1)
        done = [0]

        def tick(row: Any) -> None:
            done[0] += 1
            if not json:
                err_console.print(f"[{done[0]}/{len(lab.experiments)}] {row.label}", highlight=False)

        rows = try_lab(lab.id, source, path=path, seed=seed, base=set_ or (), workers=workers, on_done=tick)
    except LabError as exc:
        raise _lab_error(exc, language) from None
    _record([row.result for row in rows])
    if json:
        print_json({"id": lab.id, "rows": [row.to_dict(language) for row in rows]})
    else:
        from quizzer.cli import lab_render

        console.print(lab_render.try_table(rows, lab, language))
        if not no_plot and console.is_terminal:
            console.print(lab_render.small_multiples(rows, language, width=min(console.width - 2, 120)))
    sys.stdout.flush()


def register(parent: typer.Typer) -> None:
    """Add `quizzer lab` (list, start, run, try, demo) to the quizzer app."""
    app.command("list")(list_labs)
    app.command("start")(start)
    app.command("run")(run)
    app.command("try")(try_)
    app.command("demo")(demo)
    parent.add_typer(app, name="lab")


__all__ = ["register"]
