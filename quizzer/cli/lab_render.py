"""How labs look in the terminal: the knob list, live loss charts, the verdict, the `lab try` table.

Charts are drawn by plotext (a maintained terminal plotting library; its ANSI output is handed to
Rich as a renderable), never by hand. Everything here only reads ``quizzer.labs`` values.
"""

from __future__ import annotations

import math
import time
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text as RichText

from quizzer.labs.messages import say


def word(key: str, lang: str) -> str:
    return say(f"ui-{key}", lang)


def _plotext(width: int, height: int):
    """plotext, cleared and sized (the size must be set before any subplots are made)."""
    import plotext as plt

    plt.main()  # clear_figure clears the active figure: after subplots that is the last subplot, not the whole
    plt.clear_figure()
    plt.theme("clear")
    plt.limitsize(False, False)  # the size asked for, not clipped to the terminal's height
    plt.plotsize(width, height)
    return plt


def _ansi(text: str) -> RichText:
    return RichText.from_ansi(text)


def lab_list(labs: list[Any], lang: str) -> RenderableType:
    parts: list[RenderableType] = []
    for lab in labs:
        parts.append(RichText(f"{lab.id}  ", style="bold cyan") + RichText(lab.title.get(lang), style="bold"))
        parts.append(RichText(lab.summary.get(lang)))
        parts.append(RichText(f"{word('goal', lang)}: {lab.goal.text.get(lang)}  ({lab.course})", style="green"))
        parts.append(RichText(f"{word('questions', lang)}: {', '.join(lab.questions)}", style="dim"))
        table = Table(box=box.SIMPLE, show_edge=False)
        for col in ("knob", "default", "range"):
            table.add_column(word(col, lang))
        table.add_column("")
        for knob in lab.knobs:
            if knob.choices:
                rng = " | ".join(knob.choices)
            elif knob.kind == "int":
                rng = f"{int(knob.lo)} … {int(knob.hi)}"
            else:
                rng = f"{knob.lo:g} … {knob.hi:g}"
            table.add_row(knob.name, str(knob.default), rng, knob.help.get(lang))
        parts.append(table)
    return Group(*parts)


class LiveChart:
    """The loss (and accuracy) so far, redrawn at most every ``interval`` seconds; ``cost`` keeps the
    CPU seconds spent drawing so that `bench/bench_labs.py` can hold it under 10% of the training time."""

    def __init__(self, console: Console, title: str, accuracy: bool, lang: str, interval: float = 0.5) -> None:
        from rich.live import Live

        self.console = console
        self.title = title
        self.accuracy = accuracy
        self.lang = lang
        self.interval = interval
        self.points: list[dict[str, Any]] = []
        self.cost = 0.0
        self.broken = False
        self._last = 0.0
        self._live = Live(RichText(""), console=console, auto_refresh=False, transient=False)

    def __enter__(self) -> LiveChart:  # noqa: PYI034 (final class; Self needs Python 3.11)
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.draw(force=True)
        finally:
            self._live.__exit__(None, None, None)

    def add(self, point: dict[str, Any]) -> None:
        self.points.append(point)
        self.draw()

    def draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.broken or (not force and now - self._last < self.interval):
            return
        started = time.thread_time()  # CPU, not wall: on a busy machine the wall clock also counts waiting
        try:
            self._live.update(self.render(), refresh=True)
        except Exception:  # noqa: BLE001 -- a chart that cannot be drawn must never stop the training run
            self.broken = True
            self._live.update(RichText(""), refresh=True)
        self.cost += time.thread_time() - started
        self._last = time.monotonic()

    def render(self) -> RenderableType:
        return curves(self.points, self.title, self.accuracy, self.lang, width=min(self.console.width - 2, 100))


def curves(points: list[dict[str, Any]], title: str, accuracy: bool, lang: str, width: int = 90,
           height: int = 14) -> RenderableType:
    finite = [p for p in points if isinstance(p["loss"], float) and math.isfinite(p["loss"])]
    if not finite:
        return RichText(title)
    plt = _plotext(width, height)
    if accuracy:
        plt.subplots(1, 2)
        plt.subplot(1, 1)
    plt.plot([p["i"] for p in finite], [p["loss"] for p in finite], marker="braille")
    if not accuracy and all(p["loss"] > 0 for p in finite):
        plt.yscale("log")  # the interesting part of a loss curve spans decades (plotext applies it figure-wide)
    plt.title(f"{title}: {word('loss', lang)}")
    plt.xlabel(word("iteration", lang))
    if accuracy:
        acc = [p for p in points if p.get("acc") is not None]
        plt.subplot(1, 2)
        plt.plot([p["i"] for p in acc], [p["acc"] for p in acc], marker="braille", color="green")
        plt.ylim(0, 1)
        plt.title(word("accuracy", lang))
    return _ansi(plt.build())


