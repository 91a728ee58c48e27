"""Tests for annotator/schema.py: loading, every kind of schema error, and safety."""

from __future__ import annotations

import hashlib
import pickle
import uuid
from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from annotator.errors import AnnotatorError
from annotator.schema import (
    AttributeSpec,
    LabelSpec,
    RelationSpec,
    SchemaError,
    SchemaProblem,
    load_schema,
    parse_schema,
)

NEWS_YAML = Path(__file__).resolve().parents[2] / "annotator" / "example" / "news.yaml"

VALID = dedent(
    """\
    name: news.v2
    version: 3
    description: |
      Who says what.
    overlap: nested
    labels:
      - name: ACTOR
        color: "#4e79a7"
        hotkey: a
        description: |
          A person or organisation.
        attributes:
          - name: kind
            type: choice
            values: [person, organisation, state, other]
            description: what sort of actor
          - {name: named, type: boolean}
      - name: CLAIM
        color: "#f0a"
        hotkey: c
      - name: DATE
        color: "#888888"
        hotkey: "1"
        attributes:
          - {name: value, type: date}
          - {name: note, type: text}
    relations:
      - name: SAID_BY
        head: [CLAIM]
        tail: [ACTOR, DATE]
        hotkey: s
        color: "#123"
        description: who said it
      - name: WHEN
        head: CLAIM
        tail: DATE
    document_labels:
      - name: OPINION
        hotkey: o
        description: an opinion piece
      - name: OFF_TOPIC
    """
)

# The smallest valid schema; error cases below vary one part of it.
MINIMAL = dedent(
    """\
    name: s
    version: 1
    labels:
      - name: A
        color: "#000000"
        hotkey: a
    """
)


def problems_of(text: str) -> tuple[SchemaProblem, ...]:
    with pytest.raises(SchemaError) as caught:
        parse_schema(text, "test.yaml")
    return caught.value.problems


def only_problem(text: str) -> SchemaProblem:
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# --- a valid schema ---------------------------------------------------------------------


def test_valid_schema_becomes_the_expected_dataclasses() -> None:
    schema = parse_schema(VALID)

    assert (schema.name, schema.version, schema.overlap) == ("news.v2", 3, "nested")
    assert schema.description == "Who says what."
    assert schema.label_names == ("ACTOR", "CLAIM", "DATE")
    actor = schema.label("ACTOR")
    assert actor == LabelSpec(
        name="ACTOR",
        color="#4E79A7",
        hotkey="a",
        description="A person or organisation.",
        attributes=(
            AttributeSpec("kind", "choice", ("person", "organisation", "state", "other"), "what sort of actor"),
            AttributeSpec("named", "boolean"),
        ),
    )
    assert schema.label("CLAIM") == LabelSpec("CLAIM", "#FF00AA", "c")
    date = schema.label("DATE")
    assert date is not None and date.hotkey == "1"
    assert date.attribute("value") == AttributeSpec("value", "date")
    assert date.attribute("note") == AttributeSpec("note", "text")
    assert date.attribute("kind") is None
    assert schema.label("NOPE") is None
    assert schema.relations == (
        RelationSpec("SAID_BY", ("CLAIM",), ("ACTOR", "DATE"), "s", "who said it", "#112233"),
        RelationSpec("WHEN", ("CLAIM",), ("DATE",)),  # single strings become 1-tuples
    )
    assert schema.relation("WHEN") is schema.relations[1]
    assert schema.relation("NOPE") is None
    assert [(d.name, d.hotkey, d.description) for d in schema.document_labels] == [
        ("OPINION", "o", "an opinion piece"),
        ("OFF_TOPIC", None, ""),
    ]
    assert schema.text == VALID
    assert schema.source == "<string>"


def test_optional_parts_default() -> None:
    schema = parse_schema(MINIMAL)
    assert schema.description == ""
    assert schema.overlap == "allow"
    assert schema.relations == ()
    assert schema.document_labels == ()
    assert schema.labels == (LabelSpec("A", "#000000", "a"),)


def test_empty_optional_values_mean_not_given() -> None:
    schema = parse_schema(MINIMAL + "description:\nrelations:\ndocument_labels:\n")
    assert (schema.description, schema.relations, schema.document_labels) == ("", (), ())


def test_bare_digit_hotkey_is_that_key() -> None:
    schema = parse_schema(MINIMAL.replace("hotkey: a", "hotkey: 7"))
    assert schema.labels[0].hotkey == "7"


