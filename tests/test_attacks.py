"""Hostile submissions against the confinement: each attack is a real submission file, graded alone
and in a class folder where a classmate's correct file is graded after it, and what it tried is
checked from outside (files, sockets, processes, this very process). Each gets a failing or
harmless verdict, the batch goes on, and a correct submission graded afterwards still passes.

These need Landlock with signal scoping (ABI 6) and seccomp; they skip, saying so, only where the
kernel lacks them (on the machines quizzer is developed on, none skips).
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import load_exercises

from quizzer.engine import confine
from quizzer.engine.grade import grade_many, grade_source, write_results
from quizzer.engine.sandbox import Limits

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "exercises" / "course.yaml"
LSTM = load_exercises(BANK)["lstm-cell"]
CORRECT = LSTM.filled(LSTM.solution)
SECRET_VAR = "QUIZZER_ATTACK_SECRET"
SECRET = "s3cret-" + uuid.uuid4().hex
# A value in this process's memory that an attacker would like to rewrite through /proc/<pid>/mem.
SENTINEL = ctypes.create_string_buffer(b"expected-arrays-live-here", 64)
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p

_probe = confine.probe()
pytestmark = pytest.mark.skipif(
    _probe.landlock_abi < 6 or not _probe.seccomp,
    reason=f"this kernel lacks Landlock ABI 6 or seccomp (Landlock ABI {_probe.landlock_abi}, "
           f"seccomp {_probe.seccomp}): confinement is partial here",
)

WRONG = "    return prev_c * 0, prev_h * 0\n"


def submission(body: str) -> str:
    """An lstm-cell submission whose ``lstm`` runs ``body`` (indented code using ``T``, the
    targets) and then returns a wrong answer."""
    lines = "".join(f"    {line}\n" for line in body.strip("\n").splitlines())
    return ("import json, os, signal, socket, sys, time, ctypes\nimport numpy as np\n"
            "T = json.loads(os.environ.get('T', 'null') or 'null')\n"
            "def lstm(x, prev_h, prev_c, W, U, b):\n" + lines + WRONG)


# Every attack tries everything it can and reports on its standard output (captured) what the
# kernel refused; the tests judge by what they see outside, never by what the attacker claims.
ATTACKS = {
    "write-outside": """
for path in T["outside"]:
    try:
        with open(path, "w") as fh:
            fh.write("pwned")
    except OSError as exc:
        print("refused", path, exc.errno)
""",
    "overwrite-sibling": """
for act in ("write", "remove", "rename"):
    try:
        if act == "write":
            open(T["victim"], "w").write("def lstm(*a):\\n    return 0\\n")
        elif act == "remove":
            os.remove(T["victim"])
        else:
            os.rename(T["victim"], T["victim"] + ".gone")
    except OSError as exc:
        print("refused", act, exc.errno)
""",
    "read-solutions": """
import re
for path in T["secrets"]:
    try:
        text = open(path).read()
        print("STOLEN", text[:200])
    except OSError as exc:
        print("refused", path, exc.errno)
        continue
    found = re.search(r'solution: *"?([^"\\n]+)', text.split("id: lstm-cell", 1)[-1])
    if found:  # what a stolen solution computes, in the template's own names
        a, i, f, o = np.hsplit(x.dot(W.T) + prev_h.dot(U.T) + b, 4)
        a, input_gate, forget_gate, output_gate = np.tanh(a), sigmoid(i), sigmoid(f), sigmoid(o)
        c = eval(found.group(1))
        return c, output_gate * np.tanh(c)
""",
    "signal-grader": """
for target, sig in ((T["grader"], signal.SIGKILL), (os.getppid(), signal.SIGKILL), (os.getppid(), signal.SIGSTOP),
                    (T["watcher"], signal.SIGKILL), (T["watcher"], signal.SIGWINCH)):
    try:
        os.kill(target, sig)
        print("SIGNALLED", target, sig)
    except OSError as exc:
        print("refused", target, sig, exc.errno)
os.kill(-1, signal.SIGWINCH)  # everyone it may signal; kill() says 0 even when that is no one
try:
    os.killpg(os.getpgid(T["grader"]), signal.SIGKILL)
    print("SIGNALLED group")
except OSError as exc:
    print("refused group", exc.errno)
""",
    "ptrace-and-proc-mem": """
