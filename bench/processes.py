"""Run one command as a process and measure what its user waits for: wall time from spawn to
exit, CPU seconds and peak RSS of that process alone (os.wait4's rusage), its output piped or
on a pseudo-terminal (pty), where the CLI draws its progress bar as it would for a person."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

TERMINAL_SIZE = (40, 120)  # rows, columns: what rich lays the progress bar out in


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock, spawn to exit
    cpu_seconds: float  # user + system of the process
    peak_rss_kib: int  # ru_maxrss of the process (KiB on Linux)
    output: bytes  # what it wrote (stdout and stderr together on a terminal)


def run_process(command: Sequence[str], *, terminal: bool = False, env: dict[str, str] | None = None) -> Run:
    """Run command to its end; a non-zero exit raises with what it printed."""
    environment = {**os.environ, **(env or {})}
    # As installed (pip compiles every module): bytecode read from __pycache__, not compiled per run.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    if terminal:
        return _run_on_terminal(command, environment)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment)
    assert process.stdout is not None
    output = process.stdout.read()  # the process's output is small (a summary): no deadlock
    return _reap(process, started, output, command)


def _run_on_terminal(command: Sequence[str], environment: dict[str, str]) -> Run:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *TERMINAL_SIZE, 0, 0))
    environment = {**environment, "TERM": "xterm-256color", "COLUMNS": str(TERMINAL_SIZE[1])}
    environment.pop("NO_COLOR", None)
    chunks: list[bytes] = []
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=environment)
    os.close(follower)
    # The terminal is drained as fast as the process writes, as a terminal emulator would.
    reader = threading.Thread(target=_drain, args=(leader, chunks), daemon=True)
    reader.start()
    try:
        return _reap(process, started, b"", command, reader, chunks)
    finally:
        os.close(leader)


def _drain(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            return
        if not data:
            return
        chunks.append(data)


def _reap(
    process: subprocess.Popen[bytes],
    started: float,
    output: bytes,
    command: Sequence[str],
    reader: threading.Thread | None = None,
    chunks: list[bytes] | None = None,
) -> Run:
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if reader is not None and chunks is not None:
        reader.join(timeout=5)
        output = b"".join(chunks)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{output.decode(errors='replace')}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, output)