def test_anchors_and_aliases_are_accepted() -> None:
    text = MINIMAL + (
        "  - name: B\n"
        '    color: &grey "#999"\n'
        "    hotkey: b\n"
        "    attributes:\n"
        "      - {name: kind, type: choice, values: &kinds [x, y]}\n"
        "  - name: C\n"
        "    color: *grey\n"
        "    hotkey: c\n"
        "    attributes:\n"
        "      - {name: kind, type: choice, values: *kinds}\n"
    )
    schema = parse_schema(text)
    assert schema.labels[2].color == "#999999"
    assert schema.labels[2].attributes[0].values == ("x", "y")


def test_sha256_is_the_hash_of_the_exact_file_bytes(tmp_path: Path) -> None:
    # CRLF, a BOM, trailing blanks and a comment must all survive: the hash names the file.
    raw = ("\ufeff# news\r\n" + MINIMAL.replace("\n", "  \r\n")).encode("utf-8")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(raw)

    schema = load_schema(path)

    assert schema.sha256 == hashlib.sha256(raw).hexdigest()
    assert schema.text.encode("utf-8") == raw
    assert schema.source == str(path)
    assert parse_schema(MINIMAL).sha256 != parse_schema(MINIMAL + "# changed\n").sha256


# --- single errors: line and key path ---------------------------------------------------

ERRORS = [
    # (yaml, line, key, part of the message)
    ("name: s\nversion: 1\nlabels: [\n", 4, "", "YAML syntax error"),
    ("- name: s\n- version: 1\n", 1, "", "expected a mapping, got a list"),
    ("", 1, "", "empty"),
    ("name: s\nversion: 1\n", 1, "labels", "missing required key 'labels'"),
    ("name: s\nversion: 1\nlabels: []\n", 3, "labels", "at least one label"),
    (MINIMAL.replace("name: s", "name: 5"), 1, "name", "expected a string, got integer 5"),
    (MINIMAL.replace("name: s", "name: news!"), 1, "name", "not a valid name"),
    (MINIMAL.replace("version: 1", "version: '1'"), 2, "version", "positive integer"),
    (MINIMAL.replace("version: 1", "version: 0"), 2, "version", "positive integer"),
    (MINIMAL.replace("version: 1", "version: true"), 2, "version", "got boolean true"),
    (MINIMAL.replace("version: 1", "version: 1.5"), 2, "version", "positive integer"),
    (MINIMAL + "overlap: partial\n", 7, "overlap", "expected one of allow, nested, forbid"),
    (MINIMAL + "labls: []\n", 7, "labls", "did you mean 'labels'?"),
    (MINIMAL + "relations: {}\n", 7, "relations", "expected a list, got a mapping"),
    ("name: s\nversion: 1\nlabels: A\n", 3, "labels", "expected a list, got string 'A'"),
    ("name: s\nversion: 1\nlabels:\n  - A\n", 4, "labels[0]", "expected a mapping"),
    (MINIMAL + "    colour: red\n", 7, "labels[0].colour", "did you mean 'color'?"),
    (MINIMAL.replace('    color: "#000000"\n', ""), 4, "labels[0].color", "missing required key 'color'"),
    (MINIMAL.replace("    hotkey: a\n", ""), 4, "labels[0].hotkey", "missing required key 'hotkey'"),
    (MINIMAL.replace("name: A", "name: 1A"), 4, "labels[0].name", "not a valid name"),
    (MINIMAL.replace("name: A", "name: A B"), 4, "labels[0].name", "not a valid name"),
    (MINIMAL.replace("name: A", "name: A.B"), 4, "labels[0].name", "not a valid name"),
    (MINIMAL.replace("hotkey: a", "hotkey: ab"), 6, "labels[0].hotkey", "exactly one character"),
    (MINIMAL.replace("hotkey: a", 'hotkey: ""'), 6, "labels[0].hotkey", "exactly one character"),
    (MINIMAL.replace("hotkey: a", 'hotkey: " "'), 6, "labels[0].hotkey", "visible character"),
    (MINIMAL.replace("hotkey: a", 'hotkey: "\\t"'), 6, "labels[0].hotkey", "visible character"),
    (MINIMAL.replace("hotkey: a", "hotkey: [a]"), 6, "labels[0].hotkey", "expected a string"),
    (MINIMAL.replace("hotkey: a", "hotkey: true"), 6, "labels[0].hotkey", "put it in quotes"),
    (MINIMAL.replace('"#000000"', "blue"), 5, "labels[0].color", "not a colour"),
    (MINIMAL.replace('"#000000"', '"#12345"'), 5, "labels[0].color", "not a colour"),
    (MINIMAL.replace('"#000000"', '"#GGGGGG"'), 5, "labels[0].color", "not a colour"),
    (MINIMAL.replace('"#000000"', '"000000"'), 5, "labels[0].color", "not a colour"),
    (MINIMAL.replace('"#000000"', "#000000"), 5, "labels[0].color", "starts a YAML comment"),
    (MINIMAL.replace("  - name: A\n", "  - name: A\n    name: B\n"), 5, "labels[0].name", "appears twice"),
    (MINIMAL.replace("name: s\n", "name: s\nname: t\n"), 2, "name", "appears twice (first on line 1)"),
    (MINIMAL + "---\nname: t\n", 7, "", "single document"),
    (MINIMAL.replace('"#000000"', "!!binary AAAA"), 5, "labels[0].color", "tag '!!binary' is not allowed"),
    (MINIMAL.replace('"#000000"', '!custom "#000000"'), 5, "labels[0].color", "tag '!custom' is not allowed"),
    (MINIMAL + "description: !!set {a, b}\n", 7, "description", "tag '!!set' is not allowed"),
    (MINIMAL + "    <<: {hotkey: b}\n", 7, "labels[0]", "merge keys (<<) are not supported"),
    (MINIMAL + "description: [a]\n", 7, "description", "expected a string, got a list"),
    (MINIMAL + "description: 2014-11-14\n", 7, "description", "put it in quotes"),
]


