"""Shared fixtures: a throwaway data directory for every test, and the small fixture bank."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_BANK = Path(__file__).resolve().parent / "fixtures" / "bank"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the developer's real progress, bank or language settings."""
    home = tmp_path_factory.mktemp("quizzer-home")
    monkeypatch.setenv("QUIZZER_HOME", str(home))
    monkeypatch.delenv("QUIZZER_BANK", raising=False)
    monkeypatch.delenv("QUIZZER_LANG", raising=False)
    return home


@pytest.fixture
def fixture_bank() -> Path:
    return FIXTURE_BANK


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the real `quizzer` command in a subprocess, as a user would."""
    full_env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "quizzer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )


def load_exercises(*paths: Path) -> dict:
    """The exercises of the given bank files, asserting that they load without problems."""
    from quizzer.bank import Problems, read_files
    from quizzer.bank.model import Exercise

    problems = Problems()
    items = read_files([p for p in paths if p.exists()], problems)
    assert not problems.items, "\n".join(str(p) for p in problems.items)
    return {k: v for k, v in items.items() if isinstance(v, Exercise)}


@pytest.fixture(scope="module")
def runner():
    """One sandbox runner (fork servers) shared by a module's grading tests."""
    from quizzer.engine.sandbox import Runner

    with Runner() as r:
        yield r
