"""A folder an export owns (brat; every --split export): written in a partial folder, then
published, replacing only what an earlier export wrote there.

Each published folder holds a record, ``.annotator-export.json``: the format, and the size
and modification time of every file the export wrote. When the target folder exists:

- empty: the export is written into it;
- holding exactly what its record lists, from an export of the same format: replaced;
- holding what its record lists, changed since (an edited file), or from another format,
  or with files the format's own tool adds (brat's ``.stats_cache``): only with --force;
- holding anything else — a file no export wrote, a link, a folder without a record: refused,
  even with --force, naming what is in the way.

A new folder is a partial folder beside it, renamed into place. An existing folder keeps its
identity (mode, owner, mount, anyone's working directory): the new files are moved into it
and the old ones removed, file by file, while signals are held back; the record lists old
and new files meanwhile, so that even a SIGKILL in the middle leaves a folder the next
export can replace. Nothing is removed with rmtree except the export's own partial folder.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
from pathlib import Path

import orjson

from annotator.atomic.files import FileOutput, Kind, kind_name, locate, names_a_folder, writable_folder
from annotator.atomic.partials import (
    OutputError,
    discard,
    is_partial,
    new_partial_folder,
    partial_owner,
    publish_mode,
    sweep,
)
from annotator.atomic.signals import deferred_signals

RECORD = ".annotator-export.json"
Stat = tuple[int, int]  # size, mtime_ns
_SHOWN = 3  # entries named in a refusal


def _stat(path: Path) -> Stat:
    info = path.stat(follow_symlinks=False)
    return info.st_size, info.st_mtime_ns


def _walk(root: Path) -> tuple[dict[str, Stat], set[str], list[str]]:
    """Files (relative path -> stat), folders, and anything else (links, FIFOs) under root."""
    files: dict[str, Stat] = {}
    folders: set[str] = set()
    other: list[str] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(root / relative) as entries:
            for entry in entries:
                name = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_symlink():
                    other.append(name)
                elif entry.is_dir():
                    folders.add(name)
                    pending.append(name)
                elif entry.is_file():
                    info = entry.stat(follow_symlinks=False)
                    files[name] = (info.st_size, info.st_mtime_ns)
                else:
                    other.append(name)
    return files, folders, other


def _read_record(root: Path) -> dict[str, object] | None:
    path = root / RECORD
    if path.is_symlink() or not path.is_file():
        return None
    try:
        record = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("files"), dict):
        return None
    return record


def _allowed(record: dict[str, object]) -> dict[str, list[Stat]]:
    files = record["files"]
    assert isinstance(files, dict)
    allowed: dict[str, list[Stat]] = {}
    for name, stats in files.items():
        if isinstance(stats, list):
            allowed[name] = [(s[0], s[1]) for s in stats if isinstance(s, list) and len(s) == 2]
    return allowed


def _parents(names: set[str] | dict[str, Stat] | dict[str, list[Stat]]) -> set[str]:
    found: set[str] = set()
    for name in names:
        parts = name.split("/")[:-1]
        found.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return found


def _shown(names: list[str]) -> str:
    listed = ", ".join(sorted(names)[:_SHOWN])
    return listed + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


class FolderOutput:
    """Write into `path` (a partial folder); finish() publishes it as `target`, abort() removes it."""

    def __init__(
        self,
        target: str | os.PathLike[str],
        kind: str,
        *,
        force: bool = False,
        leftovers: tuple[str, ...] = (),
        command: str = "export",
    ) -> None:
        self.target = Path(target)
        self.kind = kind
        self.command = command  # what the messages and the record call the writer: export, train
        self.force = force
        self.leftovers = leftovers
        where, self.real = locate(self.target)
        if where in (Kind.FILE, Kind.SPECIAL):
            raise OutputError(
                f"{self.target} is {kind_name(self.target)}; this {self.command} writes a folder: name one"
            )
        self.old: dict[str, Stat] | None = None  # files of the earlier export, when the folder exists
        self.old_folders: set[str] = set()
        if where is Kind.NEW:
            if self.target.is_symlink():
                raise OutputError(f"{self.target} is a link to nothing; name a folder to write")
            folder = writable_folder(self.target, self.real)
            sweep(folder)
            self.path = self._partial(folder, self.real.name)
        else:
            sweep(self.real)
            self.old, self.old_folders = self._replaceable()
            self.path = self._partial(self.real, "export")
        self.new: dict[str, Stat] = {}
        self.state = "open"

    def _partial(self, folder: Path, name: str) -> Path:
        return new_partial_folder(folder, name)

    def _replaceable(self) -> tuple[dict[str, Stat], set[str]]:
        """What of the existing folder this export may remove; refuses if anything else is there."""
        top = sorted(os.listdir(self.real))
        busy = sorted({partial_owner(name) or 0 for name in top if is_partial(name)})
        if busy:
            raise OutputError(
                f"{self.target}: another {self.command} (process {busy[0] or 'on another host'}) is writing here"
            )
        if not top:
            return {}, set()
        record = _read_record(self.real)
        if record is None:  # not an export: no need to look further than the first level
            shown = [f"{n}/" if (self.real / n).is_dir() and not (self.real / n).is_symlink() else n for n in top]
            raise OutputError(
                f"{self.target} holds files no {self.command} wrote (it has no record of one): {_shown(shown)}; "
                f"{self.command} into a new or empty folder (nothing was changed)"
            )
        files, folders, other = _walk(self.real)
        files.pop(RECORD, None)
        allowed = _allowed(record)
        parents = _parents(allowed)
        changed = sorted(n for n, s in files.items() if n in allowed and s not in allowed[n])
        leftover = sorted(n for n in files if n not in allowed and self._is_leftover(n))
        unrelated = sorted(n for n in files if n not in allowed and n not in leftover)
        unrelated += sorted(f"{n}/" for n in folders - parents - _parents(set(leftover)))
        unrelated += sorted(other)
        if unrelated:
            raise OutputError(
                f"{self.target} holds files no {self.command} wrote: {_shown(unrelated)}; "
                f"{self.command} into a new or empty folder (nothing was changed)"
            )
        earlier = record.get("format")
        if not self.force and (changed or leftover or earlier != self.kind):
            reason = (
                f"holds an earlier {earlier} {self.command}, not {self.kind}"
                if earlier != self.kind
                else f"holds an earlier {self.command} whose files changed since: {_shown(changed + leftover)}"
            )
            raise OutputError(f"{self.target} {reason}; --force replaces it (nothing was changed)")
        return files, folders

    def _is_leftover(self, name: str) -> bool:
        return any(fnmatch.fnmatchcase(name.rsplit("/", 1)[-1], pattern) for pattern in self.leftovers)

    def finish(self) -> None:
        """Publish: the record, then the folder (signals held back while files move)."""
        if self.state != "open":
            return
        publish_mode(self.path)
        self.new, _folders, other = _walk(self.path)
        if other:  # pragma: no cover - writers make plain files only
            raise OutputError(f"{self.target}: the {self.command} made something other than files: {_shown(other)}")
        with deferred_signals():  # a held-back signal is raised on leaving: the state must say "done" by then
            if self.old is None:
                self._write_record(self.path, {n: [s] for n, s in self.new.items()})
                self._rename_new()
            else:
                self._replace_contents()
            self.state = "done"

    def _rename_new(self) -> None:
        try:
            os.rename(self.path, self.real)  # fails if a folder with anything in it appeared meanwhile
        except OSError as error:
            raise OutputError(
                f"{self.target}: cannot put the {self.command} there: {error.strerror or error}"
            ) from error

    def _replace_contents(self) -> None:
        assert self.old is not None
        files, folders, other = _walk(self.real)
        files.pop(RECORD, None)
        scratch = self.path.name  # a top-level entry: the new files, not yet moved

        def outside(name: str) -> bool:
            return name.split("/", 1)[0] != scratch

        appeared = [n for n in files if n not in self.old and outside(n)]
        appeared += [f"{n}/" for n in folders - self.old_folders - _parents(self.old) if outside(n)]
        appeared += [n for n in other if outside(n)]
        if appeared:
            raise OutputError(
                f"{self.target}: files appeared during the {self.command}: {_shown(appeared)}; nothing replaced"
            )
        both = {n: [s] for n, s in self.old.items()}
        for name, stat in self.new.items():
            both.setdefault(name, []).append(stat)
        self._write_record(self.real, both)  # a crash from here on leaves only files the record lists
        for name in self.old.keys() - self.new.keys():
            (self.real / name).unlink(missing_ok=True)
        for name in sorted(self.old_folders, key=lambda n: n.count("/"), reverse=True):
            with contextlib.suppress(OSError):
                (self.real / name).rmdir()  # only the emptied ones
        for name in sorted(self.new):
            destination = self.real / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path / name, destination)
        self._write_record(self.real, {n: [s] for n, s in self.new.items()})
        discard(self.path)

    def _write_record(self, folder: Path, files: dict[str, list[Stat]]) -> None:
        body = {"written_by": f"annotator {self.command}", "format": self.kind, "files": files}
        output = FileOutput(folder / RECORD)
        try:
            output.stream.write(orjson.dumps(body))
            output.finish()
        except BaseException:
            output.abort()
            raise

    def abort(self) -> None:
        if self.state == "open":
            self.state = "aborted"
            discard(self.path)


__all__ = ["RECORD", "FolderOutput", "names_a_folder"]