@pytest.mark.parametrize(("text", "line", "key", "message"), ERRORS)
def test_each_error_names_its_line_and_key(text: str, line: int, key: str, message: str) -> None:
    problem = only_problem(text)
    assert (problem.file, problem.line, problem.key) == ("test.yaml", line, key)
    assert message in problem.message


def test_duplicate_hotkey_names_the_entry_that_has_it() -> None:
    text = dedent(
        """\
        name: s
        version: 1
        labels:
          - {name: A, color: "#000", hotkey: a}
          - name: B
            color: "#111"
            hotkey: a
        """
    )
    problem = only_problem(text)
    assert (problem.line, problem.key) == (7, "labels[1].hotkey")
    assert problem.message == "duplicate hotkey 'a' (also used by labels[0])"
    assert str(problem) == "test.yaml:7: labels[1].hotkey: duplicate hotkey 'a' (also used by labels[0])"


def test_hotkeys_are_unique_across_labels_relations_and_document_labels_ignoring_case() -> None:
    text = MINIMAL + dedent(
        """\
        relations:
          - {name: R, head: A, tail: A, hotkey: A}
        document_labels:
          - {name: D, hotkey: a}
          - {name: E, hotkey: e}
        """
    )
    problems = problems_of(text)
    assert [(p.line, p.key) for p in problems] == [(8, "relations[0].hotkey"), (10, "document_labels[0].hotkey")]
    assert "also used by labels[0], ignoring case" in problems[0].message
    assert "also used by labels[0]" in problems[1].message


@pytest.mark.parametrize(
    ("section", "what"),
    [
        ("labels:\n  - {name: X, color: '#000', hotkey: x}\n  - {name: X, color: '#000', hotkey: y}\n", "label"),
        ("relations:\n  - {name: X, head: A, tail: A}\n  - {name: X, head: A, tail: A}\n", "relation"),
        ("document_labels:\n  - {name: X}\n  - {name: X}\n", "document label"),
    ],
)
def test_duplicate_names(section: str, what: str) -> None:
    text = ("name: s\nversion: 1\n" if section.startswith("labels") else MINIMAL) + section
    problem = only_problem(text)
    plural = section.split(":")[0]
    assert problem.key == f"{plural}[1].name"
    assert problem.line == len(text.splitlines())  # the second entry is the last line
    assert problem.message == f"duplicate {what} name 'X' (also used by {plural}[0])"


def test_relation_naming_an_unknown_label() -> None:
    text = MINIMAL + dedent(
        """\
        relations:
          - name: R
            head: [A, NOPE]
            tail: GONE
        """
    )
    problems = problems_of(text)
    assert [(p.line, p.key) for p in problems] == [(9, "relations[0].head[1]"), (10, "relations[0].tail")]
    assert problems[0].message == "unknown label 'NOPE' (labels: A)"
    assert "'GONE'" in problems[1].message


def test_relation_needs_head_and_tail() -> None:
    problems = problems_of(MINIMAL + "relations:\n  - name: R\n    head: []\n")
    assert [(p.line, p.key) for p in problems] == [(8, "relations[0].tail"), (9, "relations[0].head")]
    assert "missing required key 'tail'" in problems[0].message
    assert "at least one label" in problems[1].message


