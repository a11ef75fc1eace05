"""Text questions: an answer passes when it is one of the accepted answers, or carries every key concept.

Two normalisations, both applied to the learner's answer and to the bank's words alike:

- ``normalise`` compares whole short answers: width, case, punctuation, spaces, the long-vowel mark ー,
  English plurals and verb endings, and filler words ('the', 'gate', 'ゲート') do not count, so
  "Output Gates" equals "output gate" and オートエンコーダ equals オートエンコーダー.
- ``concept_form`` looks for concepts inside a longer answer: English words are stemmed and stop words
  dropped; in Japanese, the particles between two words (から, の, を, が ...) are dropped and katakana
  is read as hiragana, so 「中間層から中間層にかかる重み」 carries 「中間層→中間層」 and 「次元を削減できる」
  carries 「次元削減」. A Japanese tokenizer would do better on inflection but costs far more than the
  start-up budget allows (quizzer list must stay fast), and the bank's synonyms cover the rest.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from quizzer.bank.model import Concept, TextSpec
from quizzer.bank.serve import Served
from quizzer.errors import AnswerError
from quizzer.i18n.labels import label
from quizzer.results import Result, judged

# Generic words that do not change the meaning of a short answer ("the forget gate" == "forget").
_FILLER_WORDS = frozenset({"the", "a", "an", "gate", "gates", "ゲト"})  # ゲト: ゲート folded
# Words that carry no concept in a longer English answer.
_STOP_WORDS = frozenset(
    ["a", "an", "the", "of", "to", "from", "in", "on", "at", "by", "for", "with", "and", "or", "is", "are", "was", "be", "it", "its", "this", "that", "which", "what", "one", "each", "as", "into", "onto", "than", "then", "so"]
)
_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
_KANA_KANJI = "\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005"
_WORDS = re.compile(rf"[a-z0-9]+|[{_KANA_KANJI}]+")
_NOT_HIRAGANA = "\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005a-z0-9"
# A particle right after a word that is not hiragana (kanji, katakana, a Latin word, a space) and before
# another one or the end: 中間層[から]中間層, 次元[を]削減, VAE [の]潜在変数, 中間層[の].
_PARTICLE = re.compile(rf"(?<=[{_NOT_HIRAGANA}\s])(から|まで|より|への|での|との|には|では|の|に|を|が|は|へ|と|で|も)(?=[{_NOT_HIRAGANA}\s]|$)")
_LONG_VOWEL = str.maketrans("", "", "ー")
MAX_LENGTH = 2000


def _stem(word: str) -> str:
    """A light English stemmer: enough for plurals and -ing/-ed forms to meet their base word."""
    if not word.isascii() or len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "i"
    if word.endswith("y"):
        return word[:-1] + "i"
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            return word[: -len(suffix)]
    return word


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_LONG_VOWEL)


def normalise(text: str) -> str:
    """One short answer as a comparison key: width, case, punctuation, endings and filler words folded."""
    folded = _fold(text).replace("ゲト", " ゲト ")  # ゲート, once its ー is folded away
    words = [w for w in _PUNCT.split(folded) if w]
    kept = [w for w in words if w not in _FILLER_WORDS]
    return "".join(_stem(w) for w in (kept or words))


def _hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def concept_form(text: str) -> str:
    """``text`` as a space-separated run of folded words, for finding concepts in it."""
    folded = _fold(text)
    words = []
    for word in _WORDS.findall(_PARTICLE.sub("", folded)):
        if word.isascii():
            if word not in _STOP_WORDS:
                words.append(_stem(word))
        else:
            words.append(_hiragana(word))
    return " ".join(words)


def mentions(answer: str, synonym: str) -> bool:
    """Whether the folded ``answer`` contains the folded ``synonym``: whole words for English, anywhere for Japanese."""
    if not synonym:
        return False
    if synonym.isascii():
        return re.search(rf"(?<![a-z0-9]){re.escape(synonym)}(?![a-z0-9])", answer) is not None
    return synonym.replace(" ", "") in answer.replace(" ", "")


def missing_concepts(spec: TextSpec, response: str) -> list[Concept]:
    """The concepts of ``spec`` that ``response`` does not carry, in the bank's order."""
    answer = concept_form(response)
    return [c for c in spec.concepts if not any(mentions(answer, concept_form(s)) for s in c.all_synonyms())]


class TextChecker:
    def check(self, served: Served, response: str, *, lang: str) -> Result:
        spec = served.spec(TextSpec)
        if not response.strip():
            raise AnswerError.of("answer-empty")
        if len(response) > MAX_LENGTH:
            raise AnswerError.of("math-too-long", n=len(response), limit=MAX_LENGTH)
        expected = self.expected(served, lang=lang)
        given = normalise(response)
        if given and given in {normalise(a) for a in spec.all_answers()}:
            return judged(served.item.id, True, lang=lang, expected=expected, response=response)
        if not spec.concepts:
            return judged(served.item.id, False, lang=lang, expected=expected, response=response)
        missing = missing_concepts(spec, response)
        result = judged(served.item.id, not missing, lang=lang, expected=expected, response=response,
                        details={"missing_concepts": [c.name.get(lang) for c in missing]})
        if missing:
            names = label("list-separator", lang).join(c.name.get(lang) for c in missing)
            result = dataclasses.replace(result, feedback=label("missing-concept", lang, concepts=names, expected=expected))
        return result

    def expected(self, served: Served, *, lang: str) -> str:
        spec = served.spec(TextSpec)
        answers = spec.accept.get(lang) or spec.all_answers()
        return answers[0]
