"""Run a learner's code in a separate, confined process and bring back only arrays.

The submission never runs in quizzer's process. A ``Runner`` starts a fork server (the
"zygote": ``_sandbox_child.py`` run as ``python -I -S`` with a clean environment) that has numpy
imported once and runs no untrusted code itself; each submission then costs one fork. The child
starts its own session, reads /dev/null as stdin, writes stdout/stderr into a pipe the zygote
drains (keeping only ``Limits.output_bytes``), sets RLIMIT_CPU/NOFILE/NPROC/FSIZE/CORE/AS,
refuses ``import quizzer`` with a meta path finder, confines itself in the kernel (below), runs
the trusted preamble and then the submission in its scratch directory, calls the entry function
once per case and sends each normalised return value as raw float64 bytes down a result pipe.

Confinement (``quizzer.engine.confine``, applied in the child after the fork and before any of
the submission's code, with the costly part prepared in the zygote): a private mount namespace
with a tmpfs scratch bounded in bytes and in files; securebits locked, the capability bounding
set and every capability dropped, a non-root real uid of its own (so RLIMIT_NPROC stops a fork
bomb in the kernel even for root), no_new_privs; a seccomp denylist (ptrace, process_vm_*,
mount, namespaces, keys, bpf, perf, io_uring, uid changes, exec, socket(); socketpair stays);
Landlock: read only the base standard library, numpy's folders and the shared libraries,
write only the scratch, no TCP, no signals or abstract-socket connections outside its own
domain (so neither quizzer nor the zygote can be signalled or traced, and /proc of either
cannot even be opened). Our own ctypes module rather than a binding such as sandlock, landlock
or pyseccomp: the fork server needs the ruleset built before the fork and only one rule plus
restrict_self in the child (tens of microseconds), none of them offers that split, and the
syscalls are few with a stable ABI. Where the kernel lacks a layer, grading still works and
every result says so: ``RunOutcome.isolation`` is ``full``, ``partial (missing: ...)`` or
``none``, from the child's own account written before the submission ran.

Why the child cannot forge a verdict: nothing is compared in the child. Everything it reports
(a JSON line per case with the shapes of its outputs, followed by exactly that many float64
bytes) goes down its own pipe, which the zygote copies into a file the child cannot reach
(bounded by the memory limit), and is untrusted data here: lines are validated against a fixed
schema, the bytes must match the announced shapes exactly, and can only ever become float64
arrays (no header to parse, nothing that could be unpickled). No other child shares the pipe
or can open the file. The most a submission can achieve by writing to its pipe itself,
printing fake markers, patching numpy or exiting early is to report arrays of its own choosing,
which it could have returned anyway, or an error against itself; a "done" is believed only from
a process that exited by itself (never after a timeout, a signal or the process limit).

Survivors: the zygote is a child subreaper that the submission cannot signal, so everything the
submission forks (double-forked, setsid daemons included) is re-parented to it and killed and
reaped before the verdict is returned; a census every 0.1 s stops the group at 64 processes.

Residual risks: a submission can use its CPU and memory limits to slow the machine, and the
tmpfs scratch counts against the machine's memory (64 MiB per running submission by default);
if the zygote itself is killed from outside, a daemon of the running submission could outlive
it (the next request gets a fresh zygote, and the daemon stays confined).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import select
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from quizzer.engine import confine, spawn
from quizzer.engine._sandbox_child import KINDS, MAX_OUTPUTS, BadReturn, normalize_return
from quizzer.errors import QuizzerError

if TYPE_CHECKING:
    from typing_extensions import Self  # for the annotations only (typing.Self needs Python 3.11)

__all__ = [
    "BadReturn",
    "CaseOutcome",
    "Limits",
    "RunOutcome",
    "Runner",
    "SandboxError",
    "SubmissionError",
    "normalize_return",
    "run",
]

# Scratch space for one submission (case bytes, results, its working directory). A RAM-backed
# /dev/shm makes setting up and removing it ~50x cheaper than a disk with online discard (12 ms vs
# 0.25 ms here). The child sees only its working directory there (with a bounded tmpfs over it
# where the kernel allows), never the case or result files beside it.
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
_REPORT_MAX = 4 << 20  # bytes of the child's report read at most
_START_TIMEOUT = 60.0  # seconds for a zygote to import numpy and say it is ready
_GRACE = 5.0  # seconds past the wall limit before the zygote itself is presumed stuck


class SandboxError(QuizzerError):
    """The sandbox itself could not be used (not the submission's fault): e.g. the server failed
    to start, or a case holds a value that cannot be passed to a submission."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use. All of it applies to the whole submission, all cases."""

    wall_seconds: float = 5.0  # wall clock from fork to exit; the group is SIGKILLed after it
    memory_bytes: int = 1 << 30  # RLIMIT_AS of the submission's process
    output_bytes: int = 64 * 1024  # stdout+stderr kept; the rest is counted and dropped
    scratch_bytes: int = 64 << 20  # total size of the files in the scratch directory
    scratch_files: int = 1024  # files and folders in the scratch directory

    def __post_init__(self) -> None:
        if (not self.wall_seconds > 0 or self.memory_bytes <= 0 or self.output_bytes < 0
                or self.scratch_bytes <= 0 or self.scratch_files <= 0):
            raise SandboxError(f"invalid sandbox limits: {self}")


@dataclass(frozen=True)
class SubmissionError:
    """What went wrong, in terms a learner can act on."""

    kind: str  # one of KINDS: syntax, exception, timeout, memory, crash, bad-return, missing-entry, exit
    exc_type: str | None  # Python exception class name, e.g. "NameError", when there was one
    message: str  # one line, learner-readable
    name: str | None  # the undefined name for NameError; the entry name for missing-entry
    line: int | None  # line in the learner's source where it happened, if known
    traceback: str | None  # only frames from the learner's source, then the exception line


@dataclass(frozen=True)
class CaseOutcome:
    """One call of the entry function: its outputs, or why there are none."""

    outputs: tuple[np.ndarray, ...] | None  # the return value as float64 ndarrays
    error: SubmissionError | None


@dataclass(frozen=True)
class RunOutcome:
    """Everything the parent learned about one submission.

    ``cases`` always has one entry per input case; when ``error`` is set (the submission as a
    whole failed: syntax, timeout, crash...), every case that had not finished carries it too.
    """

    cases: tuple[CaseOutcome, ...]
    error: SubmissionError | None
    output: str  # captured stdout/stderr, truncated with a marker
    elapsed: float  # seconds of wall clock the submission's process lived
    defined_names: tuple[str, ...]  # top-level names of the module (for "did you mean")
    isolation: str = "none"  # confine.level(): "full", "partial (missing: ...)" or "none"


def _crash(message: str) -> SubmissionError:
    return SubmissionError("crash", None, message, None, None, None)


# --------------------------------------------------------------------------------------------
# Cases out: a JSON tree whose array leaves point into one file of raw bytes (no pickle).


def _encode(value: Any, arrays: list[bytes]) -> dict:
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise SandboxError(f"a case holds an array of dtype {arr.dtype}; only numbers can be passed")
        offset = sum(len(b) for b in arrays)
        arrays.append(np.ascontiguousarray(arr).tobytes())
        return {"a": [offset, arr.dtype.str, list(arr.shape)]}
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise SandboxError("a case holds a dict with non-string keys")
        return {"d": {k: _encode(v, arrays) for k, v in value.items()}}
    if isinstance(value, list):
        return {"l": [_encode(v, arrays) for v in value]}
    if isinstance(value, tuple):
        return {"t": [_encode(v, arrays) for v in value]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"v": value}
    raise SandboxError(f"a case holds a {type(value).__name__}, which cannot be passed to a submission")


# --------------------------------------------------------------------------------------------
# Results in: every field validated, every file checked against the shapes it must match.


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _parse_error(raw: Any) -> SubmissionError:
    if not isinstance(raw, dict) or raw.get("kind") not in KINDS:
        return _crash("the submission's report could not be read")
    message = _text(raw.get("message"), 500) or raw["kind"]
    return SubmissionError(
        kind=raw["kind"],
        exc_type=_text(raw.get("exc_type"), 100),
        message=" ".join(message.splitlines()),
        name=_text(raw.get("name"), 200),
        line=_int(raw.get("line")),
        traceback=_text(raw.get("traceback"), 10_000),
    )


def read_regular(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file. The child may have replaced any file it could
    reach with a FIFO or a symlink to /dev/zero; neither must hang or flood the parent."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        chunks, size = [], 0
        while size < limit:
            chunk = os.read(fd, min(limit - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _shapes_size(shapes: Any) -> tuple[list[list[int]], list[int]]:
    if not isinstance(shapes, list) or not 1 <= len(shapes) <= MAX_OUTPUTS:
        raise ValueError("bad output count")
    sizes = []
    for shape in shapes:
        if (not isinstance(shape, list) or len(shape) > 32
                or not all(type(n) is int and n >= 0 for n in shape)):
            raise ValueError("bad shape")
        sizes.append(math.prod(shape))
    return shapes, sizes


def _read_stream(path: str, limit: int) -> list[dict]:
    """The child's report: JSON lines, each case line followed by its raw float64 bytes.

    Parsing stops at the first thing that does not fit (garbage, a line cut short by a kill,
    shapes that cannot be real): after that the framing is lost, and the cases not reached yet
    have no result. A case line gets its bytes under the key ``payload``.
    """
    try:
        data = read_regular(path, limit)
    except (OSError, ValueError):
        return []
    lines: list[dict] = []
    pos = 0
    while pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            break
        try:
            obj = json.loads(data[pos:end])
        except ValueError:
            break
        pos = end + 1
        if not isinstance(obj, dict):
            break
        if obj.get("t") == "case" and obj.get("error") is None:
            try:
                _, sizes = _shapes_size(obj.get("shapes"))
            except ValueError:
                break
            nbytes = sum(sizes) * 8
            obj["payload"] = data[pos:pos + nbytes]
            pos += nbytes
        lines.append(obj)
    return lines


def _load_outputs(payload: Any, shapes: Any) -> tuple[np.ndarray, ...]:
    """The arrays of one case: the payload must hold exactly the float64 bytes the shapes announce.

    The format is deliberately dumb (no header to parse, no pickle possible): the report line
    gives the shapes, and the bytes after it must match them to the byte.
    """
    shapes, sizes = _shapes_size(shapes)
    if not isinstance(payload, bytes) or len(payload) != sum(sizes) * 8:
        raise ValueError("result bytes do not match their shapes")
    flat = np.frombuffer(payload, dtype=np.float64).copy()
    arrays, offset = [], 0
    for shape, size in zip(shapes, sizes):
        arrays.append(flat[offset:offset + size].reshape(shape))
        offset += size
    return tuple(arrays)


def _process_error(resp: dict, limits: Limits, internal: str | None) -> SubmissionError:
    if resp.get("lost"):
        return _crash(f"the sandbox lost the submission's process ({resp['lost']})")
    if resp.get("survivors"):
        return _crash("the submission left processes behind that could not be stopped")
    if resp.get("timeout"):
        return SubmissionError("timeout", None,
                               f"the submission did not finish within the {limits.wall_seconds:g} s time limit",
                               None, None, None)
    if internal is not None:
        return _crash(f"the sandbox could not run the submission ({internal})")
    if _int(resp.get("too_many_processes")):
        return _crash(f"the submission started too many processes (the limit is {resp['too_many_processes']})")
    sig = _int(resp.get("signal"))
    if sig is not None:
        if sig == signal.SIGXCPU:
            cpu = math.ceil(limits.wall_seconds) + 1
            return SubmissionError("timeout", None,
                                   f"the submission used more than {cpu} s of CPU time", None, None, None)
        try:
            sig_name = signal.Signals(sig).name
        except ValueError:
            sig_name = f"signal {sig}"
        if sig == signal.SIGKILL:
            return _crash("the submission's process was killed (SIGKILL); it may have used too much memory")
        if sig == signal.SIGXFSZ:
            return _crash("the submission's process was killed for writing a file larger than the limit")
        return _crash(f"the submission's process crashed ({sig_name})")
    code = _int(resp.get("exit_code"))
    if code in (70, 71):  # the harness's own failure codes (see _sandbox_child._child)
        return _crash("the sandbox could not run the submission")
    if code == 0:
        return SubmissionError("exit", None, "the submission ended its process before returning",
                               None, None, None)
    return SubmissionError("exit", None,
                           f"the submission ended its process (exit code {code}) before returning",
                           None, None, None)


def _collect(resp: dict, results: str, n_cases: int, limits: Limits, waited: float,
             fallback_isolation: list[str]) -> RunOutcome:
    """The outcome of one run from the zygote's answer and the child's report (the file the
    zygote copied its result pipe into); ``waited`` is the parent's own measure of the run, for
    when the zygote gave none."""
    module: dict | None = None
    case_lines: dict[int, dict] = {}
    done = False
    internal = None
    missing = fallback_isolation
    lines = _read_stream(results, limits.memory_bytes + _REPORT_MAX)
    # Only the first line is the harness's own account of the walls it put up: it is written
    # before any of the submission's code runs.
    if lines and lines[0].get("t") == "isolation" and isinstance(lines[0].get("missing"), list):
        missing = [m for m in lines[0]["missing"][:20] if isinstance(m, str) and len(m) < 40]
    for line in lines[1:]:
        tag = line.get("t")
        if tag == "module" and module is None:
            module = line
        elif tag == "case" and _int(line.get("i")) is not None:
            case_lines.setdefault(line["i"], line)
        elif tag == "done":
            done = True
        elif tag == "internal" and internal is None:
            internal = _text(line.get("message"), 300) or "unknown"

    names: tuple[str, ...] = ()
    if module is not None and isinstance(module.get("names"), list):
        names = tuple(sorted({n for n in module["names"][:2000]
                              if isinstance(n, str) and n.isidentifier() and len(n) <= 100}))

    if resp.get("timeout") or resp.get("signal") or resp.get("too_many_processes") or resp.get("survivors"):
        done = False  # a "done" written by a process that was then killed proves nothing
    if resp.get("lost") or resp.get("internal"):
        # The zygote died, hung or failed mid-run (a submission can kill or stop it, since it
        # runs as the same user): nothing the child wrote is taken, not even finished cases.
        done = False
        case_lines = {}
        if resp.get("internal"):
            resp = {"lost": f"internal error: {resp['internal']}"}
    error: SubmissionError | None = None
    if module is not None and module.get("error") is not None:
        error = _parse_error(module["error"])
    if not done:
        error = _process_error(resp, limits, internal)
    elif module is None:
        error = _crash("the submission's report could not be read")

    cases = []
    for i in range(n_cases):
        case_line = case_lines.get(i)
        if case_line is None:
            cases.append(CaseOutcome(None, error or _crash("the submission's report has no result for this case")))
        elif case_line.get("error") is not None:
            cases.append(CaseOutcome(None, _parse_error(case_line["error"])))
        else:
            try:
                outputs = _load_outputs(case_line.get("payload"), case_line.get("shapes"))
            except ValueError:
                cases.append(CaseOutcome(None, SubmissionError(
                    "bad-return", None, "the returned arrays could not be read back", None, None, None)))
            else:
                cases.append(CaseOutcome(outputs, None))

    elapsed = resp.get("elapsed")
    return RunOutcome(
        cases=tuple(cases),
        error=error,
        output=output if isinstance(output := resp.get("output"), str) else "",
        elapsed=float(elapsed) if isinstance(elapsed, (int, float)) else waited,
        defined_names=names,
        isolation=confine.level(missing),
    )


# --------------------------------------------------------------------------------------------
# The zygote, seen from here.


class _Zygote:
    """One fork server; used by one thread at a time (the Runner's pool guarantees it)."""

    def __init__(self) -> None:
        self._buf = b""
        self._next_id = 0
        self.dead = False
        self.scratch = ""
        # a server pre-spawned at command start (quizzer.engine.spawn) has been importing numpy meanwhile
        self.proc, self._stderr = spawn.take() or spawn.spawn()
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are pipes
        self._in, self._out = self.proc.stdin, self.proc.stdout
        ready = self._read(time.monotonic() + _START_TIMEOUT)
        if not (ready and ready.get("ready")):
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._stderr.seek(0)
            detail = self._stderr.read()[-500:].decode("utf-8", "replace").strip()
            self.kill()
            from quizzer.errors import Phrase

            raise SandboxError.of("sandbox-no-start", detail=detail or Phrase("sandbox-no-reason"))
        scratch = ready.get("scratch")
        if isinstance(scratch, str) and os.path.basename(scratch).startswith("quizzer-scratch-"):
            self.scratch = scratch
        missing = ready.get("missing")
        self.missing = [m for m in missing if isinstance(m, str)] if isinstance(missing, list) else ["unknown"]

    def alive(self) -> bool:
        return not self.dead and self.proc.poll() is None

    def _read(self, deadline: float) -> dict | None:
        fd = self._out.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if not poller.poll(remaining * 1000):
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                self.dead = True
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            obj = json.loads(line)
        except ValueError:
            return None
        return obj if isinstance(obj, dict) else None

    def request(self, req: dict, wall: float) -> dict:
        """Send one request, wait for its answer; a zygote that does not answer in time (a
        submission can SIGSTOP or kill it) is killed, with the child it had started."""
        self._next_id += 1
        req = {**req, "id": self._next_id}
        try:
            self._in.write((json.dumps(req) + "\n").encode())
        except OSError:
            self.kill()
            return {"lost": "the sandbox server had stopped"}
        resp = self._read(time.monotonic() + wall + _GRACE)
        if resp and resp.get("id") == req["id"]:
            return resp
        child = self._current_child(req["pidfile"])
        self.kill()
        if child:
            try:
                os.killpg(child, signal.SIGKILL)  # the child leads its own process group
            except OSError:
                pass
        return {"lost": "the sandbox server stopped answering"}

    def _current_child(self, pidfile: str) -> int | None:
        """The pid the zygote wrote, if it really is a child of this zygote leading its own
        group (the submission can rewrite the file; it must not be able to aim our SIGKILL)."""
        try:
            pid = int(read_regular(pidfile, 32))
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, ValueError, IndexError):
            return None
        ppid, pgrp = int(fields[1]), int(fields[2])
        return pid if pid > 1 and ppid == self.proc.pid and pgrp == pid else None

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self._in.close()
                self.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self) -> None:
        self.dead = True
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
            if self.scratch:  # a killed server could not remove its scratch folder itself
                shutil.rmtree(self.scratch, ignore_errors=True)
        for stream in (self._in, self._out):
            try:
                stream.close()
            except OSError:
                pass
        self._stderr.close()


def _remove_tree(path: str) -> None:
    def retry(func, target, _exc):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            func(target)
        except OSError:
            pass

    shutil.rmtree(path, onerror=retry)


class Runner:
    """Runs submissions one fork each. Safe to call from several threads at once: each
    concurrent call gets its own fork server (started on first need, then reused)."""

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits
        self._idle: list[_Zygote] = []
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for zygote in idle:
            zygote.close()

    def _acquire(self) -> _Zygote:
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox runner is closed")
            while self._idle:
                zygote = self._idle.pop()
                if zygote.alive():
                    return zygote
                zygote.kill()
        return _Zygote()

    def _release(self, zygote: _Zygote) -> None:
        with self._lock:
            if zygote.alive() and not self._closed:
                self._idle.append(zygote)
                return
        zygote.close()

    def run(self, source: str, entry: str, cases: Sequence[Mapping[str, Any]], *,
            preamble: str = "", filename: str = "submission.py") -> RunOutcome:
        """Call ``entry(**case)`` for each case in a fresh sandboxed process."""
        if not entry.isidentifier():
            raise SandboxError(f"{entry!r} is not a function name")
        if filename == "<preamble>":
            raise SandboxError("the submission's filename cannot be '<preamble>'")
        arrays: list[bytes] = []
        trees = [_encode(dict(case), arrays) for case in cases]
        base = tempfile.mkdtemp(prefix="quizzer-sandbox-", dir=_SCRATCH)
        try:
            work = os.path.join(base, "work")
            os.mkdir(work)
            results, pidfile = os.path.join(base, "results"), os.path.join(base, "pid")
            arrays_path = None
            if arrays:
                arrays_path = os.path.join(base, "cases.bin")
                with open(arrays_path, "wb") as fh:
                    fh.write(b"".join(arrays))
            req = {
                "source": source, "preamble": preamble, "entry": entry, "filename": filename,
                "cases": trees, "arrays": arrays_path, "work": work,
                "results": results, "pidfile": pidfile,
                "limits": dataclasses.asdict(self.limits),
            }
            started = time.monotonic()
            for _attempt in range(2):
                zygote = self._acquire()
                try:
                    resp = zygote.request(req, self.limits.wall_seconds)
                    missing = zygote.missing
                finally:
                    self._release(zygote)
                # A server that died while idle never forked this submission: one retry on a
                # fresh server is safe, since nothing of the submission has run.
                if not (resp.get("lost") and not os.path.exists(pidfile)):
                    break
            return _collect(resp, results, len(cases), self.limits, time.monotonic() - started, missing)
        finally:
            _remove_tree(base)

    def run_many(self, jobs: Sequence[Sequence[Any]], workers: int = 2) -> list[RunOutcome]:
        """Run ``(source, entry, cases[, preamble[, filename]])`` jobs, ``workers`` at a time,
        returning outcomes in the order of ``jobs``."""

        def one(job: Sequence[Any]) -> RunOutcome:
            source, entry, cases, *rest = job
            preamble = rest[0] if len(rest) > 0 else ""
            filename = rest[1] if len(rest) > 1 else "submission.py"
            return self.run(source, entry, cases, preamble=preamble, filename=filename)

        if workers <= 1:
            return [one(job) for job in jobs]
        from concurrent.futures import ThreadPoolExecutor  # logging comes with it: only for batches

        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = [pool.submit(one, job) for job in jobs]
            return [future.result() for future in futures]
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C must not run the rest


def run(source: str, entry: str, cases: Sequence[Mapping[str, Any]], *, preamble: str = "",
        limits: Limits = Limits(), filename: str = "submission.py") -> RunOutcome:
    """Grade one submission once: starts a fork server, runs, and stops it."""
    with Runner(limits) as runner:
        return runner.run(source, entry, cases, preamble=preamble, filename=filename)