ATTRIBUTE_ERRORS = [
    ("{name: k, type: choice}", "labels[0].attributes[0].values", "needs a list of values"),
    ("{name: k, type: choice, values: []}", "labels[0].attributes[0].values", "at least one value"),
    ("{name: k, type: choice, values: [x, y, x]}", "labels[0].attributes[0].values[2]", "duplicate value 'x'"),
    ("{name: k, type: choice, values: [x, yes]}", "labels[0].attributes[0].values[1]", "got boolean yes"),
    ("{name: k, type: choice, values: [x, '']}", "labels[0].attributes[0].values[1]", "cannot be empty"),
    ("{name: k, type: text, values: [x]}", "labels[0].attributes[0].values", "only for type choice"),
    ("{name: k, type: integer}", "labels[0].attributes[0].type", "expected one of choice, text, boolean, date"),
    ("{name: k}", "labels[0].attributes[0].type", "missing required key 'type'"),
    ("{name: k k, type: text}", "labels[0].attributes[0].name", "not a valid name"),
    ("{name: k, type: text, default: x}", "labels[0].attributes[0].default", "allowed keys: name, type"),
]


@pytest.mark.parametrize(("attribute", "key", "message"), ATTRIBUTE_ERRORS)
def test_attribute_errors(attribute: str, key: str, message: str) -> None:
    problem = only_problem(MINIMAL + f"    attributes:\n      - {attribute}\n")
    assert (problem.line, problem.key) == (8, key)
    assert message in problem.message


def test_duplicate_attribute_names_within_one_label_only() -> None:
    text = dedent(
        """\
        name: s
        version: 1
        labels:
          - name: A
            color: "#000"
            hotkey: a
            attributes:
              - {name: k, type: text}
              - {name: k, type: date}
          - name: B
            color: "#000"
            hotkey: b
            attributes:
              - {name: k, type: text}
        """
    )
    problem = only_problem(text)
    assert (problem.line, problem.key) == (9, "labels[0].attributes[1].name")
    assert problem.message == "duplicate attribute name 'k' (also used by labels[0].attributes[0])"


