"""Reading bank files (questions/*.yaml, exercises/*.yaml) into typed values, once, at the edge.

Every problem is reported as ``path:line: what is wrong``. ``load_bank`` raises the first problem as a
BankError; ``read_files`` collects them all for ``quizzer validate``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from quizzer.bank import schema
from quizzer.bank.files import (
    BUILTIN,
    KEBAB,
    MAX_PARAM_VALUES,
    PARAM_NAME,
    Problems,
    bank_dirs,
    bank_files,
    builtin_dirs,
)
from quizzer.errors import BankError, UnknownItemError

# What the rest of quizzer reads from "the bank": the loader here, and the file helpers it builds on.
__all__ = [
    "BUILTIN",
    "KEBAB",
    "MAX_PARAM_VALUES",
    "PARAM_NAME",
    "Bank",
    "BankError",
    "Problems",
    "bank_dirs",
    "bank_files",
    "builtin_dirs",
    "index_entry",
    "load_bank",
    "load_index",
    "read_files",
]

if TYPE_CHECKING:  # the model is imported where items are built, not on the cached `list` path
    from quizzer.bank.model import Exercise, Item, Question

@dataclass(frozen=True)
class Bank:
    """Every question and exercise of the banks in use, by id."""

    items: dict[str, Item]
    files: tuple[Path, ...] = ()

    def get(self, item_id: str) -> Item:
        try:
            return self.items[item_id]
        except KeyError:
            close = difflib.get_close_matches(item_id, list(self.items), n=3, cutoff=0.6)
            if close:
                raise UnknownItemError.of("unknown-id-close", id=item_id, close=", ".join(close)) from None
            raise UnknownItemError.of("unknown-id", id=item_id) from None

    def select(
        self,
        *,
        topics: Sequence[str] = (),
        types: Sequence[str] = (),
        kinds: Sequence[str] = (),
    ) -> list[Item]:
        chosen = []
        for item in self.items.values():
            if topics and item.topic not in topics:
                continue
            if types and item.type not in types:
                continue
            if kinds and item.kind not in kinds:
                continue
            chosen.append(item)
        return chosen

    @property
    def topics(self) -> list[str]:
        return sorted({item.topic for item in self.items.values()})

    @property
    def questions(self) -> list[Question]:
        return [i for i in self.items.values() if i.kind == "question"]  # type: ignore[misc]

    @property
    def exercises(self) -> list[Exercise]:
        return [i for i in self.items.values() if i.kind == "exercise"]  # type: ignore[misc]


def load_bank(banks: Sequence[str] | None = None, *, cache: bool = True) -> Bank:
    """Load the banks in use; the first problem found is raised as a BankError.

    A bank that loaded cleanly is cached (pickled typed values in the data directory, keyed by every
    file's path, size and modification time), so later commands skip the YAML parsing.
    """
    files = bank_files(bank_dirs(banks))
    cached = _cache_path(files) if cache else None
    if cached is not None:
        bank = _read_cache(cached)
        if bank is not None:
            return bank
    problems = Problems()
    items = read_files(files, problems)
    if problems:
        raise problems.items[0]
    bank = Bank(items=items, files=tuple(files))
    if cached is not None:
        _write_cache(cached, bank)
    return bank


def index_entry(item: Item, lang: str) -> dict:
    """What `quizzer list` shows of an item (also its --json form)."""
    summary = (item.title.get(lang) if item.title else "") or item.prompt.get(lang)
    return {
        "id": item.id,
        "kind": item.kind,
        "topic": item.topic,
        "type": item.type,
        "languages": list(item.languages()),
        "source": item.source,
        "title": " ".join(summary.split())[:160],
        "parameterised": bool(item.params),
        "difficulty": item.difficulty,
        "tags": list(item.tags),
    }


def load_index(banks: Sequence[str] | None, lang: str) -> list[dict]:
    """The list view of the bank, cached as small JSON beside the full bank (much cheaper to read)."""
    import json

    files = bank_files(bank_dirs(banks))
    cached = _cache_path(files)
    index_path = cached.with_name(cached.stem.replace("bank-", f"index-{lang}-") + ".json") if cached else None
    if index_path is not None:
        try:
            return json.loads(index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    bank = load_bank(banks)
    rows = [index_entry(item, lang) for item in bank.items.values()]
    if index_path is not None:
        import tempfile

        try:
            with tempfile.NamedTemporaryFile("w", dir=index_path.parent, delete=False, suffix=".tmp", encoding="utf-8") as handle:
                json.dump(rows, handle, ensure_ascii=False)
            os.replace(handle.name, index_path)
        except OSError:
            pass
    return rows


def _cache_path(files: Sequence[Path]) -> Path | None:
    import hashlib
    import sys

    from quizzer import __version__
    from quizzer.errors import QuizzerError

    key = hashlib.sha256(f"{__version__}|{sys.version}|{schema.FORMAT_VERSION}".encode())
    try:
        for path in files:
            stat = path.stat()
            key.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
        from quizzer.paths import data_dir

        return data_dir() / "cache" / f"bank-{key.hexdigest()[:24]}.pickle"
    except (OSError, QuizzerError):
        return None  # no cache where the data directory is unusable; the bank still loads


def _read_cache(path: Path) -> Bank | None:
    import pickle

    try:
        with path.open("rb") as handle:
            bank = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a stale or damaged cache is rebuilt, never fatal
        return None
    return bank if isinstance(bank, Bank) else None


def _write_cache(path: Path, bank: Bank) -> None:
    import pickle
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in [*path.parent.glob("bank-*.pickle"), *path.parent.glob("index-*.json")]:
            if old != path and old.stat().st_mtime < _stale_before():
                old.unlink(missing_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(bank, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError:
        pass  # caching is an optimisation only


def _stale_before() -> float:
    import time

    return time.time() - 7 * 24 * 3600


def read_files(files: Iterable[Path], problems: Problems) -> dict[str, Item]:
    """Read every file, collecting problems (including ids repeated across files)."""
    from quizzer.bank.reader import read_file

    items: dict[str, Item] = {}
    for path in files:
        for item in read_file(path, problems):
            if item.id in items:
                first = items[item.id].location
                problems.add(str(item.location.path), item.location.line, "bank-duplicate-id", id=item.id, first=first)
                continue
            items[item.id] = item
    return items
