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
    configured = os.environ.get(HOME_ENV, "").strip()
    if configured:
        directory = Path(configured).expanduser()
        hint = f"set {HOME_ENV} to a writable directory"
    else:
        import platformdirs

        directory = Path(platformdirs.user_data_dir("quizzer", appauthor=False))
        hint = f"fix its permissions or set {HOME_ENV} to a writable directory"

    if directory.exists() and not directory.is_dir():
        raise StoreError(f"data directory {directory} exists but is not a directory; {hint}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StoreError(f"cannot create data directory {directory} ({reason}); {hint}") from None
    # SQLite needs to create the database and its -wal/-shm companions next to it.
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StoreError(f"data directory {directory} is not writable; {hint}")
    return directory


def db_path() -> Path:
    """The progress database: ``data_dir() / "progress.sqlite3"``."""
    return data_dir() / DB_FILENAME
