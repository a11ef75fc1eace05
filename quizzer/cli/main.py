"""The command line: typed options and one call into the core per command. Rendering lives in quizzer.cli.render.

Exit codes: 0 correct or fine, 1 answered but not correct (or problems found), 2 usage or input error.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from quizzer import __version__
from quizzer.cli import authoring as cli_authoring
from quizzer.cli import doctor as cli_doctor
from quizzer.cli import exam as cli_exam
from quizzer.cli import exercise as cli_exercise
from quizzer.cli import instructor as cli_instructor
from quizzer.cli import lab as cli_lab
from quizzer.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WRONG,
    BankOption,
    DifficultyOption,
    JsonOption,
    LangOption,
    SourceOption,
    console,
    err_console,
    fail,
    handle_errors,
    load,
    plain_help,
    print_json,
    user_language,
)
from quizzer.errors import QuizzerError
from quizzer.i18n.labels import label, plural

plain_help()
app = typer.Typer(
    name="quizzer",
    help="Exam practice and self-grading for recurrent neural networks (RNN, LSTM, GRU, seq2seq, attention...).",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain help: typer's Rich help formatter imports rich.markdown and markdown-it (+160 ms on every
    # `--help`); the start-up budget is measured by bench/bench_startup.py.
    rich_markup_mode=None,
)

TopicOption = Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).", show_default=False)]
TypeOption = Annotated[list[str] | None, typer.Option("--type", "-k", help="Only this type (the `type` column of `quizzer list`): choice, numeric, symbolic, text, flashcard, blank, function (repeatable).", show_default=False)]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Make the serving reproducible (parameters, option order).", show_default=False)]


def _version(value: bool) -> None:
    if value:
        console.print(f"quizzer {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Practise with `quizzer practice`, review what is due with `quizzer review`, grade code with `quizzer grade`."""


