"""The class report (`grade ID DIR --report`) and student identity (`--roster`): the numbers checked
against the batch's own results, the HTML read back with a parser and rendered in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.engine.grade import Graded, prepare
from quizzer.engine.notebook import notebook
from quizzer.errors import QuizzerError
from quizzer.results import Result

ROOT = Path(__file__).resolve().parent.parent
COURSE = str(ROOT / "exercises" / "course.yaml")
BANK = ["--bank", COURSE]
LSTM_OK = "input_gate * a + forget_gate * prev_c"
ROSTER = "file,id,name\nann.py,s1,Ann Abe\nben,s2,Ben Bo\ncat,s3,Cat Chu\ndan,s3,Dan Doi\neve,s5,Eve Eto\nzed,s9,Zed Zu\n"


def invoke(*args: str):
    return CliRunner().invoke(app, [*args, *BANK], env={"COLUMNS": "160", "NO_COLOR": "1"})


def lstm():
    from quizzer.bank import load_bank

    return load_bank([COURSE]).get("lstm-cell")


VOID = frozenset({"meta", "br", "img", "link", "input", "hr"})


def figure(page: Page, name: str) -> str:
    """The number at the head of a figure box (its label follows it)."""
    return re.match(r"[\d.%/]+", page.ids[name]).group(0)


class Page(HTMLParser):
    """Text per element id, table rows per table id, and every tag and attribute seen."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.ids: dict[str, str] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self._open: list[str | None] = []  # the id (or None) of every element still open
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in VOID:
            self._open.append(attrs.get("id"))
        if "id" in attrs:
            self.ids[attrs["id"]] = ""
            if tag == "table":
                self._table = attrs["id"]
                self.tables[self._table] = []
        if tag == "tr" and self._table:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        for name in self._open:
            if name is not None:
                self.ids[name] += data
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Seven submissions (two right, two with the same misconception, three that do not run), graded once."""
    base = tmp_path_factory.mktemp("class")
    folder = base / "hw"
    folder.mkdir()
    exercise = lstm()
    wrong = exercise.filled(exercise.misconceptions[0].blank)
    (folder / "ann.py").write_text(exercise.filled(LSTM_OK))
    (folder / "ben.ipynb").write_text(notebook([("code", "%matplotlib inline"), ("code", exercise.filled(LSTM_OK))]))
    (folder / "cat.py").write_text(wrong)
    (folder / "dan.ipynb").write_text(notebook([("code", wrong)]))
    (folder / "eve.ipynb").write_text("{broken")
    (folder / "fay.py").write_text("def lstm(:\n")
    (folder / "gus.py").write_text("raise SystemExit('no')\n")
    roster = base / "roster.csv"
    roster.write_text(ROSTER)
    report, results = base / "report.html", base / "results.json"
    out = invoke("grade", "lstm-cell", str(folder), "--report", str(report), "--roster", str(roster), "-o", str(results))
    assert out.exit_code == 1, out.output
    rows = json.loads(results.read_text())
    page = Page()
    page.feed(report.read_text(encoding="utf-8"))
    return base, folder, rows, page, out


def test_results_carry_the_students_from_the_roster_or_the_file_name(graded_class):
    _, _, rows, _, out = graded_class
    students = {Path(r["file"]).name: (r["student"], r["student_id"]) for r in rows}
    assert students["ann.py"] == ("Ann Abe", "s1") and students["ben.ipynb"] == ("Ben Bo", "s2")
    assert students["fay.py"] == ("fay", ""), "not on the roster: named after the file"
    assert "Zed Zu (zed): on the roster, no submission" in out.stderr
    assert "fay.py: not on the roster" in out.stderr and "gus.py: not on the roster" in out.stderr
    assert "roster.csv:5: student id s3 is already on the roster at line 4" in out.stderr


def test_the_report_numbers_match_the_batch(graded_class):
    _, _, rows, page, _ = graded_class
    n, passed = len(rows), sum(r["passed"] for r in rows)
    assert figure(page, "submissions") == str(n) == "7"
    assert figure(page, "passed") == str(passed) == "2"
    assert figure(page, "pass-rate") == f"{100 * passed / n:.0f}%"
    mean = sum(r["score"] for r in rows) / n
    assert figure(page, "mean") == f"{mean:.2f}/4"
    cases = page.tables["cases"][1:]
    assert [c[0] for c in cases] == [c.name for c in prepare(lstm()).cases]
    assert all(c[1] == f"{passed}/{n}" for c in cases), "only the two right submissions pass any case"
    misconceptions = page.tables["misconceptions"][1:]
    assert len(misconceptions) == 1
    text, count, who = misconceptions[0]
    assert text == lstm().misconceptions[0].feedback.get("en") and count == "2" and who == "Cat Chu, Dan Doi"
    failing = {row[1]: row for row in page.tables["failing"][1:]}
    assert sorted(failing) == ["eve.ipynb", "fay.py", "gus.py"]
    assert failing["eve.ipynb"][0] == "Eve Eto" and "not valid JSON" in failing["eve.ipynb"][2]
    slowest = page.tables["slowest"][1:]
    times = [float(r[2]) for r in slowest]
    assert len(slowest) == 5 and times == sorted(times, reverse=True)
    assert max(times) == pytest.approx(max(r["elapsed"] for r in rows), abs=1e-3)
    from quizzer.engine import confine

    # what every run here reported (the unreadable notebook never ran, so it adds nothing)
    assert page.ids["isolation"] == confine.level(confine.probe().missing())
    assert "Zed Zu (zed): on the roster, no submission" in page.ids["roster"]


def test_the_histogram_counts_each_score(graded_class):
    _, _, rows, page, _ = graded_class
    bars = [attrs for tag, attrs in page.tags if tag == "rect"]
    assert len(bars) == 5, "one bar per score from 0 to 4"
    heights = [float(b["height"]) for b in bars]
    counts = [sum(r["score"] == s for r in rows) for s in range(5)]
    assert counts == [5, 0, 0, 0, 2]
    assert heights[1:4] == [0.0, 0.0, 0.0] and heights[0] > heights[4] > 0
    assert heights[0] / heights[4] == pytest.approx(5 / 2)


def test_the_report_is_self_contained(graded_class):
    base, _, _, page, _ = graded_class
    text = (base / "report.html").read_text(encoding="utf-8")
    assert not any(tag in ("script", "link", "img", "iframe") for tag, _ in page.tags)
    assert not any(k in ("src", "href") for _, attrs in page.tags for k in attrs)
    assert "url(" not in text and "@import" not in text
    assert "@media print" in text


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_the_report_renders_and_prints_in_headless_chromium(graded_class, tmp_path):
    base, _, _, _, _ = graded_class
    flags = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             f"--user-data-dir={tmp_path / 'profile'}"]
    url = (base / "report.html").as_uri()
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120).stdout
    page = Page()
    page.feed(dom)
    assert figure(page, "submissions") == "7" and len(page.tables["cases"]) == 5
    pdf = tmp_path / "report.pdf"
    subprocess.run([*flags, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url], capture_output=True,
                   timeout=120)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") >= 1


def test_markdown_report_and_japanese(graded_class, tmp_path):
    _, folder, _, _, _ = graded_class
    report = tmp_path / "report.md"
    out = invoke("grade", "lstm-cell", str(folder), "--report", str(report), "--lang", "ja")
    assert out.exit_code == 1
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# クラスのレポート: lstm-cell")
    assert "- 提出数: 7" in text and "- 合格: 2 (29%)" in text
    assert "| シード 1 | 2/7 | 29% |" in text  # case names in the report's language too
    assert "| cat, dan |" in text, "without a roster, students are named after their files"


def test_isolation_is_read_from_the_results():
    from quizzer.authoring.report import class_report

    exercise = lstm()
    result = Result("lstm-cell", True, 4.0, 4.0, "ok", details={"diagnosis": "pass", "elapsed": 0.1,
                                                                 "isolation": "namespaces+seccomp"})
    report = class_report(exercise, [Graded("a.py", result, student="A")])
    assert report.isolation == "namespaces+seccomp"


@pytest.mark.parametrize("text, expected", [
    ("", "roster.csv:1: the roster is empty"),
    ("student,email\nx,y\n", "roster.csv:1: the roster's header needs a file column and a name column"),
    ("file,id,name\na.py,1,A\nb.py,2\n", "roster.csv:3: expected 3 fields as in the header, found 2"),
    ("file,id,name\na.py,1,A\n,2,B\n", "roster.csv:3: the file column is empty"),
    ('file,id,name\na.py,1,"A\nb.py,2,B\n', "roster.csv:"),
])
def test_a_roster_that_does_not_parse_names_its_line(tmp_path, text, expected):
    from quizzer.authoring.roster import read_roster

    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(QuizzerError) as info:
        read_roster(path)
    assert expected in info.value.message and "\n" not in info.value.message


def test_bad_report_and_roster_options_exit_2_before_grading(graded_class, tmp_path):
    _, folder, _, _, _ = graded_class
    bad = tmp_path / "bad.csv"
    bad.write_text("file,id,name\nann.py,1\n")
    out = invoke("grade", "lstm-cell", str(folder), "--roster", str(bad))
    assert out.exit_code == 2 and "bad.csv:2" in out.output
    assert invoke("grade", "lstm-cell", str(folder), "--report", str(tmp_path / "r.pdf")).exit_code == 2
    nowhere = invoke("grade", "lstm-cell", str(folder), "--report", str(tmp_path / "no" / "r.html"))
    assert nowhere.exit_code == 2 and "its folder does not exist" in nowhere.output
    one = folder / "ann.py"
    assert invoke("grade", "lstm-cell", str(one), "--report", str(tmp_path / "r.html")).exit_code == 2
