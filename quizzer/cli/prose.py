"""Paragraphs that wrap well in Japanese as well as English, with formulas kept whole.

Rich wraps at spaces only, so a long run of Japanese after an English word moves as one block and
leaves short, ragged lines. ``Prose`` breaks between any two Japanese characters, keeps Latin words
whole, and never starts a line with closing punctuation (、。」) ...: line-breaking rules (禁則処理) in
their simplest form: such a character takes the one before it onto the new line.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_TOKENS = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+|\s+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》”’ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ)]},.:;!?")
_NO_LINE_END = set("「『（【〔〈《“‘([{")
# a formula keeps its operators beside their operands: never a line ending in "<" or starting with "+"
_OPERATORS = {"=", "+", "-", "−", "*", "×", "·", "/", "<", ">", "≤", "≥", "≈", "≠", "→", "←", "^", "|", "│", "∝"}


def _units(paragraph: str) -> list[tuple[str, bool]]:
    """The paragraph as unbreakable units, each with whether a space precedes it.

    A unit is one Japanese character, or Latin words joined by single spaces where a break would cut
    a formula: next to an operator (``0 < p < 1``), or inside brackets (``3H(D + H + 1)``).
    """
    units: list[tuple[str, bool]] = []
    space = False
    depth = 0
    for token in _TOKENS.findall(paragraph):
        if token.isspace():
            space = bool(units)
            continue
        if units and not space and (token[0] in _NO_LINE_START or units[-1][0][-1] in _NO_LINE_END):
            units[-1] = (units[-1][0] + token, units[-1][1])  # 、。」 stay after their word, 「（ before theirs
            depth = max(0, depth + _balance(token)) if not _IS_CJK.fullmatch(token) else 0
            continue
        if _IS_CJK.fullmatch(token):
            units.append((token, space))
            depth, space = 0, False
            continue
        if units and space and not _IS_CJK.fullmatch(units[-1][0][-1]):
            last = units[-1][0].rsplit(" ", 1)[-1]
            if depth > 0 or token in _OPERATORS or last in _OPERATORS:
                units[-1] = (units[-1][0] + " " + token, units[-1][1])
                depth = max(0, depth + _balance(token))
                space = False
                continue
        units.append((token, space))
        depth = max(0, _balance(token))
        space = False
    return units


def _balance(token: str) -> int:
    """Brackets a token leaves open. A word in prose brackets, "(the", opens none: only a formula's
    ("3H(D", "(x", "f(h") keeps the words up to its closing bracket together."""
    if token[:1] in "([{" and sum(ch.isalpha() for ch in token) > 2:
        token = token[1:]
    return sum(token.count(c) for c in "([{") - sum(token.count(c) for c in ")]}")


def wrap(paragraph: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells."""
    if width < 4:
        return [paragraph]
    pieces: list[tuple[str, bool]] = []
    for unit, space in _units(paragraph):
        if cell_len(unit) <= width or " " not in unit:
            pieces.append((unit, space))
            continue
        words = unit.split(" ")  # a formula wider than the line: break it at its spaces after all
        pieces.append((words[0], space))
        pieces.extend((word, True) for word in words[1:])
    lines: list[str] = []
    line = ""
    for token, space in pieces:
        gap = " " if space and line else ""
        if cell_len(line) + cell_len(gap) + cell_len(token) <= width:
            line += gap + token
            continue
        carried = ""
        stripped = line.rstrip()
        if token[0] in _NO_LINE_START and len(stripped) > 1 and _IS_CJK.match(stripped[-1]):
            carried, line = stripped[-1], stripped[:-1]  # never start a line with 、。」
        stripped = line.rstrip()
        while len(stripped) > 1 and stripped[-1] in _NO_LINE_END:
            carried, line = stripped[-1] + carried, stripped[:-1]  # never end a line with 「（
            stripped = line.rstrip()
        if line.strip():
            lines.append(line.rstrip())
        token = carried + token
        while cell_len(token) > width:  # a Latin "word" wider than the line (a URL, code)
            cut = width
            while cell_len(token[:cut]) > width:
                cut -= 1
            lines.append(token[:cut])
            token = token[cut:]
        line = token
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


class Prose:
    """A Rich renderable: ``text`` wrapped by ``wrap`` at the width it is given."""

    def __init__(self, text: str, style: str = "", *, prefix: str = "", prefix_style: str = "") -> None:
        self.text = prefix + text
        self.style = style
        self.prefix = prefix
        self.prefix_style = prefix_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        first = True
        for paragraph in self.text.split("\n"):
            for line in wrap(paragraph, options.max_width):
                text = Text(line, style=self.style, no_wrap=True, overflow="ignore")
                if first and self.prefix:
                    text.stylize(self.prefix_style, 0, len(self.prefix))
                first = False
                yield text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((cell_len(p) for p in self.text.split("\n")), default=0)
        return Measurement(min(8, longest), min(longest, options.max_width))
