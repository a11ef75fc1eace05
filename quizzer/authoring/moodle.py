"""The bank as Moodle XML, the quiz format Moodle (and LMSs that read it) imports.

One category per topic (``$course$/quizzer/<topic>``), then its questions:

- choice: ``multichoice``, one answer (``single``) or several (each right option 100/k %, each
  wrong one -100/(n-k) %, so picking everything scores nothing);
- numeric: ``numerical`` with the absolute tolerance (``lms.numeric_answer``; an exact answer with
  no finite decimal is rounded to four significant figures and listed); a shape answer is a
  ``shortanswer`` taking the spellings quizzer reads (3x3, 3×3, (3, 3));
- text: ``shortanswer`` with every accepted answer of every language (as quizzer accepts them);
- symbolic: ``shortanswer`` with the answer as written and as quizzer prints it: Moodle has no
  equivalence check, so other equivalent forms are not accepted;
- flashcard: ``essay``, the model answer and key points as the grader's information.

The explanation is each question's general feedback. Code exercises are not carried.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from quizzer.authoring.lms import (
    CATEGORY_ROOT,
    Export,
    Serving,
    approximation,
    cannot_carry,
    numeric_answer,
    servings,
    shape_answers,
    text_html,
)
from quizzer.bank.model import ChoiceSpec, FlashcardSpec, Item, NumericSpec, Question, SymbolicSpec, TextSpec

__all__ = ["export_moodle", "fraction"]


def fraction(part: float) -> str:
    """A Moodle grade fraction (percent) with the five decimals its own export writes: 33.33333."""
    text = f"{part:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(parent: ET.Element, tag: str, value: str, *, html: bool = True) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    ET.SubElement(element, "text").text = value
    return element


def _answer(parent: ET.Element, percent: float, text: str, *, html: bool = False) -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": fraction(percent), **({"format": "html"} if html else {})})
    ET.SubElement(answer, "text").text = text
    feedback = ET.SubElement(answer, "feedback", {"format": "html"})
    ET.SubElement(feedback, "text").text = ""
    return answer


def _question(quiz: ET.Element, kind: str, serving: Serving, lang: str | None) -> ET.Element:
    q = ET.SubElement(quiz, "question", {"type": kind})
    name = ET.SubElement(q, "name")
    ET.SubElement(name, "text").text = serving.name
    _text(q, "questiontext", text_html(serving.served, serving.question.prompt, lang))
    _text(q, "generalfeedback", text_html(serving.served, serving.question.explanation, lang))
    ET.SubElement(q, "defaultgrade").text = "1"
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    ET.SubElement(q, "idnumber").text = serving.idnumber
    return q


def _choice(quiz: ET.Element, serving: Serving, spec: ChoiceSpec, lang: str | None) -> None:
    q = _question(quiz, "multichoice", serving, lang)
    ET.SubElement(q, "single").text = "false" if spec.multiple else "true"
    ET.SubElement(q, "shuffleanswers").text = "true" if spec.shuffle else "false"
    ET.SubElement(q, "answernumbering").text = "abc"
    right, wrong = len(spec.answer), len(spec.options) - len(spec.answer)
    for option in spec.options:
        if option.key in spec.answer:
            percent = 100 / right
        else:
            percent = -100 / wrong if spec.multiple and wrong else 0
        _answer(q, percent, text_html(serving.served, option.text, lang), html=True)


def _short(quiz: ET.Element, serving: Serving, answers: Sequence[str], lang: str | None) -> None:
    q = _question(quiz, "shortanswer", serving, lang)
    ET.SubElement(q, "usecase").text = "0"
    for answer in dict.fromkeys(a.strip() for a in answers if a.strip()):
        _answer(q, 100, answer)


def _numerical(quiz: ET.Element, serving: Serving, lang: str | None, notes: list[str], message_lang: str) -> None:
    q = _question(quiz, "numerical", serving, lang)
    value, tolerance, approximated = numeric_answer(serving.served)
    answer = _answer(q, 100, value)
    ET.SubElement(answer, "tolerance").text = tolerance
    if approximated:
        notes.append(approximation(serving, value, tolerance, message_lang))


def _essay(quiz: ET.Element, serving: Serving, spec: FlashcardSpec, lang: str | None) -> None:
    q = _question(quiz, "essay", serving, lang)
    ET.SubElement(q, "responseformat").text = "editor"
    ET.SubElement(q, "responserequired").text = "1"
    ET.SubElement(q, "responsefieldlines").text = "10"
    ET.SubElement(q, "attachments").text = "0"
    info = text_html(serving.served, spec.answer, lang)
    if spec.key_points:
        info += "<ul>" + "".join(f"<li>{text_html(serving.served, p, lang)}</li>" for p in spec.key_points) + "</ul>"
    _text(q, "graderinfo", info)
    _text(q, "responsetemplate", "")


def export_moodle(items: Sequence[Item], *, lang: str | None = None, variants: int = 3,
                  message_lang: str = "en") -> Export:
    """The items as a Moodle XML quiz; ``lang`` None writes every language as multilang spans."""
    from quizzer.checking.numeric import expected_shape
    from quizzer.checking.symbolic import SymbolicChecker

    quiz = ET.Element("quiz")
    skipped: list[str] = []
    notes: list[str] = []
    count = 0
    topics: dict[str, list[Item]] = {}
    for item in items:
        topics.setdefault(item.topic, []).append(item)
    for topic in sorted(topics):
        group = topics[topic]
        skipped += [cannot_carry(i, "Moodle XML", message_lang) for i in group if not isinstance(i, Question)]
        chosen = list(servings(group, variants))
        if not chosen:
            continue
        category = ET.SubElement(quiz, "question", {"type": "category"})
        ET.SubElement(ET.SubElement(category, "category"), "text").text = f"{CATEGORY_ROOT}/{topic}"
        for serving in chosen:
            spec = serving.question.spec
            if isinstance(spec, ChoiceSpec):
                _choice(quiz, serving, spec, lang)
            elif isinstance(spec, NumericSpec) and spec.shape is not None:
                _short(quiz, serving, shape_answers(expected_shape(serving.served)), lang)
            elif isinstance(spec, NumericSpec):
                _numerical(quiz, serving, lang, notes, message_lang)
            elif isinstance(spec, TextSpec):
                _short(quiz, serving, spec.all_answers(), lang)
            elif isinstance(spec, SymbolicSpec):
                shown = SymbolicChecker().expected(serving.served, lang="en")
                _short(quiz, serving, [spec.answer, shown], lang)
            elif isinstance(spec, FlashcardSpec):
                _essay(quiz, serving, spec, lang)
            count += 1
    ET.indent(quiz)
    text = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
    return Export(text, count, skipped, notes)

