"""What a power cut could leave on disk: an ALICE-style crash-state explorer.

``trace_states(cmd, folder)`` runs ``cmd`` (a child that works on the files in
``folder``) under ``strace``, records every system call that changes a file or a name in
``folder``, replays them on a model of the file system, and returns the on-disk states a
power cut at any moment could leave behind, on a file system that drops what was not
synced:

- a file's bytes are on disk only as of its last ``fsync``/``fdatasync`` (a file never
  synced is empty);
- names (create, rename, unlink) are on disk only after an ``fsync`` of their folder
  ("strict"), or, a second state per moment, every name change up to that moment is on
  disk in order while the bytes still lag behind ("names first": a journalling file
  system that commits the rename before the data, the zero-length-file case).

Memory-mapped writes (SQLite's ``-shm`` index) are never synced by SQLite and are not
seen here; the model keeps such a file as it was last synced (empty), which SQLite
rebuilds on open. Only the folder given is modelled (no subfolders).

Reference: Pillai et al., "All File Systems Are Not Created Equal" (OSDI 2014), ALICE.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SYSCALLS = (
    "open,openat,creat,close,write,pwrite64,writev,pwritev,pwritev2,lseek,"
    "ftruncate,truncate,rename,renameat,renameat2,unlink,unlinkat,rmdir,mkdir,mkdirat,"
    "fsync,fdatasync,sync,syncfs,dup,dup2,dup3,fcntl"
)

_STRING = re.compile(r'"((?:\\x[0-9a-f]{2})*)"(\.\.\.)?')
_LINE = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|0x[0-9a-f]+)(.*)$")


@dataclass(eq=False)
class Inode:
    data: bytearray = field(default_factory=bytearray)
    synced: bytes = b""


@dataclass
class Handle:
    inode: Inode | None  # None: the folder itself
    pos: int = 0
    append: bool = False


@dataclass
class CrashState:
    index: int  # how many recorded calls had run
    model: str  # "strict" or "names first"
    call: str  # the call just before the cut (shortened)
    files: dict[str, bytes]

    def write_to(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        for name, data in self.files.items():
            (folder / name).write_bytes(data)

    def describe(self) -> str:
        sizes = ", ".join(f"{n} ({len(d)} B)" for n, d in sorted(self.files.items()))
        return f"cut after call {self.index} [{self.model}] {self.call}: {sizes}"


def _split_args(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


class FileSystemModel:
    """The folder as the running program saw it (``live``) and as a power cut would
    leave it (``synced`` bytes; ``durable`` names)."""

    def __init__(self, folder: Path, cwd: Path) -> None:
        self.folder = Path(os.path.realpath(folder))
        self.cwd = cwd
        self.live: dict[str, Inode] = {}
        for p in sorted(self.folder.iterdir()):
            if not p.is_file():
                raise ValueError(f"only plain files are modelled, found {p}")
            data = p.read_bytes()
            self.live[p.name] = Inode(bytearray(data), data)
        self.durable = dict(self.live)
        self.fds: dict[int, Handle] = {}
        self.states: list[CrashState] = []
        self.calls = 0

    # -- helpers
    def _name(self, raw: bytes) -> str | None:
        """The file's name if ``raw`` is a path in the folder, "" for the folder itself,
        None for anything else."""
        path = os.path.normpath(os.path.join(self.cwd, os.fsdecode(raw)))
        if path == str(self.folder):
            return ""
        if os.path.dirname(path) == str(self.folder):
            return os.path.basename(path)
        if path.startswith(str(self.folder) + os.sep):
            raise ValueError(f"subfolders are not modelled: {path}")
        return None

    def _snapshot(self, call: str) -> None:
        for model, names in (("strict", self.durable), ("names first", self.live)):
            files = {n: bytes(i.synced) for n, i in names.items()}
            self.states.append(CrashState(self.calls, model, call[:160], files))

    def _write(self, handle: Handle, data: bytes, offset: int | None) -> None:
        assert handle.inode is not None, "a write to a folder"
        buf = handle.inode.data
        at = len(buf) if handle.append and offset is None else offset
        if at is None:
            at = handle.pos
        if at > len(buf):
            buf.extend(b"\0" * (at - len(buf)))
        buf[at : at + len(data)] = data
        if offset is None:
            handle.pos = at + len(data)

    # -- one recorded call
    def apply(self, name: str, args: list[str], ret: int, strings: list[bytes], line: str):
        def s(i: int) -> bytes:
            return strings[int(args[i][1:])]  # "S<n>" placeholder

        def fd(i: int) -> Handle | None:
            return self.fds.get(int(args[i]))

        changed = False
        if name in ("open", "openat", "creat"):
            path_i = 1 if name == "openat" else 0
            self.fds.pop(ret, None)
            if name == "openat" and args[0] != "AT_FDCWD" and not s(1).startswith(b"/"):
                if int(args[0]) in self.fds:
                    raise ValueError(f"a name relative to the folder's fd: {line}")
                return  # relative to some other folder
            target = self._name(s(path_i))
            if target is None:
                return
            flags = "O_CREAT|O_WRONLY|O_TRUNC" if name == "creat" else args[path_i + 1]
            if target == "" and "O_TMPFILE" in flags:
                self.fds[ret] = Handle(Inode())  # a file without a name
                return
            if target == "":
                self.fds[ret] = Handle(None)
                return
            inode = self.live.get(target)
            if inode is None:
                inode = self.live[target] = Inode()
                changed = True
            if "O_TRUNC" in flags:
                inode.data.clear()
            self.fds[ret] = Handle(inode, append="O_APPEND" in flags)
        elif name == "close":
            self.fds.pop(int(args[0]), None)
        elif name in ("dup", "dup2", "dup3") or (name == "fcntl" and "F_DUPFD" in args[1]):
            old = fd(0)
            self.fds.pop(ret, None)
            if old is not None:
                self.fds[ret] = old
        elif name in ("write", "pwrite64"):
            h = fd(0)
            if h is not None:
                data = s(1)[:ret]
                self._write(h, data, int(args[3]) if name == "pwrite64" else None)
        elif name in ("writev", "pwritev", "pwritev2"):
            h = fd(0)
            if h is not None:
                data = b"".join(strings[int(t[1:])] for t in re.findall(r"S\d+", args[1]))
                self._write(h, data[:ret], int(args[3]) if name != "writev" else None)
        elif name == "lseek":
            h = fd(0)
            if h is not None:
                h.pos = ret
        elif name == "ftruncate":
            h = fd(0)
            if h is not None and h.inode is not None:
                size = int(args[1])
                del h.inode.data[size:]
                h.inode.data.extend(b"\0" * (size - len(h.inode.data)))
        elif name == "truncate":
            target = self._name(s(0))
            if target:
                raise ValueError(f"truncate by name is not modelled: {line}")
        elif name in ("rename", "renameat", "renameat2"):
            a, b = (s(0), s(1)) if name == "rename" else (s(1), s(3))
            old, new = self._name(a), self._name(b)
            if old is None and new is None:
                return
            if old is None or new is None or not old or not new:
                raise ValueError(f"a rename into or out of the folder: {line}")
            self.live[new] = self.live.pop(old)
            changed = True
        elif name in ("unlink", "unlinkat", "rmdir"):
            target = self._name(s(0) if name != "unlinkat" else s(1))
            if target is None:
                return
            if not target or name == "rmdir" or "AT_REMOVEDIR" in "".join(args[2:]):
                raise ValueError(f"removing a folder is not modelled: {line}")
            del self.live[target]
            changed = True
        elif name in ("mkdir", "mkdirat"):
            if self._name(s(0) if name == "mkdir" else s(1)) not in (None,):
                raise ValueError(f"subfolders are not modelled: {line}")
        elif name in ("fsync", "fdatasync"):
            h = fd(0)
            if h is None:
                return
            if h.inode is None:
                self.durable = dict(self.live)  # the folder's names are on disk now
            else:
                h.inode.synced = bytes(h.inode.data)
            changed = True
        elif name in ("sync", "syncfs"):
            for inode in self.live.values():
                inode.synced = bytes(inode.data)
            self.durable = dict(self.live)
            changed = True
        if changed:
            self._snapshot(line)

    def replay(self, trace: str) -> None:
        self._snapshot("(before the program started)")
        for raw_line in trace.splitlines():
            if "<unfinished" in raw_line or "resumed>" in raw_line:
                raise ValueError(f"interleaved calls (threads?) are not modelled: {raw_line}")
            line, strings = _take_strings(raw_line)
            m = _LINE.match(line)
            if m is None:
                continue  # signals, exit
            name, arg_text, ret_text, _rest = m.groups()
            ret = int(ret_text, 0)
            if ret < 0:
                continue  # failed calls change nothing
            self.calls += 1
            self.apply(name, _split_args(arg_text), ret, strings, _shown(line, strings))


def _take_strings(raw_line: str) -> tuple[str, list[bytes]]:
    """The line with each string argument replaced by ``S<n>``, and the strings."""
    strings: list[bytes] = []

    def keep(m: re.Match[str]) -> str:
        if m.group(2):
            raise ValueError("strace cut a string short: raise -s")
        strings.append(bytes.fromhex(m.group(1).replace("\\x", "")))
        return f"S{len(strings) - 1}"

    return _STRING.sub(keep, raw_line), strings


def _shown(line: str, strings: list[bytes]) -> str:
    """The call for a person: file names instead of paths, sizes instead of data."""

    def one(m: re.Match[str]) -> str:
        text = strings[int(m.group(1))]
        if text.startswith(b"/"):
            return repr(os.path.basename(os.fsdecode(text)))
        return f"<{len(text)} bytes>"

    return re.sub(r"S(\d+)", one, line)


def trace_states(
    cmd: list[str], folder: Path, *, cwd: Path, env: dict[str, str], log: Path
) -> tuple[list[CrashState], subprocess.CompletedProcess[bytes]]:
    """Run ``cmd`` under strace and return every distinct crash state of ``folder``
    (in the order they could occur) and the finished process."""
    strace = shutil.which("strace")
    if strace is None:
        raise FileNotFoundError("strace is not installed (scripts/setup.sh all installs it)")
    model = FileSystemModel(folder, cwd)
    proc = subprocess.run(
        [strace, "-qq", "-xx", "-s", "16777216", "-e", f"trace={SYSCALLS}", "-o", str(log), *cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
    )
    model.replay(log.read_text(encoding="ascii"))
    seen: set[str] = set()
    states = []
    for state in model.states:
        digest = hashlib.sha256()
        for n, d in sorted(state.files.items()):
            digest.update(n.encode() + b"\0" + hashlib.sha256(d).digest())
        key = digest.hexdigest()
        if key not in seen:
            seen.add(key)
            states.append(state)
    return states, proc
