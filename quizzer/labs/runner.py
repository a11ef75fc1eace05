"""Start the lab child, stream what it reports, enforce the lab's time limit, read back the weights.

The learner's file runs only in the child (``_lab_child.py``, a separate ``python -I -S`` process in
its own session, with the grading sandbox's rlimits). Everything read from it is validated here as
untrusted data: report lines against a fixed set of tags and types, the weights as raw float64
bytes whose size must equal the shapes this side expects for the lab's settings (never unpickled,
no header parsed). The verdict is computed by the caller from those weights alone.

Residual risks, as for the grading sandbox until issue 8's confinement lands (its module is called
from ``_lab_child.apply_confinement`` when present): the child runs as quizzer's user, so it can
read what that user can read and signal quizzer's processes. At the end of a run every descendant
is swept (the child adopts orphans as a subreaper, so a setsid'd, double-forked daemon is still
below it), but the learner's code could undo that in its own process, and a fork bomb is bounded
by RLIMIT_NPROC only for a non-root user. Disk use is bounded per file, not in total.
"""

from __future__ import annotations

import json
import math
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from quizzer.engine._sandbox_child import descendants
from quizzer.engine.sandbox import Limits
from quizzer.engine.sandbox import read_regular as _read_regular

CHILD = Path(__file__).with_name("_lab_child.py")
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
_BOUNDS = Limits()  # a lab's child gets a grade's memory and working-folder bounds (its wall time is the lab's)
_LINE_MAX = 4096
_LINES_MAX = 100_000
_OUTPUT_KEEP = 4096


@dataclass
class ChildReport:
    """What the parent learned from one run; every field already validated."""

    history: list[dict[str, Any]] = field(default_factory=list)  # {"i", "loss", "acc"}
    weights: dict[str, np.ndarray] | None = None
    probe: dict[str, np.ndarray] | None = None
    error: dict[str, Any] | None = None  # {"kind", "message", "line"}
    missing: list[str] = field(default_factory=list)
    diverged: bool = False
    timed_out: bool = False
    stopped: bool = False  # ended by the caller (Ctrl-C)
    signal: str | None = None
    done: bool = False
    isolation: str = "rlimits"
    output: str = ""
    elapsed: float = 0.0


def confine_module() -> str | None:
    """The path of issue 8's confinement module when this quizzer has it (handed to the child)."""
    try:
        spec = find_spec("quizzer.engine.confine")
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin else None


def numpy_folder() -> str:
    """The folder numpy is installed in (found, not imported): the child's only path entry beyond
    the standard library, since it starts without site (``-S``: no .pth file runs in it)."""
    spec = find_spec("numpy")
    if spec is None or spec.origin is None:
        raise ImportError("numpy is not installed")
    return os.path.dirname(os.path.dirname(spec.origin))


def child_env() -> dict[str, str]:
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "HOME": "/nonexistent"}
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # lab try runs one child per core
    return env


def _kill_descendants(root: int) -> None:
    """Stop first, then kill, everything the child started (the child adopts orphans, so a
    setsid'd, double-forked daemon is still below it), so none outlives the run."""
    found = descendants(root)
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in found:
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError):
                pass




