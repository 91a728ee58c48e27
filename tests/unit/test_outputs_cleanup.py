"""A failure leaves nothing behind: a full disk, SIGTERM/SIGHUP, a killed run's partials, init.

The full disk is a real write error from the kernel: RLIMIT_FSIZE makes every write past
the limit fail with EFBIG, in buffered writes, flushes and close() alike, as ENOSPC does.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotator.atomic import FileOutput, OutputError
from annotator.atomic.partials import host_tag, is_partial
from annotator.cli import main
from annotator.errors import AnnotatorError, ProjectError
from annotator.exporters import export_format, export_jsonl
from annotator.formats import BY_NAME, WRITABLE
from annotator.importers import import_paths
from annotator.project import Project
from tests.conftest import NEWS_SCHEMA, REPO
from tests.unit.test_outputs import snapshot

WORDS = ["Kim", "Jong", "Un", "met", "Russian", "officials", "in", "Moscow", "on", "Monday", "said", "talks"]


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 documents of 2 kB and one of 40 kB, in words that do not compress to nothing."""
    base = tmp_path_factory.mktemp("cleanup")
    root = base / "project"
    root.mkdir()
    (root / "schema.yaml").write_bytes(NEWS_SCHEMA.read_bytes())
    (root / "project.yaml").write_text("name: cleanup\nschema: schema.yaml\n", encoding="utf-8")
    chooser = random.Random(7)
    lines = []
    for number in range(31):
        size = 6000 if number == 30 else 300
        text = "Kim Jong Un " + " ".join(chooser.choice(WORDS) for _ in range(size))
        spans = [{"start": 0, "end": 11, "label": "ACTOR"}]
        lines.append(json.dumps({"id": f"d{number}", "text": text, "annotator": "a", "status": "done", "spans": spans}))
    (base / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [base / "docs.jsonl"])
    return root


def ours(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if is_partial(p.name)]


@contextmanager
def disk_full_after(limit: int) -> Iterator[None]:
    """Every write past `limit` bytes into any file fails, as on a full disk."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


@pytest.mark.parametrize("split", [False, True], ids=["whole", "split"])
@pytest.mark.parametrize("format_name", sorted(WRITABLE))
def test_a_full_disk_leaves_no_partial_and_the_old_output_untouched(
    big_project: Path, tmp_path: Path, format_name: str, split: bool
) -> None:
    suffix = BY_NAME[format_name].load_writer().suffix
    target = tmp_path / f"out{suffix}"
    if not split and not BY_NAME[format_name].folder:
        target.write_bytes(b"an earlier export")
    before = snapshot(tmp_path)
    with (
        Project.open(big_project) as project,
        disk_full_after(16_000),
        pytest.raises(OutputError, match=r"cannot write: File too large"),
    ):
        export_format(project, format_name, target, split=(0.5, 0.5) if split else None)
    assert snapshot(tmp_path) == before and ours(tmp_path) == []


def test_abort_removes_the_partial_even_when_closing_it_fails(tmp_path: Path) -> None:
    output = FileOutput(tmp_path / "out.jsonl")
    output.stream.write(b"x" * 1000)  # still in the buffer: close() will have to write it
    with disk_full_after(10):
        output.abort()  # must not raise, must not leave the partial
    assert list(tmp_path.iterdir()) == []
    output = FileOutput(tmp_path / "out.jsonl")
    output.stream.write(b"x" * 1000)
    with disk_full_after(10), pytest.raises(OSError, match="File too large"):
        output.finish()
    output.abort()
    assert list(tmp_path.iterdir()) == []


def test_the_native_export_names_its_output_on_a_full_disk(big_project: Path, tmp_path: Path) -> None:
    with (
        Project.open(big_project) as project,
        disk_full_after(16_000),
        pytest.raises(OutputError, match=rf"^{tmp_path / 'x.jsonl'}: cannot write: File too large$"),
    ):
        export_jsonl(project, tmp_path / "x.jsonl")
    assert list(tmp_path.iterdir()) == []


# SIGTERM and SIGHUP take Ctrl+C's path in the CLI: the partials go.

SLOW_EXPORT = """
import sys, time
from annotator.cli import main
from annotator.formats import BY_NAME

writer = BY_NAME[sys.argv[1]].load_writer()
add = writer.add

def slow_add(self, record):
    add(self, record)
    print("record written", file=sys.stderr, flush=True)
    time.sleep(0.05)

writer.add = slow_add
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize(
    ("signum", "format_name", "split"),
    [(signal.SIGTERM, "conll", False), (signal.SIGTERM, "brat", False), (signal.SIGHUP, "hf", True)],
)
def test_a_terminated_export_leaves_no_partial(
    big_project: Path, tmp_path: Path, signum: int, format_name: str, split: bool
) -> None:
    target = tmp_path / "out"
    if format_name == "conll":
        target.write_bytes(b"an earlier export")
    argv = ["export", str(big_project), "--format", format_name, "-o", str(target)]
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, format_name, *argv, *(["--split", "0.5,0.5"] if split else [])],
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "record written\n"  # the export is under way: a partial exists
    assert ours(tmp_path)
    process.send_signal(signum)
    rest = process.stderr.read()
    assert process.wait(30) == 128 + signum
    assert "interrupted; nothing was left half-written" in rest and "Traceback" not in rest
    assert ours(tmp_path) == []
    if format_name == "conll":
        assert target.read_bytes() == b"an earlier export"
    else:
        assert not target.exists()


# Stale partials: ours from a process that is gone are swept; nothing else is.


