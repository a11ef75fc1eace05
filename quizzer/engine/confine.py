"""Kernel confinement layers for one sandboxed child: Landlock, seccomp, capabilities, uid, scratch.

Our own ctypes module rather than a binding (sandlock, landlock, py-landlock, pyseccomp): the
fork server needs a split none of them offers, with the expensive part (opening every allowed
path, building the one Landlock ruleset and the seccomp program, emptying the bounding set) done
once in the server, and only a tmpfs mount per child in the server plus a few syscalls in the
child (setresuid, capset, no_new_privs, the filter, restrict_self): about 0.4 ms in the child and
0.2 ms in the server here (bench/bench_sandbox.py). The whole thing is a few syscalls with fixed
structures, its kernel ABI is stable, and loading it must not add an import to the server (this
file is loaded by path from ``_sandbox_child.py`` and uses the standard library only).

The layers:

1. in the server, once (``Plan.prepare_server``): securebits locked (root gains nothing back on
   exec), the capability bounding set emptied, a private mount namespace; per child, before the
   fork (``Plan.mount_scratch``): a fresh tmpfs over the scratch folder with a size and an inode
   bound (bytes and number of files in total, not only per file), removed after the child;
2. in the child (``Plan.confine``): a non-root real uid unique to it (so RLIMIT_NPROC counts, even
   for root), every capability dropped, no_new_privs;
3. seccomp: a denylist of what a grader never needs (ptrace, process_vm_*, mount, namespaces,
   keys, bpf, perf, io_uring, uid changes, module and clock syscalls, exec, System V IPC and
   message queues, inotify), socket() of any family (socketpair of AF_UNIX stays), clone with
   namespace flags, x32 syscalls; and, because the child keeps effective uid 0 to read an
   interpreter under /root, the metadata and scheduling calls Landlock does not cover (chmod,
   chown, utime, xattrs, file-attribute ioctls, leases, setpriority and sched_set* on others);
4. Landlock: read only the base standard library (never a site-packages under it), NumPy's
   folders, the shared libraries Python maps and the system library folders, /dev/null and
   /dev/urandom; write only the scratch tmpfs; no execute anywhere; no TCP bind or connect; no
   signal or abstract-unix-socket connection outside the child's own domain.

Every layer the kernel lacks is reported by name, never faked: ``Plan.confine`` returns what
could not be applied, and ``probe`` says what this machine offers before anything runs.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys
from dataclasses import dataclass, field
from typing import Any

# --- constants from the kernel's uapi headers ------------------------------------------------

_X86_64 = platform.machine() in ("x86_64", "AMD64")
_SYS = {  # Landlock's syscall numbers are the same on every architecture
    "landlock_create_ruleset": 444, "landlock_add_rule": 445, "landlock_restrict_self": 446,
}

_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13
FS_TRUNCATE = 1 << 14
FS_IOCTL_DEV = 1 << 15
NET_BIND_TCP = 1 << 0
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0
SCOPE_SIGNAL = 1 << 1

_READ_DIR = FS_READ_FILE | FS_READ_DIR
_SCRATCH_RIGHTS = (FS_WRITE_FILE | FS_READ_FILE | FS_READ_DIR | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_DIR
                   | FS_MAKE_REG | FS_MAKE_SYM | FS_REFER | FS_TRUNCATE)

_PR_SET_SECCOMP = 22
_PR_CAPBSET_DROP = 24
_PR_SET_SECUREBITS = 28
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_PR_GET_SECCOMP = 21
_SECCOMP_MODE_FILTER = 2
# NOROOT, NO_SETUID_FIXUP and NO_CAP_AMBIENT_RAISE, each with its lock, and KEEP_CAPS_LOCKED
_SECUREBITS = 0b11101111
_CAP_VERSION_3 = 0x20080522

_CLONE_NEWNS = 0x00020000
_CLONE_NAMESPACES = (0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000
                     | 0x20000000 | 0x40000000)
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REC, _MS_PRIVATE = 2, 4, 8, 1 << 14, 1 << 18
_MNT_DETACH = 2

# capset(2) arguments for "no capability at all", built once (the child only passes them)
_CAP_HEADER = ctypes.create_string_buffer(struct.pack("Ii", _CAP_VERSION_3, 0), 8)
_CAP_NONE = ctypes.create_string_buffer(24)

UID_BASE = 0x70000000  # the child's real uid is this plus its pid: unique while it lives

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long
_prctl = _libc.prctl
_prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
_prctl.restype = ctypes.c_int


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("fd", ctypes.c_int32)]


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _errno_text() -> str:
    return os.strerror(ctypes.get_errno())


# --- what the kernel offers -------------------------------------------------------------------


def landlock_abi() -> int:
    """The Landlock ABI version, 0 where Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):
        return 0
    abi = _syscall(_SYS["landlock_create_ruleset"], None, ctypes.c_size_t(0),
                   ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(abi), 0)


