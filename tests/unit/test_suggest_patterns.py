"""The patterns and gazetteers source (annotator/suggest/patterns.py, pattern_files.py): the schema's
`patterns:` key, spaCy pattern files and plain gazetteers, every error naming file:line, which
overlapping hits are proposed, and offsets that are code points into the untouched text."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.cli import main
from annotator.db import core_tables
from annotator.errors import AnnotatorError
from annotator.project import Project
from annotator.schema import LabelPattern, Schema, SchemaError, parse_schema
from annotator.suggest.base import DocumentInput, SourceContext, Suggestion, SuggestionError
from annotator.suggest.patterns import PatternSource, choose, make_source
from annotator.suggest.registry import build_source
from annotator.suggest.settings import SuggestionSettings
from tests.conftest import TRICKY_TEXT, ProjectMaker

SCHEMA = """\
name: s
version: 1
overlap: {overlap}
labels:
  - name: ACTOR
    color: "#000000"
    hotkey: a
    attributes:
      - {{name: kind, type: choice, values: [person, state]}}
    patterns:
      - north korea
      - [{{LOWER: the}}, {{LOWER: kremlin}}]
  - name: PLACE
    color: "#FFFFFF"
    hotkey: p
"""


def _schema(overlap: str = "nested", text: str | None = None) -> Schema:
    return parse_schema(text or SCHEMA.format(overlap=overlap), "schema.yaml")


def _source(
    tmp_path: Path, lines: list[str] | None = None, overlap: str = "nested", name: str = "p.jsonl"
) -> PatternSource:
    paths: tuple[Path, ...] = ()
    if lines is not None:
        (tmp_path / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        paths = (tmp_path / name,)
    context = SourceContext(tmp_path, _schema(overlap), "en", SuggestionSettings(patterns=paths), None, 1)
    return make_source(context, None)


def _found(source: PatternSource, text: str) -> list[tuple[str, str, float]]:
    [proposals] = source.propose([DocumentInput(7, "d", text, {})])
    return [(text[s.start : s.end], s.label, s.score) for s in proposals.spans]


# --- the schema's patterns: key ---


def test_the_schema_reads_phrases_and_token_patterns() -> None:
    actor = _schema().labels[0]
    assert actor.patterns == (
        LabelPattern("north korea"),
        LabelPattern(
            ({"LOWER": "the"}, {"LOWER": "kremlin"}),
        ),
    )
    assert [(p.line, p.key) for p in actor.patterns] == [(11, "labels[0].patterns[0]"), (12, "labels[0].patterns[1]")]


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        ("[3]", "schema.yaml:7: labels[0].patterns[0]: expected a phrase or a spaCy token pattern, got integer 3"),
        ("['']", "schema.yaml:7: labels[0].patterns[0]: a phrase cannot be empty"),
        ("[[x]]", "schema.yaml:7: labels[0].patterns[0]: expected a phrase or a spaCy token pattern, got a list"),
        ("[[{3: x}]]", "schema.yaml:7: labels[0].patterns[0]: a token attribute is a string, got integer 3"),
        ("north korea", "schema.yaml:7: labels[0].patterns: expected a list, got string 'north korea'"),
        ("[[{LOWER: !!python/name:os.system x}]]", "tag '!!python/name:os.system' is not allowed"),
    ],
)
def test_a_bad_patterns_key_is_refused_at_its_line(patterns: str, message: str) -> None:
    text = f"name: s\nversion: 1\nlabels:\n  - name: A\n    color: '#000'\n    hotkey: a\n    patterns: {patterns}\n"
    with pytest.raises(SchemaError) as caught:
        parse_schema(text, "schema.yaml")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_token_pattern_spacy_refuses_is_a_schema_error_at_its_line(tmp_path: Path) -> None:
    text = SCHEMA.format(overlap="nested").replace("{LOWER: kremlin}", "{LOWR: kremlin}")
    schema = _schema(text=text)  # the shape is fine: spaCy is asked when the source is built
    context = SourceContext(tmp_path, schema, "en", SuggestionSettings(), None, 1)
    with pytest.raises(SchemaError, match=r"^schema.yaml:12: labels\[0\].patterns\[1\]: spaCy refuses this token"):
        make_source(context, None)
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["schema", "check", str(path)]) == 1  # `schema check` asks spaCy too


def test_schema_phrases_ignore_case_and_match_whole_tokens(tmp_path: Path) -> None:
    found = _found(_source(tmp_path), "NORTH KOREA and North Korea’s envoy met the Kremlin; North Koreans did not.")
    assert found == [("NORTH KOREA", "ACTOR", 1.0), ("North Korea", "ACTOR", 1.0), ("the Kremlin", "ACTOR", 1.0)]


# --- pattern files ---


def test_a_jsonl_file_in_spacys_format_with_attributes_and_trim(tmp_path: Path) -> None:
    source = _source(
        tmp_path,
        [
            '{"label": "ACTOR", "pattern": "Russia", "id": "russia", "attributes": {"kind": "state"}}',
            "",
            '{"label": "ACTOR", "pattern": [{"LOWER": "leader"}, {"IS_TITLE": true, "OP": "+"}], "trim": [1, 0]}',
            '{"label": "PLACE", "pattern": "Moscow"}',
        ],
    )
    [proposals] = source.propose([DocumentInput(7, "d", "Russia's leader Vladimir Putin left moscow for Moscow.", {})])
    assert proposals.document_id == 7
    assert proposals.spans == [
        Suggestion(0, 6, "ACTOR", 1.0, "patterns", {"kind": "state"}),
        Suggestion(16, 30, "ACTOR", 1.0, "patterns"),  # "Vladimir Putin": the longest of the title's hits
        Suggestion(47, 53, "PLACE", 1.0, "patterns"),  # a file's phrase matches as written
    ]


def test_a_plain_gazetteer_is_named_after_its_label(tmp_path: Path) -> None:
    source = _source(tmp_path, ["# capitals", "Moscow", "  Pyongyang  ", ""], name="PLACE.txt")
    assert _found(source, "Pyongyang and Moscow") == [("Pyongyang", "PLACE", 1.0), ("Moscow", "PLACE", 1.0)]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"label": "ACTOR", "pattern": "X"}', "{label: ACTOR}"], "p.jsonl:2: not JSON (Expecting property name"),
        (['{"label": "ACTR", "pattern": "X"}'], "p.jsonl:1: label 'ACTR' is not in the schema (labels: ACTOR, PLACE)"),
        (
            ['{"label": "ACTOR", "pattern": [{"LOWR": "x"}]}'],
            "p.jsonl:1: spaCy refuses this token pattern: token 1, LOWR: Extra inputs",
        ),
        (
            ['{"label": "ACTOR", "pattern": [{"LOWER": "x", "OP": "%"}]}'],
            "p.jsonl:1: spaCy refuses this token pattern: token 1, OP: Input should be",
        ),
        (['{"label": "ACTOR", "pattern": ""}'], "p.jsonl:1: a pattern is a phrase or a list of token objects"),
        (['["ACTOR", "X"]'], "p.jsonl:1: expected an object with a label and a pattern"),
        (['{"label": "ACTOR", "pattern": "X", "patern": 1}'], "p.jsonl:1: unknown key 'patern'"),
        (['{"label": "ACTOR", "pattern": "X", "attributes": {"kind": "city"}}'], "p.jsonl:1: attribute 'kind': 'city'"),
        (
            ['{"label": "PLACE", "pattern": "X", "attributes": {"kind": "state"}}'],
            "p.jsonl:1: PLACE has no attribute 'kind'",
        ),
        (['{"label": "ACTOR", "pattern": "X", "trim": [-1, 0]}'], "p.jsonl:1: trim is [tokens before, tokens after]"),
        (['{"label": "ACTOR", "pattern": "X", "id": 3}'], "p.jsonl:1: id must be a string"),
    ],
)
def test_a_bad_pattern_file_is_refused_in_one_line_naming_file_and_line(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(SuggestionError) as caught:
        _source(tmp_path, lines)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_missing_unreadable_and_misnamed_files_are_refused(tmp_path: Path) -> None:
    schema = _schema()
    for name, message in [
        ("gone.jsonl", "gone.jsonl: pattern file not found (named by suggestions.patterns in project.yaml)"),
        ("terms.csv", "terms.csv: a pattern file is .jsonl"),
        ("CITY.txt", "CITY.txt:1: a plain gazetteer is named after its label, and the schema has no label 'CITY'"),
    ]:
        if name != "gone.jsonl":
            (tmp_path / name).write_text("Moscow\n", encoding="utf-8")
        context = SourceContext(tmp_path, schema, "en", SuggestionSettings(patterns=(tmp_path / name,)), None, 1)
        with pytest.raises(SuggestionError, match=f"^{re.escape(message)}"):
            make_source(context, None)
    (tmp_path / "bad.jsonl").write_bytes(b'{"label": "ACTOR", "pattern": "X"}\n{"label": "\xff"}\n')
    context = SourceContext(tmp_path, schema, "en", SuggestionSettings(patterns=(tmp_path / "bad.jsonl",)), None, 1)
    with pytest.raises(SuggestionError, match=r"^bad\.jsonl:2: not valid UTF-8"):
        make_source(context, None)


def test_hostile_pattern_files_are_refused_in_one_line(tmp_path: Path) -> None:
    cases: list[tuple[str, str]] = [
        ("fifo.jsonl", "fifo.jsonl: not a regular file"),  # a FIFO would block the run forever
        ("zero.jsonl", "zero.jsonl: not a regular file"),  # /dev/zero never ends
        ("loop.jsonl", "loop.jsonl: cannot read the pattern file: Too many levels of symbolic links"),
        ("deep.jsonl", "deep.jsonl:1: nested too deeply to be a pattern"),
        ("lone.jsonl", "lone.jsonl:2: a string holds a lone surrogate"),
        ("huge.jsonl", "huge.jsonl:2: a line over 1 MB; each line is one pattern"),
        ("ACTOR.txt", "ACTOR.txt:1: a line over 1 MB"),
    ]
    os.mkfifo(tmp_path / "fifo.jsonl")
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    (tmp_path / "loop.jsonl").symlink_to(tmp_path / "loop2.jsonl")
    (tmp_path / "loop2.jsonl").symlink_to(tmp_path / "loop.jsonl")
    (tmp_path / "deep.jsonl").write_text('{"label": "ACTOR", "pattern": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    good = '{"label": "ACTOR", "pattern": "X"}\n'
    (tmp_path / "lone.jsonl").write_text(good + '{"label": "ACTOR", "pattern": "a\\ud800b"}\n')
    (tmp_path / "huge.jsonl").write_text(good + '{"label": "ACTOR", "pattern": "' + "a" * 2**21 + '"}\n')
    (tmp_path / "ACTOR.txt").write_text("b" * 2**21)  # one endless line, no newline at all
    for name, message in cases:
        context = SourceContext(tmp_path, _schema(), "en", SuggestionSettings(patterns=(tmp_path / name,)), None, 1)
        with pytest.raises(SuggestionError, match=f"^{re.escape(message)}") as caught:
            make_source(context, None)
        assert "\n" not in str(caught.value)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=80) | st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_bytes_as_a_pattern_file_build_or_are_one_suggestion_error(
    tmp_path_factory: Any, lines: list[bytes]
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "p.jsonl").write_bytes(b"\n".join(lines))
    context = SourceContext(folder, _schema(), "en", SuggestionSettings(patterns=(folder / "p.jsonl",)), None, 1)
    try:
        make_source(context, None)
    except SuggestionError as error:
        assert str(error).startswith("p.jsonl") and "\n" not in str(error)


def test_no_patterns_at_all_or_an_unknown_language_is_a_clear_error(tmp_path: Path) -> None:
    bare = _schema(text=SCHEMA.format(overlap="allow").split("    patterns:")[0])
    with pytest.raises(SuggestionError, match="the patterns source has no patterns"):
        make_source(SourceContext(tmp_path, bare, "en", SuggestionSettings(), None, 1), None)
    with pytest.raises(SuggestionError, match="spaCy has no language 'qq'"):
        make_source(SourceContext(tmp_path, _schema(), "qq", SuggestionSettings(), None, 1), None)


# --- which hits are proposed ---


def test_overlapping_hits_follow_the_schemas_overlap_rule() -> None:
    hits = {(0, 11, "ACTOR"): {}, (6, 11, "ACTOR"): {}, (0, 5, "PLACE"): {}, (5, 13, "PLACE"): {}}
    keys = {mode: [(s.start, s.end, s.label) for s in choose(hits, mode, 20)] for mode in ("allow", "nested", "forbid")}
    # the same label never nests (6-11 inside 0-11 goes); the labels together as the schema says
    assert keys["allow"] == [(0, 5, "PLACE"), (0, 11, "ACTOR"), (5, 13, "PLACE")]
    assert keys["nested"] == [(0, 5, "PLACE"), (0, 11, "ACTOR")]  # 5-13 crosses 0-11, the longer
    assert keys["forbid"] == [(0, 11, "ACTOR")]  # longest first


def test_a_stretch_hit_under_two_labels_is_proposed_under_both_at_half_score(tmp_path: Path) -> None:
    source = _source(tmp_path, ['{"label": "PLACE", "pattern": "North Korea"}'], overlap="forbid")
    assert _found(source, "North Korea") == [("North Korea", "ACTOR", 0.5), ("North Korea", "PLACE", 0.5)]


# --- offsets: code points into the untouched text ---


@cache
def _tricky_source(folder: str) -> PatternSource:
    lines = ['{"label": "PLACE", "pattern": "平壤"}', '{"label": "ACTOR", "pattern": [{"IS_TITLE": true}]}']
    return _source(Path(folder), lines, overlap="allow")


def test_offsets_are_code_points_with_emoji_flags_and_combining_marks(tmp_path: Path) -> None:
    found = _found(
        _source(tmp_path, ['{"label": "PLACE", "pattern": "平壤"}']), TRICKY_TEXT + " 👩‍👩‍👧 e\u0301 North Korea"
    )
    assert found == [("平壤", "PLACE", 1.0), ("North Korea", "ACTOR", 1.0)]


@settings(max_examples=150, deadline=None)
@given(before=st.text(), after=st.text())
def test_every_proposal_is_in_range_and_a_hit_is_its_own_text(
    tmp_path_factory: pytest.TempPathFactory, before: str, after: str
) -> None:
    source = _tricky_source(str(tmp_path_factory.getbasetemp()))
    text = f"{before} North Korea 平壤 {after}"
    [proposals] = source.propose([DocumentInput(1, "d", text, {})])
    for s in proposals.spans:
        assert 0 <= s.start < s.end <= len(text)
        if s.label == "PLACE":
            assert text[s.start : s.end] == "平壤"
    assert any(text[s.start : s.end].lower() == "north korea" for s in proposals.spans)


# --- through the registry, on a project ---


def test_the_registry_builds_the_source_from_a_projects_settings(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = make_project(SCHEMA.format(overlap="nested"))
    (root / "gazetteer.jsonl").write_text('{"label": "PLACE", "pattern": "Moscow"}\n', encoding="utf-8")
    with (root / "project.yaml").open("a", encoding="utf-8") as handle:
        handle.write("suggestions:\n  sources: [patterns]\n  patterns: [gazetteer.jsonl]\n")
    with Project.open(root) as project:
        config = project.config
        context = SourceContext(
            config.root, project.schema, config.language, config.suggestions, project.engine, project.id
        )
        source = build_source("patterns", context)
    assert source.name == "patterns"
    [proposals] = source.propose([DocumentInput(1, "d", "North Korea and Moscow", {})])
    assert [(s.start, s.end, s.label) for s in proposals.spans] == [(0, 11, "ACTOR"), (16, 22, "PLACE")]
    (root / "gazetteer.jsonl").write_text('{"label": "PLACE", "pattern": "Moscow"\n', encoding="utf-8")
    with pytest.raises(AnnotatorError, match=r"^gazetteer.jsonl:1: not JSON"):
        build_source("patterns", context)


def test_the_bench_gets_the_bare_matchers(tmp_path: Path) -> None:
    source = _source(tmp_path, ['{"label": "PLACE", "pattern": "Moscow"}'])
    assert source.nlp.pipe_names == ["patterns", "patterns_ignoring_case"]
    doc = next(iter(source.nlp.pipe(["Moscow and North Korea"])))
    assert sorted(span.text for span in doc.spans["patterns"]) == ["Moscow", "North Korea"]


def test_adding_patterns_to_a_schema_in_use_records_a_new_version(make_project: ProjectMaker) -> None:
    root = make_project(SCHEMA.format(overlap="nested").split("    patterns:")[0])
    with Project.open(root) as project:
        first = project.schema.sha256
    with_patterns = SCHEMA.format(overlap="nested")
    (root / "schema.yaml").write_text(with_patterns, encoding="utf-8")
    with Project.open(root) as project, project.engine.connect() as connection:
        versions = connection.execute(
            select(core_tables.schema_versions.c.sha256, core_tables.schema_versions.c.text).order_by(
                core_tables.schema_versions.c.id
            )
        ).all()
        assert project.schema.labels[0].patterns[0].pattern == "north korea"
    assert [sha for sha, _ in versions] == [first, project.schema.sha256] and versions[1][1] == with_patterns
