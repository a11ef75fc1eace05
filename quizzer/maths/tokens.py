"""Text in: normalising what a learner typed and cutting it into tokens."""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from quizzer.errors import AnswerError
from quizzer.maths.tree import _check_size

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾", "0123456789-+()")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾]+")
# Applied after NFKC, which leaves these alone.
_LOOKALIKES = str.maketrans(
    {
        "×": "*",
        "·": "*",
        "⋅": "*",
        "∙": "*",
        "∗": "*",
        "−": "-",
        "–": "-",
        "÷": "/",
        "π": " pi ",
    }
)
_MAX_DECIMAL_EXPONENT = 1000  # 1e1000 still fits comfortably under MAX_BITS
_MAX_DIGITS = 1000  # same reason; also far below Python's 4 300-digit int(str) limit
_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:([eE])([+-]?[0-9]+))?")
_NAME = re.compile(r"[^\W\d]\w*")
_OPERATORS = ("**", "//", "+", "-", "*", "/", "%", "^")
_HINTS = {
    ".": "attribute access ('.') is not allowed",
    "'": "strings are not allowed",
    '"': "strings are not allowed",
    "`": "strings are not allowed",
    "[": "subscripts are not allowed",
    "]": "subscripts are not allowed",
    "{": "braces are not allowed",
    "}": "braces are not allowed",
    "=": "'=' is not allowed; type only the value or expression",
    "!": "'!' is not allowed (factorial is not supported)",
    "√": "'√' is not allowed; write sqrt(...)",
}


_VULGAR = "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
_VULGAR_RUN = re.compile(rf"(\d{{0,12}}) ?([{_VULGAR}])")  # bounded: linear on a 100 000-digit number


def _vulgar(match: re.Match[str]) -> str:
    """½ as (1/2), and 1½ as (1+1/2): NFKC would make 1⁄2 with a fraction slash nobody can read."""
    value = Fraction(unicodedata.numeric(match[2])).limit_denominator(10)
    fraction = f"{value.numerator}/{value.denominator}"
    return f"({match[1]}+{fraction})" if match[1] else f"({fraction})"


def _normalise(text: str, max_length: int) -> str:
    if not isinstance(text, str):
        raise TypeError(f"expected the answer as str, got {type(text).__name__}")
    if len(text) > max_length:
        raise AnswerError.of("math-too-long", n=len(text), limit=max_length)
    # Before NFKC, which would turn x² into x2 and ½ into 1⁄2.
    if any(char in _VULGAR for char in text):
        text = _VULGAR_RUN.sub(_vulgar, text)
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^(" + m.group().translate(_SUPERSCRIPTS) + ")", text)
    text = unicodedata.normalize("NFKC", text)
    if len(text) > max_length:
        raise AnswerError.of("math-too-long", n=len(text), limit=max_length)
    text = text.translate(_LOOKALIKES)
    if not text.strip():
        raise AnswerError.of("answer-empty")
    return text


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "op", "(", ")", ",", "end"
    text: str
    value: Fraction | None = None


def _describe_char(char: str) -> str:
    if char.isprintable():
        return f"the character '{char}' is not allowed"
    return f"the character U+{ord(char):04X} is not allowed"


def _tokenize(text: str, spellings: Mapping[str, str]) -> list[_Token]:
    tokens: list[_Token] = []
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        number = _NUMBER.match(text, pos)
        if number:
            before = text[pos - 1] if pos else " "
            if char == "." and (before.isalnum() or before in "_)]"):
                if before.isdigit() or before == ".":
                    raise AnswerError.of("math-bad-number", text=_number_span(text, pos))
                raise AnswerError(_HINTS["."])
            after = text[number.end()] if number.end() < end else " "
            if number.group().endswith(".") and (after.isalpha() or after == "_"):
                raise AnswerError(_HINTS["."])
            if after == "." or (after == "_" and text[number.end() - 1].isdigit()):
                raise AnswerError.of("math-bad-number", text=_number_span(text, pos))
            tokens.append(_Token("num", number.group(), _read_number(number)))
            pos = number.end()
            continue
        name = _NAME.match(text, pos)
        if name:
            word = name.group()
            python_word = keyword.iskeyword(word) or keyword.issoftkeyword(word)
            if python_word and word not in spellings and _split_name(word, spellings) is None:
                if word == "_":
                    raise AnswerError.of("math-underscore")
                raise AnswerError.of("math-keyword", word=word)
            tokens.append(_Token("name", word))
            pos = name.end()
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
        if operator:
            tokens.append(_Token("op", "^" if operator == "**" else operator))
            pos += len(operator)
            continue
        if char in "(),":
            tokens.append(_Token(char, char))
            pos += 1
            continue
        raise AnswerError(_HINTS.get(char) or _describe_char(char))
    tokens.append(_Token("end", ""))
    return tokens


def _number_span(text: str, pos: int) -> str:
    """The run of digits and dots around ``pos``, for the message about a malformed number."""
    start = pos
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
        start -= 1
    stop = pos
    while stop < len(text) and (text[stop].isalnum() or text[stop] in "._"):
        stop += 1
    return text[start:stop]


def _read_number(match: re.Match[str]) -> Fraction:
    mantissa = match.group()[: match.start(1) - match.start()] if match.group(1) else match.group()
    if len(mantissa) > _MAX_DIGITS:
        raise AnswerError.of("math-digits", n=len(mantissa), limit=_MAX_DIGITS)
    value = Fraction(mantissa)
    if match.group(1):
        exponent = int(match.group(2))
        if abs(exponent) > _MAX_DECIMAL_EXPONENT:
            raise AnswerError.of("math-exponent", number=match.group(), limit=_MAX_DECIMAL_EXPONENT)
        value *= Fraction(10) ** exponent
        _check_size(value)
    return value


# A Greek letter may stand for a declared variable spelled out in Latin letters (σ for sigma).
_GREEK = {
    "α": ("alpha",), "β": ("beta",), "γ": ("gamma",), "δ": ("delta",), "ε": ("eps", "epsilon"),
    "ϵ": ("eps", "epsilon"), "η": ("eta",), "θ": ("theta",), "λ": ("lambda", "lam"), "μ": ("mu",),
    "ρ": ("rho",), "σ": ("sigma",), "τ": ("tau",), "φ": ("phi",), "ϕ": ("phi",), "ω": ("omega",),
}


def _spellings(variables: frozenset[str], constants: frozenset[str]) -> dict[str, str]:
    """Every way of writing a declared name -> the name."""
    known = {name: name for name in (*variables, *constants)}
    for letter, spelled in _GREEK.items():
        match = next((s for s in spelled if s in variables), None)
        if match and letter not in known:
            known[letter] = match
    return known


def _split_name(word: str, names: Mapping[str, str] | frozenset[str]) -> list[str] | None:
    """Read ``xy`` as ``x*y`` when the whole word is a run of declared names (longest first)."""
    if not names:
        return None
    longest = max(map(len, names))
    best: dict[int, list[str] | None] = {len(word): []}
    for start in range(len(word) - 1, -1, -1):
        best[start] = None
        for size in range(min(longest, len(word) - start), 0, -1):
            rest = best[start + size]
            if word[start : start + size] in names and rest is not None:
                best[start] = [word[start : start + size], *rest]
                break
    return best[0]
