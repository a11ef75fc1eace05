"""Instructors' commands: validate, new, schema, export."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from quizzer.cli.common import (
    EXIT_OK,
    EXIT_WRONG,
    BankOption,
    DifficultyOption,
    SourceOption,
    console,
    err_console,
    handle_errors,
    load,
    print_json,
    user_language,
)
from quizzer.i18n.labels import label, plural


def register(app: typer.Typer) -> None:
    app.command("validate")(validate)
    app.command("new")(new)
    app.command("schema")(schema)
    app.command("export")(export)


@handle_errors
def validate(
    paths: Annotated[list[str] | None, typer.Argument(metavar="[PATH]...", help="Bank folders or files (default: the bank in use).", show_default=False)] = None,
    no_code: Annotated[bool, typer.Option("--no-code", help="Skip running the exercises (schema and answers only).")] = False,
    bank: BankOption = None,
) -> None:
    """Prove a bank: schema, unique ids, answers that evaluate, solutions that pass, misconceptions that fail.

    Prints `path:line: problem` for each problem; exit 1 if there are any, 0 when clean.
    """
    from quizzer.authoring.validate import validate as run_validation

    lang = user_language()
    with err_console.status(label("validating", lang), spinner="dots") as status:
        report = run_validation([*(paths or []), *(bank or [])] or None, check_code=not no_code,
                                progress=lambda what: status.update(label("validating-what", lang, what=what)))
    for problem in report.problems:
        console.print(problem.text(lang), markup=False, highlight=False, soft_wrap=True)
    longest, single = report.longest_correct
    if single:
        colour = "yellow" if 3 * longest > single else "dim"
        note = label("longest-option", lang, longest=longest, single=single, share=f"{longest / single:.0%}")
        err_console.print(f"[{colour}]{escape(note)}[/]")
    files = plural(len(report.files), "n-file", "n-files", lang)
    summary = label("validate-summary", lang, files=files,
                    questions=plural(report.questions, "n-question", "n-questions", lang),
                    exercises=plural(report.exercises, "n-exercise", "n-exercises", lang))
    if report.clean:
        err_console.print(summary + f"[green]{label('no-problems', lang)}[/]")
        raise typer.Exit(EXIT_OK)
    err_console.print(summary + f"[red]{plural(len(report.problems), 'n-problem', 'n-problems', lang)}[/]")
    raise typer.Exit(EXIT_WRONG)


@handle_errors
def new(
    kind: Annotated[str, typer.Argument(metavar="question|exercise", help="What to create.")],
    topic: Annotated[str, typer.Option("--topic", "-t", help="Topic (kebab-case); the item goes into <bank>/questions/<topic>.yaml or exercises/<topic>.yaml.")],
    type_: Annotated[str | None, typer.Option("--type", "-k", help="Question: choice, numeric, symbolic, text, flashcard. Exercise: blank, function.", show_default=False)] = None,
    item_id: Annotated[str | None, typer.Option("--id", help="The new item's id (default: <topic>-new-<n>).", show_default=False)] = None,
    into: Annotated[str | None, typer.Option("--bank", help="Bank folder to write into (default: the first --bank in use, else the current folder).", show_default=False)] = None,
) -> None:
    """Write a skeleton question or exercise into the right file; `quizzer validate` then points at what to fill."""
    from quizzer.authoring.skeleton import new_item

    path, line, written_id = new_item(kind, topic=topic, item_type=type_, item_id=item_id, bank=into)
    lang = user_language()
    console.print(label("new-wrote", lang, id=written_id, path=path, line=line), markup=False)
    console.print(f"[dim]{escape(label('new-next', lang, path=path))}[/]")


@handle_errors
def schema(
    output: Annotated[str | None, typer.Option("-o", "--output", help="Write to this file instead of standard output.", show_default=False)] = None,
) -> None:
    """Print the JSON Schema of bank files (for editor completion: see docs/authoring.md)."""
    import json
    from pathlib import Path

    from quizzer.authoring.skeleton import write_schema
    from quizzer.bank.schema import json_schema

    if output:
        write_schema(Path(output))
        err_console.print(label("wrote-file", user_language(), path=output), markup=False)
    else:
        typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", nl=False)


@handle_errors
def export(
    format_: Annotated[str, typer.Option("--format", "-f", help="markdown, json, anki (an .apkg deck; needs -o), moodle (Moodle XML) or gift.")] = "markdown",
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).", show_default=False)] = None,
    source: SourceOption = None,
    difficulty: DifficultyOption = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="en or ja (default: $QUIZZER_LANG, else en); the Anki deck also takes both.", show_default=False)] = None,
    output: Annotated[str | None, typer.Option("-o", "--output", help="Write to this file instead of standard output.", show_default=False)] = None,
    variants: Annotated[int, typer.Option("--variants", help="moodle, gift: servings exported per parameterised question.")] = 3,
    bank: BankOption = None,
) -> None:
    """A printable review sheet with answers and explanations (markdown), the bank as JSON, an Anki deck, or an
    LMS quiz (moodle, gift: both languages unless --lang is given)."""
    from pathlib import Path

    from quizzer.authoring.export import export_json, export_markdown
    from quizzer.bank.filters import check_filters, keep
    from quizzer.errors import QuizzerError
    from quizzer.i18n.labels import label
    from quizzer.i18n.text import resolve_language

    both = (lang or "").strip().lower() == "both"
    language = resolve_language(None if both else lang)
    if both and format_ != "anki":
        raise QuizzerError(label("both-only-anki", language))
    check_filters(source, difficulty, language)
    if output:
        from quizzer.paths import check_writable

        check_writable(output)  # a bad path is said before the export's work, not after it
    loaded = load(bank)
    items = keep(loaded.select(topics=topic or ()), source=source, difficulty=difficulty)
    written = len(items)
    from quizzer.bank.filters import check_names

    check_names(topic or (), (), loaded.topics)
    if format_ == "anki":
        if not output:
            raise QuizzerError(label("anki-needs-output", language))
        from quizzer.authoring.anki import export_anki

        report = export_anki(items, Path(output), lang="both" if both else language)
        err_console.print(label("wrote-notes", language, n=report.notes, path=output))
        return
    if format_ == "markdown":
        text = export_markdown(items, language)
    elif format_ == "json":
        import json

        text = json.dumps(export_json(items, language), ensure_ascii=False, indent=2) + "\n"
    elif format_ in ("moodle", "gift"):
        from quizzer.authoring.gift import export_gift
        from quizzer.authoring.moodle import export_moodle
        from quizzer.i18n.labels import label

        if variants < 1:
            raise QuizzerError(label("bad-variants", language))
        exporter = export_moodle if format_ == "moodle" else export_gift
        exported = exporter(items, lang=lang and language, variants=variants, message_lang=language)
        text = exported.text
        if exported.skipped:
            err_console.print(label("lms-not-carried", language, n=len(exported.skipped)), markup=False)
            for line in exported.skipped:
                err_console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
        if exported.approximated:
            err_console.print(label("lms-approximated", language, n=len(exported.approximated)), markup=False)
            for line in exported.approximated:
                err_console.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
        written = exported.questions
    else:
        raise QuizzerError(label("unknown-format", language, value=format_, known="markdown, json, anki, moodle, gift"))
    if output:
        from quizzer.paths import write_file

        write_file(output, text)
        err_console.print(label("wrote-items", language, n=written, path=output), markup=False)
    else:
        typer.echo(text, nl=False)


__all__ = ["print_json", "register"]