def seccomp_available() -> bool:
    """A seccomp filter can be installed here (and our filter knows this architecture)."""
    if not (sys.platform.startswith("linux") and _X86_64):
        return False
    return _prctl(_PR_GET_SECCOMP, 0, 0, 0, 0) >= 0


def _has_cap(bit: int) -> bool:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("CapEff:"):
                    return bool(int(line.split()[1], 16) >> bit & 1)
    except OSError:
        pass
    return False


def can_mount() -> bool:
    """Making a private mount namespace with a tmpfs needs CAP_SYS_ADMIN (root, here)."""
    return sys.platform.startswith("linux") and _has_cap(21)


@dataclass(frozen=True)
class Probe:
    """What this machine offers, before any submission runs."""

    landlock_abi: int
    seccomp: bool
    mount: bool  # a bounded tmpfs scratch in a private mount namespace
    root: bool  # running as uid 0 (capabilities and the real uid then matter)
    cap_setuid: bool

    def missing(self) -> list[str]:
        """Layers that will not be in force, named as the isolation level names them."""
        out = []
        if self.landlock_abi < 1:
            out.append("landlock")
        else:
            if self.landlock_abi < 4:
                out.append("landlock-network")
            if self.landlock_abi < 6:
                out.append("landlock-scoping")
        if not self.seccomp:
            out.append("seccomp")
        if not self.mount:
            out.append("scratch-bound")
        if self.root and not self.cap_setuid:
            out.append("non-root-uid")
        return out


def user_namespaces() -> int:
    """How many user namespaces may exist (0: none can be made)."""
    try:
        with open("/proc/sys/user/max_user_namespaces") as fh:
            return int(fh.read())
    except (OSError, ValueError):
        return 0


def probe() -> Probe:
    return Probe(landlock_abi(), seccomp_available(), can_mount(), os.geteuid() == 0, _has_cap(7))


def level(missing: list[str] | tuple[str, ...]) -> str:
    """``full``, ``partial (what is missing)`` or ``none`` (neither Landlock nor seccomp)."""
    if not missing:
        return "full"
    if "landlock" in missing and "seccomp" in missing:
        return "none"
    return f"partial (missing: {', '.join(missing)})"


# --- seccomp ----------------------------------------------------------------------------------

_DENIED = {  # x86_64 syscall numbers a grader never needs
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "mount": 165, "umount2": 166,
    "unshare": 272, "setns": 308, "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321,
    "perf_event_open": 298, "pivot_root": 155, "chroot": 161, "swapon": 167, "swapoff": 168,
    "reboot": 169, "sethostname": 170, "setdomainname": 171, "iopl": 172, "ioperm": 173,
    "init_module": 175, "delete_module": 176, "finit_module": 313, "kexec_load": 246,
    "kexec_file_load": 320, "acct": 163, "settimeofday": 164, "clock_settime": 227, "adjtimex": 159,
    "clock_adjtime": 305, "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427, "open_by_handle_at": 304, "name_to_handle_at": 303, "fanotify_init": 300,
    "lookup_dcookie": 212, "syslog": 103, "quotactl": 179, "quotactl_fd": 443, "mount_setattr": 442,
    "move_mount": 429, "open_tree": 428, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "pidfd_getfd": 438, "kcmp": 312, "vhangup": 153, "setuid": 105, "setgid": 106, "setreuid": 113,
    "setregid": 114, "setresuid": 117, "setresgid": 119, "setfsuid": 122, "setfsgid": 123,
    "setgroups": 116, "capset": 126, "personality": 135, "uselib": 134, "migrate_pages": 256,
    "move_pages": 279, "execve": 59, "execveat": 322, "socket": 41, "uretprobe": 335,
    # The child keeps effective uid 0 (to read an interpreter under /root), so it owns every
    # root-owned file: the metadata calls Landlock does not cover go (mode, owner, times, xattrs).
    "chmod": 90, "fchmod": 91, "fchmodat": 268, "fchmodat2": 452, "chown": 92, "fchown": 93, "lchown": 94,
    "fchownat": 260, "utime": 132, "utimes": 235, "futimesat": 261, "utimensat": 280, "setxattr": 188,
    "lsetxattr": 189, "fsetxattr": 190, "removexattr": 197, "lremovexattr": 198, "fremovexattr": 199,
    "setxattrat": 463, "removexattrat": 466,
    # ...and what uid 0 may do to other root processes that Landlock's scoping does not cover.
    "setpriority": 141, "sched_setparam": 142, "sched_setscheduler": 144, "sched_setaffinity": 203,
    "sched_setattr": 314, "ioprio_set": 251, "process_madvise": 440, "process_mrelease": 448,
    # Shared with the grader's namespaces and outside Landlock's reach: System V IPC, POSIX message
    # queues, watching paths, the mount table, file attributes.
    "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65, "semctl": 66,
    "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71, "mq_open": 240,
    "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
    "inotify_add_watch": 254, "fanotify_mark": 301, "statmount": 457, "listmount": 458, "file_setattr": 469,
}
_IOCTL, _FCNTL = 16, 72
# The only ioctls a submission's Python needs (terminal queries, fd flags); any other (file
# attribute flags, fs-verity...) fails with ENOTTY, as on a file that does not support it.
_IOCTL_ALLOWED = (0x5401, 0x5413, 0x541B, 0x5421, 0x5450, 0x5451, 0x5452)
_FCNTL_DENIED = (1024, 1026)  # F_SETLEASE, F_NOTIFY
_SOCKETPAIR, _CLONE, _CLONE3 = 53, 56, 435
_AUDIT_ARCH_X86_64 = 0xC000003E
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06


