"""Where bank files are: the built-in bank, ``--bank`` folders, the YAML files below them, and the
problems found while reading them. Light imports only: the cached ``list`` path uses this module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quizzer.errors import BankError, Phrase


class Subject(Phrase):
    """What a bank problem is about, as it opens the message: an item (``question 'x'``, rendered in the
    reader's language) followed by the YAML field path (``: prompt``, ``.en``), which stays as written."""

    def __init__(self, key: str, tail: str = "", **values: object) -> None:
        super().__init__(key, **values)
        self.tail = tail

    def at(self, tail: str, sep: str = ": ") -> Subject:
        return Subject(self.key, f"{self.tail}{sep}{tail}", **self.values)

    def render(self, lang: str) -> str:
        return super().render(lang) + self.tail


def at(what: str | Subject, tail: str, sep: str = ": ") -> str | Subject:
    """``what`` followed by a field: ``question 'x': prompt`` (a Subject stays translatable)."""
    return what.at(tail, sep) if isinstance(what, Subject) else f"{what}{sep}{tail}"

BUILTIN = "builtin"
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_PARAM_VALUES = 10_000


def builtin_dirs() -> tuple[Path, ...]:
    """The built-in bank: shipped inside the wheel, or the repository's top-level folders."""
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_bank"
    if shipped.is_dir():
        return (shipped,)
    return (package.parent,)


def bank_dirs(banks: Sequence[str] | None) -> tuple[Path, ...]:
    """Resolve ``--bank`` values (or ``QUIZZER_BANK``) to folders; ``builtin`` names the built-in bank."""
    if not banks:
        env = os.environ.get("QUIZZER_BANK", "")
        banks = [part for part in env.split(os.pathsep) if part.strip()]
    if not banks:
        return builtin_dirs()
    dirs: list[Path] = []
    for bank in banks:
        if bank == BUILTIN:
            dirs.extend(builtin_dirs())
            continue
        path = Path(bank).expanduser()
        if not path.exists():
            raise BankError.at(str(path), None, "bank-no-such-folder")
        dirs.append(path)
    return tuple(dirs)


def bank_files(dirs: Iterable[Path]) -> list[Path]:
    """The YAML files of each bank: a file itself, or questions/ and exercises/ below a folder (else the folder)."""
    files: list[Path] = []
    for root in dirs:
        if root.is_file():
            files.append(root)
            continue
        subdirs = [root / "questions", root / "exercises"]
        search = [d for d in subdirs if d.is_dir()] or [root]
        for folder in search:
            files.extend(sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
    return files


@dataclass
class Problems:
    """Collects problems instead of stopping at the first, for ``quizzer validate``."""

    items: list[BankError] = field(default_factory=list)

    def add(self, path: str, line: int | None, key: str, /, **params: object) -> None:
        """The problem ``key`` of the catalogue (en + ja in ``quizzer.i18n.labels``) at ``path:line``."""
        self.items.append(BankError.at(path, line, key, **params))

    def __bool__(self) -> bool:
        return bool(self.items)



def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


