"""What each command line loads: only what it uses (imports are most of a command's start-up).

`annotator` with no command opens the window, which paints before it loads the store
(tests/ui/test_startup.py); the commands themselves never load Qt, and none loads the
exporters or the importers unless it exports or imports. Each runs in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.cli import main
from tests.conftest import REPO, write_jsonl

# Runs the CLI with the arguments given, then prints the top-level names of what it loaded.
LOADED_BY_MAIN = """
import json, sys
from annotator.cli import main

code = main(sys.argv[1:])
loaded = sorted(sys.modules)
print(json.dumps({"code": code, "modules": loaded}), file=sys.stderr)
"""
QT = ("PySide6", "shiboken6", "ui")
FORMAT_MODULES = ("annotator.exporters", "annotator.importers")


def loaded_by(*argv: str | Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", LOADED_BY_MAIN, *map(str, argv)], capture_output=True, text=True, cwd=REPO
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return list(report["modules"])


def packages(modules: list[str], names: tuple[str, ...]) -> list[str]:
    """The modules of `modules` that are one of `names` or inside one of them."""
    return [m for m in modules if any(m == name or m.startswith(name + ".") for name in names)]


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    documents = write_jsonl(tmp_path / "docs.jsonl", ['{"id": "d1", "text": "Kim Jong Un met officials."}'])
    assert main(["import", str(root), str(documents)]) == 0
    capsys.readouterr()
    return root


def test_importing_the_command_line_loads_neither_the_store_nor_rich() -> None:
    script = "import json, sys, annotator.cli; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    modules = json.loads(result.stdout)
    heavy = ("sqlalchemy", "alembic", "rich", "yaml", "sqlite3", *QT, "annotator.project", *FORMAT_MODULES)
    assert packages(modules, heavy) == []


def test_version_loads_no_store() -> None:
    result = subprocess.run([sys.executable, "main.py", "--version"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and result.stdout.startswith("annotator ")
    script = "import json, sys\nfrom annotator.cli import main\ntry: main(['--version'])\nexcept SystemExit: pass\n"
    script += "print(json.dumps(sorted(sys.modules)))"
    checked = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert packages(json.loads(checked.stdout.splitlines()[-1]), ("sqlalchemy", "rich", *QT)) == []


def test_stats_loads_no_qt_no_exporter_and_no_importer(project: Path) -> None:
    modules = loaded_by("stats", project)
    assert "annotator.stats" in modules and "rich.table" in modules  # what it does use
    assert packages(modules, (*QT, *FORMAT_MODULES, "alembic")) == []


def test_a_native_export_loads_no_qt_and_no_importer(project: Path, tmp_path: Path) -> None:
    modules = loaded_by("export", project, "-o", tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == 1
    assert "annotator.exporters.native" in modules
    assert packages(modules, (*QT, "annotator.importers", "alembic", "spacy")) == []


def test_a_native_export_reads_through_core_and_loads_no_orm(project: Path, tmp_path: Path) -> None:
    """The ORM (its import and the declarative mapping) was a fifth of the export's start-up."""
    for argv in (("export", project, "-o", tmp_path / "out.jsonl"), ("export", project, "--status", "todo", "-o", "-")):
        modules = loaded_by(*argv)
        assert "sqlalchemy.engine" in modules and "annotator.db.core_tables" in modules
        assert packages(modules, ("sqlalchemy.orm", "annotator.db.tables", "annotator.schema_compat")) == []


def test_schema_check_loads_no_store() -> None:
    modules = loaded_by("schema", "check", REPO / "annotator" / "example" / "news.yaml")
    assert packages(modules, (*QT, "sqlalchemy", *FORMAT_MODULES)) == []
