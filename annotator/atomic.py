"""Files that appear whole or not at all: write to a temporary file beside, then rename."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

STDOUT = "-"


def publish_mode(path: Path) -> None:
    """Give a finished temporary file or folder the mode a plainly created one would have.

    tempfile makes them private (0600/0700); an export should be as readable as any file
    the user writes, so apply the umask to 0666/0777 instead.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


@contextmanager
def atomic_output(target: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary stream that becomes `target` only when the block ends without an error.

    Any exception, KeyboardInterrupt included, removes the temporary file and leaves an
    existing target untouched. "-" streams to standard output instead.
    """
    if str(target) == STDOUT:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; name a file to write")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, on every path
        dir=path.parent, prefix=f".{path.name}.", suffix=".partial", delete=False
    )
    try:
        yield handle  # type: ignore[misc]
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        publish_mode(Path(handle.name))
        os.replace(handle.name, path)
    except BaseException:
        handle.close()
        Path(handle.name).unlink(missing_ok=True)
        raise
