"""Rich rendering of items, verdicts, summaries and stats: the only place questions meet the terminal."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich import box
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text as RichText

from quizzer.bank.model import BLANK, Exercise, FlashcardSpec, NumericSpec, Question, SymbolicSpec
from quizzer.bank.serve import Served, letter
from quizzer.cli.prose import Prose
from quizzer.i18n.labels import label
from quizzer.results import Result


def item_panel(served: Served, lang: str, *, position: str = "") -> Panel:
    """The item as a learner sees it: prompt, options or code, and how to answer."""
    item = served.item
    parts: list = prose_and_code(served.prompt(lang).strip())
    if isinstance(item, Question):
        spec = item.spec
        if item.type == "choice":
            options = Table.grid(padding=(0, 1))
            options.add_column(style="bold cyan", no_wrap=True)
            options.add_column()
            for i, option in enumerate(served.options):
                options.add_row(f"{letter(i)})", Prose(served.render(option.text, lang)))
            parts += [RichText(""), options]
            how = label("choose_many" if spec.multiple else "choose_one", lang)  # type: ignore[union-attr]
        elif isinstance(spec, SymbolicSpec):
            how = f"{label('variables', lang)}: {', '.join(spec.variables)}"
            if spec.functions:
                how += f"   {label('functions', lang)}: {', '.join(spec.functions)}"
        elif isinstance(spec, NumericSpec) and spec.shape is not None:
            how = label("shape", lang)
        elif isinstance(spec, NumericSpec) and spec.unit:
            how = f"{label('unit', lang)}: {served.render(spec.unit, lang)}"
        elif isinstance(spec, FlashcardSpec):
            how = label("flashcard", lang)
        else:
            how = ""
    else:
        parts += _exercise_parts(item, lang)
        how = label("blank", lang) if item.type == "blank" else ""
    if how:
        parts += [RichText(""), RichText(how, style="dim")]
    title = f"[bold]{escape(item.topic)}[/] · {escape(item.id)}"
    if item.difficulty:
        title += f" · {label('level', lang)} {item.difficulty}"
    if position:
        title = f"{position}  {title}"
    return Panel(Group(*parts), title=title, title_align="left", border_style="cyan", box=box.ROUNDED)


_CODE_START = re.compile(r"^(for|while|if|elif|else|def|class|with|try|except|finally)\b.*:\s*$|^(return|import|from)\s")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][\w\[\], .:]*\s*[-+*/@]?=\s*\S")


def _is_code(line: str) -> bool:
    return bool(line[:1].isspace() and line.strip()) or bool(_CODE_START.match(line)) or line.strip() == "..."


def prose_and_code(text: str) -> list:
    """A prompt's paragraphs as Prose, and the code in it (a block statement with its indented body)
    as syntax-highlighted code that keeps its indentation and wraps instead of being cut."""
    lines = text.split("\n")
    parts: list = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and (_is_code(lines[j]) or (j > i and _ASSIGNMENT.match(lines[j]))):
            j += 1
        block = lines[i:j]
        if j > i and any(_CODE_START.match(line) for line in block) and any(line[:1].isspace() for line in block):
            if prose:
                parts.append(Prose("\n".join(prose)))
                prose = []
            parts.append(code_view("\n".join(block)))
            i = j
            continue
        prose.append(lines[i])
        i += 1
    if prose or not parts:
        parts.append(Prose("\n".join(prose)))
    return parts


def code_view(code: str, *, line_numbers: bool = False):
    """Code as a learner may copy it: whole, indented, wrapped at the panel's edge, with ASCII minus."""
    from rich.syntax import Syntax  # pygments: only where code is shown

    return Syntax(code.replace("\u2212", "-"), "python", theme="ansi_dark", background_color="default",
                  line_numbers=line_numbers, word_wrap=True)


def _exercise_parts(exercise: Exercise, lang: str) -> list:
    parts: list = [RichText("")]
    if exercise.provided.strip():
        parts.append(RichText(f"{label('provided', lang)}:", style="dim"))
        parts.append(code_view(exercise.provided_for(lang).strip()))
        parts.append(RichText(""))
    template = exercise.template_for(lang)
    code = code_view(template.rstrip(), line_numbers=True)
    if BLANK in template:
        line = template[: template.index(BLANK)].count("\n") + 1
        code.stylize_range("bold reverse", (line, 0), (line + 1, 0))
    parts.append(code)
    return parts


