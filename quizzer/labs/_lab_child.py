"""The other side of a lab run: the process that trains with the learner's code.

Started by ``quizzer.labs.runner`` as ``python -I <this file>`` in a new session, with a clean
environment, an empty scratch directory as its working directory, the request on stdin and a pipe
on file descriptor 3 for its report. Like the grading sandbox's child (``quizzer/engine/
_sandbox_child.py``, whose limits this copies: a lab runs longer and streams, so it cannot reuse
that one-call-per-case fork server), it lowers its rlimits, refuses ``import quizzer``, sends the
learner's prints to a file, and only then runs the lab's driver (trusted code, sent as text by the
parent) and the learner's file.

Nothing this process writes is trusted by the parent: report lines are validated against a fixed
schema and the weights come back as raw float64 bytes whose size must match the shapes the parent
expects for the lab's settings. The verdict is computed in the parent from those weights on
held-out data this process never receives.

Self-contained on purpose (standard library and numpy only): it is loaded by path, outside the
quizzer package.
"""

from __future__ import annotations

import json
import linecache
import math
import os
import resource
import signal
import sys
import traceback
import types

REPORT_FD = 3
_MAX_PROCESSES = 64
_FILE_BYTES = 64 << 20  # largest file the run may write (its prints, its weights)


class _RefuseQuizzer:
    def find_spec(self, fullname, path=None, target=None):
        if fullname == "quizzer" or fullname.startswith("quizzer."):
            raise ModuleNotFoundError(f"lab code may not import {fullname!r}", name=fullname)


def _set_limit(which: int, soft: int, hard: int | None = None) -> None:
    hard = soft if hard is None else hard
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass


def _die_with_parent() -> None:
    """Die with quizzer (PR_SET_PDEATHSIG), and adopt whatever the learner's code orphans
    (PR_SET_CHILD_SUBREAPER), so that a double-forked daemon stays a descendant of this process
    and the parent's sweep at the end of the run finds it."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl(1, signal.SIGKILL, 0, 0, 0)
        prctl(36, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def apply_confinement(req: dict) -> str:
    """THE call site for kernel confinement (issue 8's ``quizzer/engine/confine.py``).

    The parent passes the path of that module when it exists in the installed quizzer; it is
    loaded by path (this process refuses ``import quizzer``) and its ``confine(scratch_dir)`` is
    called before any lab or learner code runs. Returns what was in force, for the result.
    """
    path = req.get("confine")
    if not path:
        return "rlimits"
    import importlib.util

    spec = importlib.util.spec_from_file_location("_quizzer_confine", path)
    if spec is None or spec.loader is None:
        return "rlimits"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    confine = getattr(module, "confine", None)
    if not callable(confine):
        return "rlimits"
    level = confine(req["scratch"])
    return f"rlimits+{level}" if isinstance(level, str) else "rlimits+confine"


def _error(kind: str, exc: BaseException | None, filename: str, message: str | None = None) -> dict:
    line = None
    if exc is not None:
        if isinstance(exc, SyntaxError):
            line = exc.lineno
        else:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
            if frames:
                line = frames[-1].lineno
        try:
            text = str(exc)
        except BaseException:
            text = ""
        first = text.strip().splitlines()[0] if text.strip() else ""
        message = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return {"t": "error", "kind": kind, "message": (message or kind)[:300], "line": line,
            "exc_type": type(exc).__name__ if exc is not None else None}


def main() -> None:
    req = json.loads(sys.stdin.buffer.read())
    report = int(req.get("report_fd", REPORT_FD))

    def emit(obj: dict) -> None:
        os.write(report, (json.dumps(obj) + "\n").encode())

    scratch = req["scratch"]
    os.chdir(scratch)
    _die_with_parent()
    out = os.open(os.path.join(scratch, "output.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    limits = req["limits"]
    memory = int(limits["memory_bytes"])
    cpu = math.ceil(float(limits["wall_seconds"])) + 1
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_NOFILE, 64)
    _set_limit(resource.RLIMIT_NPROC, _MAX_PROCESSES)
    _set_limit(resource.RLIMIT_FSIZE, _FILE_BYTES)
    _set_limit(resource.RLIMIT_CPU, cpu, cpu + 1)
    _set_limit(resource.RLIMIT_AS, memory)
    sys.meta_path.insert(0, _RefuseQuizzer())
    sys.path[:] = [p for p in sys.path if p and not (
        os.path.isdir(os.path.join(p, "quizzer")) and not os.path.isdir(os.path.join(p, "numpy")))]

    import numpy as np

    isolation = apply_confinement(req)
    emit({"t": "hello", "isolation": isolation})

    def save(tag: str, arrays: dict) -> None:
        names, shapes = [], []
        with open(os.path.join(scratch, f"{tag}.bin"), "wb") as fh:
            for name, value in arrays.items():
                arr = np.asarray(value, dtype=np.float64)
                fh.write(np.ascontiguousarray(arr).tobytes())
                names.append(str(name))
                shapes.append(list(arr.shape))
        emit({"t": tag, "names": names, "shapes": shapes})

    driver = types.ModuleType("lab_driver")
    exec(compile(req["driver"], "<lab driver>", "exec"), driver.__dict__)

    filename = req["filename"]
    source = req["source"]
    learner = types.ModuleType("lab")
    learner.__file__ = filename
    sys.modules["lab"] = learner
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        exec(compile(source, filename, "exec", dont_inherit=True), learner.__dict__)
    except BaseException as exc:
        emit(_error("syntax" if isinstance(exc, SyntaxError) else "load", exc, filename))
        emit({"t": "done"})
        os._exit(0)
    missing = [name for name in driver.PIECES if not callable(learner.__dict__.get(name))]
    if missing:
        emit({"t": "missing", "names": missing})
        emit({"t": "done"})
        os._exit(0)

    settings = req["settings"]
    data = req["data"]
    if req.get("probe"):
        try:
            save("probe", driver.probe(learner.__dict__, settings, data["probe"]))
        except BaseException as exc:
            emit(_error("probe", exc, filename))

    def log(i: int, loss: float, acc: float | None = None, gmax: float | None = None) -> None:
        emit({"t": "log", "i": int(i), "loss": float(loss), "acc": None if acc is None else float(acc),
              "gmax": None if gmax is None else float(gmax)})
        if not math.isfinite(float(loss)):
            raise driver.Diverged(int(i))

    try:
        weights = driver.train(learner.__dict__, settings, data, log)
    except driver.Diverged:
        emit({"t": "diverged"})
        emit({"t": "done"})
        os._exit(0)
    except MemoryError as exc:
        emit(_error("memory", exc, filename))
        emit({"t": "done"})
        os._exit(0)
    except BaseException as exc:
        emit(_error("exception", exc, filename))
        emit({"t": "done"})
        os._exit(0)
    try:
        save("weights", weights)
    except BaseException as exc:
        emit(_error("bad-return", exc, filename))
    emit({"t": "done"})
    os._exit(0)


if __name__ == "__main__":
    main()
