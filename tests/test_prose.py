"""Japanese and English paragraphs wrap within the width, keep every character, and follow the basic kinsoku rule."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.panel import Panel

from quizzer.cli.prose import Prose, wrap

JA = "各モデルは1つ前のモデルの主な弱点を補っている。seq2seq に欠けていた文脈を HRED が補い、HRED に欠けていた会話の流れとしての多様性を、VHRED が潜在変数のサンプリングによって補う。"
EN = "The chain rule splits the derivative through the intermediate variable t: dz/dx = dz/dt · dt/dx."


@pytest.mark.parametrize("width", [12, 17, 23, 40, 60, 86])
@pytest.mark.parametrize("text", [JA, EN])
def test_lines_fit_keep_the_text_and_never_start_with_closing_punctuation(text, width):
    lines = wrap(text, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(line.replace(" ", "") for line in lines) == text.replace(" ", "")
    assert not any(line[0] in "、。」）" for line in lines if line)


@pytest.mark.parametrize(("text", "width"), [(JA, 13), (JA, 23), (EN, 20)])
def test_latin_words_stay_whole(text, width):
    import re

    words = set(re.findall(r"[A-Za-z0-9/:=.·]+", text))
    for line in wrap(text, width):
        for piece in re.findall(r"[A-Za-z0-9/:=.·]+", line):
            assert piece in words, f"{piece!r} is a broken word in {line!r}"


def test_japanese_breaks_inside_a_run_instead_of_leaving_a_short_line():
    lines = wrap(JA, 40)
    assert min(cell_len(line) for line in lines[:-1]) >= 36  # the ragged break before "が補い" is gone


def test_prose_in_a_panel_loses_nothing():
    out = io.StringIO()
    Console(file=out, width=30, color_system=None).print(Panel(Prose(JA)))
    text = "".join(line.strip("│ \n") for line in out.getvalue().splitlines()[1:-1])
    assert text.replace(" ", "") == JA.replace(" ", "")
