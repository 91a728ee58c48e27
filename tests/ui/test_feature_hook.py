"""ui/feature_hook.py: PySide6's import hook answers as before but keeps no module's source in memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy.orm

import ui.main_window
from tests.conftest import REPO
from tests.ui.test_main_window import project as project
from ui import feature_hook

# Builds the window on a project as `annotator gui` does (ui.app first), then says what linecache
# holds and what PySide6's hook decided for a few modules.
BUILD_AND_REPORT = """
import json, linecache, sys
from ui.app import application, build_window
window = build_window(sys.argv[1], annotator="alice")
window.show()
application().processEvents()
decided = sys.modules["PySide6.support.feature"].pyside_feature_dict
print(json.dumps({
    "cached": sorted(name for name in linecache.cache if not name.startswith("<")),
    "decided": {name: decided.get(name) for name in ("ui.main_window", "ui.text_view", "sqlalchemy.orm", "yaml")},
}))
"""


def test_the_window_process_keeps_no_source_of_what_it_imports_and_pyside_decides_as_before(
    tmp_path: Path, project: Path
) -> None:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-c", BUILD_AND_REPORT, str(project)],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    site_packages = Path(sqlalchemy.__file__).resolve().parents[1]
    kept = [
        name
        for name in report["cached"]
        if Path(name).resolve().is_relative_to(REPO / "annotator")
        or Path(name).resolve().is_relative_to(REPO / "ui")
        or Path(name).resolve().is_relative_to(site_packages / "sqlalchemy")
        or Path(name).resolve().is_relative_to(site_packages / "yaml")
    ]
    assert kept == []
    # PySide6's own answer: 0 for a module whose source names PySide6, -1 ("ignore") for the others.
    assert report["decided"] == {"ui.main_window": 0, "ui.text_view": 0, "sqlalchemy.orm": -1, "yaml": -1}


def test_uses_pyside_is_pysides_test_of_the_source() -> None:
    assert feature_hook.uses_pyside(ui.main_window)
    assert not feature_hook.uses_pyside(sqlalchemy.orm)
    assert not feature_hook.uses_pyside(sys)  # built in: no source
    assert not feature_hook.uses_pyside(ModuleType("made_by_hand"))


def test_the_hook_of_this_pyside6_is_replaced() -> None:
    feature = sys.modules[feature_hook.FEATURE_MODULE]
    assert getattr(feature, feature_hook.SOURCE_TEST) is feature_hook.uses_pyside


def test_a_pyside6_without_that_hook_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = ModuleType(feature_hook.FEATURE_MODULE)  # a release whose hook works otherwise
    monkeypatch.setitem(sys.modules, feature_hook.FEATURE_MODULE, changed)
    assert feature_hook.read_sources_without_keeping() is False
    assert vars(changed).keys() == {"__name__", "__doc__", "__package__", "__loader__", "__spec__"}
    monkeypatch.delitem(sys.modules, feature_hook.FEATURE_MODULE)  # no feature module at all
    assert feature_hook.read_sources_without_keeping() is False
