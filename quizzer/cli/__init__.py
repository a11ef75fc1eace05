"""The command layer: the Typer app, one module per group of commands, and everything that prints.

Only this package imports typer or rich or writes to the terminal; the core packages return values
and raise ``QuizzerError``, and the commands here turn those into views and exit codes.

This file is the program's entry point (the ``quizzer`` script and ``python -m quizzer``) and stays
light: typer, rich and the command tree load in ``quizzer.cli.main`` once ``run`` has started
what a grade waits on longest.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_WRONG", "app", "fail", "run"]


def run() -> None:
    """The console script. Never returns: exits with the command's code."""
    # One BLAS thread unless the user chose otherwise. quizzer's own arrays are a few hundred numbers;
    # an idle OpenBLAS thread spins for a while after `import numpy` and cost 40 ms of the other
    # core's time there (`time python -c "import numpy"`: 0.15 s user against 0.10 s with one thread),
    # the core the sandbox's fork server needs at that moment.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    _start_sandbox_early(sys.argv[1:])
    from quizzer.cli.main import run as run_app

    try:
        run_app()
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    _exit(code)


def _start_sandbox_early(argv: list[str]) -> None:
    """For ``quizzer grade``, start the sandbox's fork server before typer and the command tree load.

    The server is a second interpreter that spends most of a one-file grade importing numpy; started
    here, it does so while this process builds the command line, loads the bank and computes the
    reference, instead of after the first two. ``grade`` tops the servers up to ``--jobs`` once its
    options are parsed, and whatever nobody took is stopped at exit (a usage error). Any failure here
    is left for the command itself to report.
    """
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command != "grade" or "--help" in argv or "-h" in argv:
        return
    try:
        from quizzer.engine import spawn

        spawn.prespawn(1)
    except Exception:  # noqa: BLE001 -- numpy missing, no fork: `grade` says so in its own words
        return


def _exit(code: object) -> None:
    """Leave without the interpreter's teardown.

    Tearing down numpy, rich and typer module by module costs about 25 ms after the work is done,
    which is a tenth of a one-file grade (bench/bench_okpy.py). The exit handlers still run (they
    stop the sandbox servers and close what they hold), both output streams are flushed, and every
    file quizzer writes is already closed by then; only when another thread is still alive does the
    ordinary exit run, so that Python waits for it as it always would.
    """
    import atexit
    import threading

    if code is None:
        code = 0
    elif not isinstance(code, int):  # SystemExit("message"): Python prints it and exits 1
        print(code, file=sys.stderr)
        code = 1
    if threading.active_count() > 1:
        raise SystemExit(code)
    atexit._run_exitfuncs()  # private but stable since Python 2: what the normal exit calls first
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`quizzer list | head`), a closed stream
            pass
    os._exit(code)


def __getattr__(name: str) -> Any:
    """``app``, ``fail`` and the exit codes, loaded on first use (``from quizzer.cli import app``)."""
    if name in ("EXIT_OK", "EXIT_USAGE", "EXIT_WRONG", "app", "fail"):
        from quizzer.cli import main

        return getattr(main, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
