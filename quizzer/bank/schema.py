"""The bank file format, declared once.

The loader (quizzer.bank) checks files against these declarations, and ``quizzer schema`` turns the same
declarations into a JSON Schema for editors. Field kinds:

- ``id``: kebab-case string; ``str``; ``int``; ``number``; ``bool``
- ``text``: a string (language-neutral) or a mapping ``{en: ..., ja: ...}``
- ``texts``: a list of ``text``
- ``strs``: a list of strings (a single string is accepted as a list of one)
- ``code``: a (usually multi-line) string of Python
- ``code-text``: ``code``, or a mapping ``{en: ..., ja: ...}`` of the same code with its comments translated
- ``difficulty``: an integer 1 to 3
- ``params``, ``options``, ``accept``, ``concepts``, ``tolerance``, ``exercise-tolerance``, ``misconceptions``, ``seeds``,
  ``numeric-answer``, ``shape``: structured fields described in docs/authoring.md
"""

from __future__ import annotations

from typing import Any

FORMAT_VERSION = 1

# name -> (kind, required, description)
FieldSpec = tuple[str, bool, str]

QUESTION_COMMON: dict[str, FieldSpec] = {
    "id": ("id", True, "Stable kebab-case id, unique across the whole bank."),
    "topic": ("id", True, "Topic, e.g. rnn, lstm, gru (see `quizzer list`)."),
    "type": ("str", True, "choice, numeric, symbolic, text or flashcard."),
    "title": ("text", False, "Short title shown in lists."),
    "prompt": ("text", True, "The question as the learner sees it; {name} inserts a parameter's value."),
    "explanation": ("text", True, "Shown after the answer: why the answer is right."),
    "hints": ("texts", False, "Hints, from gentle to nearly the answer."),
    "tags": ("strs", False, "Free-form tags."),
    "source": ("str", True, "Which course confirmation test this is (e.g. confirmation-test:...), or `original`."),
    "params": ("params", False, "Parameters drawn fresh at every serving."),
    "difficulty": ("difficulty", False, "1 (recall), 2 (apply: one computation or line of code) or 3 (derive, several steps)."),
}

QUESTION_TYPES: dict[str, dict[str, FieldSpec]] = {
    "choice": {
        "options": ("options", True, "List of {key, text}; keys are stable ids such as a, b, c."),
        "answer": ("strs", True, "The key (or keys) of the correct option(s)."),
        "shuffle": ("bool", False, "Shuffle options at each serving (default true)."),
    },
    "numeric": {
        "answer": ("numeric-answer", False, "A number or a formula over the parameters."),
        "shape": ("shape", False, "A shape answer: a list of numbers or formulas, e.g. [3, 3]."),
        "tolerance": ("tolerance", False, "{abs: ...} or {rel: ...}; exact comparison when absent."),
        "unit": ("text", False, "Unit shown after the answer box."),
    },
    "symbolic": {
        "answer": ("str", True, "The expected expression, e.g. 2*(x + y)."),
        "variables": ("strs", True, "The variables the learner may use."),
        "functions": ("strs", False, "The functions the learner may use (default: the standard set)."),
    },
    "text": {
        "accept": ("accept", True, "{en: [...], ja: [...]}: accepted answers and synonyms."),
        "concepts": ("concepts", False, "Key concepts an answer must all carry: a list of {name, en: [...], ja: [...]}."),
    },
    "flashcard": {
        "answer": ("text", True, "The model answer."),
        "key_points": ("texts", False, "Key points the learner checks their answer against."),
    },
}

