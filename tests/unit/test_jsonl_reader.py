"""The one JSONL line reader (importers/tool_support.jsonl_values), and native JSONL through it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.db.tables import DocumentRow, SpanRow
from annotator.importers.records import ImportProblem
from annotator.importers.tool_support import jsonl_values
from annotator.project import Project
from annotator.storable import INT_MAX, INT_MIN, is_storable
from tests.conftest import NEWS_SCHEMA, REPO

BOM = b"\xef\xbb\xbf"

storable_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
leaves = (
    st.none()
    | st.booleans()
    | st.integers(INT_MIN, INT_MAX)
    | st.floats(allow_nan=False, allow_infinity=False, min_value=-1e18, max_value=1e18)
    | storable_text
)
records = st.dictionaries(
    storable_text,
    st.recursive(leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(storable_text, inner, max_size=3)),
    max_size=4,
).filter(is_storable)
# What a line of the file is: a record, a blank line (empty or only spaces and tabs), or a line
# that is not JSON (its line number must come back in the problem).
lines = st.lists(st.one_of(records, st.sampled_from(["", " \t", "{not json", "[1, 2"])), max_size=12)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=lines, bom=st.booleans(), line_end=st.sampled_from([b"\n", b"\r\n"]), last_end=st.booleans())
def test_every_storable_record_reads_back_at_its_line(
    tmp_path: Path, items: list[dict[str, Any] | str], bom: bool, line_end: bytes, last_end: bool
) -> None:
    encoded = [orjson.dumps(item) if isinstance(item, dict) else item.encode() for item in items]
    data = (BOM if bom else b"") + line_end.join(encoded) + (line_end if last_end and encoded else b"")
    path = tmp_path / "in.jsonl"
    path.write_bytes(data)

    read = list(jsonl_values(path))

    expected_values = [(number, item) for number, item in enumerate(items, 1) if isinstance(item, dict)]
    values = [x for x in read if not isinstance(x, ImportProblem)]
    assert [(line, value) for line, _, value in values] == expected_values
    bad = [number for number, item in enumerate(items, 1) if isinstance(item, str) and item.strip()]
    problems = [x for x in read if isinstance(x, ImportProblem)]
    assert [(p.source, p.line) for p in problems] == [(str(path), number) for number in bad]
    assert all(p.message.startswith("not valid JSON") for p in problems)
    # A value's size is its line's bytes: line end included, and on line 1 the BOM.
    ended = [index < len(encoded) - 1 or last_end for index in range(len(encoded))]
    sizes = [len(raw) + len(line_end) * ended[i] + len(BOM) * (bom and i == 0) for i, raw in enumerate(encoded)]
    assert [size for _, size, _ in values] == [sizes[line - 1] for line, _ in expected_values]


def test_a_native_jsonl_with_a_bom_imports(tmp_path: Path) -> None:
    """Notepad's "UTF-8" puts a BOM before the first line, whether that holds a record or is blank."""
    project = tmp_path / "p"
    first = {"id": "a", "text": "Kim spoke.", "spans": [{"start": 0, "end": 3, "label": "ACTOR"}]}
    at_once, blank_first = tmp_path / "at-once.jsonl", tmp_path / "blank-first.jsonl"
    at_once.write_bytes(BOM + json.dumps(first).encode() + b"\r\n\r\n" + b'{"id": "b", "text": "Choe."}\r\n')
    blank_first.write_bytes(BOM + b"\r\n" + b'{"id": "c", "text": "Xi."}\r\n')
    for argv in (["init", project, "--schema", NEWS_SCHEMA], ["import", project, at_once, blank_first]):
        subprocess.run([sys.executable, "main.py", *map(str, argv)], cwd=REPO, check=True, capture_output=True)

    with Project.open(project) as opened, opened.read() as session:
        documents = {row.external_id: row.text for row in session.scalars(select(DocumentRow))}
        spans = [(row.start, row.end, row.label) for row in session.scalars(select(SpanRow))]
    assert documents == {"a": "Kim spoke.", "b": "Choe.", "c": "Xi."}
    assert spans == [(0, 3, "ACTOR")]