def _seccomp_program() -> _SockFprog:
    """A BPF denylist: named syscalls and x32 fail with EPERM, clone3 with ENOSYS (so the C
    library falls back to clone, whose flags we can see), clone with namespace flags, socketpair
    of any family but AF_UNIX and fcntl leases with EPERM, any ioctl but a few with ENOTTY;
    foreign architectures are killed."""
    code: list[tuple[Any, Any, Any, int]] = [
        (_LD_W_ABS, 0, 0, 4),  # arch
        (_JEQ, 0, "kill", _AUDIT_ARCH_X86_64),
        (_LD_W_ABS, 0, 0, 0),  # syscall number
        (_JGE, "deny", 0, 0x40000000),  # x32 ABI
        (_JEQ, "enosys", 0, _CLONE3),
        (_JEQ, "socketpair", 0, _SOCKETPAIR),
        (_JEQ, "clone", 0, _CLONE),
        (_JEQ, "ioctl", 0, _IOCTL),
        (_JEQ, "fcntl", 0, _FCNTL),
    ]
    code += [(_JEQ, "deny", 0, nr) for nr in sorted(set(_DENIED.values()))]
    code += [
        (_RET, 0, 0, _RET_ALLOW),
        ("socketpair", None, None, 0),
        (_LD_W_ABS, 0, 0, 16),  # args[0], low half: the family
        (_JEQ, "allow", "deny", 1),  # AF_UNIX only
        ("clone", None, None, 0),
        (_LD_W_ABS, 0, 0, 16),  # args[0], low half: the flags
        (_JSET, "deny", "allow", _CLONE_NAMESPACES),
        ("ioctl", None, None, 0),
        (_LD_W_ABS, 0, 0, 24),  # args[1], low half: the request
        *[(_JEQ, "allow", 0, cmd) for cmd in _IOCTL_ALLOWED],
        (_RET, 0, 0, _RET_ERRNO | 25),  # ENOTTY
        ("fcntl", None, None, 0),
        (_LD_W_ABS, 0, 0, 24),  # args[1], low half: the command
        *[(_JEQ, "deny", 0, cmd) for cmd in _FCNTL_DENIED],
        ("allow", None, None, 0),
        (_RET, 0, 0, _RET_ALLOW),
        ("deny", None, None, 0),
        (_RET, 0, 0, _RET_ERRNO | 1),  # EPERM
        ("enosys", None, None, 0),
        (_RET, 0, 0, _RET_ERRNO | 38),  # ENOSYS
        ("kill", None, None, 0),
        (_RET, 0, 0, _RET_KILL_PROCESS),
    ]
    labels: dict[str, int] = {}
    real: list[tuple[Any, Any, Any, int]] = []
    for op in code:
        if isinstance(op[0], str):
            labels[op[0]] = len(real)
        else:
            real.append(op)
    prog = (_SockFilter * len(real))()
    def rel(target: Any, at: int) -> int:
        if isinstance(target, str):
            offset = labels[target] - at - 1
            assert 0 <= offset < 256
            return offset
        return int(target)

    for at, (op, jt, jf, k) in enumerate(real):
        prog[at] = _SockFilter(op, rel(jt, at), rel(jf, at), k)
    fprog = _SockFprog(len(real), ctypes.cast(prog, ctypes.POINTER(_SockFilter)))
    fprog._keep = prog  # the array must live as long as the program
    return fprog


