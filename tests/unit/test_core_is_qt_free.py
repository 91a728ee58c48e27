"""Rule 3: the core never imports Qt, directly or through its dependencies."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO

QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6", "ui")


def test_no_module_of_the_core_names_qt_or_the_ui() -> None:
    offenders = []
    for path in sorted((REPO / "annotator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n.split(".")[0] in QT_MODULES]
    assert offenders == []


def test_importing_every_core_module_loads_no_qt() -> None:
    script = (
        "import pkgutil, importlib, sys, annotator\n"
        "for m in pkgutil.walk_packages(annotator.__path__, 'annotator.'):\n"
        "    if '.migrations' not in m.name: importlib.import_module(m.name)\n"
        f"print(sorted(k for k in sys.modules if k.split('.')[0] in {QT_MODULES!r}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"
