"""The policies decide the common cases once per statement (annotator/team/policies.py): their
answers must stay those of annotator_may_read / annotator_may_write for every kind of member,
every kind of layer and either project setting, and reading one's own layer must not call a
layer function once per row (that made a member's document list seconds slower)."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.integration.team_fixtures import Team

ROWS = 30  # spans in each layer

# (reader, layer) -> (reads, writes) with annotators blind; where annotators see each other,
# an annotator also reads the other annotator's layer (never gold).
EXPECTED = {
    ("ann1", "ann1"): (True, True),
    ("ann1", "ann2"): (False, False),
    ("ann1", "gold"): (False, False),
    ("ann1", "model"): (True, False),  # nobody's layer: pre-annotations every annotator may see
    ("rev1", "ann1"): (True, False),
    ("rev1", "rev1"): (True, True),
    ("rev1", "gold"): (True, True),
    ("rev1", "model"): (True, False),
    ("adm1", "ann1"): (True, True),
    ("adm1", "gold"): (True, True),
    ("adm1", "model"): (True, True),
}


@pytest.fixture
def layers(team: Team) -> dict[str, int]:
    """Members ann1, ann2, rev1, adm1, the layers gold and model; ROWS spans in each layer."""
    for short, role in (("ann1", "annotator"), ("ann2", "annotator"), ("rev1", "reviewer"), ("adm1", "admin")):
        team.add(short, role)
    with _admin(team) as connection:
        connection.execute("INSERT INTO annotators (name) VALUES ('model')")
        connection.execute(
            "INSERT INTO documents (project_id, external_id, text, text_length, sha256, meta) "
            "SELECT id, 'd1', repeat('x', 100), 100, 'x', '{}' FROM projects"
        )
        names = {short: team.members.get(short, short) for short in ("ann1", "ann2", "rev1", "adm1", "gold", "model")}
        ids = {short: _one(connection, "SELECT id FROM annotators WHERE name = %s", names[short]) for short in names}
        for layer in ids.values():
            connection.execute(
                'INSERT INTO spans (document_id, annotator_id, start, "end", label) '
                "SELECT (SELECT id FROM documents), %s, g, g + 1, 'ACTOR' FROM generate_series(0, %s) g",
                (layer, ROWS - 1),
            )
    return ids


@pytest.mark.parametrize("see_others", [False, True])
def test_the_policies_answer_as_the_functions_do(team: Team, layers: dict[str, int], see_others: bool) -> None:
    with _admin(team) as connection:
        connection.execute("UPDATE team SET annotators_see_others = %s", (see_others,))
    for (reader, layer), (reads, writes) in EXPECTED.items():
        if see_others and (reader, layer) == ("ann1", "ann2"):
            reads = True
        with team.connect(reader) as connection:
            functions = connection.execute(
                "SELECT annotator_may_read(%(layer)s), annotator_may_write(%(layer)s)", {"layer": layers[layer]}
            ).fetchone()
            assert functions == (reads, writes), (reader, layer)
            seen = _one(connection, "SELECT count(*) FROM spans WHERE annotator_id = %s", layers[layer])
            assert seen == (ROWS if reads else 0), (reader, layer)
            with connection.transaction(force_rollback=True):
                changed = connection.execute(
                    "UPDATE spans SET label = 'CLAIM' WHERE annotator_id = %s", (layers[layer],)
                ).rowcount
            assert changed == (ROWS if reads and writes else 0), (reader, layer)


def test_reading_ones_own_layer_calls_no_layer_function_per_row(team: Team, layers: dict[str, int]) -> None:
    with _admin(team) as connection, connection.transaction(force_rollback=True):
        connection.execute("SET LOCAL track_functions = 'all'")
        connection.execute(f'SET LOCAL ROLE "{team.members["ann1"]}"')  # the member's policies apply
        assert _one(connection, "SELECT count(*) FROM spans WHERE annotator_id = %s", layers["ann1"]) == ROWS
        assert _one(connection, "SELECT count(*) FROM span_attributes") == 0
        connection.execute("RESET ROLE")
        calls = connection.execute(
            "SELECT coalesce(pg_stat_get_xact_function_calls(%s::regprocedure), 0), "
            "coalesce(pg_stat_get_xact_function_calls(%s::regprocedure), 0), "
            "coalesce(pg_stat_get_xact_function_calls(%s::regprocedure), 0)",
            ("annotator_may_read(integer)", "annotator_my_layer()", "annotator_readable_layers()"),
        ).fetchone()
    assert calls is not None
    assert calls[0] == 0  # the policies never call the per-layer function
    assert calls[1] <= 2  # once per statement (an InitPlan), not once per row
    assert calls[2] <= 4  # the layers an annotator may read: an array per (sub)query of the two, not per row


def test_a_blind_annotator_reads_no_attributes_of_spans_hidden_from_them(team: Team, layers: dict[str, int]) -> None:
    with _admin(team) as connection:
        connection.execute(
            "INSERT INTO span_attributes (span_id, name, value) "
            "SELECT min(id), 'kind', '\"person\"' FROM spans GROUP BY annotator_id"
        )
    readable = {"ann1": {"ann1", "model"}, "rev1": set(layers), "adm1": set(layers)}
    for reader, layer_names in readable.items():
        with team.connect(reader) as connection:
            rows = connection.execute(
                "SELECT a.annotator_id FROM span_attributes t CROSS JOIN LATERAL "
                "(SELECT annotator_id FROM spans WHERE id = t.span_id) a"
            ).fetchall()
            seen = _one(connection, "SELECT count(*) FROM span_attributes")
        assert sorted(row[0] for row in rows) == sorted(layers[name] for name in layer_names), reader
        assert seen == len(layer_names), reader


def _admin(team: Team) -> Any:
    return psycopg.connect(team.admin_url.replace("+psycopg", ""), autocommit=True)


def _one(connection: Any, statement: str, *values: Any) -> Any:
    row = connection.execute(statement, values or None).fetchone()
    assert row is not None
    return row[0]