@app.command("list")
@handle_errors
def list_items(
    topic: TopicOption = None,
    type_: TypeOption = None,
    source: SourceOption = None,
    difficulty: DifficultyOption = None,
    json: JsonOption = False,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """List the questions and exercises of the bank."""
    from quizzer.bank import load_index
    from quizzer.bank.filters import check_filters, keep
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    check_filters(source, difficulty, language)
    from quizzer.bank.filters import check_names

    index = load_index(bank, language)
    check_names(topic or (), type_ or (), (row["topic"] for row in index))
    rows = [row for row in index if (not topic or row["topic"] in topic) and (not type_ or row["type"] in type_)]
    rows = keep(rows, source=source, difficulty=difficulty)
    if json:
        print_json(rows)
        return
    from quizzer.cli.listing import list_lines

    console.print(list_lines(rows, language, console.width if console.is_terminal else None), end="", soft_wrap=True)
    console.print(f"[dim]{plural(len(rows), 'item', 'items', language)}[/]")


@app.command()
@handle_errors
def show(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The question or exercise id.")],
    lang: LangOption = None,
    seed: SeedOption = None,
    answer: Annotated[bool, typer.Option("--answer", help="Also show the answer and the explanation.")] = False,
    bank: BankOption = None,
) -> None:
    """Show one item as a learner sees it."""
    from quizzer.bank.serve import serve
    from quizzer.cli import render
    from quizzer.cli.prose import Prose
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    item = load(bank).get(item_id)
    if seed is None and _needs_seed(item):
        seed = _fresh_seed()  # printed below, so that `quizzer answer --seed` grades this very serving
    served = serve(item, seed=seed)
    if seed is None:
        served = _canonical(served)
    console.print(render.item_panel(served, language))
    if served.values or (seed is not None and item.type == "choice"):
        console.print(f"[dim]{escape(label('answer-with', language, id=item.id, seed=served.seed))}[/]")
    if answer:
        from quizzer.checking import checker_for

        expected = checker_for(item.type).expected(served, lang=language)
        console.print(Prose(expected, prefix=f"{render.label('answer', language)}: ", prefix_style="bold green"))
        explanation = served.explanation(language) if item.kind == "question" else item.explanation.get(language)
        if explanation:
            console.print(render.explanation_panel(explanation, language))


def _needs_seed(item) -> bool:
    return bool(item.params)


def _fresh_seed() -> int:
    import random

    return random.SystemRandom().randrange(10**6)


def _canonical(served):
    """The serving with options in the bank's own order (used when no --seed is given)."""
    from dataclasses import replace

    spec = getattr(served.item, "spec", None)
    options = getattr(spec, "options", None)
    return replace(served, options=tuple(options)) if options else served


@app.command()
@handle_errors
def answer(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The question or exercise id.")],
    response: Annotated[str, typer.Argument(metavar="ANSWER", help="Your answer (for a blank exercise: the expression that fills ____).")],
    json: JsonOption = False,
    seed: SeedOption = None,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Grade one answer without a session. Exit 0 if right, 1 if not, 2 if it cannot be read."""
    from quizzer.bank.serve import serve
    from quizzer.checking import check
    from quizzer.i18n.text import resolve_language

    language = resolve_language(lang)
    item = load(bank).get(item_id)
    if _needs_seed(item) and seed is None:
        raise QuizzerError.of("needs-seed", id=item.id)
    served = serve(item, seed=seed)
    if seed is None:
        served = _canonical(served)
    result = check(served, response, lang=language)
    if json:
        print_json(result.to_dict())
    elif item.kind == "exercise":
        from quizzer.cli.exercise import render_code_result

        render_code_result(result, console, lang=language)
    else:
        from quizzer.cli import render

        explanation = served.explanation(language)
        console.print(render.verdict(result, language, explanation=explanation))
    raise typer.Exit(EXIT_OK if result.passed else EXIT_WRONG)


@app.command()
@handle_errors
def practice(
    topic: TopicOption = None,
    type_: TypeOption = None,
    count: Annotated[int | None, typer.Option("-n", "--count", min=1, help="How many items (default: 10).", show_default=False)] = None,
    source: SourceOption = None,
    difficulty: DifficultyOption = None,
    lang: LangOption = None,
    seed: SeedOption = None,
    bank: BankOption = None,
) -> None:
    """An interactive session: answer, get the verdict and explanation at once. `?` hint, `skip`, `quit`."""
    from quizzer.cli.practice import PracticeUI
    from quizzer.i18n.text import resolve_language
    from quizzer.progress.session import Session, plan_practice
    from quizzer.progress.store import Store

    language = resolve_language(lang)
    loaded = load(bank)
    with Store.open() as store:
        items = plan_practice(loaded, topics=topic or (), types=type_ or (), count=count or 10, seed=seed,
                              history=store.last_results(), source=source, difficulty=difficulty, lang=language)
        asked = count or 10
        if count is not None or len(items) < asked:
            message = (plural(len(items), "serving-one", "serving", language) if len(items) >= asked
                       else label("serving-fewer", language, n=len(items), asked=asked))
            console.print(f"[dim]{escape(message)}[/]")
        session = Session(items, store, mode="practice", lang=language, seed=seed, topics=topic or ())
        PracticeUI(session, console).run()


@app.command()
@handle_errors
def review(
    count: Annotated[int | None, typer.Option("-n", "--count", min=1, help="At most this many items.", show_default=False)] = None,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Review the items due under spaced repetition (a miss comes back soon, a sure answer much later)."""
    from quizzer.cli.practice import PracticeUI
    from quizzer.i18n.text import resolve_language
    from quizzer.progress.session import Session, plan_review
    from quizzer.progress.store import Store

    language = resolve_language(lang)
    loaded = load(bank)
    with Store.open() as store:
        items = plan_review(loaded, store, count=count)
        if not items:
            upcoming = [c for c in (store.card(i) for i in loaded.items) if c is not None]
            if upcoming:
                from quizzer.cli.when import relative

                nxt = min(c.due for c in upcoming)
                console.print(label("nothing-due", language, when=relative(nxt, language)), markup=False)
            else:
                console.print(label("nothing-yet", language), markup=False)
            return
        session = Session(items, store, mode="review", lang=language)
        PracticeUI(session, console).run()


@app.command()
@handle_errors
def reset(
    item_ids: Annotated[list[str] | None, typer.Argument(metavar="[ID]...", help="Only these items (default: all progress).", show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Forget recorded answers and review schedules (of the given items, or all of them)."""
    from quizzer.progress.store import Store

    language = user_language()
    with Store.open() as store:
        if item_ids:
            unknown = [i for i in dict.fromkeys(item_ids) if store.card(i) is None and not store.history(i)]
            if unknown:  # said before asking anything
                raise QuizzerError.of("unknown-ids", ids=", ".join(unknown))
            what = label("reset-items", language, ids=", ".join(item_ids))
        else:
            what = label("reset-all", language, path=store.path)
        if not yes:
            if not sys.stdin.isatty():
                raise QuizzerError.of("reset-needs-yes")
            typer.confirm(label("reset-ask", language, what=what), abort=True)
        removed = store.reset(item_ids or None)
    console.print(plural(removed, "reset-done-one", "reset-done", language, what=what), markup=False)


@app.command()
@handle_errors
def stats(
    json: JsonOption = False,
    lang: LangOption = None,
    bank: BankOption = None,
) -> None:
    """Attempts, accuracy and items due per topic, with a chart; readiness per topic and what to study next."""
    from quizzer.i18n.text import resolve_language
    from quizzer.progress.readiness import readiness
    from quizzer.progress.store import Store

    language = resolve_language(lang)
    loaded = load(bank)
    with Store.open() as store:
        figures = store.stats()
        ready = readiness(loaded, store)
    if json:
        print_json({**figures.to_dict(), "readiness": ready.to_dict()})
        return
    from quizzer.cli import render
    from quizzer.cli.readiness import readiness_view

    if figures.labs:
        from quizzer.cli import lab_render

        console.print(lab_render.lab_stats(figures.labs, language))
    if not figures.attempts:
        console.print(label("no-answers", language), markup=False)
    else:
        console.print(render.stats_view(figures, language))
    for part in readiness_view(ready, language):
        console.print(part)


# Commands that live in their own modules (code exercises; authoring) register themselves here.
cli_exercise.register(app)
cli_authoring.register(app)
cli_exam.register(app)
cli_instructor.register(app)
cli_doctor.register(app)
cli_lab.register(app)


def run() -> None:
    """The console script: the app, with the argument parser's own errors (an unknown command or
    option, a value of the wrong type, a missing argument) said in one line, exit 2."""
    from typer import _click as click

    try:
        code = app_for(sys.argv[1:])(standalone_mode=False)
    except click.exceptions.ClickException as error:
        lang = user_language(_lang_in_argv(sys.argv[1:]))
        command = error.ctx.command_path if getattr(error, "ctx", None) else "quizzer"  # type: ignore[attr-defined]
        hint = label("see-help", lang, command=command) if isinstance(error, click.exceptions.UsageError) else ""
        err_console.print(f"{label('error', lang)}: {error.format_message().rstrip('.')}{hint}", markup=False,
                          highlight=False, soft_wrap=True)
        raise SystemExit(EXIT_USAGE if isinstance(error, click.exceptions.UsageError) else error.exit_code) from None
    except typer.Abort:
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else EXIT_OK)


def app_for(argv: list[str]) -> typer.Typer:
    """The app as a command line needs it: with only the command it names, when it names one first.

    Typer builds every command's parser from its signature on each run, 16 ms for the 19 commands
    and groups here (a fifth of `quizzer list`'s start-up), although only one of them runs; the
    others are left out. Anything else (no command, `--help`, `--version`, a mistyped name) gets the
    whole app, so that the help lists every command and the error names the unknown one.
    tests/test_startup.py checks that each command's help and errors are the same either way.
    """
    import copy

    name = argv[0] if argv else ""
    commands = [c for c in app.registered_commands if _command_name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    lean = copy.copy(app)
    lean.registered_commands, lean.registered_groups = commands, groups
    return lean


def _command_name(command: typer.models.CommandInfo) -> str:
    if command.name:
        return command.name
    callback = command.callback
    return callback.__name__.lower().replace("_", "-") if callback is not None else ""


def _lang_in_argv(argv: list[str]) -> str | None:
    """The --lang/-l value on a command line that did not parse (the message follows it if it can)."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg in ("--lang", "-l") and i + 1 < len(argv):
            return argv[i + 1]
    return None


__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_WRONG", "app", "fail", "run"]
