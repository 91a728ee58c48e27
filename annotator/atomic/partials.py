"""Temporary ("partial") files and folders under a name that says whose they are.

A partial is named ``.<name>.<host>-<pid>-<random>.annotator-partial``: the fixed marker
says the project made it, the host tag and the process id say which process, so that a
later export can remove the partials of a process that is gone (killed by SIGKILL, a
power cut) and nothing else: a file that only looks similar, another host's partial on a
shared folder, or the partial of a process that still runs are all kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import stat
import tempfile
from pathlib import Path

from annotator.errors import AnnotatorError

MARKER = "annotator-partial"
_PARTIAL = re.compile(r"^\..*\.(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]{1,10})-[a-z0-9_]{8}\." + MARKER + r"$", re.DOTALL)
_NAME_BYTES = 180  # of the target's name kept in a partial's name (file names hold 255 bytes)


def host_tag() -> str:
    """Eight hex digits naming this machine: process ids mean nothing on another host."""
    return hashlib.sha256(socket.gethostname().encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _affixes(name: str) -> tuple[str, str]:
    short = name.encode("utf-8", "surrogateescape")[:_NAME_BYTES].decode("utf-8", "ignore")
    return f".{short}.{host_tag()}-{os.getpid()}-", f".{MARKER}"


class OutputError(AnnotatorError):
    """An output cannot be written where it was asked for; nothing was changed there."""


def new_partial_file(folder: Path, name: str) -> tuple[int, Path]:
    """Create a new, empty partial file for `name` in `folder` (O_EXCL, private until published)."""
    prefix, suffix = _affixes(name)
    try:
        fd, path = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    except OSError as error:
        raise _cannot_write_in(folder, error) from error
    return fd, Path(path)


def new_partial_folder(folder: Path, name: str) -> Path:
    prefix, suffix = _affixes(name)
    try:
        return Path(tempfile.mkdtemp(dir=folder, prefix=prefix, suffix=suffix))
    except OSError as error:
        raise _cannot_write_in(folder, error) from error


def _cannot_write_in(folder: Path, error: OSError) -> OutputError:
    # Every output starts with its partial: the user asked for the folder, never for this name.
    return OutputError(f"cannot write in {folder}: {error.strerror or error}")


def partial_owner(name: str) -> int | None:
    """The process id in a partial's name, if the name is one of ours from this host."""
    match = _PARTIAL.match(name)
    if match is None or match["host"] != host_tag():
        return None
    return int(match["pid"])


def is_partial(name: str) -> bool:
    """Any host's partial: never counted as a user's file, never removed unless it is ours."""
    return _PARTIAL.match(name) is not None


def sweep(folder: Path) -> list[Path]:
    """Remove the partials in `folder` left by processes of this host that are gone."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed  # an unreadable folder: writing there fails with its own message
    for entry in entries:
        pid = partial_owner(entry.name)
        if pid is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode) or owner_alive(pid, info.st_mtime):
            continue  # we never make links; a live process may still be writing
        discard(Path(entry.path))
        removed.append(Path(entry.path))
    return removed


def owner_alive(pid: int, last_written: float) -> bool:
    """Whether process `pid` may still own a partial last written at `last_written`."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    except OverflowError:
        return False
    started = _process_start(pid)
    # A process started after the partial was last written reuses the number: the owner is gone.
    return started is None or started <= last_written + 1


def _process_start(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), on Linux; None where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def discard(path: Path) -> None:
    """Remove a partial file or folder of ours; never raises (cleanup must not hide the error)."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def publish_mode(path: Path) -> None:
    """Give a finished partial the mode a plainly created file or folder would have.

    mkstemp/mkdtemp make them private (0600/0700); an output is as readable as any file
    the user writes: 0666/0777 less the umask.
    """
    os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~current_umask())