# --- what may be read -------------------------------------------------------------------------

_SYSTEM_LIB_DIRS = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def read_paths() -> tuple[list[str], list[str]]:
    """(folders, files) a submission may read. Folders are read recursively, so none of them may
    contain a site-packages: the standard library is listed entry by entry without it."""
    import numpy

    stdlib = os.path.dirname(os.__file__)
    numpy_dir = os.path.dirname(numpy.__file__)
    numpy_libs = numpy_dir + ".libs"  # the bundled BLAS of a wheel
    dirs: list[str] = []
    files: list[str] = []
    for name in sorted(os.listdir(stdlib)):
        if name in ("site-packages", "dist-packages"):
            continue
        (dirs if os.path.isdir(os.path.join(stdlib, name)) else files).append(os.path.join(stdlib, name))
    dirs.append(numpy_dir)
    if os.path.isdir(numpy_libs):
        dirs.append(numpy_libs)
    # Shared libraries already mapped (libpython, libc, BLAS...), and the system folders they come
    # from, where an extension module imported later finds its own (libffi, libcrypto, libz).
    mapped: set[str] = set()
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                parts = line.split(None, 5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    mapped.add(parts[5].strip())
    except OSError:
        pass
    for path in sorted(mapped):
        if not os.path.isfile(path) or any(_inside(path, d) for d in dirs):
            continue
        parent = os.path.dirname(path)
        system = parent in _SYSTEM_LIB_DIRS or any(_inside(parent, d + "/") for d in _SYSTEM_LIB_DIRS[2:])
        if system and "-packages" not in parent:
            if parent not in dirs:
                dirs.append(parent)
            continue
        files.append(path)
    for extra in ("/etc/ld.so.cache", "/dev/urandom"):
        if os.path.exists(extra):
            files.append(extra)
    return dirs, files


# --- the plan: everything prepared in the server, applied in the child -------------------------


@dataclass
class Plan:
    """Prepared once per fork server; ``ruleset()`` builds the next child's ruleset in advance."""

    probe: Probe
    dirs: list[str]
    files: list[str]
    last_cap: int
    _fds: list[tuple[int, int]] = field(default_factory=list)  # (O_PATH fd, rights)
    _seccomp: _SockFprog | None = None
    _handled_fs: int = 0
    _bounding_empty: bool = False
    _own_mounts: bool = False
    scratch: str = ""
    _scratch_rule: str = ""

    @classmethod
    def build(cls) -> Plan:
        found = probe()
        dirs, files = read_paths()
        try:
            with open("/proc/sys/kernel/cap_last_cap") as fh:
                last_cap = int(fh.read())
        except (OSError, ValueError):
            last_cap = 63
        plan = cls(found, dirs, files, last_cap)
        abi = found.landlock_abi
        if abi >= 1:
            handled = (1 << 13) - 1
            if abi >= 2:
                handled |= FS_REFER
            if abi >= 3:
                handled |= FS_TRUNCATE
            if abi >= 5:
                handled |= FS_IOCTL_DEV
            plan._handled_fs = handled
            file_rights = handled & (FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE)
            for path in dirs:
                plan._open(path, _READ_DIR)
            for path in files:
                plan._open(path, FS_READ_FILE)
            plan._open("/dev/null", file_rights)
        if found.seccomp:
            plan._seccomp = _seccomp_program()
        return plan

    def _open(self, path: str, rights: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        self._fds.append((fd, rights))

    def ruleset(self) -> int | None:
        """The server's one ruleset (every read rule, and read-write beneath the scratch folder's
        parent, which covers each tmpfs later mounted on the folder: Landlock skips a mount
        point's own dentry), or None without Landlock. Built once: each child only calls
        restrict_self with it."""
        abi = self.probe.landlock_abi
        if abi < 1:
            return None
        attr = _RulesetAttr(self._handled_fs, 0, 0)
        size = 8
        if abi >= 4:
            attr.net = NET_BIND_TCP | NET_CONNECT_TCP
            size = 16
        if abi >= 6:
            attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
            size = 24
        fd = int(_syscall(_SYS["landlock_create_ruleset"], ctypes.byref(attr), ctypes.c_size_t(size),
                          ctypes.c_uint32(0)))
        if fd < 0:
            return None
        rule = _PathBeneath()
        scratch = os.open(self._scratch_rule, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        for path_fd, rights in [*self._fds, (scratch, self._handled_fs & _SCRATCH_RIGHTS)]:
            rule.allowed, rule.fd = rights, path_fd
            if _syscall(_SYS["landlock_add_rule"], fd, _LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule),
                        ctypes.c_uint32(0)) != 0 and path_fd == scratch:
                os.close(fd)
                fd = -1
        os.close(scratch)
        if fd < 0:
            return None
        os.set_inheritable(fd, True)
        return fd

    def prepare_server(self, base: str) -> None:
        """Once, in the fork server, what every child would otherwise repeat: securebits locked
        and the bounding set emptied (both inherited; neither takes away the server's own
        capabilities, which it needs to mount and to set each child's uid), and a private mount
        namespace for the scratch mounts (nothing mounted there reaches the grader's).
        ``base`` is the server's own empty folder; each child in turn works in ``base/work``."""
        self.scratch = os.path.join(base, "work")
        os.mkdir(self.scratch, 0o700)
        self._scratch_rule = self.scratch
        if os.geteuid() == 0:
            _prctl(_PR_SET_SECUREBITS, _SECUREBITS, 0, 0, 0)
            dropped = sum(_prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 for cap in range(self.last_cap + 1))
            self._bounding_empty = dropped == self.last_cap + 1
        self._own_mounts = (self.probe.mount and _libc.unshare(_CLONE_NEWNS) == 0
                            and _libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) == 0)
        if self._own_mounts:
            # The write rule goes on ``base``; ``base`` itself must then be read-only to the child,
            # whose effective uid is 0 without capabilities: owned by nobody, mode r-x.
            try:
                os.chown(base, 65534, 65534)
                os.chmod(base, 0o555)
                self._scratch_rule = base
            except OSError:
                self._own_mounts = False  # no bounded tmpfs then: the scratch is a plain folder

    def mount_scratch(self, size: int, files: int) -> bool:
        """A fresh tmpfs of at most ``size`` bytes and ``files`` inodes over the scratch folder (in
        the server's own mount namespace, before the fork); False where that is not possible."""
        if not self._own_mounts:
            return False
        options = f"size={max(size, 4096)},nr_inodes={max(files, 2)},mode=0700".encode()
        return _libc.mount(b"quizzer-scratch", self.scratch.encode(), b"tmpfs",
                           _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, options) == 0

    def release_scratch(self, bounded: bool) -> None:
        """After a child and everything it started are gone: its tmpfs goes, or (unbounded) what
        it left in the folder, so the next child starts in an empty one."""
        if bounded:
            _libc.umount2(self.scratch.encode(), _MNT_DETACH)
            return
        import shutil

        for name in os.listdir(self.scratch):
            path = os.path.join(self.scratch, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.unlink(path)
                except OSError:
                    pass

    def confine(self, ruleset: int | None, *, bounded: bool) -> list[str]:
        """Apply every layer to this (freshly forked, single-threaded) process; return the names
        of the layers that could not be applied. The scratch folder becomes the only writable
        place; ``bounded`` says whether the server could mount a bounded tmpfs there."""
        missing = [m for m in self.probe.missing() if m in ("landlock-network", "landlock-scoping")]
        if not bounded:
            missing.append("scratch-bound")
        os.chdir(self.scratch)
        try:  # under memory pressure the submission goes first, never the grader
            fd = os.open("/proc/self/oom_score_adj", os.O_WRONLY)
            os.write(fd, b"1000")
            os.close(fd)
        except OSError:
            pass
        if os.geteuid() == 0:
            try:
                # The effective uid stays 0 (the interpreter may live in root's home), but with no
                # capability left it grants nothing beyond root's own files' mode bits.
                os.setresuid(UID_BASE + os.getpid(), -1, UID_BASE + os.getpid())
            except OSError:
                missing.append("non-root-uid")
            _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
            if not self._bounding_empty or _libc.capset(_CAP_HEADER, _CAP_NONE) != 0:
                missing.append("capabilities")
        if _prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            missing.append("no-new-privs")
        if self._seccomp is None or _prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER,
                                           ctypes.addressof(self._seccomp), 0, 0) != 0:
            missing.append("seccomp")
        if ruleset is None or _syscall(_SYS["landlock_restrict_self"], ruleset, ctypes.c_uint32(0)) != 0:
            missing.append("landlock")
        if ruleset is not None:
            os.close(ruleset)
        return missing
