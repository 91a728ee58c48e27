"""`annotator export`'s name lists and --merge-name: a flag that names nothing, or a name the
project could not import back, is one `error:` line and nothing written, never a silent default."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from tests.unit.test_cli_disagreements import project  # noqa: F401 (a fixture: alice, bob done; carol in progress)


@pytest.mark.parametrize(
    "flags",
    [
        ["--layer", ","],
        ["--layer", ""],
        ["--merge", "union", "--annotators", ","],
        ["--merge", "union", "--annotators", ""],
        ["--labels", ","],
        ["--labels", ""],
        ["--split", ""],
        ["--merge", "union", "--merge-name", "a/b"],
        ["--merge", "union", "--merge-name", "x\x1by"],
        ["--merge", "union", "--merge-name", "n" * 101],
        ["--merge", "union", "--merge-name", ""],
    ],
)
def test_a_flag_naming_nothing_usable_is_refused(
    project: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "out.jsonl"
    assert main(["export", str(project), "-o", str(target), *flags]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert not list(folder.iterdir())  # nothing written, no partial beside it


def test_a_merge_named_after_an_existing_layer_is_not_imported_over_it(
    project: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    merged = tmp_path / "merged.jsonl"
    assert main(["export", str(project), "-o", str(merged), "--merge", "union", "--merge-name", "carol"]) == 0
    before = tmp_path / "before.jsonl"
    assert main(["export", str(project), "-o", str(before), "--layer", "carol"]) == 0
    capsys.readouterr()
    assert main(["import", str(project), str(merged)]) == 1  # carol's own layer differs: refused, not replaced
    assert "already has a different layer by 'carol'" in capsys.readouterr().err
    after = tmp_path / "after.jsonl"
    assert main(["export", str(project), "-o", str(after), "--layer", "carol"]) == 0
    assert after.read_text() == before.read_text()
