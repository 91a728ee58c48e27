"""An export never deletes or replaces what it did not write, for every format, split or not.

Decisions these tests pin down (README, "Where exports go"):
- a folder output (brat; any --split) goes into a new or empty folder, or replaces an earlier
  export's folder (its record lists what it wrote); anything else in the way is refused;
- an explicitly named regular file is replaced (that is what -o FILE asks for), atomically;
- a symbolic link to a file is followed: the file it points to is replaced, the link stays;
- a FIFO, a device or a /proc/self/fd link is written into directly, never renamed over, and
  gets no side files (labels.json, config.xml), with a warning; a folder format refuses them.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import annotator
from annotator.atomic import MARKER, RECORD
from annotator.atomic.partials import is_partial
from annotator.errors import AnnotatorError
from annotator.exporters import export_format
from annotator.formats import BY_NAME, WRITABLE
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import EXAMPLE, NEWS_SCHEMA

FILE_FORMATS = sorted(name for name in WRITABLE if not BY_NAME[name].folder)
ALL_FORMATS = sorted(WRITABLE)
SPLIT = (0.5, 0.5)


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("outputs") / "project"
    root.mkdir()
    (root / "schema.yaml").write_bytes(NEWS_SCHEMA.read_bytes())
    (root / "project.yaml").write_text("name: outputs\nschema: schema.yaml\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
    return root


@pytest.fixture
def project(project_dir: Path) -> Iterator[Project]:
    with Project.open(project_dir) as opened:
        yield opened


def snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every entry under root (links not followed): its kind, inode and content or link target."""
    found: dict[str, tuple[object, ...]] = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                found[str(path)] = ("link", info.st_ino, os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                found[str(path)] = ("file", info.st_ino, hashlib.sha256(path.read_bytes()).hexdigest())
            else:
                found[str(path)] = (stat.S_IFMT(info.st_mode), info.st_ino)
    return found


def partials(root: Path) -> list[Path]:
    """Partials of ours (any process, any host) under root."""
    return [p for p in root.rglob("*") if is_partial(p.name)]


def assert_kept(before: dict[str, tuple[object, ...]], after: dict[str, tuple[object, ...]], *changed: Path) -> None:
    """Everything that was there is there, unchanged, except the files the user named."""
    allowed = {str(p) for p in changed}
    for path, entry in before.items():
        if path not in allowed:
            assert after.get(path) == entry, f"{path} was changed or removed"


def export(project: Project, format_name: str, target: str | Path, split: bool) -> str | None:
    """Run one export; the error message if it was refused."""
    try:
        export_format(project, format_name, target, split=SPLIT if split else None)
    except AnnotatorError as error:
        return str(error)
    return None


def folder_output(format_name: str, split: bool) -> bool:
    return split or BY_NAME[format_name].folder


# The class: whatever is in the way, an export never deletes or replaces what it did not write.

SCENARIOS = ["folder with a file", "dot", "dotdot", "fifo", "dev-null", "link to a file", "earlier export"]


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
@pytest.mark.parametrize("format_name", ALL_FORMATS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_an_export_never_deletes_or_replaces_what_it_did_not_write(
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    scenario: str,
    format_name: str,
    split: bool,
) -> None:
    world = tmp_path / "world"
    (world / "elsewhere").mkdir(parents=True)
    (world / "notes.txt").write_text("mine", encoding="utf-8")
    (world / "elsewhere" / "real.out").write_text("old", encoding="utf-8")
    folder_kind = folder_output(format_name, split)
    replaced: list[Path] = []
    reader: threading.Thread | None = None
    received: list[bytes] = []
    if scenario == "folder with a file":
        (world / "out").mkdir()
        (world / "out" / "train.jsonl").write_text("my own training data", encoding="utf-8")
        target: str | Path = world / "out"
    elif scenario == "dot":
        monkeypatch.chdir(world)
        target = "."
    elif scenario == "dotdot":
        (world / "sub").mkdir()
        monkeypatch.chdir(world / "sub")
        target = ".."
    elif scenario == "fifo":
        target = world / "fifo"
        os.mkfifo(target)
        reader = threading.Thread(target=lambda: received.append(Path(target).read_bytes()), daemon=True)
        reader.start()
    elif scenario == "dev-null":
        target = Path(os.devnull)
    elif scenario == "link to a file":
        target = world / "link.out"
        target.symlink_to(world / "elsewhere" / "real.out")
        replaced.append(world / "elsewhere" / "real.out")  # the file the user named, through the link
    else:  # an earlier export of the same kind, in the same place
        target = world / "earlier"
        assert export(project, format_name, target, split) is None
        replaced += [p for p in world.rglob("*") if p.name.startswith("earlier") or world / "earlier" in p.parents]
    before = snapshot(world)
    null_before = os.stat(os.devnull)

    refused = export(project, format_name, target, split)

    if reader is not None:
        if refused:  # nobody opened the FIFO for writing: let the reader go
            with open(target, "wb"):
                pass
        reader.join(5)
    assert_kept(before, snapshot(world), *replaced)
    assert partials(world) == []
    null_after = os.stat(os.devnull)
    assert (null_after.st_ino, null_after.st_rdev, stat.S_ISCHR(null_after.st_mode)) == (
        null_before.st_ino,
        null_before.st_rdev,
        True,
    )
    expected_refusal = scenario in ("folder with a file", "dot", "dotdot") or (
        folder_kind and scenario in ("fifo", "dev-null", "link to a file")
    )
    assert (refused is not None) == expected_refusal, refused
    if scenario == "fifo" and not refused:
        assert received and received[0]  # the export went through the FIFO
    if scenario == "link to a file" and not refused:
        assert Path(target).is_symlink() and (world / "elsewhere" / "real.out").read_bytes() != b"old"


# Folders: what an earlier export wrote may be replaced; with --force when it changed since.

LOOK_ALIKES = [
    "train.jsonl",
    "dev.jsonl",
    "labels.json",
    "annotation.conf",
    "x.ann",
    "x.txt",
    ".stats_cache",
    ".annotator-export.json.bak",
    f".out.{MARKER}",
    "train",
    "train/annotation.conf",
    "dev/notes.txt",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(
        st.sampled_from(LOOK_ALIKES) | st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1),
        min_size=1,
        max_size=4,
        unique=True,
    ).filter(lambda names: all(n not in (".", "..", RECORD) and len(n.encode()) < 200 for n in names)),
    content=st.binary(max_size=64),
    format_name=st.sampled_from(ALL_FORMATS),
    split=st.booleans(),
    force=st.booleans(),
)
def test_a_folder_holding_anything_an_export_did_not_write_is_refused_even_with_force(
    project: Project,
    tmp_path_factory: pytest.TempPathFactory,
    names: list[str],
    content: bytes,
    format_name: str,
    split: bool,
    force: bool,
) -> None:
    target = tmp_path_factory.mktemp("full") / "out"
    target.mkdir()
    for name in names:
        try:  # "train" and "train/…" both drawn: the first one wins
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(content)
        except (FileExistsError, IsADirectoryError, NotADirectoryError):
            continue
    before = snapshot(target)
    if folder_output(format_name, split):
        with pytest.raises(AnnotatorError, match="no export wrote"):
            export_format(project, format_name, target, split=SPLIT if split else None, force=force)
    else:
        with pytest.raises(AnnotatorError, match="is a folder"):
            export_format(project, format_name, target, force=force)
    assert snapshot(target) == before and partials(target.parent) == []


@pytest.mark.parametrize(("format_name", "split"), [("brat", False), ("hf", True), ("label-studio", True)])
def test_an_earlier_export_is_replaced_and_a_changed_one_only_with_force(
    project: Project, tmp_path: Path, format_name: str, split: bool
) -> None:
    target = tmp_path / "out"
    ratios = SPLIT if split else None
    export_format(project, format_name, target, split=ratios)
    first = sorted(p.relative_to(target) for p in target.rglob("*"))
    export_format(project, format_name, target, split=ratios)  # unchanged: replaced
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == first
    edited = next(p for p in target.rglob("*") if p.is_file() and p.name != RECORD)
    edited.write_text("edited by hand", encoding="utf-8")
    with pytest.raises(AnnotatorError, match=f"changed since: .*{edited.name}.*--force replaces it"):
        export_format(project, format_name, target, split=ratios)
    assert edited.read_text(encoding="utf-8") == "edited by hand"
    export_format(project, format_name, target, split=ratios, force=True)
    assert edited.read_text(encoding="utf-8") != "edited by hand"
    with pytest.raises(AnnotatorError, match=r"holds an earlier .* export, not jsonl; --force"):
        export_format(project, "jsonl", target, split=SPLIT)
    (target / "notes.md").write_text("mine", encoding="utf-8")
    with pytest.raises(AnnotatorError, match=r"no export wrote: notes\.md"):
        export_format(project, format_name, target, split=ratios, force=True)
    assert (target / "notes.md").read_text(encoding="utf-8") == "mine" and partials(tmp_path) == []


@pytest.mark.parametrize("format_name", ["brat", "hf"])
def test_a_file_added_inside_an_earlier_split_export_is_never_replaced(
    project: Project, tmp_path: Path, format_name: str
) -> None:
    target = tmp_path / "out"
    export_format(project, format_name, target, split=SPLIT)
    part = next(p for p in target.iterdir() if p.name.startswith("train"))
    added = (part if part.is_dir() else target) / "sub" / "my-notes.txt"
    added.parent.mkdir()
    added.write_text("mine", encoding="utf-8")
    before = snapshot(target)
    for force in (False, True):
        with pytest.raises(AnnotatorError, match=r"no export wrote: .*my-notes\.txt"):
            export_format(project, format_name, target, split=SPLIT, force=force)
    assert snapshot(target) == before and partials(tmp_path) == []


def test_what_brat_adds_to_its_folder_is_replaced_with_force(project: Project, tmp_path: Path) -> None:
    export_format(project, "brat", tmp_path / "out")
    (tmp_path / "out" / ".stats_cache").write_bytes(b"brat's cache")
    with pytest.raises(AnnotatorError, match="--force"):
        export_format(project, "brat", tmp_path / "out")
    export_format(project, "brat", tmp_path / "out", force=True)
    assert not (tmp_path / "out" / ".stats_cache").exists()


def test_an_existing_empty_folder_keeps_its_identity(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    target.chmod(0o750)
    inode = target.stat().st_ino
    export_format(project, "brat", target)
    assert target.stat().st_ino == inode and stat.S_IMODE(target.stat().st_mode) == 0o750
    assert (target / "annotation.conf").is_file() and partials(tmp_path) == []


def test_a_replacement_cut_short_leaves_a_folder_the_next_export_replaces(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while files move (SIGKILL, power) leaves only files the record lists."""
    target = tmp_path / "out"
    export_format(project, "brat", target, split=SPLIT)
    real_replace = os.replace
    calls = 0

    def crash_on_third(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:  # after the record and one file: in the middle of the move
            raise KeyboardInterrupt
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        export_format(project, "brat", target, split=SPLIT)
    monkeypatch.setattr(os, "replace", real_replace)
    export_format(project, "brat", target, split=SPLIT)  # no --force needed: every file is one it wrote
    assert partials(tmp_path) == []


# Names: a trailing slash is a folder; a missing folder is named; the form comes from the format.


@pytest.mark.parametrize("format_name", ALL_FORMATS)
def test_a_trailing_slash_names_a_folder_for_every_format(project: Project, tmp_path: Path, format_name: str) -> None:
    target = f"{tmp_path / 'out'}/"
    if BY_NAME[format_name].folder:
        export_format(project, format_name, target)
        assert (tmp_path / "out").is_dir()
    else:
        with pytest.raises(AnnotatorError, match=r"ending in '/' is a folder.*--split"):
            export_format(project, format_name, target)
        assert not (tmp_path / "out").exists()
        export_format(project, format_name, target, split=SPLIT)
        assert sorted(p.name for p in (tmp_path / "out").iterdir())[1].startswith("dev")


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
@pytest.mark.parametrize("format_name", ALL_FORMATS)
def test_a_missing_folder_is_named_not_a_partial(
    project: Project, tmp_path: Path, format_name: str, split: bool
) -> None:
    target = tmp_path / "missing" / "deeper" / "out"
    with pytest.raises(AnnotatorError) as refusal:
        export_format(project, format_name, target, split=SPLIT if split else None)
    assert str(refusal.value) == f"{target.parent}: no such folder; create it first, or write somewhere else"
    assert list(tmp_path.iterdir()) == []


def test_the_file_form_comes_from_the_format_and_a_misleading_name_is_warned(project: Project, tmp_path: Path) -> None:
    report = export_format(project, "label-studio", tmp_path / "tasks.jsonl")
    assert (tmp_path / "tasks.jsonl").read_bytes().startswith(b"[")  # Label Studio's import form
    assert report.warnings == [
        "tasks.jsonl: a label-studio export is one JSON document whatever the file's name, and a .jsonl name "
        "suggests JSON Lines; name it tasks.json"
    ]
    assert export_format(project, "label-studio", tmp_path / "tasks.json").warnings == []
    assert export_format(project, "conll", tmp_path / "x.txt").warnings == []


# Modes: every output file is as readable as any file the user writes.


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
@pytest.mark.parametrize("format_name", ALL_FORMATS)
def test_every_output_gets_the_mode_the_umask_gives(
    project: Project, tmp_path: Path, format_name: str, split: bool
) -> None:
    previous = os.umask(0o027)
    try:
        suffix = BY_NAME[format_name].load_writer().suffix
        export_format(project, format_name, tmp_path / f"out{suffix}", split=SPLIT if split else None)
    finally:
        os.umask(previous)
    outputs = [tmp_path / f"out{suffix}", *(tmp_path / f"out{suffix}").rglob("*")]
    assert len(outputs) > 1 or not split
    for path in [*outputs, *tmp_path.glob("out.*")]:
        expected = 0o750 if path.is_dir() else 0o640
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_only_the_atomic_package_renames_over_or_removes_files() -> None:
    """One place guarantees 'never destroy what is not ours': every other module goes through it."""
    risky = re.compile(
        r"\b(rmtree|os\.replace|os\.rename|os\.remove|os\.unlink|os\.rmdir|shutil\.move)\(|\.(unlink|rmdir)\("
    )
    package = Path(annotator.__file__).parent
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        if "atomic" not in path.relative_to(package).parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if risky.search(line)
    ]
    assert found == []
