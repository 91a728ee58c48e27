"""Import and the native JSONL export: exact text, round trips, bad input, atomic writes."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.exporters import ExportFilter, export_jsonl
from annotator.importers import ImportFailed, import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import EXAMPLE, TRICKY_TEXT, ProjectMaker, write_jsonl


def record(text: str, spans: list[tuple[int, int, str]] = (), **extra: object) -> str:
    body = {
        "text": text,
        "spans": [{"id": f"s{i}", "start": s, "end": e, "label": label} for i, (s, e, label) in enumerate(spans, 1)],
        **extra,
    }
    return json.dumps(body, ensure_ascii=False)


def exported(project: Project, path: Path, selection: ExportFilter | None = None) -> list[dict]:
    export_jsonl(project, path, selection or ExportFilter())
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_txt_import_keeps_the_exact_bytes(make_project: ProjectMaker, tmp_path: Path) -> None:
    source = tmp_path / "crlf.txt"
    source.write_bytes(TRICKY_TEXT.encode("utf-8"))
    with Project.open(make_project()) as project:
        report = import_paths(project, [source])
        (line,) = exported(project, tmp_path / "out.jsonl")
    assert report.documents_added == 1
    assert line["text"] == TRICKY_TEXT and "\r\n" in line["text"]
    assert (line["id"], line["annotator"], line["status"], line["spans"]) == ("crlf", None, "todo", [])


def test_folder_import_names_documents_by_relative_path_and_skips_known_texts(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    (folder / "2014").mkdir(parents=True)
    (folder / "a.txt").write_text("First article.", encoding="utf-8")
    (folder / "2014" / "b.txt").write_text("Second article.", encoding="utf-8")
    (folder / "notes.md").write_text("not imported", encoding="utf-8")
    with Project.open(make_project()) as project:
        first = import_paths(project, [folder])
        again = import_paths(project, [folder])
        ids = [line["id"] for line in exported(project, tmp_path / "out.jsonl")]
    assert (first.documents_added, first.documents_skipped) == (2, 0)
    assert (again.documents_added, again.documents_skipped) == (0, 2)
    assert ids == ["2014/b", "a"]


def test_example_reference_round_trips_byte_identically(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(make_project()) as first:
        import_paths(first, [EXAMPLE / "reference.jsonl"])
        export_jsonl(first, tmp_path / "one.jsonl")
    with Project.open(make_project()) as second:
        report = import_paths(second, [tmp_path / "one.jsonl"])
        export_jsonl(second, tmp_path / "two.jsonl")
    assert (report.spans_added, report.relations_added) == (77, 14)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_multi_annotator_project_round_trips(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = make_project()
    alice = AnnotationService.open(root, "alice")
    import_paths(alice.project, [EXAMPLE / "north-korea-russia-ties.txt"])
    doc_id = alice.documents()[0].id
    text = alice.document(doc_id).text
    start = text.index("Kim Jong Un")
    alice.add_span(doc_id, start, start + 11, "ACTOR", {"kind": "person"})
    alice.set_status(doc_id, "done")
    bob = AnnotationService.open(root, "bob")
    bob.add_span(doc_id, start, start + 11, "ACTOR", {"kind": "state"})
    lines = exported(alice.project, tmp_path / "one.jsonl")
    assert [(line["annotator"], line["status"]) for line in lines] == [("alice", "done"), ("bob", "todo")]
    assert [line["spans"][0]["attributes"] for line in lines] == [{"kind": "person"}, {"kind": "state"}]
    with Project.open(make_project()) as copy:
        report = import_paths(copy, [tmp_path / "one.jsonl"])
        export_jsonl(copy, tmp_path / "two.jsonl")
    # The second layer of a document this import added is not a document skipped.
    assert (report.documents_added, report.documents_skipped, report.layers_added) == (1, 0, 2)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
    only_done = exported(alice.project, tmp_path / "done.jsonl", ExportFilter(statuses=["done"]))
    assert [line["annotator"] for line in only_done] == ["alice"]
    only_bob = exported(alice.project, tmp_path / "bob.jsonl", ExportFilter(annotator="bob"))
    assert [line["annotator"] for line in only_bob] == ["bob"]
    alice.close()
    bob.close()


def test_label_filter_drops_relations_to_filtered_spans(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(make_project()) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
        (line,) = exported(project, tmp_path / "out.jsonl", ExportFilter(labels=["CLAIM", "DATE"]))
        with pytest.raises(ValidationError, match="unknown label 'PERSON'"):
            exported(project, tmp_path / "bad.jsonl", ExportFilter(labels=["PERSON"]))
        with pytest.raises(NotFoundError):
            exported(project, tmp_path / "bad.jsonl", ExportFilter(annotator="nobody"))
    assert {s["label"] for s in line["spans"]} == {"CLAIM", "DATE"}
    assert [s["id"] for s in line["spans"]] == [f"s{i}" for i in range(1, len(line["spans"]) + 1)]
    assert {r["label"] for r in line["relations"]} == {"WHEN"}  # SAID_BY ends on ACTORs, filtered out
    assert not (tmp_path / "bad.jsonl").exists()


BAD_RECORDS = [
    ("{not json", "not valid JSON"),
    (json.dumps({"meta": {}}), "record has no 'text'"),
    (json.dumps({"text": ""}), "non-empty string"),
    (record("Kim Jong Un", [(0, 99, "ACTOR")]), "outside the text"),
    (record("Kim Jong Un", [(0, 3, "PERSON")]), "unknown label 'PERSON'"),
    (record("Kim Jong Un", [(4, 4, "ACTOR")]), "empty or reversed"),
    (record("Kim Jong Un", [(0, 3, "ACTOR"), (0, 3, "ACTOR")]), "duplicate span"),
    (json.dumps({"text": "Kim", "spans": [{"start": 0, "end": 3, "label": "ACTOR", "text": "Ki"}]}), "offsets must be"),
    (json.dumps({"text": "Kim", "spans": [{"start": "0", "end": 3, "label": "ACTOR"}]}), "must be integers"),
    (json.dumps({"text": "Kim", "colour": "red"}), "unknown key 'colour'"),
    (json.dumps({"text": "Kim", "status": "finished", "annotator": "a"}), "unknown status"),
    (json.dumps({"text": "Kim", "relations": [{"label": "SAID_BY", "head": "s1", "tail": "s2"}]}), "does not have"),
    (json.dumps([1, 2]), "expected a JSON object"),
    (json.dumps({"text": "before\u0000after"}), "the text contains a NUL character"),
    (json.dumps({"text": "Kim", "meta": {"note": "a\u0000b"}}), "meta.note contains a NUL"),
    (json.dumps({"id": "x" * 256, "text": "Kim"}), "at most 255 fit"),
    (json.dumps({"text": "Kim", "annotator": "tab\tname", "status": "done"}), "not usable"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_RECORDS)
def test_a_bad_record_imports_nothing_and_names_file_and_line(
    make_project: ProjectMaker, tmp_path: Path, bad: str, message: str
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [record("A good first document."), bad, record("A good third one.")])
    with Project.open(make_project()) as project:
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [source])
        assert exported(project, tmp_path / "out.jsonl") == []
    (problem,) = failure.value.problems
    assert (problem.source, problem.line) == (str(source), 2)
    assert message in problem.message
    assert f"{source}:2:" in str(failure.value)


def test_skip_invalid_imports_the_rest_and_reports_what_it_skipped(make_project: ProjectMaker, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [record("Kim Jong Un spoke.", [(0, 11, "ACTOR")]), "{oops", record("Bad span.", [(0, 50, "ACTOR")])],
    )
    with Project.open(make_project()) as project:
        report = import_paths(project, [source], skip_invalid=True, annotator="carol")
        lines = exported(project, tmp_path / "out.jsonl")
    assert [(p.line, p.message.split(":")[0]) for p in report.invalid] == [(2, "not valid JSON"), (3, "span s1")]
    assert [(line["text"], line["annotator"], len(line["spans"])) for line in lines] == [
        ("Kim Jong Un spoke.", "carol", 1)
    ]


def test_every_bad_record_of_a_file_is_reported_at_once(make_project: ProjectMaker, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", ["{", record("ok"), "[]", "{"])
    with Project.open(make_project()) as project, pytest.raises(ImportFailed) as failure:
        import_paths(project, [source])
    assert [p.line for p in failure.value.problems] == [1, 3, 4]


def test_non_utf8_text_file_is_refused_with_its_line(make_project: ProjectMaker, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Fine text.", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("line one\nCaf\xe9 society".encode("latin-1"))
    with Project.open(make_project()) as project:
        with pytest.raises(ImportFailed, match=r"latin.txt:2: not UTF-8"):
            import_paths(project, [good, latin])
        assert exported(project, tmp_path / "out.jsonl") == []


def test_same_id_with_another_text_is_refused(make_project: ProjectMaker, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [json.dumps({"id": "a", "text": "one"}), json.dumps({"id": "a", "text": "two"})]
    )
    with Project.open(make_project()) as project, pytest.raises(ImportFailed, match="already used"):
        import_paths(project, [source])


def test_missing_and_unsupported_inputs_are_refused(make_project: ProjectMaker, tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b", encoding="utf-8")
    with Project.open(make_project()) as project:
        with pytest.raises(AnnotatorError, match="no such file"):
            import_paths(project, [tmp_path / "missing.jsonl"])
        with pytest.raises(AnnotatorError, match="cannot tell its format"):
            import_paths(project, [tmp_path / "data.csv"])


def test_interrupted_export_leaves_no_file_behind(make_project: ProjectMaker, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_bytes(b"an earlier export\n")

    def interrupt(_done: int) -> None:
        raise KeyboardInterrupt

    with Project.open(make_project()) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
        with pytest.raises(KeyboardInterrupt):
            export_jsonl(project, target, progress=interrupt)
    assert target.read_bytes() == b"an earlier export\n"  # the old file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "project1"]  # no partial file


def test_an_export_is_as_readable_as_any_file_the_user_writes(make_project: ProjectMaker, tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with Project.open(make_project()) as project:
        export_jsonl(project, tmp_path / "out.jsonl")
    assert (tmp_path / "out.jsonl").stat().st_mode & 0o777 == (tmp_path / "plain").stat().st_mode & 0o777


def test_export_to_a_folder_is_refused(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(make_project()) as project, pytest.raises(AnnotatorError, match="is a folder"):
        export_jsonl(project, tmp_path)


# Texts made of the characters that break offset arithmetic in other tools.
TRICKY_CHARACTERS = st.sampled_from(
    [
        "a",
        "Kim",
        " ",
        "  ",
        "\t",
        "\r\n",
        "\n",
        "\r",
        "😀",
        "🇰🇵",
        "👩‍👩‍👧",
        "e\u0301",
        "北朝鮮",
        "\u00a0",
        "’",
        "\u2028",
    ]
)


@st.composite
def texts_with_spans(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str]]]:
    text = "".join(draw(st.lists(TRICKY_CHARACTERS, min_size=1, max_size=30)))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=8))))
    # A span of only whitespace is refused (validation.check_offsets), so none is drawn.
    spans = [
        (a, b, draw(st.sampled_from(["ACTOR", "DATE"])))
        for a, b in itertools.pairwise(cuts)
        if a < b and not text[a:b].isspace()
    ]
    return text, spans


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(texts_with_spans(), min_size=1, max_size=4, unique_by=lambda c: c[0]))
def test_offsets_survive_import_and_export_exactly(
    make_project: ProjectMaker, tmp_path: Path, cases: list[tuple[str, list[tuple[int, int, str]]]]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [record(text, spans, annotator="a") for text, spans in cases])
    with Project.open(make_project()) as project:
        import_paths(project, [source])
        lines = exported(project, tmp_path / "out.jsonl")
    assert [line["text"] for line in lines] == [text for text, _ in cases]
    for line, (text, spans) in zip(lines, cases, strict=True):
        assert [(s["start"], s["end"], s["label"]) for s in line["spans"]] == sorted(spans)
        assert all(s["text"] == text[s["start"] : s["end"]] for s in line["spans"])
