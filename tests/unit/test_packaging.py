"""`pip install .` is the core and the CLI without Qt: proved in a fresh venv.

The package is built from a copy of this checkout and installed (not editable) with only the
spacy extra into a new venv, then its `annotator` script runs init, import and a spaCy export
from a folder outside the checkout. PySide6 is not installed there, and a sitecustomize hook
records the modules each command loaded: none of Qt, none of ui/.

It takes minutes (pip installs spaCy: 2.5 min here), so it is marked slow and runs under CI
(`make test` there) or with ANNOTATOR_SLOW=1; a plain local pytest run skips it, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, NEWS_SCHEMA, REPO

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (os.environ.get("CI") or os.environ.get("ANNOTATOR_SLOW") == "1"),
        reason="installs the package into a fresh venv (minutes); runs under CI or with ANNOTATOR_SLOW=1",
    ),
]

# What the package is built from; the rest of the checkout (tests, bench, a .venv) stays out.
SOURCES = ("pyproject.toml", "README.md", "annotator", "ui")
QT = {"PySide6", "shiboken6"}
# Loaded first by every Python process of the venv (PYTHONPATH): at exit, it appends the
# top-level names of the modules that process loaded, one JSON line per process.
RECORD_MODULES = """
import atexit, json, os, sys

def _record():
    with open(os.environ["ANNOTATOR_TEST_MODULES"], "a", encoding="utf-8") as record:
        record.write(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})) + "\\n")

atexit.register(_record)
"""


def run(command: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the package without the gui extra (the spacy extra, for the export)."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "source"  # a copy: pip's in-tree build writes build/ and *.egg-info beside the sources
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.db*"))
        else:
            shutil.copyfile(REPO / name, source / name)
    # This pip installs into the new venv (--python): the venv needs none of its own, and the pip
    # `make` upgraded resolves much faster than the one venv bundles (2 min instead of 3.5 here).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", root / "venv"], check=True)
    install = run(pip(root / "venv", "install", "--quiet", f"{source}[spacy]"), root, clean_env())
    assert install.returncode == 0, install.stdout + install.stderr
    return root / "venv"


def pip(venv: Path, *arguments: str) -> list[str | Path]:
    return [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", *arguments]


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without what would point the venv at this checkout or the test venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, **extra}


def test_the_core_installs_and_exports_without_qt(venv: Path, tmp_path: Path) -> None:
    bin_folder = venv / "bin"
    for name in ("PySide6-Essentials", "PySide6"):
        assert run(pip(venv, "show", "--quiet", name), tmp_path, clean_env()).returncode == 1  # not installed
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(RECORD_MODULES, encoding="utf-8")
    modules = tmp_path / "modules.jsonl"
    env = clean_env(PYTHONPATH=str(hook), ANNOTATOR_TEST_MODULES=str(modules), XDG_DATA_HOME=str(tmp_path / "data"))
    work = tmp_path / "work"  # any folder: nothing of the checkout is found from here
    work.mkdir()

    where = run([bin_folder / "python", "-c", "import annotator.example_project as e; print(e.EXAMPLE)"], work, env)
    packaged = Path(where.stdout.strip())
    assert packaged.is_relative_to(venv) and packaged.name == "example", where.stderr

    init = run([bin_folder / "annotator", "init", "news"], work, env)
    assert init.returncode == 0 and "created project 'news'" in init.stdout, init.stderr
    assert (work / "news" / "schema.yaml").read_bytes() == NEWS_SCHEMA.read_bytes()

    imported = run([bin_folder / "annotator", "import", "news", packaged / "reference.jsonl"], work, env)
    assert imported.returncode == 0, imported.stderr
    assert "imported 1 document(s), 77 span(s), 14 relation(s) in 1 layer(s)" in imported.stdout

    exported = run([bin_folder / "annotator", "export", "news", "--format", "spacy", "-o", "train.spacy"], work, env)
    assert exported.returncode == 0 and "wrote spacy: 1 record(s)" in exported.stdout, exported.stderr
    article = packaged / "north-korea-russia-ties.txt"
    read_back = run(
        [
            bin_folder / "python",
            "-c",
            "import spacy; from spacy.tokens import DocBin; "
            "(doc,) = DocBin().from_disk('train.spacy').get_docs(spacy.blank('en').vocab); "
            f"print(len(doc.spans['sc']), doc.text == open({str(article)!r}, encoding='utf-8').read())",
        ],
        work,
        env,
    )
    assert read_back.stdout.split() == ["77", "True"], read_back.stderr
    assert article.read_bytes() == (EXAMPLE / "north-korea-russia-ties.txt").read_bytes()

    for argv in ([], ["gui", "news"]):  # the window without the gui extra: one line saying how to get it
        window = run([bin_folder / "annotator", *argv], work, env)
        assert (window.returncode, window.stdout) == (1, ""), window.stderr
        assert window.stderr.count("\n") == 1 and window.stderr.startswith("error: the window needs PySide6")
    assert not (tmp_path / "data").exists()  # and no example copied for it

    loaded = [set(json.loads(line)) for line in modules.read_text(encoding="utf-8").splitlines()]
    assert len(loaded) == 7  # every process above recorded what it loaded
    assert not [names & QT for names in loaded if names & QT]
    assert all("annotator" in names and "ui" not in names for names in loaded[:4])  # up to the export: no ui/