@pytest.fixture
def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def live_process() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_stale_partials_of_ours_are_swept_and_look_alikes_are_kept(
    big_project: Path, tmp_path: Path, dead_pid: int, live_process: subprocess.Popen[bytes]
) -> None:
    host = host_tag()
    other_host = "0" * 8 if host != "0" * 8 else "1" * 8
    stale_file = tmp_path / f".out.jsonl.{host}-{dead_pid}-abcdefgh.annotator-partial"
    stale_folder = tmp_path / f".out.{host}-{dead_pid}-abcdefg1.annotator-partial"
    reused = tmp_path / f".x.{host}-{live_process.pid}-abcdefg2.annotator-partial"  # its pid now names another process
    stale_file.write_bytes(b"1.5 GB of an export killed by SIGKILL")
    (stale_folder / "sub").mkdir(parents=True)
    (stale_folder / "sub" / "a.ann").write_bytes(b"T1\tACTOR 0 3\tKim\n")
    reused.write_bytes(b"partial")
    hour_ago = time.time() - 3600
    os.utime(reused, (hour_ago, hour_ago))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious").write_bytes(b"keep")
    kept = [
        tmp_path / ".out.jsonl.partial",  # an older naming, or anybody's
        tmp_path / f".out.jsonl.{other_host}-{dead_pid}-abcdefgh.annotator-partial",  # another host's
        tmp_path / f".out.jsonl.{host}-{live_process.pid}-abcdefgh.annotator-partial",  # its process runs
        tmp_path / f"out.jsonl.{host}-{dead_pid}-abcdefgh.annotator-partial",  # no leading dot
        tmp_path / f".out.jsonl.{host}-{dead_pid}-abcdefgh.annotator-partial.bak",
        tmp_path / f".out.jsonl.{host}-{dead_pid}-ABCDEFGH.annotator-partial",
    ]
    for path in kept:
        path.write_bytes(b"not ours to remove")
    link = tmp_path / f".l.{host}-{dead_pid}-abcdefg3.annotator-partial"
    link.symlink_to(elsewhere / "precious")  # we never make links: kept, and never followed
    kept.append(link)
    with Project.open(big_project) as project:
        export_jsonl(project, tmp_path / "out.jsonl")
    remaining = set(tmp_path.iterdir())
    assert not {stale_file, stale_folder} & remaining
    if Path(f"/proc/{live_process.pid}/stat").exists():
        assert reused not in remaining  # started after the partial was last written: not its owner
    assert set(kept) <= remaining and all(p.read_bytes() == b"not ours to remove" for p in kept[:-1])
    assert (elsewhere / "precious").read_bytes() == b"keep"


def test_a_stale_partial_inside_an_export_folder_is_swept_and_a_live_one_refused(
    big_project: Path, tmp_path: Path, dead_pid: int, live_process: subprocess.Popen[bytes]
) -> None:
    target = tmp_path / "out"
    with Project.open(big_project) as project:
        export_format(project, "brat", target)
        stale = target / f".export.{host_tag()}-{dead_pid}-abcdefgh.annotator-partial"
        stale.mkdir()
        (stale / "d1.txt").write_bytes(b"half")
        export_format(project, "brat", target)  # swept, then replaced without --force
        assert not stale.exists()
        live = target / f".export.{host_tag()}-{live_process.pid}-abcdefgh.annotator-partial"
        live.mkdir()
        with pytest.raises(AnnotatorError, match=f"another export \\(process {live_process.pid}\\) is writing here"):
            export_format(project, "brat", target, force=True)
        assert live.is_dir()


# init: never overwrites, and a failed init can be retried.


def run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def test_init_refuses_to_overwrite_an_unrelated_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "schema.yaml").write_text("my own notes: not a label schema\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert run("init", folder) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "schema.yaml exists and is not" in err and err.count("\n") == 1
    assert snapshot(tmp_path) == before
    (folder / "schema.yaml").write_bytes(NEWS_SCHEMA.read_bytes())  # the same schema: taken as it is
    inode = (folder / "schema.yaml").stat().st_ino
    assert run("init", folder) == 0
    assert (folder / "schema.yaml").stat().st_ino == inode and (folder / "project.yaml").is_file()


@pytest.mark.parametrize("failure", [ProjectError("the database broke"), KeyboardInterrupt()])
@pytest.mark.parametrize("existing", [False, True], ids=["new folder", "existing folder"])
def test_a_failed_init_leaves_the_folder_as_it_was_and_can_be_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException, existing: bool
) -> None:
    folder = tmp_path / "deeper" / "p"
    if existing:
        folder.mkdir(parents=True)
        (folder / "articles.txt").write_text("mine", encoding="utf-8")
    before = snapshot(tmp_path)
    real_open = Project.open

    def open_then_fail(root: Path) -> Project:
        real_open(root).close()  # the database exists by now
        raise failure

    monkeypatch.setattr(Project, "open", open_then_fail)
    if isinstance(failure, KeyboardInterrupt):
        assert run("init", folder) == 130
    else:
        assert run("init", folder) == 1
    assert snapshot(tmp_path) == before
    monkeypatch.setattr(Project, "open", real_open)
    assert run("init", folder) == 0
    with Project.open(folder) as project:
        assert project.config.name == "p"


def test_an_init_killed_before_project_yaml_is_completed_by_the_retry(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "schema.yaml").write_bytes(NEWS_SCHEMA.read_bytes())  # what a killed init leaves
    (folder / "annotator.db").write_bytes(b"")
    assert run("init", folder) == 0
    assert (
        hashlib.sha256((folder / "schema.yaml").read_bytes()).digest()
        == hashlib.sha256(NEWS_SCHEMA.read_bytes()).digest()
    )
    with Project.open(folder) as project:
        assert project.schema.name == "news"