def wave_chart(detail: dict[str, Any], lang: str, width: int = 90, height: int = 14) -> RenderableType | None:
    if not detail.get("free_run") or not detail.get("wave"):
        return None
    plt = _plotext(width, height)
    xs = list(range(len(detail["wave"])))
    plt.plot(xs, detail["wave"], label=word("wave", lang), marker="braille")
    pred = [v if math.isfinite(v) else 0.0 for v in detail["free_run"]]
    plt.plot(xs, pred, label=word("prediction", lang), marker="braille", color="red")
    plt.ylim(-1.5, 1.5)
    return _ansi(plt.build())


def progress_line(point: dict[str, Any], lang: str) -> str:
    acc = f"  {word('accuracy', lang)} {point['acc']:.1%}" if point.get("acc") is not None else ""
    return f"{word('iteration', lang)} {point['i']:>7}  {word('loss', lang)} {point['loss']:.5g}{acc}"


def verdict(result: Any, lang: str) -> RenderableType:
    style = "bold green" if result.passed else "bold red"
    lines: list[RenderableType] = [RichText(result.verdict(lang), style=style)]
    if result.diagnosis is not None:
        lines.append(RichText(result.diagnosis.text(lang), style="yellow"))
    lines.append(RichText(f"{word('time', lang)} {result.elapsed:.1f} s · {word('isolation', lang)}: "
                          f"{result.isolation}", style="dim"))
    return Group(*lines)


def try_table(rows: list[Any], lab: Any, lang: str) -> RenderableType:
    from quizzer.labs.core import metric_text

    table = Table(box=box.SIMPLE_HEAVY)
    for key in ("setting", "final_loss", "metric", "to_goal", "diverged", "observed", "verdict"):
        table.add_column(word(key, lang), justify="right" if key in ("final_loss", "to_goal") else "left")
    for row in rows:
        res = row.result
        final = res.history[-1]["loss"] if res.history else None
        holds = row.holds
        mark = "–" if holds is None else say("holds" if holds else "differs", lang)
        table.add_row(
            row.label,
            "–" if final is None else f"{final:.4g}",
            RichText(metric_text(lab, res.metric, lang) + (" ✓" if res.passed else " ✗"),
                     style="green" if res.passed else "red"),
            "–" if row.iterations_to_goal is None else str(row.iterations_to_goal),
            word("yes", lang) if row.diverged else word("no", lang),
            row.observed.get(lang),
            RichText(mark, style="green" if holds else "yellow" if holds is False else "dim"),
        )
    return table


def small_multiples(rows: list[Any], lang: str, width: int = 100, columns: int = 3) -> RenderableType:
    n = len(rows)
    grid_rows = math.ceil(n / columns)
    plt = _plotext(width, 11 * grid_rows)
    plt.subplots(grid_rows, columns)
    for k, row in enumerate(rows):
        plt.subplot(k // columns + 1, k % columns + 1)
        pts = [p for p in row.result.history if math.isfinite(p["loss"])]
        if pts:
            plt.plot([p["i"] for p in pts], [p["loss"] for p in pts], marker="braille",
                     color="green" if row.result.passed else "red")
        plt.title(row.label)
    return _ansi(plt.build())


def save_plot(path: str, result: Any, lab: Any, lang: str) -> None:
    """--plot FILE.png|svg through matplotlib (the optional `plot` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as mpl

    extra = bool(result.detail.get("free_run")) or lab.plot_accuracy
    fig, axes = mpl.subplots(1, 2 if extra else 1, figsize=(10 if extra else 6, 4))
    axes = list(axes) if extra else [axes]
    pts = [p for p in result.history if math.isfinite(p["loss"])]
    axes[0].plot([p["i"] for p in pts], [p["loss"] for p in pts])
    axes[0].set_xlabel("iteration")
    axes[0].set_ylabel("loss")
    axes[0].set_title(f"{lab.id}: loss")
    if lab.plot_accuracy:
        acc = [p for p in result.history if p.get("acc") is not None]
        axes[1].plot([p["i"] for p in acc], [p["acc"] for p in acc], color="green")
        axes[1].set_ylim(0, 1)
        axes[1].set_title("accuracy (training)")
    elif result.detail.get("free_run"):
        axes[1].plot(result.detail["wave"], label="wave")
        axes[1].plot(result.detail["free_run"], label="free-running prediction")
        axes[1].legend()
        axes[1].set_title("one period, free-running")
    fig.tight_layout()
    fig.savefig(path)
    mpl.close(fig)


def lab_stats(labs: Any, lang: str) -> RenderableType:
    table = Table(title=word("labs", lang), box=box.SIMPLE_HEAVY)
    for key in ("lab", "runs", "passed", "best", "last"):
        table.add_column(word(key, lang))
    for row in labs:
        best = "–" if row.best_metric is None else f"{row.best_metric:.4g}"
        table.add_row(row.lab, str(row.runs), str(row.passed), best, row.last_run[:16].replace("T", " "))
    return table
