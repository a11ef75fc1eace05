"""Where quizzer keeps the learner's progress.

``$QUIZZER_HOME`` wins when set (handy for tests, a second profile, or a synced folder); otherwise
the platform's per-user data directory. ``platformdirs`` is imported on use so that importing this
module costs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from quizzer.errors import StoreError

HOME_ENV = "QUIZZER_HOME"
DB_FILENAME = "progress.sqlite3"


def data_dir() -> Path:
    """The directory holding the progress database, created if missing.

    Raises StoreError when it cannot be created, is not a directory, or is not writable.
    """
    from quizzer.errors import Phrase

    configured = os.environ.get(HOME_ENV, "").strip()
    if configured:
        directory = Path(configured).expanduser()
        hint = Phrase("home-hint-env", env=HOME_ENV)
    else:
        import platformdirs

        directory = Path(platformdirs.user_data_dir("quizzer", appauthor=False))
        hint = Phrase("home-hint-fix", env=HOME_ENV)

    if directory.exists() and not directory.is_dir():
        raise StoreError.of("home-not-dir", path=directory, hint=hint)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StoreError.of("home-cannot-create", path=directory, reason=reason, hint=hint) from None
    # SQLite needs to create the database and its -wal/-shm companions next to it.
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StoreError.of("home-not-writable", path=directory, hint=hint)
    return directory


def db_path() -> Path:
    """The progress database: ``data_dir() / "progress.sqlite3"``."""
    return data_dir() / DB_FILENAME


def check_writable(path: str | os.PathLike) -> Path:
    """``path`` as a Path, once it is a file quizzer can create or replace; else QuizzerError (exit 2).

    Every command that writes a file the user named (export -o, schema -o, start -o, grade -o, new
    --bank) goes through here or ``write_file``, so a bad path is one line, never a traceback.
    """
    from quizzer.errors import QuizzerError

    target = Path(path).expanduser()
    if target.is_dir():
        raise QuizzerError.of("write-is-folder", path=target)
    folder = target.parent
    if folder.exists() and not folder.is_dir():
        raise QuizzerError.of("write-not-folder", path=target, folder=folder)
    if not folder.exists():
        ancestor = next((p for p in folder.parents if p.exists()), None)
        if ancestor is not None and not ancestor.is_dir():
            raise QuizzerError.of("write-not-folder", path=target, folder=ancestor)
        raise QuizzerError.of("write-no-folder", path=target, folder=folder)
    return target


def write_file(path: str | os.PathLike, text: str, *, newline: str | None = None) -> Path:
    """Write ``text`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    import tempfile

    from quizzer.errors import QuizzerError

    target = check_writable(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise QuizzerError.of("cannot-write", path=target, reason=exc.strerror or type(exc).__name__) from None
    return target


def ensure_folder(path: str | os.PathLike) -> Path:
    """Create the folder ``path`` (and its parents), or say in one line why it cannot be."""
    from quizzer.errors import QuizzerError

    folder = Path(path).expanduser()
    if folder.exists() and not folder.is_dir():
        raise QuizzerError.of("write-not-folder", path=folder, folder=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise QuizzerError.of("write-not-folder", path=folder, folder=blocker) from None
        raise QuizzerError.of("cannot-write", path=folder, reason=exc.strerror or type(exc).__name__) from None
    return folder
