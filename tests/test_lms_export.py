"""LMS exports: Moodle XML parsed back and checked question by question; GIFT checked against its grammar."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizzer.authoring.gift import export_gift
from quizzer.authoring.lms import servings
from quizzer.authoring.moodle import export_moodle
from quizzer.bank import load_bank
from quizzer.bank.model import ChoiceSpec, FlashcardSpec, NumericSpec, Question, SymbolicSpec, TextSpec
from quizzer.bank.serve import Served
from quizzer.checking import check
from quizzer.checking.numeric import expected_value
from quizzer.cli import app

ROOT = Path(__file__).resolve().parent.parent
MINI = str(ROOT / "tests" / "fixtures" / "bank")
COURSE = str(ROOT / "exercises" / "course.yaml")


@pytest.fixture(scope="module")
def mini():
    return load_bank([MINI, COURSE])


@pytest.fixture(scope="module")
def builtin():
    return load_bank(None)


def _strip(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def _span(html_text: str, lang: str) -> str:
    found = re.search(rf'<span lang="{lang}" class="multilang">(.*?)</span>', html_text)
    assert found, html_text
    return found.group(1)


def _served_by_idnumber(items, variants: int) -> dict[str, Served]:
    return {s.idnumber: s.served for s in servings(items, variants)}


def check_moodle(items, xml: str, variants: int, approximated: list[str] = ()) -> int:
    """Every exported question against the bank: its type, answers, fractions and tolerance."""
    quiz = ET.fromstring(xml)
    assert quiz.tag == "quiz"
    served = _served_by_idnumber(items, variants)
    category = None
    seen = []
    for q in quiz.findall("question"):
        kind = q.get("type")
        if kind == "category":
            category = q.findtext("category/text")
            continue
        number = q.findtext("idnumber")
        s = served[number]
        item = s.item
        assert isinstance(item, Question)
        assert category == f"$course$/quizzer/{item.topic}"
        assert q.findtext("generalfeedback/text"), "the explanation is the general feedback"
        spec = item.spec
        answers = q.findall("answer")
        if isinstance(spec, ChoiceSpec):
            assert kind == "multichoice"
            assert q.findtext("single") == ("false" if spec.multiple else "true")
            right = {o.key for o, a in zip(spec.options, answers) if float(a.get("fraction")) > 0}
            assert right == set(spec.answer)
            assert sum(float(a.get("fraction")) for a in answers if float(a.get("fraction")) > 0) == pytest.approx(100, abs=1e-3)
            if spec.multiple:
                assert sum(float(a.get("fraction")) for a in answers) == pytest.approx(0, abs=1e-3)
            for option, answer in zip(spec.options, answers):
                assert _strip(answer.findtext("text")).startswith(_strip(s.render(option.text, "en"))[:10])
        elif isinstance(spec, NumericSpec) and spec.shape is None:
            assert kind == "numerical" and len(answers) == 1
            value, tolerance = answers[0].findtext("text"), float(answers[0].findtext("tolerance"))
            exact = expected_value(s)
            if any(note.startswith(f"{q.findtext('name/text')}: ") for note in approximated):
                # no finite decimal: the LMS gets it to four significant figures, and the command says so
                assert spec.abs_tol is None and spec.rel_tol is None and isinstance(exact, Fraction)
                assert abs(float(Fraction(value)) - float(exact)) < tolerance == pytest.approx(5e-4 * abs(float(exact)),
                                                                                               rel=1e-2)
                seen.append(number)
                continue
            assert check(s, value, lang="en").passed, f"{number}: quizzer accepts the exported answer {value}"
            if spec.abs_tol is not None:
                assert tolerance == pytest.approx(spec.abs_tol)
            elif spec.rel_tol is not None:
                assert tolerance == pytest.approx(spec.rel_tol * abs(float(Fraction(value))))
            else:
                assert tolerance <= 1e-6 * max(1.0, abs(float(value)))
            if tolerance > 0:  # just outside Moodle's range, quizzer says no too
                outside = float(value) + tolerance * 1.5 + 1e-12
                assert not check(s, repr(outside), lang="en").passed
        elif isinstance(spec, NumericSpec):
            assert kind == "shortanswer"
            for answer in answers:
                assert check(s, answer.findtext("text"), lang="en").passed
        elif isinstance(spec, TextSpec):
            assert kind == "shortanswer"
            assert [a.findtext("text") for a in answers] == list(dict.fromkeys(spec.all_answers()))
            assert all(a.get("fraction") == "100" for a in answers)
        elif isinstance(spec, SymbolicSpec):
            assert kind == "shortanswer"
            for answer in answers:
                assert check(s, answer.findtext("text"), lang="en").passed
        elif isinstance(spec, FlashcardSpec):
            assert kind == "essay" and not answers
            assert _strip(s.render(spec.answer, "en")) in _strip(q.findtext("graderinfo/text"))
        seen.append(number)
    assert sorted(seen) == sorted(served), "every question (and every variant) is exported once"
    return len(seen)


def test_moodle_xml_of_the_fixture_bank_round_trips(mini):
    items = mini.select()
    exported = export_moodle(items, variants=4)
    assert check_moodle(items, exported.text, 4) == exported.questions
    # parameterised: four servings, each with its own values and its own answer
    params = [s for s in servings(items, 4) if s.question.id == "mini-param"]
    assert len(params) == 4 and len({tuple(s.served.values.items()) for s in params}) == 4
    assert sorted(m.split(":")[0] for m in exported.skipped) == ["bidirectional-concat", "bptt-delta", "gradient-clipping",
                                                                 "gru-cell", "lstm-cell", "recursive-tree",
                                                                 "seq2seq-encode"]


def test_moodle_xml_of_the_builtin_bank_round_trips(builtin):
    items = builtin.select()
    exported = export_moodle(items, variants=2)
    assert check_moodle(items, exported.text, 2, exported.approximated) > 200


def test_an_exact_answer_with_no_finite_decimal_is_rounded_and_listed(tmp_path):
    bank = tmp_path / "q.yaml"
    bank.write_text("""format_version: 1
