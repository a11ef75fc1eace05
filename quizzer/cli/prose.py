"""Paragraphs that wrap well in Japanese as well as English.

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
_NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》”’ゝゞぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ)]},.:;!?")


def wrap(paragraph: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells."""
    if width < 4:
        return [paragraph]
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(paragraph):
        if token.isspace():
            if line:
                line += " "
            continue
        if cell_len(line) + cell_len(token) <= width:
            line += token
            continue
        carried = ""
        if token[0] in _NO_LINE_START and len(line.rstrip()) > 1 and re.match(rf"[{_CJK}]", line.rstrip()[-1]):
            carried, line = line.rstrip()[-1], line.rstrip()[:-1]  # never start a line with 、。」
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
