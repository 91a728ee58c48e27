"""One output file: written to a partial beside it and renamed over the target when complete,
or, for a special file (a FIFO, a device, a /proc/self/fd link), written into directly.

What a target is decides how it is written (see locate()):

- a new name, or a regular file: a partial in the same folder, renamed over it when complete.
  A symbolic link is followed: the file it points to is replaced, the link stays.
- a FIFO, a character or block device, a socket, or a link under /proc/*/fd (as /dev/stdout
  is): opened for writing without truncation (O_APPEND) and written as the data comes, like
  standard output. Nothing is ever renamed over such a file.
- a folder: refused, as a name ending in "/" is (it names a folder).
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from annotator.atomic.partials import OutputError, discard, new_partial_file, publish_mode, sweep

STDOUT = "-"
_FD_FOLDER = re.compile(r"^/proc/(self|thread-self|[0-9]+)(/task/[0-9]+)?/fd$")


class Kind(enum.Enum):
    NEW = "new"
    FILE = "file"
    FOLDER = "folder"
    SPECIAL = "special"  # written into directly


def names_a_folder(target: str | os.PathLike[str]) -> bool:
    """A name ending in a path separator means a folder (Path() would drop the separator)."""
    text = os.fspath(target)
    return isinstance(text, str) and text.endswith(("/", os.sep))


def locate(target: Path) -> tuple[Kind, Path]:
    """What `target` is, and the path to write: the file a link points to, or the target."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return Kind.NEW, Path(os.path.realpath(target))
    except NotADirectoryError as error:
        raise OutputError(f"{target}: a part of this path is a file, not a folder") from error
    if stat.S_ISDIR(info.st_mode):
        return Kind.FOLDER, Path(os.path.realpath(target))
    if not stat.S_ISREG(info.st_mode) or _through_fd_link(target):
        return Kind.SPECIAL, target
    return Kind.FILE, Path(os.path.realpath(target))


def kind_name(target: Path) -> str:
    """'a FIFO', 'a device', ... for messages."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return "not a folder"
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISREG, "a file"),
    ):
        if test(mode):
            return name
    return "not a folder"


def _through_fd_link(target: Path) -> bool:
    """Whether following `target`'s links passes through /proc/<pid>/fd (a descriptor, not a name)."""
    current = os.path.abspath(target)
    for _ in range(40):  # the kernel's own limit of links followed
        if _FD_FOLDER.match(os.path.realpath(os.path.dirname(current))):
            return True
        if not os.path.islink(current):
            return False
        current = os.path.join(os.path.dirname(current), os.readlink(current))
        current = os.path.abspath(current)
    return False


def writable_folder(target: Path, real: Path) -> Path:
    """The folder a new output goes into; refused, naming the folder, when it does not exist."""
    folder = real.parent
    if not folder.is_dir():
        shown = target.parent if not target.parent.is_dir() else folder
        raise OutputError(f"{shown}: no such folder; create it first, or write somewhere else")
    return folder


class FileOutput:
    """A file that appears whole or not at all: `stream`, then finish() or abort().

    finish() = prepare() (flush, fsync, close, mode) + commit() (the rename). abort() removes
    the partial on every path — also when closing it fails (a full disk) — and never raises;
    after finish() it does nothing.
    """

    def __init__(self, target: str | os.PathLike[str]) -> None:
        if os.fspath(target) == STDOUT:  # standard output: written as it comes, like any special file
            self.target = self.real = Path(STDOUT)
            self.special = True
            self.partial: Path | None = None
            sys.stdout.flush()
            self.stream: BinaryIO = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
            self.state = "open"
            return
        if names_a_folder(target):
            raise OutputError(f"{os.fspath(target)}: a name ending in '/' is a folder; name the file to write")
        self.target = Path(target)
        kind, self.real = locate(self.target)
        if kind is Kind.FOLDER:
            raise OutputError(f"{self.target} is a folder; name a file to write")
        self.special = kind is Kind.SPECIAL
        self.partial = None
        if self.special:
            fd = os.open(self.target, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0))
        else:
            folder = writable_folder(self.target, self.real)
            sweep(folder)
            fd, self.partial = new_partial_file(folder, self.real.name)
        self.stream = os.fdopen(fd, "wb")
        self.state = "open"

    @property
    def folder(self) -> Path:
        """Where scratch files of this output (spools) belong: beside its partial."""
        return self.partial.parent if self.partial is not None else Path(tempfile.gettempdir())

    def prepare(self) -> None:
        if self.state != "open":
            return
        self.stream.flush()
        if not self.special:
            os.fsync(self.stream.fileno())
        self.stream.close()
        if self.partial is not None:
            publish_mode(self.partial)
        self.state = "prepared"

    def commit(self) -> None:
        self.prepare()  # nothing if prepared already
        if self.state != "prepared":
            return
        if self.partial is not None:
            os.replace(self.partial, self.real)
        self.state = "done"

    def finish(self) -> None:
        self.commit()

    def abort(self) -> None:
        if self.state in ("done", "aborted"):
            return
        self.state = "aborted"
        try:
            with contextlib.suppress(OSError, ValueError):
                self.stream.close()  # a failing flush still closes the descriptor
        finally:
            if self.partial is not None:
                discard(self.partial)


@contextmanager
def atomic_output(target: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream that becomes `target` only when the block ends without an error.

    Any exception, KeyboardInterrupt included, removes the partial and leaves an existing
    target untouched. "-" streams to standard output instead.
    """
    if os.fspath(target) == STDOUT:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    output = FileOutput(target)
    try:
        yield output.stream
        output.finish()
    except BaseException:
        output.abort()
        raise


def create_file(target: Path, data: bytes) -> None:
    """Create `target` with `data`, whole or not at all; FileExistsError if anything is there."""
    folder = writable_folder(target, Path(os.path.realpath(target)))
    sweep(folder)
    fd, partial = new_partial_file(folder, target.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        publish_mode(partial)
        try:
            os.link(partial, target)  # fails if the name exists: never replaces
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create, then the rename
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            os.replace(partial, target)
    finally:
        discard(partial)


class Creation:
    """Files and folders made for one purpose (a new project), removed again if it fails.

    Use as a context manager: on any exception, what was recorded and did not exist before
    is removed (folders only if empty), newest first.
    """

    def __init__(self) -> None:
        self.made: list[Path] = []

    def folder(self, path: Path) -> None:
        """Make `path` and its missing parents, recording each one made."""
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir()
            self.made.append(folder)

    def file(self, path: Path, data: bytes) -> None:
        create_file(path, data)
        self.made.append(path)

    def adopt(self, path: Path) -> None:
        """A file made for this purpose by another call (which created it, never replaced one)."""
        self.made.append(path)

    def may_create(self, *paths: Path) -> None:
        """Files something else may create (a database): removed on failure if new."""
        self.made.extend(p for p in paths if not os.path.lexists(p))

    def __enter__(self) -> Creation:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            return
        for path in reversed(self.made):
            with contextlib.suppress(OSError):
                if path.is_dir() and not path.is_symlink():
                    path.rmdir()  # only if empty: never what someone put there meanwhile
                else:
                    path.unlink(missing_ok=True)
