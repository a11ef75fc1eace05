"""Starting sandbox fork servers without importing numpy here.

A fork server is a fresh ``python -I -S _sandbox_child.py`` that imports numpy once and then forks
one child per submission. Starting it takes about as long as importing numpy; ``prespawn`` starts the
processes at once, so that their numpy import runs on another core while this process loads the
bank and computes the reference. The sandbox adopts pre-spawned servers before starting new ones.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import subprocess
import sys
import tempfile
import threading
from typing import IO

CHILD_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sandbox_child.py")

_spawned: list[tuple[subprocess.Popen, IO[bytes]]] = []
_lock = threading.Lock()
_cleanup_registered = False


def zygote_env() -> dict[str, str]:
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "HOME": "/nonexistent"}
    # One BLAS thread: the zygote forks, and with --jobs the cores are already taken.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


@functools.cache
def _numpy_folder() -> str:
    """The folder numpy is installed in (found, not imported): the server's only sys.path entry
    beyond the standard library, since it starts without site (``-S``: no .pth file runs there)."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or spec.origin is None:
        raise ImportError("numpy is not installed")
    return os.path.dirname(os.path.dirname(spec.origin))


def spawn() -> tuple[subprocess.Popen, IO[bytes]]:
    """A new fork server process and the file its standard error goes to."""
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 -- lives as long as the server; closed by take()/discard()
    proc = subprocess.Popen(
        [sys.executable, "-I", "-S", CHILD_PATH, _numpy_folder()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
        env=zygote_env(), cwd="/", bufsize=0, start_new_session=True,
    )
    return proc, stderr


def prespawn(count: int) -> None:
    """Have ``count`` fork servers waiting: start the ones missing now (a command line may already
    have started one before its options were parsed); ``take`` hands them to the sandbox later, and
    ``discard`` stops those nobody took when the process exits."""
    global _cleanup_registered
    with _lock:
        missing = count - len(_spawned)
        if missing > 0 and not _cleanup_registered:
            atexit.register(discard)
            _cleanup_registered = True
    started = [spawn() for _ in range(missing)]
    with _lock:
        _spawned.extend(started)


def take() -> tuple[subprocess.Popen, IO[bytes]] | None:
    """A pre-spawned server that is still running, if any."""
    with _lock:
        while _spawned:
            proc, stderr = _spawned.pop()
            if proc.poll() is None:
                return proc, stderr
            stderr.close()
    return None


def discard() -> None:
    """Stop pre-spawned servers nobody took (at exit, or when a command ends early)."""
    with _lock:
        leftovers, _spawned[:] = list(_spawned), []
    for proc, _ in leftovers:
        if proc.poll() is None:
            proc.terminate()  # a server that is up removes its scratch folder on SIGTERM
    for proc, stderr in leftovers:
        try:
            proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        stderr.close()