questions:
  - id: sevenths
    topic: seq2seq
    type: numeric
    source: original
    prompt: {en: "Two of seven candidate words match: precision?", ja: "7語中2語が一致する。適合率は?"}
    answer: "2/7"
    explanation: {en: "2/7.", ja: "2/7。"}
""")
    items = load_bank([str(bank)]).select()
    for exporter in (export_moodle, export_gift):
        exported = exporter(items)
        assert exported.approximated == [("sevenths: 2/7 has no finite decimal; an LMS reads decimals only, so it "
                                         "accepts 0.285714 ± 0.000143")]
        assert ("0.285714" in exported.text) and ("0.000143" in exported.text)
    result = CliRunner().invoke(app, ["export", "--format", "moodle", "--bank", str(bank)])
    assert result.exit_code == 0 and "2/7 has no finite decimal" in result.stderr


def test_moodle_multilang_spans_or_one_language(mini):
    item = mini.get("mini-text")
    both = ET.fromstring(export_moodle([item]).text).find("question[@type='shortanswer']")
    text = both.findtext("questiontext/text")
    assert _span(text, "en") == "Which gate erases stale memory?" and _span(text, "ja") == "不要な記憶を消すゲートは?"
    ja = ET.fromstring(export_moodle([item], lang="ja").text).find("question[@type='shortanswer']")
    assert ja.findtext("questiontext/text") == "不要な記憶を消すゲートは?"
    english_only = ET.fromstring(export_moodle([mini.get("mini-english-only")]).text)
    assert "multilang" not in english_only.find("question[@type='shortanswer']").findtext("questiontext/text")


# --- GIFT -------------------------------------------------------------------------------------------



def _plain(text: str) -> bool:
    """A GIFT text: no special character left unescaped, no raw line break."""
    return "\n" not in text and not re.search(r"(?<!\\)[~=#{}]", text.replace("\\\\", "")) and \
        not re.search(r"(?<!\\):", text.replace("\\\\", ""))


def _split(body: str, marks: str) -> list[str]:
    """``body`` cut before each unescaped character of ``marks``."""
    parts, current, i = [], "", 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            current += body[i:i + 2]
            i += 2
            continue
        if ch in marks and current.strip():
            parts.append(current.strip())
            current = ""
        current += ch
        i += 1
    if current.strip():
        parts.append(current.strip())
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def parse_gift(text: str) -> list[dict]:
    """GIFT's grammar, as far as the export uses it: comments, categories, questions with answer blocks."""
    questions, category = [], None
    for block in re.split(r"\n\s*\n", text.strip()):
        block = block.strip()
        if block.startswith("//"):
            assert "\n" not in block
            continue
        if block.startswith("$CATEGORY:"):
            category = block.split(":", 1)[1].strip()
            continue
        m = re.fullmatch(r"::((?:\\.|[^:\\])+)::\[html\]((?:\\.|[^{\\])*)\{((?:\\.|[^}\\])*)\}", block)
        assert m, f"not a GIFT question: {block[:120]}"
        name, prompt, body = m.groups()
        assert _plain(prompt) and _plain(name), block[:120]
        feedback = ""
        cut = re.search(r"(?<!\\)####", body)
        if cut:
            body, feedback = body[:cut.start()], body[cut.end():]
            assert _plain(feedback)
        body = body.strip()
        q = {"name": _unescape(name), "prompt": _unescape(prompt), "feedback": _unescape(feedback),
             "category": category}
        if not body:
            q["kind"] = "essay"
        elif body.startswith("#"):
            value, tolerance = body[1:].split(":")
            q.update(kind="numerical", value=value, tolerance=float(tolerance))
        else:
            answers = _split(body, "=~")
            assert all(a[0] in "=~" for a in answers)
            if all(a[0] == "=" for a in answers):
                q.update(kind="short", answers=[_unescape(a[1:].strip()) for a in answers])
            else:
                choices = []
                for a in answers:
                    weight = re.match(r"~%(-?[\d.]+)%", a)
                    if weight:
                        choices.append((float(weight.group(1)), _unescape(a[weight.end():].strip())))
                    else:
                        choices.append((100.0 if a[0] == "=" else 0.0, _unescape(a[1:].strip())))
                    assert _plain(a[1:] if not weight else a[weight.end():])
                q.update(kind="choice", choices=choices)
        questions.append(q)
    return questions