libc = ctypes.CDLL(None, use_errno=True)
for pid in (T["grader"], os.getppid()):
    if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH
        print("TRACED", pid)
    else:
        print("refused ptrace", pid, ctypes.get_errno())
    for what, mode in (("mem", "r+b"), ("environ", "rb"), ("fd/1", "wb"), ("cmdline", "rb")):
        try:
            with open(f"/proc/{pid}/{what}", mode, buffering=0) as fh:
                if what == "mem":
                    fh.seek(T["sentinel"])
                    fh.write(b"forged-by-the-submission")
                elif what == "fd/1":
                    fh.write(b'{"passed": true}\\n')
                else:
                    print("LEAKED", fh.read()[:100])
            print("OPENED", pid, what)
        except OSError as exc:
            print("refused", pid, what, exc.errno)
local = ctypes.create_string_buffer(64)
iov_local = (ctypes.c_void_p * 2)(ctypes.addressof(local), 64)
iov_remote = (ctypes.c_void_p * 2)(T["sentinel"], 64)
if libc.process_vm_readv(T["grader"], iov_local, 1, iov_remote, 1, 0) > 0:
    print("LEAKED", local.raw)
else:
    print("refused process_vm_readv", ctypes.get_errno())
""",
    "network": """
attempts = (
    ("tcp", socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", T["tcp"])),
    ("udp", socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", T["udp"])),
    ("unix", socket.AF_UNIX, socket.SOCK_STREAM, T["unix"]),
    ("abstract", socket.AF_UNIX, socket.SOCK_STREAM, "\\0" + T["abstract"]),
    ("raw", socket.AF_INET, socket.SOCK_RAW, None),
    ("netlink", socket.AF_NETLINK, socket.SOCK_RAW, None),
)
for name, family, kind, address in attempts:
    try:
        s = socket.socket(family, kind)
        if name == "udp":
            s.sendto(b"pwned", address)
        elif address is not None:
            s.connect(address)
            s.sendall(b"pwned")
        print("CONNECTED", name)
    except OSError as exc:
        print("refused", name, exc.errno)
""",
    "fill-scratch": """
written = files = 0
chunk = b"x" * (1 << 20)
try:
    with open("big", "wb") as fh:
        while written < (1 << 30):
            fh.write(chunk)
            fh.flush()
            written += len(chunk)
except OSError as exc:
    print("bytes stopped", exc.errno)
os.remove("big")
try:
    while files < 100000:
        open(f"f{files}", "w").close()
        files += 1
except OSError as exc:
    print("files stopped", exc.errno)
print("WRITTEN", written, "FILES", files)
""",
    "fork-bomb": """
while True:
    try:
        os.fork()
    except OSError:
        pass
""",
    "daemon": """
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        print("DAEMON", os.getpid(), flush=True)
        time.sleep(1.0)
        for path in (T["results"], T["victim"]):
            try:
                open(path, "w").write("rewritten by a daemon")
            except OSError:
                pass
        os._exit(0)
    os._exit(0)
time.sleep(0.1)
""",
    "metadata-and-priority": """
for path in (T["victim"], T["bank_copy"]):
    for name, act in (("chmod", lambda p: os.chmod(p, 0o777)), ("utime", lambda p: os.utime(p, (0, 0))),
                      ("xattr", lambda p: os.setxattr(p, b"user.pwned", b"1")),
                      ("chown", lambda p: os.chown(p, 12345, 12345))):
        try:
            act(path)
            print("CHANGED", name, path)
        except OSError as exc:
            print("refused", name, path, exc.errno)
for who in (T["grader"], os.getppid()):
    try:
        os.setpriority(os.PRIO_PROCESS, who, 19)
        print("CHANGED priority", who)
    except OSError as exc:
        print("refused priority", who, exc.errno)
    try:
        os.sched_setaffinity(who, {0})
        print("CHANGED affinity", who)
    except OSError as exc:
        print("refused affinity", who, exc.errno)
""",
    "ipc-and-file-flags": """
import fcntl
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
shm = libc.shmget(T["shm_key"], 0, 0)
if shm >= 0:
    addr = libc.shmat(shm, None, 0)
    if addr not in (None, ctypes.c_void_p(-1).value):
        ctypes.memmove(addr, b"forged", 6)
        print("CHANGED shared memory")
    libc.shmctl(shm, 0, None)  # IPC_RMID
else:
    print("refused shmget", ctypes.get_errno())
# The walls below do not depend on the file: one of its own shows them without risking the real ones.
open("mine", "w").write("x")
fd = os.open("mine", os.O_RDONLY)
for name, act in (("lease", lambda: fcntl.fcntl(fd, 1024, fcntl.F_RDLCK)),
                  ("flags", lambda: fcntl.ioctl(fd, 0x40086602, (0x40).to_bytes(8, "little"))),
                  ("inotify", lambda: libc.inotify_add_watch(libc.inotify_init(), T["victim"].encode(), 2)
                   >= 0 or (_ for _ in ()).throw(OSError(ctypes.get_errno(), "inotify")))):
    try:
        act()
        print("CHANGED", name)
    except OSError as exc:
        print("refused", name, exc.errno)
""",
    "environment-secret": """
print("ENV", dict(os.environ))
for pid in (T["grader"], os.getppid(), 1, "self"):
    try:
        print("LEAKED", open(f"/proc/{pid}/environ", "rb").read())
    except OSError as exc:
        print("refused", pid, exc.errno)
""",
}


@pytest.fixture(scope="module", autouse=True)
def grader_secret():
    """A secret in the grader's environment from before its sandbox servers start."""
    os.environ[SECRET_VAR] = SECRET
    yield SECRET
    os.environ.pop(SECRET_VAR, None)


class Targets:
    """Everything an attacker would like to reach, and the listeners that would see it."""

    def __init__(self, tmp: Path, monkeypatch) -> None:
        marker = "quizzer-attack-" + uuid.uuid4().hex[:8]
        self.classdir = tmp / "class"
        self.classdir.mkdir()
        self.victim = self.classdir / "b_victim.py"
        self.victim.write_text(CORRECT)
        self.results = tmp / "results.csv"
        self.results_written: bytes | None = None  # what the grader wrote there, if anything
        cwd = tmp / "grader-cwd"
        cwd.mkdir()
        monkeypatch.chdir(cwd)
        self.outside = [Path("/tmp") / marker, Path.home() / marker, cwd / marker, self.classdir / marker,
                        Path(os.environ["QUIZZER_HOME"]) / marker, self.results]
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.unix_path = tmp / "grader.sock"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(str(self.unix_path))
        self.unix.listen()
        self.abstract_name = marker
        self.abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.abstract.bind("\0" + marker)
        self.abstract.listen()
        for s in (self.tcp, self.udp, self.unix, self.abstract):
            s.settimeout(0.05)
        # Sandboxed processes of other graders on this machine (a `quizzer watch` in another terminal)
        # are not this attack's leftovers.
        self.present_before = set(sandboxed_processes())
        # A bystander: any signal that reaches it leaves a file behind (or kills it).
        self.hit = tmp / "watcher-hit"
        self.watcher = subprocess.Popen(
            [sys.executable, "-c", ("import signal, sys, time\n"
                                    "signal.signal(signal.SIGWINCH, lambda *a: open(sys.argv[1], 'w').write('hit'))\n"
                                    "print('ready', flush=True)\ntime.sleep(120)\n"), str(self.hit)],
            stdout=subprocess.PIPE, text=True)
        assert self.watcher.stdout is not None and self.watcher.stdout.readline() == "ready\n"
        # Metadata attacks aim at files of the test's own (the same wall guards every root-owned
        # file, and a failing run must not damage the real bank or the interpreter).
        self.shm_key = 0x5100 + os.getpid() % 1000
        self.shm = _libc.shmget(self.shm_key, 4096, 0o1000 | 0o600)  # IPC_CREAT
        assert self.shm >= 0
        self.shm_addr = _libc.shmat(self.shm, None, 0)
        ctypes.memmove(self.shm_addr, b"grader", 6)
        self.bank_copy = tmp / "course.yaml"
        shutil.copy(BANK, self.bank_copy)
        self.watched = [self.victim, self.bank_copy]
        self.meta = [_meta(p) for p in self.watched]
        self.priority = os.getpriority(os.PRIO_PROCESS, 0)
        self.affinity = os.sched_getaffinity(0)
        secrets = [BANK, ROOT / "quizzer" / "reference" / "lstm.py", ROOT / "quizzer" / "engine" / "grade.py",
                   Path(os.environ["QUIZZER_HOME"])]
        self.json = json.dumps({
            "outside": [str(p) for p in self.outside], "victim": str(self.victim), "results": str(self.results),
            "secrets": [str(p) for p in secrets], "grader": os.getpid(), "sentinel": ctypes.addressof(SENTINEL),
            "tcp": self.tcp.getsockname()[1], "udp": self.udp.getsockname()[1], "unix": str(self.unix_path),
            "abstract": marker, "watcher": self.watcher.pid, "bank_copy": str(self.bank_copy),
            "shm_key": self.shm_key,
        })

    def source(self, name: str) -> str:
        # The targets go in as a literal: the child's environment is the sandbox's own.
        return submission(ATTACKS[name]).replace("json.loads(os.environ.get('T', 'null') or 'null')",
                                                 repr(json.loads(self.json)))

    def close(self) -> None:
        _libc.shmdt(ctypes.c_void_p(self.shm_addr))
        _libc.shmctl(self.shm, 0, None)  # IPC_RMID
        self.watcher.kill()
        self.watcher.wait()
        if self.watcher.stdout is not None:
            self.watcher.stdout.close()
        for s in (self.tcp, self.udp, self.unix, self.abstract):
            s.close()
        for path in self.outside:
            if path.exists() and path != self.results:
                path.unlink()

    def nothing_reached(self) -> list[str]:
        """What the attacker managed, seen from outside; empty when everything was contained."""
        found = [f"wrote {p}" for p in self.outside if p.exists() and p != self.results]
        if (self.results.read_bytes() if self.results.exists() else None) != self.results_written:
            found.append("wrote the results file")
        if not self.victim.exists() or self.victim.read_text() != CORRECT:
            found.append("changed the victim's file")
        for name, listener in (("tcp", self.tcp), ("unix", self.unix), ("abstract", self.abstract)):
            try:
                listener.accept()[0].close()
                found.append(f"connected over {name}")
            except (TimeoutError, BlockingIOError):
                pass
        try:
            self.udp.recv(64)
            found.append("sent over udp")
        except (TimeoutError, BlockingIOError):
            pass
        if [_meta(p) for p in self.watched] != self.meta:
            found.append("changed a file's mode, owner, times or attributes")
        if os.getpriority(os.PRIO_PROCESS, 0) != self.priority or os.sched_getaffinity(0) != self.affinity:
            found.append("changed the grader's scheduling")
        if ctypes.string_at(self.shm_addr, 6) != b"grader" or _libc.shmget(self.shm_key, 0, 0) != self.shm:
            found.append("reached the grader's shared memory")
        if SENTINEL.value != b"expected-arrays-live-here":
            found.append("rewrote the grader's memory")
        if self.watcher.poll() is not None or self.hit.exists():
            found.append("signalled a process outside the sandbox")
        if SECRET_VAR not in os.environ:
            found.append("changed the grader's environment")
        stray = sandboxed_processes(exclude=self.present_before)
        if stray:
            found.append(f"left processes behind: {stray}")
        return found


def _meta(path: Path) -> tuple:
    st = path.stat()
    try:
        attrs = sorted(os.listxattr(path))
    except OSError:
        attrs = []
    flags = bytearray(8)
    with open(path, "rb") as fh:
        try:
            fcntl.ioctl(fh.fileno(), 0x80086601, flags)  # FS_IOC_GETFLAGS
        except OSError:
            pass
    return st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, attrs, bytes(flags)


def _ancestors(pid: int) -> set[int]:
    chain: set[int] = set()
    while pid > 1 and pid not in chain:
        chain.add(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            break
        pid = int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))
    return chain


def sandboxed_processes(exclude: frozenset[int] | set[int] = frozenset()) -> list[int]:
    """Live processes whose real uid is one the sandbox gives its children: those of this test run
    (descendants of this process, or orphans re-parented to init), not those present before."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            status = Path(f"/proc/{name}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        real_uid = int(fields.get("Uid", "0").split()[0])
        if real_uid < confine.UID_BASE or fields.get("State", "").split()[:1] == ["Z"] or int(name) in exclude:
            continue
        parent = int(fields.get("PPid", "0").split()[0] or 0)
        if parent == 1 or os.getpid() in _ancestors(int(name)):
            found.append(int(name))
    return found


def check_specific(name: str, result, targets: Targets) -> None:
    output = result.details.get("output", "")
    assert SECRET not in output and SECRET not in json.dumps(result.to_dict())
    assert "STOLEN" not in output and "LEAKED" not in output and "TRACED" not in output
    assert "SIGNALLED" not in output and "CONNECTED" not in output and "OPENED" not in output
    assert "CHANGED" not in output
    if name == "ipc-and-file-flags":
        assert "refused lease 1" in output and "refused flags 25" in output and "refused inotify 1" in output
    if name == "fill-scratch":
        written = int(output.split("WRITTEN")[1].split()[0])
        files = int(output.split("FILES")[1].split()[0])
        limits = Limits()
        assert written <= limits.scratch_bytes and files <= limits.scratch_files
        assert "bytes stopped 28" in output and "files stopped 28" in output  # ENOSPC
    if name == "daemon":
        daemon = int(output.split("DAEMON")[1].split()[0])
        assert not Path(f"/proc/{daemon}").exists() or "Z" in Path(f"/proc/{daemon}/stat").read_text().split()[2]


@pytest.fixture
def targets(tmp_path, monkeypatch):
    t = Targets(tmp_path, monkeypatch)
    yield t
    t.close()


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_graded_alone_is_contained(name, targets, runner):
    result = grade_source(LSTM, targets.source(name), runner=runner, filename="attacker.py")
    assert not result.passed
    assert result.isolation == "full"
    check_specific(name, result, targets)
    if name == "daemon":
        time.sleep(1.2)  # the daemon would have written by now, had it survived
    assert targets.nothing_reached() == []
    after = grade_source(LSTM, CORRECT, runner=runner)
    assert after.passed and after.isolation == "full"


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_in_a_class_folder_spares_the_classmate_graded_after_it(name, targets, runner):
    attacker = targets.classdir / "a_attacker.py"
    attacker.write_text(targets.source(name))
    graded = grade_many(LSTM, [attacker, targets.victim], jobs=1, runner=runner)
    write_results(targets.results, graded)
    written = targets.results_written = targets.results.read_bytes()
    (bad, good) = (g.result for g in graded)
    assert not bad.passed and good.passed
    assert bad.isolation == good.isolation == "full"
    check_specific(name, bad, targets)
    if name == "daemon":
        time.sleep(1.2)
    assert targets.results.read_bytes() == written  # nothing rewrote the results after the grader
    assert targets.nothing_reached() == []
    rows = targets.results.read_text()
    assert "a_attacker.py" in rows and "b_victim.py" in rows and "full" in rows


# --- persistence through an installed package ----------------------------------------------------


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


PERSIST = """
import glob, site
for sp in T:
    for path, text in ((sp + "/zz_attack.pth", "import os; os.environ['PWNED'] = '1'\\n"),
                       (sp + "/sitecustomize.py", "import os\\n"),
                       (sp + "/quizzer/engine/compare.py", "def compare(*a, **k):\\n    return None\\n")):
        try:
            open(path, "w").write(text)
            print("PLANTED", path)
        except OSError as exc:
            print("refused", path, exc.errno)
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A throwaway venv whose own site-packages holds the quizzer that grades (numpy comes from
    the base installation), as an instructor might install it."""
    root = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(root)], check=True)
    (site_packages,) = root.glob("lib/python*/site-packages")
    shutil.copytree(ROOT / "quizzer", site_packages / "quizzer",
                    ignore=shutil.ignore_patterns("__pycache__"))
    python = root / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import quizzer; print(quizzer.__file__)"], cwd="/",
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site_packages)), where
    right = root / "right.py"
    right.write_text(CORRECT)
    assert _venv_grade(python, str(right)).returncode == 0  # warm: bytecode written once, by quizzer
    return python, site_packages


def _venv_grade(python: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update({"NO_COLOR": "1", "COLUMNS": "100", "PYTHONDONTWRITEBYTECODE": "1"})
    return subprocess.run([str(python), "-m", "quizzer", "grade", "lstm-cell", *args, "--bank", str(BANK)],
                          capture_output=True, text=True, env=env, cwd="/", timeout=120, check=False)


@pytest.mark.parametrize("mode", ["alone", "class"])
def test_an_installed_package_cannot_be_modified_for_later_runs(mode, venv, tmp_path):
    python, site_packages = venv
    before = _tree_digest(site_packages)
    attacker = tmp_path / "a_attacker.py"
    attacker.write_text(submission(PERSIST).replace("json.loads(os.environ.get('T', 'null') or 'null')",
                                                    repr([str(site_packages)])))
    if mode == "alone":
        done = _venv_grade(python, str(attacker), "--json")
        assert done.returncode == 1, done.stderr
        data = json.loads(done.stdout)
        assert not data["passed"] and data["isolation"] == "full"
        assert "PLANTED" not in data["details"]["output"]
    else:
        victim = tmp_path / "b_victim.py"
        victim.write_text(CORRECT)
        results = tmp_path / "results.json"
        done = _venv_grade(python, str(tmp_path), "-o", str(results))
        assert done.returncode == 1, done.stderr
        rows = {Path(r["file"]).name: r for r in json.loads(results.read_text())}
        assert not rows["a_attacker.py"]["passed"] and rows["b_victim.py"]["passed"]
        assert {r["isolation"] for r in rows.values()} == {"full"}
    assert _tree_digest(site_packages) == before
    # the next run in that venv still grades honestly: a wrong answer fails, a right one passes
    wrong = tmp_path / "wrong.py"
    wrong.write_text(LSTM.filled("input_gate * a + prev_c"))
    assert _venv_grade(python, str(wrong)).returncode == 1
    right = tmp_path / "right.py"
    right.write_text(CORRECT)
    assert _venv_grade(python, str(right)).returncode == 0
