"""Colours that stay readable: text on every label colour, arcs on the page, the default palette."""

from __future__ import annotations

from itertools import product
from pathlib import Path

from PySide6.QtGui import QColor

from annotator.layer_model import LayerModel
from annotator.models import Changes, DocumentView, Relation, Span
from annotator.schema import load_schema
from ui.arc_index import RelationIndex
from ui.arc_paint import abbreviation
from ui.arc_scene import MAX_LEVELS, Arc, ArcEnd, assign_levels
from ui.colors import (
    GRAPHIC_CONTRAST,
    OKABE_ITO,
    TEXT_CONTRAST,
    contrast_ratio,
    line_color,
    palette_color,
    readable_on,
    relation_color,
    text_color_on,
)
from ui.label_tags import fitted_name

ROOT = Path(__file__).resolve().parents[2]
WHITE = QColor("white")


def test_contrast_ratio_is_wcags() -> None:
    assert round(contrast_ratio(QColor("black"), WHITE), 2) == 21.0
    assert contrast_ratio(WHITE, WHITE) == 1.0
    assert round(contrast_ratio(QColor("#767676"), WHITE), 2) == 4.54  # the lightest grey that passes AA


def test_the_text_on_any_span_colour_reads_at_aa() -> None:
    steps = range(0, 256, 17)
    for red, green, blue in product(steps, steps, steps):
        background = QColor(red, green, blue)
        assert contrast_ratio(text_color_on(background), background) >= TEXT_CONTRAST


def test_every_example_label_colour_keeps_its_text_and_its_tag_readable() -> None:
    schema = load_schema(ROOT / "annotator" / "example" / "news.yaml")
    for label in schema.labels:
        fill = QColor(label.color)
        assert contrast_ratio(text_color_on(fill), fill) >= TEXT_CONTRAST
        tag = line_color(fill)  # a label tag's chip
        assert contrast_ratio(text_color_on(tag), tag) >= TEXT_CONTRAST


def test_a_pale_colour_is_darkened_just_enough_for_a_line_on_white() -> None:
    pale = QColor("#F9F4B3")  # the example's CLAIM tint: ~1.1:1 on white
    assert contrast_ratio(pale, WHITE) < GRAPHIC_CONTRAST
    adjusted = readable_on(pale, WHITE)
    assert GRAPHIC_CONTRAST <= contrast_ratio(adjusted, WHITE) < GRAPHIC_CONTRAST + 0.5
    assert abs(adjusted.hslHue() - pale.hslHue()) <= 2  # the same hue
    strong = QColor("#0072B2")
    assert readable_on(strong, WHITE) == strong  # a colour that reads is left alone
    assert contrast_ratio(readable_on(QColor("#202060"), QColor("black")), QColor("black")) >= GRAPHIC_CONTRAST


def test_the_default_palette_is_okabe_ito_and_repeats() -> None:
    assert [palette_color(i).name().upper() for i in range(3)] == ["#0072B2", "#D55E00", "#009E73"]
    assert palette_color(len(OKABE_ITO)) == palette_color(0)


def test_names_are_cut_to_what_fits() -> None:
    def width(text: str) -> float:
        return 6.0 * len(text)

    assert fitted_name("ACTOR", 100, width) == "ACTOR"
    assert fitted_name("ACTOR", 25, width) == "ACT"
    assert fitted_name("ACTOR", 8, width) == "A"
    assert abbreviation("SAID_BY") == "SB" and abbreviation("WHEN") == "W"


def _arc(relation_id: int, top: float, bottom: float) -> Arc:
    end = ArcEnd(0, 0, top, 0.0, top, False)
    return Arc(relation_id, "SAID_BY", end, end, top, bottom)


def test_nested_and_crossing_arcs_get_levels_of_their_own() -> None:
    inner, outer, crossing, apart = _arc(1, 10, 20), _arc(2, 5, 60), _arc(3, 15, 80), _arc(4, 100, 120)
    assign_levels([outer, crossing, inner, apart])
    assert inner.level == 0 and apart.level == 0  # the shortest nearest the text; far apart ones share
    assert len({inner.level, outer.level, crossing.level}) == 3
    many = [_arc(n, 0, 10 + n) for n in range(MAX_LEVELS + 3)]
    assign_levels(many)
    assert max(arc.level for arc in many) == MAX_LEVELS - 1  # past the gutter's levels, they share the last


def test_the_relation_index_finds_the_relations_near_a_stretch_and_follows_edits() -> None:
    spans = tuple(Span(n, n * 100, n * 100 + 5, "ACTOR" if n % 2 else "CLAIM", "x" * 5, {}) for n in range(1, 21))
    relations = (Relation(1, "SAID_BY", 2, 3), Relation(2, "SAID_BY", 4, 19), Relation(3, "SAID_BY", 10, 11))
    layer = LayerModel()
    layer.load(DocumentView(1, "d", "x" * 2200, {}, "a", "todo", spans, relations, ()))
    index = RelationIndex(layer)
    index.reload()
    assert index.between(250, 350) == [1]
    assert sorted(index.between(500, 600)) == [2]  # it passes over the stretch, both its ends far
    assert index.between(1950, 2000) == []
    assert index.of_span(10) == {3}
    moved = Span(11, 2000, 2005, "ACTOR", "x" * 5, {})
    change = layer.apply(Changes("move", 1, "a", spans_changed=(moved,)))
    assert change is not None
    index.apply(change)
    assert index.between(1950, 2000) == [3]  # it now reaches from 1000 to 2000
    assert sorted(index.between(1850, 1900)) == [2, 3]
    change = layer.apply(Changes("remove", 1, "a", relations_removed=(relations[1],)))
    assert change is not None
    index.apply(change)
    assert index.between(500, 600) == [] and index.between(1500, 1600) == [3] and len(index) == 2


def test_a_relation_without_a_colour_gets_the_palettes_by_its_place() -> None:
    from dataclasses import replace

    schema = load_schema(ROOT / "annotator" / "example" / "news.yaml")
    assert relation_color(schema, "SAID_BY") == "#0072B2"  # the schema's own
    bare = replace(schema, relations=tuple(replace(spec, color=None) for spec in schema.relations))
    assert [relation_color(bare, spec.name) for spec in bare.relations] == list(OKABE_ITO[:2])