def test_gift_follows_its_grammar_and_carries_the_same_answers(mini):
    items = mini.select()
    exported = export_gift(items, variants=3)
    parsed = parse_gift(exported.text)
    assert len(parsed) == exported.questions
    served = {s.name: s for s in servings([i for i in items if not isinstance(getattr(i, "spec", None), SymbolicSpec)], 3)}
    assert sorted(q["name"] for q in parsed) == sorted(served)
    for q in parsed:
        s = served[q["name"]].served
        spec = s.item.spec
        assert q["category"] == f"$course$/quizzer/{s.item.topic}"
        if isinstance(spec, ChoiceSpec):
            assert q["kind"] == "choice"
            right = {o.key for o, (weight, _) in zip(spec.options, q["choices"]) if weight > 0}
            assert right == set(spec.answer)
        elif isinstance(spec, NumericSpec) and spec.shape is None:
            assert q["kind"] == "numerical" and check(s, q["value"], lang="en").passed
        elif isinstance(spec, (NumericSpec, TextSpec)):
            assert q["kind"] == "short" and all(check(s, a, lang="en").passed for a in q["answers"])
        elif isinstance(spec, FlashcardSpec):
            assert q["kind"] == "essay" and "GRU: two gates" in q["feedback"]
    assert "mini-symbolic: a symbolic answer" in "\n".join(exported.skipped)


def test_gift_escapes_its_special_characters(builtin):
    exported = export_gift(builtin.select(), variants=1, lang="en")
    parsed = parse_gift(exported.text)
    assert any("=" in q["prompt"] for q in parsed), "a prompt with = survives, escaped"
    assert any(":" in q["prompt"] for q in parsed) and any("{" in q["prompt"] or "}" in q["prompt"] for q in parsed)
    assert len(parsed) == exported.questions > 150


def test_export_command_lists_what_it_cannot_carry_on_stderr(tmp_path):
    out = tmp_path / "quiz.gift"
    result = CliRunner().invoke(app, ["export", "--format", "gift", "-o", str(out), "--bank", MINI, "--bank", COURSE])
    assert result.exit_code == 0, result.output
    assert "mini-symbolic" in result.stderr and "lstm-cell: a code exercise" in result.stderr
    assert "mini-symbolic" not in out.read_text()
    xml = tmp_path / "quiz.xml"
    result = CliRunner().invoke(app, ["export", "--format", "moodle", "-o", str(xml), "--variants", "2", "--lang", "ja",
                                      "--bank", MINI])
    assert result.exit_code == 0 and "multilang" not in xml.read_text()
    assert "不要な記憶を消すゲートは?" in xml.read_text()
    bad = CliRunner().invoke(app, ["export", "--format", "moodle", "--variants", "0", "--bank", MINI])
    assert bad.exit_code == 2