def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _arrays(path: str, line: dict, expected: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """The arrays the child announced, only if names and shapes are exactly the expected ones."""
    names, shapes = line.get("names"), line.get("shapes")
    if not isinstance(names, list) or not isinstance(shapes, list) or len(names) != len(shapes):
        raise ValueError("malformed announcement")
    if names != list(expected):
        raise ValueError(f"expected {', '.join(expected)}, got {', '.join(map(str, names))[:200]}")
    for name, shape in zip(names, shapes):
        if shape != list(expected[name]):
            raise ValueError(f"{name} has shape {shape}, expected {list(expected[name])}")
    sizes = [math.prod(expected[n]) for n in names]
    data = _read_regular(path, sum(sizes) * 8 + 1)
    if len(data) != sum(sizes) * 8:
        raise ValueError("the array file does not match its shapes")
    flat = np.frombuffer(data, dtype=np.float64).copy()
    out, offset = {}, 0
    for name, size in zip(names, sizes):
        out[name] = flat[offset:offset + size].reshape(expected[name])
        offset += size
    return out


def _error(line: dict) -> dict[str, Any]:
    raw_kind, raw_message = line.get("kind"), line.get("message")
    kind = raw_kind if raw_kind in ("syntax", "load", "probe", "exception", "memory", "bad-return") else "exception"
    message = raw_message if isinstance(raw_message, str) else str(kind)
    lineno = line.get("line")
    return {"kind": kind, "message": " ".join(message.splitlines())[:300],
            "line": lineno if isinstance(lineno, int) and not isinstance(lineno, bool) else None}


def run_child(*, driver: str, source: str, filename: str, settings: dict[str, Any], data: dict[str, Any],
              weight_shapes: dict[str, tuple[int, ...]], probe_shapes: dict[str, tuple[int, ...]] | None,
              time_limit: float, on_log: Callable[[dict[str, Any]], None] | None = None,
              stop: threading.Event | None = None) -> ChildReport:
    """Train once in a fresh child; ``on_log`` sees each validated loss line as it arrives; setting
    ``stop`` (Ctrl-C during `lab try`) ends the run at once."""
    report = ChildReport()
    scratch = tempfile.mkdtemp(prefix="quizzer-lab-", dir=_SCRATCH)
    read_fd, write_fd = os.pipe()
    request = {"driver": driver, "source": source, "filename": filename, "settings": settings,
               "data": data, "probe": probe_shapes is not None, "scratch": scratch, "report_fd": write_fd,
               "confine": confine_module(), "numpy_path": numpy_folder(),
               "limits": {"wall_seconds": time_limit, "memory_bytes": _BOUNDS.memory_bytes,
                          "scratch_bytes": _BOUNDS.scratch_bytes, "scratch_files": _BOUNDS.scratch_files}}
    started = time.monotonic()
    proc = None
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-S", str(CHILD)], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=scratch,
                                env=child_env(), pass_fds=(write_fd,), start_new_session=True)
        os.close(write_fd)
        write_fd = -1
        assert proc.stdin is not None
        try:
            proc.stdin.write(json.dumps(request).encode())
            proc.stdin.close()
        except OSError:
            pass
        _stream(proc, read_fd, started + time_limit, report, on_log, scratch, weight_shapes, probe_shapes, stop)
    finally:
        if proc is not None:
            _kill_descendants(proc.pid)
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the child leads its own group
            except (ProcessLookupError, PermissionError):
                pass
            status = proc.wait()
            if status < 0 and not report.done and not report.timed_out:
                try:
                    report.signal = signal.Signals(-status).name
                except ValueError:
                    report.signal = f"signal {-status}"
        if write_fd >= 0:
            os.close(write_fd)
        os.close(read_fd)
        report.elapsed = time.monotonic() - started
        try:
            raw = _read_regular(os.path.join(scratch, "output.txt"), 1 << 20)
            text = raw.decode("utf-8", "replace")
            report.output = text if len(text) <= _OUTPUT_KEEP else "[...]\n" + text[-_OUTPUT_KEEP:]
        except (OSError, ValueError):
            pass
        shutil.rmtree(scratch, ignore_errors=True)
    return report


def _stream(proc: subprocess.Popen, fd: int, deadline: float, report: ChildReport,
            on_log: Callable[[dict[str, Any]], None] | None, scratch: str,
            weight_shapes: dict[str, tuple[int, ...]], probe_shapes: dict[str, tuple[int, ...]] | None,
            stop: threading.Event | None) -> None:
    buf = b""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    lines = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            report.timed_out = True
            return
        if stop is not None and stop.is_set():
            report.stopped = True
            return
        if not poller.poll(min(remaining, 0.25) * 1000):
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return  # every writer is gone: the child ended
        buf += chunk
        while b"\n" in buf:
            raw, _, buf = buf.partition(b"\n")
            lines += 1
            if len(raw) > _LINE_MAX or lines > _LINES_MAX:
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and _take(line, report, on_log, scratch, weight_shapes, probe_shapes):
                return
        if len(buf) > _LINE_MAX:
            buf = b""


def _take(line: dict, report: ChildReport, on_log: Callable[[dict[str, Any]], None] | None, scratch: str,
          weight_shapes: dict[str, tuple[int, ...]], probe_shapes: dict[str, tuple[int, ...]] | None) -> bool:
    """Record one report line; True when the child said it is done."""
    tag = line.get("t")
    if tag == "log":
        i, loss, acc = line.get("i"), _number(line.get("loss")), _number(line.get("acc"))
        gmax = _number(line.get("gmax"))
        if isinstance(i, int) and not isinstance(i, bool) and loss is not None:
            last = report.history[-1]["i"] if report.history else 0
            if i > last:
                point = {"i": i, "loss": loss, "acc": acc, "gmax": gmax}
                report.history.append(point)
                if on_log is not None:
                    on_log(point)
    elif tag == "hello" and isinstance(line.get("isolation"), str):
        report.isolation = line["isolation"][:200]
    elif tag == "error" and report.error is None:
        report.error = _error(line)
    elif tag == "missing" and isinstance(line.get("names"), list):
        report.missing = [n for n in line["names"] if isinstance(n, str)][:20]
    elif tag == "diverged":
        report.diverged = True
    elif tag == "probe" and probe_shapes is not None and report.probe is None:
        try:
            report.probe = _arrays(os.path.join(scratch, "probe.bin"), line, probe_shapes)
        except (OSError, ValueError):
            report.probe = None
    elif tag == "weights" and report.weights is None:
        try:
            report.weights = _arrays(os.path.join(scratch, "weights.bin"), line, weight_shapes)
        except (OSError, ValueError) as exc:
            report.error = report.error or {"kind": "bad-return", "message": str(exc)[:300], "line": None}
    elif tag == "done":
        report.done = True
        return True
    return False
