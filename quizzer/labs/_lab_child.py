"""The other side of a lab run: the process that trains with the learner's code.

Started by ``quizzer.labs.runner`` as ``python -I -S <this file>`` in a new session, with a clean
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

    The parent passes the path of that module when the installed quizzer has it; it is loaded by
    path (this process refuses ``import quizzer``), before any lab or learner code runs, with
    NumPy already imported. Two shapes of entry point are understood: a function
    ``confine(scratch_dir) -> str``, or the fork server's ``Plan`` (``build``, ``prepare_server``,
    ``ruleset``, ``mount_scratch``, ``confine``, and ``level`` for the summary), applied here once
    since this process is both server and child. Under a ``Plan`` this process works in
    ``scratch/confined/work`` afterwards, the only place it may write: a tmpfs of the request's
    ``scratch_bytes`` and ``scratch_files`` in this process's own mount namespace (so it goes with
    the process, and the parent never sees it). Returns what was in force, for the result; a
    confinement that fails to apply is reported, not hidden.
    """
    path = req.get("confine")
    if not path:
        return "rlimits"
    import importlib.util

    spec = importlib.util.spec_from_file_location("_quizzer_confine", path)
    if spec is None or spec.loader is None:
        return "rlimits"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses looks its module up
    try:
        spec.loader.exec_module(module)
        simple = getattr(module, "confine", None)
        if callable(simple):
            level = simple(req["scratch"])
            return f"rlimits+{level}" if isinstance(level, str) else "rlimits+confine"
        plan_type = getattr(module, "Plan", None)
        if plan_type is None:
            return "rlimits"
        plan = plan_type.build()
        base = os.path.join(req["scratch"], "confined")
        os.mkdir(base, 0o700)
        plan.prepare_server(base)
        limits = req["limits"]
        bounded = plan.mount_scratch(int(limits["scratch_bytes"]), int(limits["scratch_files"]))
        missing = plan.confine(plan.ruleset(), bounded=bounded)
        level = getattr(module, "level", None)
        summary = level(missing) if callable(level) else ", ".join(missing) or "full"
        return f"rlimits, confinement {summary}"
    except Exception as exc:
        return f"rlimits (confinement failed: {type(exc).__name__}: {exc})"[:200]


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

    harness_pid = os.getpid()

    def emit(obj: dict) -> None:
        if os.getpid() != harness_pid:  # a fork of the learner's that came back into this code
            os._exit(0)
        os.write(report, (json.dumps(obj) + "\n").encode())

    def finish() -> None:
        """Say done, then wait to be killed: while this process lives, whatever the learner's code
        left running is still below it (it adopts orphans), so the parent's sweep finds it."""
        emit({"t": "done"})
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        while True:
            signal.pause()

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
    sys.meta_path.insert(0, _RefuseQuizzer())
    sys.path[:] = [p for p in sys.path if p and not (
        os.path.isdir(os.path.join(p, "quizzer")) and not os.path.isdir(os.path.join(p, "numpy")))]
    sys.path.append(req["numpy_path"])  # started with -S: numpy's folder is the one path added

    import numpy as np

    # Where the weights (and the probe's outputs) go back to the parent: opened now, in the scratch
    # folder the parent reads, since the folder this process works in after confinement is its own
    # tmpfs. The learner's code could write these files as it could return any weights: the parent
    # checks their size and values, and judges them by its own forward pass.
    results = {tag: os.open(os.path.join(scratch, f"{tag}.bin"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
               for tag in ("weights", "probe")}

    # Confinement first (building its rules opens more files than the limit below allows), then
    # the limits; both before the lab's driver or the learner's file runs.
    isolation = apply_confinement(req)
    # Nothing but the standard streams and the report pipe stays open (building the confinement's
    # rules opened a descriptor per allowed path; the learner's code needs none of them).
    keep = sorted({report, *results.values()})
    for low, high in zip([3] + [fd + 1 for fd in keep], keep + [resource.getrlimit(resource.RLIMIT_NOFILE)[0]]):
        os.closerange(low, high)
    limits = req["limits"]
    memory = int(limits["memory_bytes"])
    cpu = math.ceil(float(limits["wall_seconds"])) + 1
    _set_limit(resource.RLIMIT_CORE, 0)
    _set_limit(resource.RLIMIT_NOFILE, 64)
    _set_limit(resource.RLIMIT_NPROC, _MAX_PROCESSES)
    _set_limit(resource.RLIMIT_FSIZE, _FILE_BYTES)
    _set_limit(resource.RLIMIT_CPU, cpu, cpu + 1)
    _set_limit(resource.RLIMIT_AS, memory)
    emit({"t": "hello", "isolation": isolation})

    def save(tag: str, arrays: dict) -> None:
        names, shapes = [], []
        os.ftruncate(results[tag], 0)
        with open(results[tag], "wb", closefd=False) as fh:
            fh.seek(0)
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
        finish()
    missing = [name for name in driver.PIECES if not callable(learner.__dict__.get(name))]
    if missing:
        emit({"t": "missing", "names": missing})
        finish()

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
        finish()
    except MemoryError as exc:
        emit(_error("memory", exc, filename))
        finish()
    except BaseException as exc:
        emit(_error("exception", exc, filename))
        finish()
    try:
        save("weights", weights)
    except BaseException as exc:
        emit(_error("bad-return", exc, filename))
    finish()


if __name__ == "__main__":
    main()
