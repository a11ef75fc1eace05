"""The sandbox's other side: a fork server ("zygote") and the harness each forked child runs.

Started by ``quizzer.engine.sandbox`` as ``python -I -S <this file> <numpy's folder>``: isolated
mode, so neither this directory nor the working directory is on ``sys.path`` and the submission
cannot import quizzer by accident, and no site-packages (nor any .pth file in it) but numpy's. The zygote imports numpy once, then serves one request at a time on its stdin/stdout
(one JSON object per line) and never runs untrusted code itself: each submission runs in a fresh
forked child which sets its limits, runs the cases and writes what it found into a directory the
parent named. Nothing here is trusted by the parent: it validates every line and every array.

This file must stay self-contained (standard library and numpy only), because it is loaded by
path, outside the quizzer package. ``normalize_return`` is also imported by the parent so that a
reference solution's return value can be normalised exactly like a submission's.
"""

from __future__ import annotations

import json
import linecache
import math
import os
import resource
import selectors
import signal
import sys
import time
import traceback
import types

if __name__ == "__main__" and len(sys.argv) > 1:
    # Started as ``python -I -S`` (no site-packages, no .pth file runs here): the one folder it
    # needs, where numpy is installed, comes as the argument.
    sys.path.append(sys.argv[1])

import numpy as np

# Bound before any submission runs, so a submission that patches numpy cannot change how its
# return value is converted or saved (it could only make the saved arrays garbage, which the
# parent rejects, or choose their values, which it can do by returning them anyway).
_np_array = np.array
_np_ndarray = np.ndarray
_np_generic = np.generic
_np_float64 = np.float64
_np_frombuffer = np.frombuffer
_np_dtype = np.dtype

KINDS = ("syntax", "exception", "timeout", "memory", "crash", "bad-return", "missing-entry", "exit")

_READ_CHUNK = 1 << 16
MAX_OUTPUTS = 1024  # values one call may return; the parent refuses more
_MAX_PROCESSES = 64  # live processes a submission may have (RLIMIT_NPROC, and the census below)
_CENSUS_EVERY = 0.1  # seconds between counts of a running submission's processes
_REPORT_MAX = 4 << 20  # bytes of report lines a child may send besides its arrays
_UNCONFINED = ("landlock", "seccomp", "scratch-bound")  # what is missing without the plan
_plan = None  # confine.Plan, built by the zygote at start (never in quizzer's own process)


class BadReturn(ValueError):
    """A function returned something that is not arrays; the message is learner-readable."""


def _describe(value: object) -> str:
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def _to_array(value: object, where: str) -> np.ndarray:
    if isinstance(value, _np_ndarray):
        if type(value) is not _np_ndarray:
            raise BadReturn(f"{where} {_describe(value)} (a subclass of ndarray); expected plain numpy arrays")
        if value.dtype.kind not in "biuf":
            raise BadReturn(f"{where} an array of dtype {value.dtype}; expected real numbers")
    elif isinstance(value, _np_generic):
        if value.dtype.kind not in "biuf":
            raise BadReturn(f"{where} a numpy {value.dtype} scalar; expected real numbers")
    elif value is None:
        raise BadReturn(f"{where} None; expected arrays (is a return statement missing?)")
    elif type(value) not in (bool, int, float):
        raise BadReturn(f"{where} {_describe(value)}; expected arrays")
    try:
        out = _np_array(value, dtype=_np_float64, copy=True)
    except (OverflowError, ValueError, TypeError) as exc:
        raise BadReturn(f"{where} a value that is not a float64 array ({exc})") from None
    if type(out) is not _np_ndarray or out.dtype != _np_float64:
        raise BadReturn(f"{where} a value that did not convert to a float64 array")
    return out


def normalize_return(value: object, entry: str = "the function") -> tuple[np.ndarray, ...]:
    """An ndarray, a real scalar, or a tuple/list of them, as a tuple of float64 ndarrays.

    Raises BadReturn (a ValueError) with a learner-readable message for anything else: strings,
    None, dicts, nested sequences, object or complex arrays, ndarray subclasses.
    """
    if isinstance(value, (tuple, list)):
        kind = type(value).__name__ if type(value) in (tuple, list) else None
        if kind is None:
            raise BadReturn(f"{entry} returned {_describe(value)}; expected arrays")
        if not value:
            raise BadReturn(f"{entry} returned an empty {kind}; expected arrays")
        return tuple(
            _to_array(item, f"{entry} returned a {kind} whose item {i} is") for i, item in enumerate(value)
        )
    return (_to_array(value, f"{entry} returned"),)