def verdict(result: Result, lang: str, *, explanation: str = "") -> Group:
    """The verdict line, the feedback and the explanation."""
    if result.rating is not None:
        head = RichText(f"● {result.feedback}", style="bold yellow" if result.rating == "again" else "bold green")
        parts: list = [head]
    elif result.passed:
        parts = [RichText(f"✓ {result.feedback}", style="bold green")]
    else:
        parts = [RichText(f"✗ {result.feedback}", style="bold red")]
    if explanation.strip():
        parts.append(explanation_panel(explanation, lang))
    return Group(*parts)


def explanation_panel(explanation: str, lang: str) -> Panel:
    return Panel(Prose(explanation.strip()), title=label("explanation", lang), title_align="left", border_style="dim", box=box.ROUNDED)


def flashcard_reveal(served: Served, lang: str) -> Panel:
    spec = served.spec(FlashcardSpec)
    parts: list = [Prose(served.render(spec.answer, lang).strip())]
    if spec.key_points:
        parts.append(RichText(""))
        parts.append(RichText(f"{label('points', lang)}:", style="bold"))
        bullets = Table.grid(padding=(0, 1))
        bullets.add_column(no_wrap=True)
        bullets.add_column()
        for point in spec.key_points:
            bullets.add_row("•", Prose(served.render(point, lang)))
        parts.append(bullets)
    return Panel(Group(*parts), title=label("model", lang), title_align="left", border_style="green", box=box.ROUNDED)


def hint_line(text: str, number: int, total: int, lang: str) -> Prose:
    return Prose(f"💡 {label('hint', lang)} {number}/{total}: {text}", style="yellow")


def summary_table(rows: Sequence[tuple[str, int, int, int]], lang: str) -> Table:
    """Per-topic summary of a session: (topic, answered, correct, skipped)."""
    table = Table(box=box.SIMPLE_HEAVY, title=None)
    table.add_column(label("topic", lang))
    table.add_column(label("answered", lang), justify="right")
    table.add_column(label("correct", lang), justify="right")
    table.add_column(label("accuracy", lang), justify="right")
    table.add_column(label("skipped", lang), justify="right")
    total = [0, 0, 0]
    for topic, answered, correct, skipped in rows:
        table.add_row(topic, str(answered), str(correct), _percent(correct, answered), str(skipped))
        total = [total[0] + answered, total[1] + correct, total[2] + skipped]
    table.add_section()
    table.add_row(f"[bold]{label('total', lang)}[/]", str(total[0]), str(total[1]), _percent(total[1], total[0]), str(total[2]))
    return table


def stats_view(stats, lang: str) -> Group:
    """Per-topic attempts, accuracy and due items, with bar charts."""
    table = Table(box=box.SIMPLE_HEAVY)
    table.add_column(label("topic", lang))
    table.add_column(label("attempts", lang), justify="right")
    table.add_column(label("accuracy", lang), justify="right")
    table.add_column("", no_wrap=True)
    table.add_column(label("seen", lang), justify="right")
    table.add_column(label("due", lang), justify="right")
    for topic in stats.per_topic:
        accuracy = topic.accuracy
        table.add_row(
            topic.topic,
            str(topic.attempts),
            "–" if accuracy is None else f"{accuracy:.0%}",
            bar(accuracy or 0.0, 20, "green" if (accuracy or 0) >= 0.7 else "yellow" if (accuracy or 0) >= 0.4 else "red"),
            str(topic.items_seen),
            str(topic.due),
        )
    table.add_section()
    overall = stats.accuracy
    table.add_row(
        f"[bold]{label('total', lang)}[/]",
        str(stats.attempts),
        "–" if overall is None else f"{overall:.0%}",
        bar(overall or 0.0, 20, "cyan"),
        str(stats.items_seen),
        str(stats.due),
    )
    days = Table(box=None, show_header=False, padding=(0, 1))
    days.add_column(no_wrap=True)
    days.add_column(no_wrap=True)
    days.add_column(justify="right")
    peak = max((d.attempts for d in stats.last_7_days), default=0) or 1
    for day in stats.last_7_days:
        days.add_row(str(day.day)[5:], bar(day.attempts / peak, 30, "cyan"), str(day.attempts))
    heading = label("last-7-days", lang)
    return Group(table, RichText(heading, style="bold"), days)


def bar(fraction: float, width: int, style: str) -> RichText:
    fraction = min(max(fraction, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])
    return RichText(text.ljust(width), style=style)


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"
