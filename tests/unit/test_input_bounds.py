"""Values the command line and the project files take are checked where they are read.

Whatever passes the check must work later: a schema version that `schema check` accepts
must be storable by `init`; split ratios that parse must place documents by their
shares; a database that a project names must keep what is written to it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.cli import main
from annotator.config import DATABASE_URL_VARIABLE, load_project_config
from annotator.errors import ProjectError, ValidationError
from annotator.project import Project
from annotator.schema import MAX_VERSION, SchemaError, parse_schema
from annotator.splits import SPLIT_NAMES, parse_ratios, split_of
from tests.conftest import NEWS_SCHEMA, ProjectMaker

SCHEMA = NEWS_SCHEMA.read_text(encoding="utf-8")


# --- schema versions -------------------------------------------------------------------------


@given(st.integers(min_value=-(2**80), max_value=2**80) | st.sampled_from([MAX_VERSION, MAX_VERSION + 1, 10**30]))
def test_a_schema_version_is_accepted_only_if_a_database_can_store_it(version: int) -> None:
    text = SCHEMA.replace("version: 1\n", f"version: {version}\n")
    try:
        schema = parse_schema(text, "s.yaml")
    except SchemaError as error:
        assert not 1 <= version <= MAX_VERSION
        assert f"s.yaml:2: version: expected a positive integer up to {MAX_VERSION}" in str(error)
    else:
        assert 1 <= schema.version == version <= MAX_VERSION


@pytest.mark.parametrize("version", [MAX_VERSION, MAX_VERSION + 1, 99999999999999999999999, "1_000_000_000_000"])
def test_init_stores_every_version_that_schema_check_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], version: int | str
) -> None:
    schema = tmp_path / "v.yaml"
    schema.write_text(SCHEMA.replace("version: 1\n", f"version: {version}\n"), encoding="utf-8")
    checked = main(["schema", "check", str(schema)])
    created = main(["init", str(tmp_path / "p"), "--schema", str(schema)])
    _out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert checked == created, err  # both accept it, or both refuse it in one line
    if checked == 0:
        with Project.open(tmp_path / "p") as project:
            assert project.schema.version == version
    else:
        assert err.count("error: ") == 2 and f"expected a positive integer up to {MAX_VERSION}" in err


# --- split ratios ----------------------------------------------------------------------------


RATIO_TEXT = st.lists(
    st.floats(allow_nan=True, allow_infinity=True).map(repr)
    | st.sampled_from(["nan", "-nan", "inf", "-inf", "1e400", "-0", "0", "1", "0.5", " 0.25", "", "x"]),
    min_size=1,
    max_size=4,
).map(",".join)


@given(RATIO_TEXT, st.lists(st.text(max_size=8), min_size=1, max_size=20), st.integers())
def test_split_ratios_that_parse_place_documents_only_in_parts_with_a_share(
    text: str, document_ids: list[str], seed: int
) -> None:
    try:
        ratios = parse_ratios(text)
    except ValidationError as error:
        assert str(error).startswith(f"--split {text!r}: ")
        return
    assert 2 <= len(ratios) <= 3
    assert all(math.isfinite(r) and 0 <= r <= 1 for r in ratios) and abs(math.fsum(ratios) - 1) <= 1e-6
    for document_id in document_ids:
        part = split_of(document_id, ratios, seed)
        assert ratios[SPLIT_NAMES.index(part)] > 0


@pytest.mark.parametrize("text", ["nan,0.5,0.5", "0.5,nan,0.5", "inf,0,0", "-inf,1,1", "0,0,0", "1e400,0", "0,0"])
def test_non_finite_negative_or_zero_sum_ratios_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="--split"):
        parse_ratios(text)


# --- in-memory databases ---------------------------------------------------------------------

MEMORY_URLS = [
    "sqlite:///:memory:",
    "sqlite://",
    "sqlite+pysqlite:///:memory:",
    "sqlite:///file::memory:?cache=shared&uri=true",
    "sqlite:///file:scratch?mode=memory&uri=true",
]


@pytest.mark.parametrize("url", MEMORY_URLS)
def test_an_in_memory_database_in_project_yaml_is_refused(make_project: ProjectMaker, url: str) -> None:
    root = make_project()
    (root / "project.yaml").write_text(f"name: p\nschema: schema.yaml\ndatabase: '{url}'\n", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"project\.yaml: database .* is an in-memory database, which keeps nothing"):
        load_project_config(root)


@pytest.mark.parametrize("url", MEMORY_URLS)
def test_an_in_memory_database_url_in_the_environment_is_refused_before_anything_is_imported(
    make_project: ProjectMaker,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
) -> None:
    root = make_project()
    (tmp_path / "a.txt").write_text("Kim Jong Un met Putin.", encoding="utf-8")
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    assert main(["import", str(root), str(tmp_path / "a.txt")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"error: {DATABASE_URL_VARIABLE} {url!r} is an in-memory database")
    assert not (root / "annotator.db").exists()


def test_a_file_database_and_a_server_url_are_not_taken_for_memory(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project()
    assert load_project_config(root).database_url.endswith("annotator.db")
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "postgresql+psycopg://user@localhost/memory")
    assert load_project_config(root).database_url == "postgresql+psycopg://user@localhost/memory"
    monkeypatch.setenv(DATABASE_URL_VARIABLE, "not a url")
    with pytest.raises(ProjectError, match=f"^{DATABASE_URL_VARIABLE}: not a database URL"):
        load_project_config(root)