# --------------------------------------------------------------------------------------------
# Case values: a JSON tree from the parent; array leaves point into one file of raw bytes.


def _decode(node: object, data: bytes) -> object:
    assert isinstance(node, dict)
    (tag, value), = node.items()
    if tag == "a":
        offset, dtype, shape = value
        count = math.prod(shape)
        arr = _np_frombuffer(data, dtype=_np_dtype(dtype), count=count, offset=offset).reshape(shape).copy()
        return arr[()] if arr.ndim == 0 else arr
    if tag == "d":
        return {k: _decode(v, data) for k, v in value.items()}
    if tag == "l":
        return [_decode(v, data) for v in value]
    if tag == "t":
        return tuple(_decode(v, data) for v in value)
    return value  # "v": a JSON scalar (bool, int, float, str, None)


# --------------------------------------------------------------------------------------------
# Errors, described from inside the child.


def _first_line(text: str, limit: int = 300) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:  # a submission-defined exception may break __str__
        return ""


def _fmt_bytes(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def _error(kind: str, message: str, *, exc: BaseException | None = None, filename: str | None = None,
           name: str | None = None, line: int | None = None) -> dict:
    tb = None
    exc_type = None
    if exc is not None:
        exc_type = type(exc).__name__
        if isinstance(exc, SyntaxError):
            line = exc.lineno
            tb = "".join(traceback.format_exception_only(type(exc), exc))
        else:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
            if frames:
                line = frames[-1].lineno
            body = "".join(traceback.StackSummary.from_list(frames).format()) if frames else ""
            try:
                last = "".join(traceback.format_exception_only(type(exc), exc))
            except BaseException:
                last = exc_type + "\n"
            tb = "Traceback (most recent call last):\n" + body + last
        if len(tb) > 8000:
            tb = tb[:4000] + "\n[...]\n" + tb[-4000:]
        if isinstance(exc, NameError) and isinstance(getattr(exc, "name", None), str):
            name = exc.name
    return {"kind": kind, "exc_type": exc_type, "message": _first_line(message), "name": name,
            "line": line if isinstance(line, int) else None, "traceback": tb}


def _exception_error(exc: BaseException, filename: str, memory_bytes: int, where: str) -> dict:
    text = _safe_str(exc)
    summary = f"{type(exc).__name__}: {_first_line(text)}" if text.strip() else type(exc).__name__
    if isinstance(exc, MemoryError):
        message = f"{where} ran out of memory (the limit is {_fmt_bytes(memory_bytes)}): {summary}"
        return _error("memory", message, exc=exc, filename=filename)
    if isinstance(exc, SystemExit):
        message = f"{where} called exit ({summary}) instead of returning"
        return _error("exit", message, exc=exc, filename=filename)
    return _error("exception", summary, exc=exc, filename=filename)


# --------------------------------------------------------------------------------------------
# The child: runs in the forked process, never returns.


class _RefuseQuizzer:
    """Meta path finder that refuses quizzer itself, wherever it might be found on sys.path."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "quizzer" or fullname.startswith("quizzer."):
            raise ModuleNotFoundError(f"submissions may not import {fullname!r}", name=fullname)


def _set_limit(which: int, soft: int, hard: int | None = None) -> None:
    """Lower a limit (never raise it: an unprivileged process could not anyway)."""
    hard = soft if hard is None else hard
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    try:
        resource.setrlimit(which, (soft, hard))
    except (ValueError, OSError):
        pass


def _close_all_but(keep: set[int]) -> None:
    low = 3
    for fd in sorted(k for k in keep if k >= 3):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 16)


def _child(req: dict, out_w: int, res_w: int, ruleset: int | None, bounded: bool) -> None:
    """Confine this freshly forked process, run the submission, report, and ``os._exit``.

    Everything before the preamble runs is trusted set-up, ending with the kernel confinement
    (``confine.Plan.confine``); from the first ``exec`` on, anything in this process (including
    these locals and the result pipe) is the submission's to tamper with, which is why the parent
    trusts nothing it reads back beyond "these are arrays".
    """
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    # The zygote's control pipe and its cached path descriptors must not be reachable from here.
    _close_all_but({res_w} | ({ruleset} if ruleset is not None else set()))
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)

    sys.stdin = sys.__stdin__ = open(0, "r", closefd=False)  # type: ignore[misc]
    # Line-buffered, as in a terminal: what was printed before a timeout's SIGKILL is not lost.
    sys.stdout = sys.__stdout__ = open(  # type: ignore[misc]
        1, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = sys.__stderr__ = open(  # type: ignore[misc]
        2, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    stdout, stderr = sys.stdout, sys.stderr
    sys.meta_path.insert(0, _RefuseQuizzer())
    # A checkout of quizzer on the path goes; a site-packages that also holds numpy must stay
    # (the finder above still refuses an installed quizzer there).
    sys.path[:] = [p for p in sys.path if p and not (
        os.path.isdir(os.path.join(p, "quizzer")) and not os.path.isdir(os.path.join(p, "numpy")))]

    harness_pid = os.getpid()

    def forked_copy() -> bool:
        """A process the submission forked returns into this loop too; it must not report."""
        return os.getpid() != harness_pid

    def send(data: bytes) -> None:
        while data:
            data = data[os.write(res_w, data):]

    def emit(obj: dict, payload: bytes = b"") -> None:
        if forked_copy():
            os._exit(0)
        send((json.dumps(obj) + "\n").encode() + payload)

    def finish(code: int = 0) -> None:
        for stream in (stdout, stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(code)

    try:
        data = b""
        if req.get("arrays"):
            with open(req["arrays"], "rb") as fh:
                data = fh.read()
        cases = [_decode(c, data) for c in req["cases"]]
        del data
        limits = req["limits"]
        memory = int(limits["memory_bytes"])
        cpu = math.ceil(float(limits["wall_seconds"])) + 1
        _set_limit(resource.RLIMIT_CORE, 0)
        _set_limit(resource.RLIMIT_NOFILE, 64)
        _set_limit(resource.RLIMIT_NPROC, _MAX_PROCESSES)  # counted per real uid: unique to this child
        _set_limit(resource.RLIMIT_FSIZE, memory)
        _set_limit(resource.RLIMIT_CPU, cpu, cpu + 1)  # SIGXCPU first, SIGKILL a second later
        if _plan is not None:
            missing = _plan.confine(ruleset, bounded=bounded)
        else:
            os.chdir(req["work"])
            missing = list(_UNCONFINED)
        _set_limit(resource.RLIMIT_AS, memory)
    except BaseException as exc:
        emit({"t": "internal", "message": _first_line(f"{type(exc).__name__}: {_safe_str(exc)}")})
        finish(70)
        return
    emit({"t": "isolation", "missing": missing})

    filename = req["filename"]
    entry = req["entry"]
    source = req["source"]
    module = types.ModuleType("submission")
    module.__file__ = filename
    sys.modules["submission"] = module  # for code that looks itself up (dataclasses, pickle)
    namespace = module.__dict__
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    try:
        if req.get("preamble"):
            exec(compile(req["preamble"], "<preamble>", "exec"), namespace)
    except BaseException as exc:
        err = _exception_error(exc, "<preamble>", memory, "the exercise preamble")
        err["message"] = _first_line(f"the exercise preamble failed: {err['message']}")
        emit({"t": "module", "names": [], "error": err})
        emit({"t": "done"})
        finish(0)
        return
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except BaseException as exc:  # SyntaxError; ValueError or MemoryError for odd sources
        if isinstance(exc, SyntaxError) and exc.lineno is not None:
            err = _error("syntax", f"{type(exc).__name__}: {exc.msg}", exc=exc, filename=filename)
        else:
            err = _error("syntax", f"the source cannot be compiled: {_safe_str(exc)}")
        emit({"t": "module", "names": [], "error": err})
        emit({"t": "done"})
        finish(0)
        return

    module_error = None
    try:
        exec(code, namespace)
    except BaseException as exc:
        module_error = _exception_error(exc, filename, memory, "the submission")

    def names() -> list[str]:
        found = []
        for key in list(namespace)[:2000]:
            if isinstance(key, str) and key.isidentifier() and not key.startswith("__"):
                found.append(key)
        return sorted(found)

    fn = namespace.get(entry)
    if module_error is None and fn is None:
        module_error = _error("missing-entry", f"the submission does not define a function named {entry!r}",
                              name=entry)
    elif module_error is None and not callable(fn):
        module_error = _error("missing-entry", f"{entry!r} is {_describe(fn)}, not a function", name=entry)
    emit({"t": "module", "names": names(), "error": module_error})
    if module_error is not None:
        emit({"t": "done"})
        finish(0)
        return

    for i, kwargs in enumerate(cases):
        try:
            value = fn(**kwargs)  # type: ignore[arg-type,misc]
            if forked_copy():
                os._exit(0)
            if isinstance(value, (tuple, list)) and len(value) > MAX_OUTPUTS:
                raise BadReturn(f"{entry} returned {len(value)} values; at most {MAX_OUTPUTS} are accepted")
            outputs = normalize_return(value, entry)
            # Raw float64 bytes, one array after another, right after the line giving the shapes.
            emit({"t": "case", "i": i, "shapes": [list(a.shape) for a in outputs], "error": None},
                 b"".join(arr.tobytes(order="C") for arr in outputs))
            del value, outputs
        except BadReturn as exc:
            emit({"t": "case", "i": i, "error": _error("bad-return", str(exc))})
        except BaseException as exc:
            emit({"t": "case", "i": i, "error": _exception_error(exc, filename, memory, entry)})
    emit({"t": "done"})
    finish(0)


# --------------------------------------------------------------------------------------------
# The zygote: serves requests, forks children, enforces the wall limit, captures output.


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36
_prctl = None


def _load_prctl() -> None:
    global _prctl
    try:
        import ctypes

        _prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        _prctl = None


def _set_subreaper() -> None:
    """Orphans of a submission re-parent to the zygote, so none can slip away when killed."""
    if _prctl is not None:
        _prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _die_with_parent(zygote: int) -> None:
    """If the zygote is killed (a submission can do that), its current child goes with it."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != zygote:
        os._exit(71)


def descendants(root: int) -> list[int]:
    """Every live (not zombie) process below ``root``, from /proc, children before grandchildren.
    Also used by the labs' runner, in quizzer's own process."""
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                data = f.read()
            fields = data[data.rindex(b")") + 2:].split()
        except (OSError, ValueError):
            continue
        if fields[0] != b"Z":
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], [root]
    while todo:
        for kid in children.get(todo.pop(), ()):
            found.append(kid)
            todo.append(kid)
    return found


