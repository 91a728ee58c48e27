"""How the command line reports what went wrong: always one `error:` line and exit 1.

Three kinds, each turned into a line at one place (annotator.cli.main):

- a wrong command line: argparse's own error() prints the whole usage and exits 2; the
  parser here raises a UsageError instead, with "did you mean" for names (commands,
  formats, statuses, policies);
- a storage error (the database, the disk, memory): what happened, in words a user can act
  on (read-only, full, locked), and what that means for the command (nothing imported);
- anything else is a bug: "internal error", with the traceback only when asked for
  (--debug or ANNOTATOR_DEBUG=1).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from collections.abc import Callable, Collection
from typing import Any, NoReturn

from annotator.errors import AnnotatorError

DEBUG_VARIABLE = "ANNOTATOR_DEBUG"
STORE_ERRORS = (("sqlalchemy.exc", "SQLAlchemyError"), ("sqlite3", "Error"))
# What a failed command leaves behind; imports and schema migrations are one transaction, an
# export is written to a temporary file that replaces the target only when complete.
AFTER_FAILURE = {
    "import": "nothing was imported",
    "export": "nothing was exported",
    "schema": "nothing was changed",
    "stats": "nothing was changed",
    "suggest": "the pages written before that stay (run it again to finish)",
}
# Other names people type for our names; "did you mean" looks these up too.
ALIASES = {
    "huggingface": "hf",
    "hugging-face": "hf",
    "transformers": "hf",
    "datasets": "hf",
    "docbin": "spacy",
    "conll2003": "conll",
    "iob": "conll",
    "iob2": "conll",
    "bio": "conll",
    "labelstudio": "label-studio",
    "label_studio": "label-studio",
    "ls": "label-studio",
    "native": "jsonl",
    "json": "jsonl",
    "text": "txt",
    "standoff": "brat",
    "inprogress": "in_progress",
    "in-progress": "in_progress",
    "started": "in_progress",
    "finished": "done",
    "complete": "done",
    "new": "todo",
    "skip": "skipped",
}


class UsageError(AnnotatorError):
    """A command line argparse refuses; printed like every other error."""


class CommandLineParser(argparse.ArgumentParser):
    """argparse, with its errors as one line and exit 1 (as the README promises), not usage + exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's hook for `choices` (sub-commands included): the same check, with a suggestion.
        if action.choices is not None and value not in action.choices:
            what = "command" if isinstance(action.choices, dict) else "value"  # sub-commands map names to parsers
            raise argparse.ArgumentError(action, unknown_name(str(value), [str(c) for c in action.choices], what))


def unknown_name(value: str, known: Collection[str], what: str = "") -> str:
    """ "unknown format 'hugingface'; did you mean hf? (known: ...)"."""
    guess = suggestion(value, known)
    hint = f"; did you mean {guess}?" if guess is not None else ""
    return f"unknown {what + ' ' if what else ''}{value!r}{hint} (known: {', '.join(known)})"


def suggestion(value: str, known: Collection[str]) -> str | None:
    """The known name `value` most likely means, or None: case, aliases, then close spellings."""
    candidates = {name.lower(): name for name in known}
    for alias, name in ALIASES.items():
        if name in known:
            candidates.setdefault(alias, name)
    key = value.strip().lower()
    if key in candidates:
        return candidates[key]
    import difflib

    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    if close:
        return candidates[close[0]]
    prefixed = [name for name in known if name.lower().startswith(key)] if key else []
    return prefixed[0] if len(prefixed) == 1 else None


def name_in(names: Collection[str], what: str) -> Callable[[str], str]:
    """An argparse `type` accepting one of `names` (formats), with a hint at the nearest on a typo."""

    def check(value: str) -> str:
        if value not in names:
            raise argparse.ArgumentTypeError(unknown_name(value, sorted(names), what))
        return value

    return check


def storage_errors() -> tuple[type[BaseException], ...]:
    """The errors of the store and of the machine under it: never a bug of ours, always one line.

    The store's errors count once its modules are loaded: before that none can have been
    raised, and importing SQLAlchemy here (~100 ms) would slow every start for nothing (the
    window's first paint needs neither it nor sqlite3).
    """
    loaded = [getattr(sys.modules[module], name) for module, name in STORE_ERRORS if module in sys.modules]
    return (*loaded, OSError, MemoryError)


def storage_problem(error: BaseException) -> str:
    """What a storage error means, in one line a user can act on."""
    if isinstance(error, MemoryError):
        return "out of memory"
    cause: BaseException = error
    if "sqlalchemy.exc" in sys.modules:  # an SQLAlchemy error implies SQLAlchemy is loaded
        from sqlalchemy.exc import StatementError

        if isinstance(error, StatementError) and error.orig is not None:
            cause = error.orig  # the driver's message, without the SQL statement and its parameters
    if isinstance(cause, OSError):
        return _os_problem(cause)
    text = _first_line(str(cause)) or type(cause).__name__
    lowered = text.lower()
    if getattr(cause, "sqlstate", None) == "42501":  # PostgreSQL's "permission denied" (a team's grants, policies)
        return f"the database refuses: {text}: your role may not do this; ask the team's admin"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database is read-only ({text}); make the database file and its folder writable"
    if "disk is full" in lowered or "no space left" in lowered:
        return f"the disk is full ({text}); free some space and retry"
    if "locked" in lowered:
        return f"the database is locked by another program ({text}); close it and retry"
    if "unable to open" in lowered:
        return f"cannot open the database ({text}); check that its folder exists and is writable"
    if "disk i/o" in lowered:
        return f"the disk failed ({text})"
    return f"database error: {text}"


def _os_problem(error: OSError) -> str:
    where = f"{os.fsdecode(error.filename)}: " if error.filename is not None else ""
    reason = error.strerror or _first_line(str(error)) or type(error).__name__
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{where}the disk is full ({reason}); free some space and retry"
    return f"{where}{reason}"


def internal_problem(error: BaseException, debug: bool) -> str:
    """A bug: its type and message; the traceback is printed (by the caller) only in debug mode."""
    what = _first_line(str(error))
    line = f"internal error: {type(error).__name__}" + (f": {what}" if what else "")
    if not debug:
        line += f" (run with --debug or {DEBUG_VARIABLE}=1 for the traceback, and report it)"
    return line


def debug_wanted(argv: Collection[str]) -> bool:
    """--debug anywhere on the command line, or ANNOTATOR_DEBUG set (to anything but 0 or empty)."""
    return "--debug" in argv or os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def format_traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


def after_failure(command: str | None) -> str:
    return AFTER_FAILURE.get(command or "", "")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""


# What a shell reports for a writer whose reader went away (`yes | head -1`): 128 + SIGPIPE.
CLOSED_OUTPUT_EXIT = 141


def reader_gone(error: BaseException) -> bool:
    """Whether `error` comes from writing to a standard output whose reader has closed it.

    `annotator disagreements --json | head` is done once head has its lines: that is no
    failure to report. A closed pipe named by -o (a FIFO) still is one: only file
    descriptor 1 counts, and only when the kernel says its reader is gone.
    """
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, BrokenPipeError):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return False
    import select

    try:
        poller = select.poll()
        poller.register(1, select.POLLOUT)
        events = poller.poll(0)
    except (OSError, ValueError, AttributeError):  # no fd 1, or no poll() on this platform
        return False
    return any(mask & select.POLLERR for _, mask in events)


def silence_standard_output() -> int:
    """Point fd 1 at /dev/null, so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
    return CLOSED_OUTPUT_EXIT
