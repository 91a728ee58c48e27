"""Real files from Prodigy, doccano, Label Studio and brat: each imports, with the spans and
relations it holds (counted here from the raw file, not by the readers), each span's text
as the file states it; what the project cannot hold is reported by file and line; detection
names the right format and refuses ambiguous or unknown files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from annotator.errors import AnnotatorError
from annotator.exporters import export_jsonl
from annotator.importers import ImportFailed, LabelMapping, detect_format, import_paths
from annotator.importers.brat import read_brat
from annotator.importers.loader import import_records
from annotator.project import Project
from tests.conftest import EXAMPLE, REPO, ProjectMaker, write_jsonl

# Byte-for-byte copies of ../shared/fixtures (see SOURCES.md and COPIED.md there).
FIXTURES = REPO / "tests" / "fixtures" / "tools"
PRODIGY, DOCCANO, LABEL_STUDIO, BRAT = (FIXTURES / d for d in ("prodigy", "doccano", "label-studio", "brat"))
Span = tuple[str, int, int, str, str]  # document text, start, end, label, span text
Link = tuple[str, str, tuple[int, int], tuple[int, int]]  # document text, label, head and tail (start, end)


def schema_yaml(
    labels: dict[str, list[tuple[str, str]]] | list[str],
    relations: list[tuple[str, list[str], list[str]]] | None = None,
    overlap: str = "allow",
    name: str = "fixture",
) -> str:
    """A schema with these labels (each with (attribute, type) pairs) and relations."""
    if isinstance(labels, list):
        labels = {label: [] for label in labels}
    lines = [f"name: {name}", "version: 1", f"overlap: {overlap}", "labels:"]
    for number, (label, attributes) in enumerate(labels.items()):
        lines.append(f"  - {{name: {label}, color: '#9AD2F2', hotkey: '{'abcdefghijklmnopqrstuvwxyz'[number]}'}}")
        if attributes:
            lines[-1] = lines[-1][:-1] + ", attributes: ["
            lines[-1] += ", ".join(
                f"{{name: {a}, type: {t}" + (f", values: [{v}]" if v else "") + "}"
                for a, spec in attributes
                for t, _, v in [spec.partition(":")]
            )
            lines[-1] += "]}"
    if relations:
        lines.append("relations:")
        lines += [f"  - {{name: {n}, head: [{', '.join(h)}], tail: [{', '.join(t)}]}}" for n, h, t in relations]
    return "\n".join(lines) + "\n"


def native(project: Project, path: Path) -> list[dict[str, Any]]:
    export_jsonl(project, path)
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def spans_and_links(records: list[dict[str, Any]]) -> tuple[set[Span], set[Link]]:
    spans: set[Span] = set()
    links: set[Link] = set()
    for record in records:
        by_id = {s["id"]: (s["start"], s["end"]) for s in record["spans"]}
        doc = record["text"]
        spans |= {(doc, s["start"], s["end"], s["label"], s["text"]) for s in record["spans"]}
        links |= {(doc, r["label"], by_id[r["head"]], by_id[r["tail"]]) for r in record["relations"]}
    return spans, links


def test_the_copies_are_byte_for_byte() -> None:
    for line in (FIXTURES / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == digest, name
    assert (FIXTURES / "SOURCES.md").is_file()


# Prodigy -----------------------------------------------------------------------------------


def prodigy_expected(path: Path) -> tuple[list[str], set[Span], set[Link], int]:
    """Texts, accepted spans and relations, and the number of ignored/rejected tasks."""
    texts, spans, links, set_aside = [], set(), set(), 0
    for line in path.read_text(encoding="utf-8").splitlines():
        task = json.loads(line)
        texts.append(task["text"])
        if task.get("answer") in ("ignore", "reject"):
            set_aside += 1
            continue
        doc = task["text"]
        for s in task["spans"]:
            spans.add((doc, s["start"], s["end"], s["label"], s.get("text", doc[s["start"] : s["end"]])))
        for r in task.get("relations", []):
            links.add((doc, r["label"], *((r[k]["start"], r[k]["end"]) for k in ("head_span", "child_span"))))
    return texts, spans, links, set_aside


BIONLP_RELATIONS = ["Pos-Reg", "Neg-Reg", "Reg", "Binds", "No-rel"]


@pytest.mark.parametrize(
    ("name", "labels", "relations"),
    [
        ("rel_manual_bionlp_first15.jsonl", ["GGP"], [(r, ["GGP"], ["GGP"]) for r in BIONLP_RELATIONS]),
        ("ner_manual_fashion_brands_astral_subset.jsonl", ["FASHION_BRAND"], []),
        ("ner_manual_tweets_subset_with_ignore.jsonl", ["PERSON"], []),
    ],
)
def test_prodigy_fixtures(
    make_project: ProjectMaker, tmp_path: Path, name: str, labels: list[str], relations: list[Any]
) -> None:
    path = PRODIGY / name
    texts, spans, links, set_aside = prodigy_expected(path)
    assert detect_format(path) == "prodigy"
    with Project.open(make_project(schema_yaml(labels, relations))) as project:
        report = import_paths(project, [path])
        records = native(project, tmp_path / "out.jsonl")
    assert (report.spans_added, report.relations_added) == (len(spans), len(links))
    assert sorted(r["text"] for r in records) == sorted(texts)  # every text, also the ignored ones
    assert spans_and_links(records) == (spans, links)
    # ignored tasks are documents without a layer; accepted ones are done
    assert sum(r["status"] == "todo" and not r["spans"] for r in records) == set_aside
    assert all(r["status"] == "done" for r in records if r["spans"])


def test_prodigy_counts_match_the_sources_description() -> None:
    _, spans, links, _ = prodigy_expected(PRODIGY / "rel_manual_bionlp_first15.jsonl")
    assert (len(spans), len(links)) == (48, 32)  # as SOURCES.md says
    _, spans, _, set_aside = prodigy_expected(PRODIGY / "ner_manual_tweets_subset_with_ignore.jsonl")
    assert set_aside == 4


def test_prodigy_astral_offsets_are_code_points(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = PRODIGY / "ner_manual_fashion_brands_astral_subset.jsonl"
    with Project.open(make_project(schema_yaml(["FASHION_BRAND"]))) as project:
        import_paths(project, [path])
        records = native(project, tmp_path / "out.jsonl")
    astral = [s for r in records for s in r["spans"] if any(ord(c) > 0xFFFF for c in r["text"][: s["start"]])]
    assert astral  # spans after emoji, kept where Prodigy put them
    assert all(s["text"] == r["text"][s["start"] : s["end"]] for r in records for s in r["spans"])


# doccano -----------------------------------------------------------------------------------


def doccano_expected(path: Path) -> tuple[set[Span], set[Link]]:
    spans: set[Span] = set()
    links: set[Link] = set()
    decoder, text, at = json.JSONDecoder(), path.read_text(encoding="utf-8"), 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        record, at = decoder.raw_decode(text, at)
        body = record["text"]
        for s, e, label in record.get("label", []):
            spans.add((body, s, e, label, body[s:e]))
        ends = {x["id"]: (x["start_offset"], x["end_offset"]) for x in record.get("entities", [])}
        spans |= {
            (body, *ends[x["id"]], x["label"], body.__getitem__(slice(*ends[x["id"]])))
            for x in record.get("entities", [])
        }
        links |= {(body, r["type"], ends[r["from_id"]], ends[r["to_id"]]) for r in record.get("relations", [])}
    return spans, links


FOUNDED = schema_yaml(["ORG", "DATE", "PERSON"], [("foundedAt", ["ORG"], ["DATE"]), ("foundedBy", ["ORG"], ["PERSON"])])


@pytest.mark.parametrize("name", ["export_relation_extraction.pretty.json", "import_relation_extraction.jsonl"])
def test_doccano_relation_fixtures(make_project: ProjectMaker, tmp_path: Path, name: str) -> None:
    path = DOCCANO / name
    spans, links = doccano_expected(path)
    assert detect_format(path) == "doccano"
    with Project.open(make_project(FOUNDED)) as project:
        report = import_paths(project, [path])
        records = native(project, tmp_path / "out.jsonl")
    assert (report.spans_added, report.relations_added) == (len(spans), len(links)) == (4, 3)
    assert spans_and_links(records) == (spans, links)


def test_doccano_sequence_export_into_the_news_schema_with_map_and_drop(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    path = DOCCANO / "export_sequence_labeling.jsonl"
    spans, _ = doccano_expected(path)
    mapping = LabelMapping(rename={"ORG": "ACTOR", "PERSON": "ACTOR"}, drop=frozenset({"MISC"}))
    with Project.open(make_project()) as project:
        with pytest.raises(ImportFailed, match=r"ORG \(1\), PERSON \(2\)"):
            import_paths(project, [path])
        report = import_paths(project, [path], mapping=mapping)
        records = native(project, tmp_path / "out.jsonl")
    renamed = {(d, s, e, "ACTOR", t) for d, s, e, label, t in spans if label != "MISC"}
    assert (report.documents_added, report.spans_added, report.spans_dropped) == (3, len(renamed), 1)
    assert spans_and_links(records) == (renamed, set())


def test_doccano_duplicate_span_is_one_span_and_meta_is_kept(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = DOCCANO / "import_sequence_labeling_overlapping.jsonl"
    spans, _ = doccano_expected(path)
    with Project.open(make_project(schema_yaml(["LOC"]))) as project:
        report = import_paths(project, [path])
        (record,) = native(project, tmp_path / "out.jsonl")
    assert len(json.loads(path.read_text(encoding="utf-8"))["label"]) == 2 and len(spans) == 1
    assert report.spans_added == 1 and spans_and_links([record]) == (spans, set())
    assert record["meta"] == {"wikiPageID": 1}


def test_doccano_record_without_text_is_refused_by_line(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = DOCCANO / "import_sequence_labeling_with_meta_and_missing_text.jsonl"
    missing = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if '"text"' not in line]
    assert missing == [3]
    with Project.open(make_project(schema_yaml(["LOC", "PER"]))) as project:
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [path])
        assert native(project, tmp_path / "none.jsonl") == []  # nothing imported
        report = import_paths(project, [path], skip_invalid=True)
        records = native(project, tmp_path / "out.jsonl")
    (problem,) = failure.value.problems
    assert (problem.source, problem.line, problem.message) == (str(path), 3, "record has no 'text'")
    assert f"{path}:3: record has no 'text'" in str(failure.value)
    assert [(p.line, p.message) for p in report.invalid] == [(3, "record has no 'text'")]
    assert [(r["text"], r["meta"], len(r["spans"])) for r in records] == [
        ("exampleA", {"wikiPageID": 1}, 1),
        ("exampleB", {"wikiPageID": 2}, 0),
    ]


# Label Studio ------------------------------------------------------------------------------


def label_studio_expected(path: Path) -> tuple[str, set[Span]]:
    task = json.loads(path.read_text(encoding="utf-8"))
    results = [r for a in task.get("annotations") or task["completions"] for r in a["result"]]
    doc = task["data"]["text"]
    spans = {
        (doc, r["value"]["start"], r["value"]["end"], r["value"]["labels"][0], r["value"]["text"]) for r in results
    }
    return doc, spans


def test_label_studio_task_into_the_news_schema(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = LABEL_STUDIO / "named_entity_reuters_cocoa_1.json"
    text, spans = label_studio_expected(path)
    assert detect_format(path) == "label-studio"
    with Project.open(make_project()) as project:
        report = import_paths(project, [path], mapping=LabelMapping(rename={"Date": "DATE"}))
        (record,) = native(project, tmp_path / "out.jsonl")
    assert record["text"] == text and report.spans_added == len(spans) == 1
    assert spans_and_links([record])[0] == {(d, s, e, "DATE", t) for d, s, e, _, t in spans}
    assert record["status"] == "done"


def test_label_studio_legacy_completions(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = LABEL_STUDIO / "legacy_completions_348.json"
    text, spans = label_studio_expected(path)
    assert detect_format(path) == "label-studio"
    with Project.open(make_project(schema_yaml(["INGREDIENT"]))) as project:
        report = import_paths(project, [path])
        (record,) = native(project, tmp_path / "out.jsonl")
    assert record["text"] == text and report.spans_added == len(spans) == 38
    assert spans_and_links([record]) == (spans, set())
    assert record["id"] == "348"  # the task's id


# brat --------------------------------------------------------------------------------------

BRAT_SCHEMA = schema_yaml(
    {
        "Person": [("Individual", "boolean"), ("Mention", "choice:Name, Nominal, Other"), ("Reference", "text")],
        "Organization": [],
        "GPE": [("AnnotatorNotes", "text")],
        "Money": [("AnnotatorNotes", "text")],
        "Transfer-money": [],
        "Merge-org": [],
        "Report": [],
    },
    [
        ("Located", ["Person"], ["GPE"]),
        ("Family", ["Person"], ["Person"]),
        ("Origin", ["Organization"], ["GPE"]),
    ],
)
BRAT_FILES = sorted((BRAT / "news-tutorial").glob("*.ann"))


def brat_expected(path: Path) -> tuple[set[Span], set[Link], list[int], dict[tuple[int, int], dict[str, Any]]]:
    """T and R lines, the lines the project cannot hold, and the attributes it can."""
    doc = path.with_suffix(".txt").read_text(encoding="utf-8")
    spans: dict[str, tuple[int, int, str, str]] = {}
    links, unsupported, attributes, later = set(), [], {}, []
    for number, line in enumerate((path).read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split("\t")
        if fields[0].startswith("T"):
            label, start, end = fields[1].split()
            spans[fields[0]] = (int(start), int(end), label, fields[2])
        elif fields[0][0] in "E*":
            unsupported.append(number)
        else:
            later.append((number, fields))
    for number, fields in later:
        parts = fields[1].split()
        targets = [p.split(":")[-1] for p in parts[1:3]] if fields[0][0] == "R" else [parts[1]]
        if not all(t in spans for t in targets):
            unsupported.append(number)
        elif fields[0][0] == "R":
            links.add((doc, parts[0], *(spans[t][:2] for t in targets)))
        else:
            value = True if len(parts) == 2 and fields[0][0] == "A" else parts[2] if fields[0][0] != "#" else fields[2]
            attributes.setdefault(spans[targets[0]][:2], {})[parts[0]] = value
    return {(doc, *span) for span in spans.values()}, links, sorted(unsupported), attributes


@pytest.mark.parametrize("path", BRAT_FILES, ids=lambda p: p.stem)
def test_brat_fixtures(make_project: ProjectMaker, tmp_path: Path, path: Path) -> None:
    spans, links, unsupported, attributes = brat_expected(path)
    assert detect_format(path) == detect_format(path.with_suffix(".txt")) == "brat"
    with Project.open(make_project(BRAT_SCHEMA)) as project:
        report = import_records(project, read_brat(path, schema=project.schema), skip_invalid=True)
        (record,) = native(project, tmp_path / "out.jsonl")
    assert record["text"] == path.with_suffix(".txt").read_bytes().decode("utf-8")
    assert record["id"] == path.stem
    assert (report.spans_added, report.relations_added) == (len(spans), len(links))
    assert spans_and_links([record]) == (spans, links)
    assert {(s["start"], s["end"]): s["attributes"] for s in record["spans"] if s["attributes"]} == attributes
    assert [(p.source, p.line) for p in report.invalid] == [(str(path), n) for n in unsupported]
    assert all("cannot be imported" in p.message for p in report.invalid)


def test_brat_what_the_project_cannot_hold_stops_the_import_until_skip_invalid(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    path = BRAT / "news-tutorial" / "000-introduction.ann"
    with Project.open(make_project(BRAT_SCHEMA)) as project:
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [path])
        assert native(project, tmp_path / "none.jsonl") == []
    messages = [str(p) for p in failure.value.problems]
    assert f"{path}:4: event E1 (Transfer-money): cannot be imported" in messages[0]
    assert any(":16: A5 (Confidence) on E1, not an imported entity" in m for m in messages)


def test_brat_notes_and_normalisations_need_a_schema_attribute(make_project: ProjectMaker, tmp_path: Path) -> None:
    path = BRAT / "news-tutorial" / "000-introduction.ann"
    plain = schema_yaml(
        {"Person": [("Individual", "boolean"), ("Mention", "choice:Name, Nominal, Other")], "Organization": []}
        | {label: [] for label in ("GPE", "Money", "Transfer-money")},
        [("Origin", ["Organization"], ["GPE"]), ("Family", ["Person"], ["Person"])],
    )
    with Project.open(make_project(plain)) as project:
        report = import_records(project, read_brat(path, schema=project.schema), skip_invalid=True)
    lines = {p.line: p.message for p in report.invalid}
    assert "label Money has no attribute 'AnnotatorNotes'" in lines[10]
    assert "label Person has no attribute 'Reference'" in lines[17]
    assert report.spans_added == 7


def test_brat_folder_import(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(make_project(BRAT_SCHEMA)) as project:
        report = import_paths(project, [BRAT / "news-tutorial"], format_name="brat", skip_invalid=True)
        records = native(project, tmp_path / "out.jsonl")
    assert report.documents_added == len(BRAT_FILES) == 5
    assert sorted(r["id"] for r in records) == [p.stem for p in BRAT_FILES]
    assert report.spans_added == sum(len(brat_expected(p)[0]) for p in BRAT_FILES)


# Detection ---------------------------------------------------------------------------------


def test_detection_refuses_ambiguous_and_unknown_files(tmp_path: Path) -> None:
    both = write_jsonl(
        tmp_path / "both.jsonl", [json.dumps({"text": "Kim", "label": [[0, 3, "X"]], "_input_hash": 1, "spans": []})]
    )
    with pytest.raises(AnnotatorError, match=r"could be doccano or prodigy; say which with --format"):
        detect_format(both)
    odd = tmp_path / "odd.json"
    odd.write_text("[1, 2, 3]", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="cannot tell its format"):
        detect_format(odd)
    broken = tmp_path / "broken.json"
    broken.write_text('{"data": ', encoding="utf-8")
    with pytest.raises(AnnotatorError, match="cannot tell its format"):
        detect_format(broken)


def test_native_files_are_not_taken_for_another_tools(tmp_path: Path) -> None:
    assert detect_format(EXAMPLE / "reference.jsonl") == "jsonl"
    assert detect_format(EXAMPLE / "north-korea-russia-ties.txt") == "txt"
    lone = tmp_path / "lone.txt"
    lone.write_text("No .ann beside me.", encoding="utf-8")
    assert detect_format(lone) == "txt"
    assert detect_format(BRAT / "news-tutorial" / "060-relation_annotation.txt") == "brat"


def test_a_folder_of_mixed_formats_imports_each_file_once(make_project, tmp_path: Path) -> None:
    import shutil

    from annotator.importers import LabelMapping, import_paths
    from annotator.project import Project

    folder = tmp_path / "mixed"
    shutil.copytree(
        FIXTURES / "brat" / "news-tutorial", folder / "brat", ignore=shutil.ignore_patterns("00*", "08*", "1*")
    )
    shutil.copyfile(FIXTURES / "label-studio" / "named_entity_reuters_cocoa_1.json", folder / "task.json")
    (folder / "notes.md").write_text("not a document", encoding="utf-8")
    schema = "name: t\nversion: 1\nlabels:\n" + "".join(
        f"  - {{name: {name}, color: '#112233', hotkey: '{key}'}}\n" for name, key in (("Person", "p"), ("GPE", "g"))
    )
    with Project.open(make_project(schema)) as project:
        report = import_paths(
            project,
            [folder],
            mapping=LabelMapping(rename={"Date": "GPE"}, drop=frozenset({"Located"})),
            skip_invalid=True,  # brat's equivalence line (Alias) has no place in the project
        )
    assert [(Path(p.source).name, p.line) for p in report.invalid] == [("060-relation_annotation.ann", 6)]
    assert (report.documents_added, report.documents_skipped) == (2, 0)  # brat pair once, the task once