def _reap_everything(deadline: float) -> bool:
    """Kill and reap whatever the submission left behind (forks, setsid escapes); True once no
    child of the zygote is left. Every orphan of the submission re-parents to the zygote (a child
    subreaper), which the submission cannot signal or trace, so the sweep is complete."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid:
            continue
        for kid in descendants(os.getpid()):
            try:
                os.kill(kid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)


class _Sink:
    """Copies one pipe into a file, keeping at most ``limit`` bytes."""

    def __init__(self, fd: int, path: str | None, limit: int) -> None:
        self.fd, self.limit, self.size, self.dropped = fd, limit, 0, 0
        self.file = open(path, "wb", buffering=0) if path else None
        self.buffer = bytearray()

    def pump(self) -> bool:
        chunk = os.read(self.fd, _READ_CHUNK)
        if not chunk:
            return False
        room = max(0, self.limit - self.size)
        kept = chunk[:room]
        if kept:
            if self.file is not None:
                self.file.write(kept)
            else:
                self.buffer += kept
        self.size += len(kept)
        self.dropped += len(chunk) - len(kept)
        return True

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        os.close(self.fd)


def _serve(req: dict, ruleset: int | None) -> dict:
    limits = req["limits"]
    wall = float(limits["wall_seconds"])
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    bounded = _plan is not None and _plan.mount_scratch(int(limits["scratch_bytes"]), int(limits["scratch_files"]))
    start = time.monotonic()
    zygote = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            _die_with_parent(zygote)
            os.close(out_r)
            os.close(res_r)
            _child(req, out_w, res_w, ruleset, bounded)
        finally:
            os._exit(71)
    os.close(out_w)
    os.close(res_w)
    # Where the parent looks for the child if this zygote stops answering (no message: a
    # message would wake the parent once more per submission).
    with open(req["pidfile"], "w") as fh:
        fh.write(str(pid))
    pidfd = os.pidfd_open(pid)
    output = _Sink(out_r, None, int(limits["output_bytes"]))
    # The child's only way to report: a pipe of its own, copied into a file it cannot reach.
    results = _Sink(res_r, req["results"], int(limits["memory_bytes"]) + _REPORT_MAX)
    sinks = {out_r: output, res_r: results}
    timed_out = False
    sel = selectors.DefaultSelector()
    for fd in sinks:
        sel.register(fd, selectors.EVENT_READ)
    sel.register(pidfd, selectors.EVENT_READ)
    deadline = start + wall
    next_census = start + _CENSUS_EVERY
    too_many = False
    exited = False
    while not exited:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            break
        if now >= next_census:
            # A second line behind RLIMIT_NPROC (which only counts when the child's uid is its own).
            if len(descendants(os.getpid())) >= _MAX_PROCESSES:
                too_many = True
                break
            next_census = now + _CENSUS_EVERY
        for key, _ in sel.select(min(deadline, next_census) - now):
            if key.fd == pidfd:
                exited = True
            elif not sinks[key.fd].pump():
                sel.unregister(key.fd)
                del sinks[key.fd]
    elapsed = time.monotonic() - start
    # Kill the group before reaping, so its id cannot have been reused by then.
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _, status = os.waitpid(pid, 0)
    os.close(pidfd)
    swept = _reap_everything(time.monotonic() + 2.0)
    if _plan is not None:
        _plan.release_scratch(bounded)
    # Drain what was written before the end; every writer is dead now.
    drain_until = time.monotonic() + 1.0
    while sinks and time.monotonic() < drain_until:
        ready = sel.select(max(0.0, drain_until - time.monotonic()))
        if not ready:
            break
        for key, _ in ready:
            if not sinks[key.fd].pump():
                sel.unregister(key.fd)
                del sinks[key.fd]
    sel.close()
    output.close()
    results.close()
    text = bytes(output.buffer).decode("utf-8", errors="replace")
    if output.dropped:
        text += f"\n[... output truncated: {output.dropped} more bytes not shown]\n"
    resp = {"id": req["id"], "elapsed": elapsed, "output": text, "timeout": timed_out,
            "too_many_processes": _MAX_PROCESSES if too_many else None, "exit_code": None, "signal": None,
            "results_dropped": results.dropped, "survivors": not swept}
    if os.WIFSIGNALED(status):
        resp["signal"] = os.WTERMSIG(status)
    else:
        resp["exit_code"] = os.waitstatus_to_exitcode(status)
    return resp


def _write(obj: dict) -> None:
    data = (json.dumps(obj) + "\n").encode()
    while data:
        data = data[os.write(1, data):]


def _load_plan() -> None:
    """The confinement plan, from ``confine.py`` beside this file (loaded by path, like this one)."""
    global _plan
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "confine.py")
    spec = importlib.util.spec_from_file_location("_quizzer_confine", path)
    if spec is None or spec.loader is None:
        return
    confine = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = confine  # dataclasses looks its module up
    spec.loader.exec_module(confine)
    _plan = confine.Plan.build()
    import tempfile

    _plan.prepare_server(tempfile.mkdtemp(prefix="quizzer-scratch-",
                                          dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None))
    signal.signal(signal.SIGTERM, lambda *_: _remove_scratch())


def _remove_scratch() -> None:
    """The server's scratch folder goes with it (on end of input, or when terminated)."""
    if _plan is not None:
        for path in (_plan.scratch, os.path.dirname(_plan.scratch)):
            try:
                os.rmdir(path)
            except OSError:
                pass
    os._exit(0)


def _drop_plan() -> None:
    global _plan
    _plan = None


def main() -> None:
    _load_prctl()
    _set_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when the zygote ends
    if sys.platform.startswith("linux"):
        try:
            _load_plan()
        except Exception:  # whatever the kernel refuses, grading goes on, and every result says "none"
            _drop_plan()
    import gc

    gc.freeze()  # keep the imported world out of the children's collections (less copy-on-write)
    missing = _plan.probe.missing() if _plan is not None else list(_UNCONFINED)
    scratch = os.path.dirname(_plan.scratch) if _plan is not None else None
    _write({"ready": True, "pid": os.getpid(), "missing": missing, "scratch": scratch})
    ruleset = _plan.ruleset() if _plan is not None else None
    for line in sys.stdin.buffer:
        req = json.loads(line)
        try:
            resp = _serve(req, ruleset)
        except Exception as exc:  # a zygote bug: report it rather than leave the parent waiting
            resp = {"id": req.get("id"), "internal": f"{type(exc).__name__}: {exc}"}
        _write(resp)
    _remove_scratch()  # the parent closed the pipe; skip interpreter teardown


if __name__ == "__main__":
    main()