def test_all_problems_of_a_file_are_reported_in_file_order() -> None:
    text = dedent(
        """\
        name: s
        version: -1
        labels:
          - name: A
            color: red
            hotkey: a
          - name: B
            color: "#000"
            hotkey: a
            size: 3
        relations:
          - {name: R, head: A, tail: Z}
        overlap: sometimes
        """
    )
    problems = problems_of(text)
    assert [(p.line, p.key) for p in problems] == [
        (2, "version"),
        (5, "labels[0].color"),
        (9, "labels[1].hotkey"),
        (10, "labels[1].size"),
        (12, "relations[0].tail"),
        (13, "overlap"),
    ]
    with pytest.raises(SchemaError) as caught:
        parse_schema(text, "news.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 6
    assert all(line.startswith("news.yaml:") for line in lines)
    assert lines[0].startswith("news.yaml:2: version: ")


def test_schema_error_is_an_annotator_error_and_pickles() -> None:
    with pytest.raises(AnnotatorError) as caught:
        parse_schema("name: s\n")
    assert isinstance(caught.value, SchemaError)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.problems == caught.value.problems
    assert str(copy) == str(caught.value)


# --- hostile YAML -------------------------------------------------------------------------

HOSTILE_TAGS = [
    "!!python/object/apply:os.system",
    "!!python/object/new:os.system",
]


@pytest.mark.parametrize("tag", HOSTILE_TAGS)
def test_python_tags_are_refused_and_never_run(tag: str, tmp_path: Path) -> None:
    target = tmp_path / f"pwned-{uuid.uuid4().hex}"
    payload = f'{tag} ["touch {target}"]'
    text = MINIMAL.replace("hotkey: a", f"hotkey: {payload}")
    # The payload really is a python tag (so this test cannot pass by accident).
    assert yaml.compose(payload, Loader=yaml.SafeLoader).tag.endswith(tag.removeprefix("!!"))

    problem = only_problem(text)

    assert (problem.line, problem.key) == (6, "labels[0].hotkey")
    assert f"tag '{tag}' is not allowed" in problem.message
    assert not target.exists()


@pytest.mark.parametrize("tag", HOSTILE_TAGS)
def test_hostile_file_is_refused_whole(tag: str, tmp_path: Path) -> None:
    target = tmp_path / f"pwned-{uuid.uuid4().hex}"
    path = tmp_path / "evil.yaml"
    path.write_text(f'# a comment\n{tag} ["touch {target}"]\n', encoding="utf-8")

    with pytest.raises(SchemaError) as caught:
        load_schema(path)

    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (str(path), 2)
    assert "is not allowed" in problem.message
    assert not target.exists()


def test_python_name_tag_is_refused() -> None:
    problem = only_problem(MINIMAL + "description: !!python/name:os.system ''\n")
    assert (problem.line, problem.key) == (7, "description")
    assert "'!!python/name:os.system' is not allowed" in problem.message


def test_self_referencing_alias_does_not_hang() -> None:
    problems = problems_of("name: s\nversion: 1\nlabels: &l [*l]\n")
    assert [(p.line, p.key) for p in problems] == [(3, "labels[0]")]


def test_deeply_nested_yaml_is_an_error_not_a_crash() -> None:
    problems = problems_of("description: " + "[" * 5000 + "]" * 5000 + "\n")
    assert problems and problems[0].line == 1


# --- files ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert caught.value.problems == (SchemaProblem(str(path), 1, "", "cannot read: file not found"),)
    assert str(path) in str(caught.value)


def test_directory_is_not_a_schema(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as caught:
        load_schema(tmp_path)
    assert caught.value.problems[0].file == str(tmp_path)


def test_non_utf8_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: s\nversion: 1\ndescription: café\n".encode("latin-1"))
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert "UTF-8" in problem.message and "0xE9" in problem.message


def test_problems_in_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace("hotkey: a", "hotkey: ab"), encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_schema(str(path))
    assert str(caught.value) == f"{path}:6: labels[0].hotkey: a hotkey is exactly one character, got 'ab'"


# --- attribute values and relations -------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "value", "ok"),
    [
        (AttributeSpec("k", "choice", ("person", "state")), "person", True),
        (AttributeSpec("k", "choice", ("person", "state")), "Person", False),
        (AttributeSpec("k", "choice", ("person", "state")), 1, False),
        (AttributeSpec("k", "text"), "", True),
        (AttributeSpec("k", "text"), "anything at all", True),
        (AttributeSpec("k", "text"), None, False),
        (AttributeSpec("k", "text"), 3, False),
        (AttributeSpec("k", "boolean"), True, True),
        (AttributeSpec("k", "boolean"), False, True),
        (AttributeSpec("k", "boolean"), 1, False),
        (AttributeSpec("k", "boolean"), 0, False),
        (AttributeSpec("k", "boolean"), "true", False),
        (AttributeSpec("k", "date"), "2014-11-14", True),
        (AttributeSpec("k", "date"), "2014-W47", True),
        (AttributeSpec("k", "date"), "2014", True),
        (AttributeSpec("k", "date"), "2014-02-30", False),
        (AttributeSpec("k", "date"), "2014-W54", False),
        (AttributeSpec("k", "date"), "yesterday", False),
        (AttributeSpec("k", "date"), 2014, False),
    ],
)
def test_attribute_check(spec: AttributeSpec, value: object, ok: bool) -> None:
    message = spec.check(value)
    if ok:
        assert message is None
    else:
        assert isinstance(message, str) and message


def test_relations_between() -> None:
    schema = parse_schema(VALID)
    assert [r.name for r in schema.relations_between("CLAIM", "DATE")] == ["SAID_BY", "WHEN"]
    assert [r.name for r in schema.relations_between("CLAIM", "ACTOR")] == ["SAID_BY"]
    assert schema.relations_between("ACTOR", "CLAIM") == ()  # direction matters
    assert schema.relations_between("CLAIM", "NOPE") == ()
    said_by = schema.relation("SAID_BY")
    assert said_by is not None and said_by.allows("CLAIM", "ACTOR") and not said_by.allows("ACTOR", "ACTOR")


# --- the project default ------------------------------------------------------------------


def test_news_schema_loads_with_the_expected_labels_and_relations() -> None:
    schema = load_schema(NEWS_YAML)

    assert schema.name == "news"
    assert schema.label_names[:3] == ("ACTOR", "CLAIM", "DATE")
    actor, claim, date = (schema.label(name) for name in ("ACTOR", "CLAIM", "DATE"))
    assert actor is not None and claim is not None and date is not None
    assert (actor.hotkey, claim.hotkey, date.hotkey) == ("a", "c", "d")
    kind = actor.attribute("kind")
    assert kind is not None and kind.type == "choice"
    assert set(kind.values) == {"person", "organisation", "state", "other"}
    value = date.attribute("value")
    assert value is not None and value.type == "date"
    said_by, when = schema.relation("SAID_BY"), schema.relation("WHEN")
    assert said_by is not None and said_by.allows("CLAIM", "ACTOR")
    assert when is not None and when.allows("CLAIM", "DATE")
    assert all(label.description for label in schema.labels)  # guidelines for the tooltips
