"""Authoring helpers: skeletons for new items, and printable exports of a bank."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from quizzer.bank.model import EXERCISE_TYPES, QUESTION_TYPES, Exercise, Item
from quizzer.errors import QuizzerError
from quizzer.paths import ensure_folder, write_file

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SCHEMA_FILE = "bank.schema.json"
SCHEMA_COMMENT = f"# yaml-language-server: $schema=../{SCHEMA_FILE}\n"
TODO = "TODO"

_QUESTION_BODY = {
    "choice": """    options:
      - key: a
        text: {en: TODO, ja: TODO}
      - key: b
        text: {en: TODO, ja: TODO}
      - key: c
        text: {en: TODO, ja: TODO}
    answer: a
""",
    "numeric": """    answer: TODO          # a number or a formula over params; or `shape: [3, 3]` instead
""",
    "symbolic": """    variables: [x]
    answer: TODO          # e.g. 2*(x + y)
""",
    "text": """    accept:
      en: [TODO]
      ja: [TODO]
""",
    "flashcard": """    answer: {en: TODO, ja: TODO}
    key_points:
      - {en: TODO, ja: TODO}
""",
}

_EXERCISE_BODY = {
    "blank": """    entry: TODO           # the function the grader calls
    task: TODO            # the engine task that makes the cases (see docs/authoring.md)
    template: |
      def TODO(x):
          return ____
    solution: TODO        # the expression that replaces ____
""",
    "function": """    entry: TODO
    task: TODO
    template: |
      def TODO(x):
          \"\"\"TODO: shapes and conventions.\"\"\"
          raise NotImplementedError
    solution: |
      def TODO(x):
          return x
""",
}


def new_item(kind: str, *, topic: str, item_type: str | None, item_id: str | None, bank: str | None) -> tuple[Path, int, str]:
    """Append a skeleton to ``<bank>/questions/<topic>.yaml`` (or exercises/); returns (path, line, id)."""
    if kind not in ("question", "exercise"):
        raise QuizzerError.of("new-unknown-kind", value=kind)
    if not KEBAB.match(topic):
        raise QuizzerError.of("new-topic-kebab", value=topic)
    types = QUESTION_TYPES if kind == "question" else EXERCISE_TYPES
    item_type = item_type or types[0]
    if item_type not in types:
        raise QuizzerError.of(f"new-unknown-{kind}-type", value=item_type, known=", ".join(types))
    root = Path(bank or _default_bank()).expanduser()
    if root.exists() and not root.is_dir():
        raise QuizzerError.of("write-bank-is-file", path=root)
    folder = root / ("questions" if kind == "question" else "exercises")
    path = folder / f"{topic}.yaml"
    existing_ids = _ids_in(root) | _builtin_ids()
    if item_id is None:
        n = 1
        while f"{topic}-new-{n}" in existing_ids:
            n += 1
        item_id = f"{topic}-new-{n}"
    elif not KEBAB.match(item_id):
        raise QuizzerError.of("new-id-kebab", value=item_id)
    if item_id in existing_ids:
        raise QuizzerError.of("new-id-used", value=item_id, path=root)
    list_key = "questions" if kind == "question" else "exercises"
    skeleton = _skeleton(kind, item_id, topic, item_type)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        keys = re.findall(r"^([a-z_]+):", text, flags=re.MULTILINE)
        if not keys or keys[-1] != list_key:
            raise QuizzerError.of("new-list-not-last", path=path, section=list_key)
        if not text.endswith("\n"):
            text += "\n"
        line = text.count("\n") + 2
        write_file(path, text + "\n" + skeleton)
    else:
        ensure_folder(folder)
        write_schema(root / SCHEMA_FILE, overwrite=False)
        header = SCHEMA_COMMENT + f"format_version: 1\n{list_key}:\n"
        line = header.count("\n") + 1
        write_file(path, header + skeleton)
    return path, line, item_id


def write_schema(path: Path, *, overwrite: bool = True) -> bool:
    """Write the bank JSON Schema (for editors) to ``path``; False if it existed and was kept."""
    import json

    from quizzer.bank.schema import json_schema

    if path.is_file() and not overwrite:
        return False
    write_file(path, json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return True


def _default_bank() -> str:
    env = [p for p in os.environ.get("QUIZZER_BANK", "").split(os.pathsep) if p.strip() and p != "builtin"]
    return env[0] if env else "."


def _builtin_ids() -> set[str]:
    """Ids of the built-in bank: a new item must not shadow one when both banks are used together."""
    from quizzer.bank import Problems, bank_files, builtin_dirs, read_files

    return set(read_files(bank_files(builtin_dirs()), Problems()))


def _ids_in(root: Path) -> set[str]:
    if not root.exists():
        return set()
    from quizzer.bank import Problems, bank_files, read_files

    return set(read_files(bank_files([root]), Problems()))


def _skeleton(kind: str, item_id: str, topic: str, item_type: str) -> str:
    head = f"""  - id: {item_id}
    topic: {topic}
    type: {item_type}
    source: original      # or confirmation-test:<slug> / exercise-challenge:<slug>
"""
    if kind == "question":
        return head + """    prompt: {en: TODO, ja: TODO}
""" + _QUESTION_BODY[item_type] + """    explanation: {en: TODO, ja: TODO}
    hints:
      - {en: TODO, ja: TODO}
"""
    return head + """    title: {en: TODO, ja: TODO}
    prompt: {en: TODO, ja: TODO}
""" + _EXERCISE_BODY[item_type] + """    hints:
      - {en: TODO, ja: TODO}
    misconceptions:
      - blank: TODO
        feedback: {en: TODO, ja: TODO}
    explanation: {en: TODO, ja: TODO}
""".replace("      - blank: TODO", "      - code: TODO" if item_type == "function" else "      - blank: TODO")


def todo_fields(item: Item) -> list[str]:
    """Names of the fields that still say TODO (left by `quizzer new`)."""
    found = []
    fields: dict[str, Any] = {"prompt": item.prompt, "explanation": item.explanation, "hints": item.hints}
    if isinstance(item, Exercise):
        fields.update(title=item.title, template=item.template, solution=item.solution, entry=item.entry, task=item.task,
                      misconceptions=[m.feedback for m in item.misconceptions] + [m.blank or m.code for m in item.misconceptions])
    else:
        spec = item.spec
        fields.update({name: getattr(spec, name) for name in ("options", "answer", "accept", "key_points") if hasattr(spec, name)})
    for name, value in fields.items():
        if TODO in repr(value):
            found.append(name)
    return found