EXERCISE_FIELDS: dict[str, FieldSpec] = {
    "id": ("id", True, "Stable kebab-case id, unique across the whole bank."),
    "topic": ("id", True, "Topic, e.g. rnn, lstm, gru."),
    "type": ("str", True, "blank (fill in ____) or function (write the whole function)."),
    "title": ("text", True, "Short title."),
    "prompt": ("text", True, "What to do; states the conventions (shapes, gate order)."),
    "template": ("code-text", True, ("The code handed to the learner; a blank exercise has exactly one ____. "
                                     "Give {en: ..., ja: ...} to translate its comments and docstrings "
                                     "(the code must be the same).")),
    "solution": ("code", True, "blank: the expression that fills ____; function: the whole function."),
    "alternatives": ("strs", False, "Other correct answers, proven by `quizzer validate`."),
    "entry": ("str", True, "The function the grader calls."),
    "task": ("str", True, "The engine task that generates cases and the hidden reference outputs."),
    "provided": ("code-text", False, ("Trusted helper code available to the learner's code (e.g. sigmoid); "
                                      "{en: ..., ja: ...} as for template.")),
    "explanation": ("text", False, "Shown once the exercise passes."),
    "hints": ("texts", True, "Graded hints, from gentle to nearly the answer."),
    "misconceptions": ("misconceptions", False, "Known wrong answers: {blank|code, feedback}."),
    "tags": ("strs", False, "Free-form tags."),
    "source": ("str", True, "Which course exercise challenge this is, or `original`."),
    "seeds": ("seeds", False, "Case seeds (default [1, 2, 3]; at least 3)."),
    "tolerance": ("exercise-tolerance", False, "{rtol, atol} for the comparison (default 1e-7, 1e-10)."),
    "limits": ("exercise-limits", False, ("{timeout: seconds, memory: MiB} for each submission (default 5 s, "
                                          "1024 MiB); --timeout and --memory override them.")),
    "difficulty": ("difficulty", False, "1 (recall), 2 (apply: one computation or line of code) or 3 (derive, several steps)."),
}

FILE_KEYS = ("format_version", "questions", "exercises")


def json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) for bank files, built from the declarations above."""
    text = {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {"en": {"type": "string"}, "ja": {"type": "string"}},
                "additionalProperties": False,
                "minProperties": 1,
            },
        ]
    }
    strs = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    number_or_formula = {"oneOf": [{"type": "number"}, {"type": "string"}]}
    kinds: dict[str, Any] = {
        "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
        "str": {"type": "string"},
        "code": {"type": "string"},
        "code-text": text,
        "int": {"type": "integer"},
        "difficulty": {"type": "integer", "minimum": 1, "maximum": 3},
        "number": {"type": "number"},
        "bool": {"type": "boolean"},
        "text": text,
        "texts": {"type": "array", "items": text},
        "strs": strs,
        "numeric-answer": number_or_formula,
        "shape": {"type": "array", "items": number_or_formula, "minItems": 1},
        "tolerance": {
            "type": "object",
            "properties": {"abs": {"type": "number"}, "rel": {"type": "number"}},
            "additionalProperties": False,
        },
        "exercise-tolerance": {
            "type": "object",
            "properties": {"rtol": {"type": "number"}, "atol": {"type": "number"}},
            "additionalProperties": False,
        },
        "exercise-limits": {
            "type": "object",
            "properties": {"timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 600},
                           "memory": {"type": "integer", "minimum": 64, "maximum": 65536}},
            "additionalProperties": False,
        },
        "seeds": {"type": "array", "items": {"type": "integer"}, "minItems": 3},
        "params": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "range": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                    "step": {"type": "number"},
                    "choices": {"type": "array", "items": {"type": "number"}, "minItems": 1},
                },
                "additionalProperties": False,
            },
        },
        "options": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "properties": {"key": {"type": "string"}, "text": text},
                "required": ["key", "text"],
                "additionalProperties": False,
            },
        },
        "accept": {
            "type": "object",
            "properties": {"en": strs, "ja": strs},
            "additionalProperties": False,
        },
        "concepts": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {"name": text, "en": strs, "ja": strs},
                "required": ["name"],
                "additionalProperties": False,
            },
        },
        "misconceptions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"blank": {"type": "string"}, "code": {"type": "string"}, "feedback": text},
                "required": ["feedback"],
                "additionalProperties": False,
            },
        },
    }

    def props(fields: dict[str, FieldSpec]) -> dict[str, Any]:
        return {name: {**kinds[kind], "description": doc} for name, (kind, _req, doc) in fields.items()}

    question_variants = []
    for qtype, extra in QUESTION_TYPES.items():
        fields = {**QUESTION_COMMON, **extra}
        schema = {
            "type": "object",
            "properties": {**props(fields), "type": {"const": qtype}},
            "required": [name for name, (_k, req, _d) in fields.items() if req],
            "additionalProperties": False,
        }
        question_variants.append(schema)
    exercise = {
        "type": "object",
        "properties": {**props(EXERCISE_FIELDS), "type": {"enum": ["blank", "function"]}},
        "required": [name for name, (_k, req, _d) in EXERCISE_FIELDS.items() if req],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "quizzer bank file",
        "type": "object",
        "properties": {
            "format_version": {"const": FORMAT_VERSION},
            "questions": {"type": "array", "items": {"oneOf": question_variants}},
            "exercises": {"type": "array", "items": exercise},
        },
        "required": ["format_version"],
        "additionalProperties": False,
    }
