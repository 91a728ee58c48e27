"""Rule 2: every edit is on disk when the call returns; a killed process loses at most one."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from tests.conftest import REPO, ProjectMaker

TEXT = " ".join(f"word{i}" for i in range(2000))

EDITOR = """
import sys
from annotator.service import AnnotationService
service = AnnotationService.open(sys.argv[1], "alice")
doc = service.documents()[0].id
text = service.document(doc).text
start = 0
while True:
    end = text.index(" ", start)
    span = service.add_span(doc, start, end, "ACTOR").value
    print(span.id, flush=True)  # only after the call returned
    start = end + 1
"""


def test_killing_the_process_mid_edit_loses_nothing_that_was_confirmed(make_project: ProjectMaker) -> None:
    root = make_project()
    with Project.open(root) as project:
        import_records(project, [DocumentRecord("test", 1, TEXT, external_id="words")])
    editor = subprocess.Popen([sys.executable, "-c", EDITOR, str(root)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert editor.stdout is not None
    confirmed = [int(editor.stdout.readline()) for _ in range(60)]  # let it work a while
    editor.send_signal(signal.SIGKILL)  # mid-edit, with no clean-up of any kind
    editor.wait()
    rest = [int(line) for line in editor.stdout.read().split()]
    confirmed += rest  # every id it printed, i.e. every call that returned
    database = sqlite3.connect(Path(root) / "annotator.db")
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    saved = {row[0] for row in database.execute("SELECT id FROM spans")}
    database.close()
    assert set(confirmed) <= saved  # every edit whose call returned survived
    assert len(saved) <= len(confirmed) + 1  # at most the one in flight beyond them
