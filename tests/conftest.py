"""Fixtures shared by every test folder: project folders on a temporary SQLite file."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "annotator" / "example"  # the example project, shipped as package data
NEWS_SCHEMA = EXAMPLE / "news.yaml"

# Text that trips every offset mistake: emoji, a flag, a ZWJ family, a combining mark,
# CJK, a tab, CRLF line breaks, double spaces and a no-break space.
TRICKY_TEXT = (
    "Kim Jong Un 😀 met 🇷🇺 officials.\r\n"
    "👩‍👩‍👧 Choe Ryong Hae said:\tthe talks\u00a0resume  on Monday.\r\n"
    "Cafe\u0301 owners in 平壤 agreed on 2014-11-14."
)


ProjectMaker = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path) -> Iterator[ProjectMaker]:
    """Create a project folder; `schema_text` replaces the default news schema."""
    counter = 0

    def make(schema_text: str | None = None, name: str | None = None) -> Path:
        nonlocal counter
        counter += 1
        root = tmp_path / f"project{counter}"
        root.mkdir()
        if schema_text is None:
            shutil.copyfile(NEWS_SCHEMA, root / "schema.yaml")
        else:
            (root / "schema.yaml").write_text(schema_text, encoding="utf-8")
        (root / "project.yaml").write_text(
            f"name: {name or root.name}\nschema: schema.yaml\ndatabase: annotator.db\n", encoding="utf-8"
        )
        return root

    yield make


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def without_suggestions_on_open(root: Path) -> Path:
    """The example project copied at root, its sources not run when a document opens: for window
    tests of other things (pixels, focus), which a background run landing mid-test would disturb."""
    config = root / "project.yaml"
    text = config.read_text(encoding="utf-8")
    assert "on_open: true" in text
    config.write_text(text.replace("on_open: true", "on_open: false"), encoding="utf-8")
    return root
