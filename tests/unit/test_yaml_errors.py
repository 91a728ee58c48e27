"""YAML syntax errors of schemas and project.yaml: our words and the line to look at, never PyYAML's text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.config import load_project_config
from annotator.errors import ProjectError
from annotator.schema import SchemaError, load_schema
from annotator.yaml_errors import describe_yaml_error

# What PyYAML's own str() carries and a user should never have to read.
PYYAML_TEXT = ('in "<unicode string>"', "^", "while scanning", "while parsing", "<stream end>", ", line ", ", column ")

BROKEN_SCHEMA = 'name: news\nversion: 1\nlabels:\n  - name: ACTOR\n    color: "#9AD2F2\n    hotkey: a\n'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (BROKEN_SCHEMA, 5, "closing quote is missing"),  # where the quote opens, not the end of the file
        ("name: bp\nschema: [schema.yaml\n", 2, "not closed with ']'"),
        ("a: {b: 1\n", 1, "not closed with '}'"),
        ("a:\n\t- b\n", 2, "tab character"),
        ("a:\n  b: 1\n c: 2\n", 3, "indentation"),
        ("a: *x\n", 1, "no anchor"),
        ('a: "\\q"\n', 1, "backslash escape"),
        ("a: b: c\n", 1, "quote a value"),
    ],
)
def test_common_mistakes_are_named_in_our_words_at_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.compose(text, Loader=yaml.SafeLoader)
    found_line, message = describe_yaml_error(caught.value)
    assert found_line == line and words in message
    assert not any(raw in message for raw in PYYAML_TEXT)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab: -[]{}\"'\t\n#&*!|>,?\\", max_size=40))
def test_any_broken_yaml_gets_one_line_naming_a_line_of_the_file(text: str) -> None:
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        line, message = describe_yaml_error(error)
        assert 1 <= line <= text.count("\n") + 2
        assert message and "\n" not in message and 'in "<unicode string>"' not in message


def test_a_broken_schema_and_a_broken_project_file_say_file_line_and_our_words(tmp_path: Path) -> None:
    schema = tmp_path / "schema.yaml"
    schema.write_text(BROKEN_SCHEMA, encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_schema(schema)
    assert (
        str(caught.value)
        == f"{schema}:5: YAML syntax error: a quoted value starts here and its closing quote is missing"
    )
    (tmp_path / "project.yaml").write_text("name: bp\nschema: [schema.yaml\n", encoding="utf-8")
    with pytest.raises(ProjectError) as caught:
        load_project_config(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / 'project.yaml'}:2: not valid YAML: ") and "\n" not in message
    assert not any(raw in message for raw in PYYAML_TEXT)
