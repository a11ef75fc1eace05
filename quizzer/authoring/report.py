"""The class report after grading a folder: what the class got right, and which mistakes it made.

``class_report`` reduces a batch to plain figures (pass rate, score distribution, each case's pass
rate, the misconceptions hit with their students, the slowest and failing-to-run submissions, the
isolation the sandbox reported); ``report_html`` and ``report_markdown`` only lay them out. The HTML
is one self-contained file (inline CSS, the histogram as inline SVG: no script, font or image to
fetch) that prints on A4 with its colours.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quizzer.bank.model import Exercise
from quizzer.engine.grade import Graded
from quizzer.i18n.labels import LABELS, label

__all__ = ["ClassReport", "class_report", "report_html", "report_markdown"]

# diagnoses where the submission ran and produced outputs; anything else failed to run
RAN = frozenset({"pass", "misconception", "arrangement", "axis", "case"})
SLOWEST = 5


@dataclass(frozen=True)
class Hit:
    """A misconception (or another diagnosis) the class hit: its sentence, and who hit it."""

    text: str
    students: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.students)


@dataclass(frozen=True)
class Row:
    student: str
    file: str
    score: float
    max_score: float
    elapsed: float
    feedback: str


@dataclass
class ClassReport:
    exercise_id: str
    title: str
    submissions: int
    passed: int
    max_score: float
    histogram: list[tuple[float, int]]  # (score, submissions with that score), every score from 0 to max
    cases: list[tuple[str, int]]  # (case, submissions passing it)
    misconceptions: list[Hit]
    diagnoses: list[tuple[str, int]]  # how every failing submission was explained
    slowest: list[Row]
    failing_to_run: list[Row]
    isolation: str
    missing: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    @property
    def pass_rate(self) -> float:
        return self.passed / self.submissions if self.submissions else 0.0

    def mean(self) -> float:
        total = sum(score * n for score, n in self.histogram)
        return total / self.submissions if self.submissions else 0.0


def _isolation(graded: Sequence[Graded], lang: str) -> str:
    """The isolation the sandbox reported for the batch (the results carry it), else unknown."""
    seen: list[str] = []
    for g in graded:
        value = getattr(g.result, "isolation", None) or g.result.details.get("isolation")
        if isinstance(value, dict):
            value = value.get("level") or ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        if value and str(value) not in seen:
            seen.append(str(value))
    return "; ".join(seen) if seen else label("rep-unknown", lang)


def _row(g: Graded) -> Row:
    return Row(g.student or Path(g.file).stem, Path(g.file).name, g.result.score, g.result.max_score,
               float(g.result.details.get("elapsed", 0.0) or 0.0), g.result.feedback)


def class_report(exercise: Exercise, graded: Sequence[Graded], *, lang: str = "en", missing: Sequence[str] = (),
                 unlisted: Sequence[str] = (), duplicates: Sequence[str] = ()) -> ClassReport:
    """The batch's figures; ``missing``, ``unlisted``, ``duplicates`` come from the roster (``roster.identify``)."""
    from quizzer.engine.diagnose import case_name
    from quizzer.engine.grade import prepare

    case_names = [c.name for c in prepare(exercise).cases]
    max_score = float(len(case_names))
    scores = Counter(g.result.score for g in graded)
    histogram = [(float(s), scores.get(float(s), 0)) for s in range(int(max_score) + 1)]
    histogram += [(s, n) for s, n in sorted(scores.items()) if not float(s).is_integer() or s > max_score]
    case_passes = Counter(c.name for g in graded for c in g.result.cases if c.passed)
    hits: dict[int, list[str]] = {}
    diagnoses: Counter[str] = Counter()
    for g in graded:
        details = g.result.details
        if g.result.passed:
            continue
        diagnosis = str(details.get("diagnosis", "unknown"))
        diagnoses[diagnosis] += 1
        index = details.get("misconception")
        if diagnosis == "misconception" and isinstance(index, int) and 0 <= index < len(exercise.misconceptions):
            hits.setdefault(index, []).append(g.student or Path(g.file).stem)
    misconceptions = [Hit(exercise.misconceptions[i].feedback.get(lang), tuple(sorted(students)))
                      for i, students in sorted(hits.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    rows = [_row(g) for g in graded]
    failing = [_row(g) for g in graded if str(g.result.details.get("diagnosis", "")) not in RAN]
    return ClassReport(
        exercise_id=exercise.id,
        title=exercise.title.get(lang),
        submissions=len(graded),
        passed=sum(g.result.passed for g in graded),
        max_score=max_score,
        histogram=histogram,
        cases=[(case_name(name, lang), case_passes.get(name, 0)) for name in case_names],
        misconceptions=misconceptions,
        diagnoses=diagnoses.most_common(),
        slowest=sorted(rows, key=lambda r: -r.elapsed)[:SLOWEST],
        failing_to_run=sorted(failing, key=lambda r: r.student),
        isolation=_isolation(graded, lang),
        missing=list(missing),
        unlisted=list(unlisted),
        duplicates=list(duplicates),
    )


def _diagnosis(kind: str, lang: str) -> str:
    key = f"rep-diag-{kind}"
    return label(key, lang) if key in LABELS["en"] else kind


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- HTML ------------------------------------------------------------------------------------------

_CSS = """
:root { --ok: #2e7d32; --bad: #c62828; --bar: #3f6fb5; --muted: #666; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans CJK JP", sans-serif;
       color: #222; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.sub { color: var(--muted); margin-top: 0; }
.figures { display: flex; gap: 1rem; flex-wrap: wrap; }
.figure { border: 1px solid #ddd; border-radius: 6px; padding: .5rem 1rem; min-width: 9rem; }
.figure b { display: block; font-size: 1.6rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
th { background: #f5f5f5; } td.num, th.num { text-align: right; white-space: nowrap; }
.meter { display: inline-block; width: 8rem; height: .7rem; background: #eee; vertical-align: middle; margin-right: .4rem; }
.meter > span { display: block; height: 100%; background: var(--bar); }
.none { color: var(--muted); font-style: italic; }
.warn { color: var(--bad); }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
@media print {
  body { margin: 0; max-width: none; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; } table, svg, .figures { break-inside: avoid; }
}
@page { size: A4; margin: 15mm; }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def _histogram_svg(report: ClassReport, lang: str) -> str:
    width, height, pad = 560, 200, 30
    bars = report.histogram
    tallest = max((n for _, n in bars), default=0) or 1
    step = (width - 2 * pad) / max(len(bars), 1)
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" role="img" '
             f'aria-label="{_e(label("rep-histogram", lang))}">')]
    parts.append(f'<line x1="{pad}" y1="{height}" x2="{width - pad}" y2="{height}" stroke="#999"/>')
    for i, (score, n) in enumerate(bars):
        h = (height - 20) * n / tallest
        x = pad + i * step + step * 0.1
        parts.append(f'<rect x="{x:.1f}" y="{height - h:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" fill="#3f6fb5">'
                     f'<title>{_e(f"{score:g}")}: {n}</title></rect>')
        parts.append(f'<text x="{x + step * 0.4:.1f}" y="{height - h - 4:.1f}" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + step * 0.4:.1f}" y="{height + 16}" text-anchor="middle">{score:g}</text>')
    parts.append(f'<text x="{width / 2:.0f}" y="{height + 34}" text-anchor="middle">'
                 f'{_e(label("rep-score-axis", lang, max=f"{report.max_score:g}"))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f'<p class="none">{_e(empty)}</p>'
    head = "".join(f'<th{" class=num" if num else ""}>{_e(h)}</th>' for h, num in headers)
    body = "".join("<tr>" + "".join(f'<td{" class=num" if num else ""}>{cell}</td>'
                                    for cell, (_, num) in zip(row, headers)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _meter(part: int, whole: int) -> str:
    width = 100 * part / whole if whole else 0
    return f'<span class="meter"><span style="width:{width:.0f}%"></span></span>'


def report_html(report: ClassReport, lang: str = "en") -> str:
    """The report as one self-contained HTML page."""
    def t(key: str, **values: object) -> str:
        return label(key, lang, **values)

    n = report.submissions
    out = [(f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{_e(t('rep-title', id=report.exercise_id))}</title><style>{_CSS}</style></head><body>")]
    out.append(f"<h1>{_e(t('rep-title', id=report.exercise_id))}</h1>")
    out.append(f'<p class="sub">{_e(report.title)} · {_e(t("rep-isolation"))}: '
               f'<span id="isolation">{_e(report.isolation)}</span></p>')
    out.append('<div class="figures">'
               f'<div class="figure" id="submissions"><b>{n}</b>{_e(t("rep-submissions"))}</div>'
               f'<div class="figure" id="passed"><b>{report.passed}</b>{_e(t("rep-passed"))}</div>'
               f'<div class="figure" id="pass-rate"><b>{_pct(report.passed, n)}</b>{_e(t("rep-pass-rate"))}</div>'
               f'<div class="figure" id="mean"><b>{report.mean():.2f}/{report.max_score:g}</b>{_e(t("rep-mean"))}</div>'
               "</div>")
    out.append(f"<h2>{_e(t('rep-histogram'))}</h2>{_histogram_svg(report, lang)}")
    out.append(f"<h2>{_e(t('rep-cases'))}</h2>")
    out.append(_table([(t("rep-case"), False), (t("rep-passed"), True), (t("rep-pass-rate"), True)],
                      [[_e(name), f"{k}/{n}", _meter(k, n) + _pct(k, n)] for name, k in report.cases],
                      t("rep-none")).replace("<table>", '<table id="cases">', 1))
    out.append(f"<h2>{_e(t('rep-misconceptions'))}</h2>")
    out.append(_table([(t("rep-misconception"), False), (t("rep-count"), True), (t("rep-students"), False)],
                      [[_e(h.text), str(h.count), _e(", ".join(h.students))] for h in report.misconceptions],
                      t("rep-no-misconceptions")).replace("<table>", '<table id="misconceptions">', 1))
    if report.diagnoses:
        out.append(_table([(t("rep-diagnosis"), False), (t("rep-count"), True)],
                          [[_e(_diagnosis(d, lang)), str(k)]
                           for d, k in report.diagnoses], t("rep-none")).replace("<table>", '<table id="diagnoses">', 1))
    out.append(f"<h2>{_e(t('rep-failing'))}</h2>")
    out.append(_table([(t("rep-student"), False), (t("rep-file"), False), (t("rep-reason"), False)],
                      [[_e(r.student), _e(r.file), _e(_first_line(r.feedback))] for r in report.failing_to_run],
                      t("rep-none")).replace("<table>", '<table id="failing">', 1))
    out.append(f"<h2>{_e(t('rep-slowest'))}</h2>")
    out.append(_table([(t("rep-student"), False), (t("rep-file"), False), (t("rep-seconds"), True),
                       (t("rep-score"), True)],
                      [[_e(r.student), _e(r.file), f"{r.elapsed:.3f}", f"{r.score:g}/{r.max_score:g}"]
                       for r in report.slowest], t("rep-none")).replace("<table>", '<table id="slowest">', 1))
    if report.missing or report.unlisted or report.duplicates:
        out.append(f'<h2 class="warn">{_e(t("rep-roster"))}</h2><ul id="roster">')
        out += [f"<li>{_e(t('rep-missing', who=m))}</li>" for m in report.missing]
        out += [f"<li>{_e(t('rep-unlisted', file=u))}</li>" for u in report.unlisted]
        out += [f"<li>{_e(d)}</li>" for d in report.duplicates]
        out.append("</ul>")
    out.append("</body></html>\n")
    return "".join(out)



def report_markdown(report: ClassReport, lang: str = "en") -> str:
    """The same report as Markdown (for a README, an issue or an e-mail)."""
    def t(key: str, **values: object) -> str:
        return label(key, lang, **values)

    n = report.submissions

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = [f"# {t('rep-title', id=report.exercise_id)}", "", f"{report.title} · {t('rep-isolation')}: {report.isolation}",
           "", f"- {t('rep-submissions')}: {n}", f"- {t('rep-passed')}: {report.passed} ({_pct(report.passed, n)})",
           f"- {t('rep-mean')}: {report.mean():.2f}/{report.max_score:g}", "", f"## {t('rep-histogram')}", ""]
    tallest = max((k for _, k in report.histogram), default=0) or 1
    out += ["```"] + [f"{s:>4g} | {'█' * round(30 * k / tallest)} {k}" for s, k in report.histogram] + ["```", ""]
    out += [f"## {t('rep-cases')}", "", f"| {t('rep-case')} | {t('rep-passed')} | {t('rep-pass-rate')} |",
            "|---|---:|---:|"]
    out += [f"| {cell(name)} | {k}/{n} | {_pct(k, n)} |" for name, k in report.cases]
    out += ["", f"## {t('rep-misconceptions')}", ""]
    if report.misconceptions:
        out += [f"| {t('rep-misconception')} | {t('rep-count')} | {t('rep-students')} |", "|---|---:|---|"]
        out += [f"| {cell(h.text)} | {h.count} | {cell(', '.join(h.students))} |" for h in report.misconceptions]
    else:
        out.append(f"*{t('rep-no-misconceptions')}*")
    out += ["", f"## {t('rep-failing')}", ""]
    out += [f"- {r.student} ({r.file}): {_first_line(r.feedback)}" for r in report.failing_to_run] or [f"*{t('rep-none')}*"]
    out += ["", f"## {t('rep-slowest')}", ""]
    out += [f"- {r.student} ({r.file}): {r.elapsed:.3f} s, {r.score:g}/{r.max_score:g}" for r in report.slowest] \
        or [f"*{t('rep-none')}*"]
    if report.missing or report.unlisted or report.duplicates:
        out += ["", f"## {t('rep-roster')}", ""]
        out += [f"- {t('rep-missing', who=m)}" for m in report.missing]
        out += [f"- {t('rep-unlisted', file=u)}" for u in report.unlisted]
        out += [f"- {d}" for d in report.duplicates]
    return "\n".join(out) + "\n"
