"""The tooltip over spans: each span's label chip, text, attributes and its label's guideline, and
those of the read-only layer shown beside the own one, under that layer's name."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from annotator.models import Span
from annotator.schema import Schema
from annotator.short_text import one_line
from ui.colors import label_color, text_color_on

__all__ = ["span_tooltip_html"]


def _guideline(description: str, limit: int = 600) -> str:
    flat = " ".join(description.split())
    if len(flat) <= limit:
        return flat
    # Cut after a whole sentence where one ends late enough; a guideline cut mid-word misleads.
    cut = flat.rfind(". ", limit // 2, limit)
    return (flat[: cut + 1] if cut > 0 else flat[:limit]) + " …"


def span_tooltip_html(
    spans: Sequence[Span], schema: Schema | None, read_only: Sequence[Span] = (), layer: str | None = None
) -> str:
    """Rich text for the spans at a point, outer to inner: label, text, attributes, guideline; then
    those of the read-only ``layer`` shown beside the own one, under its name."""
    explained: set[str] = set()
    rows = _rows(spans, schema, explained)
    if read_only:
        rows.append(f"<p><b>{escape(layer or '')}</b> <i>(read-only layer; Ctrl+Shift+C copies)</i></p>")
        rows.extend(_rows(read_only, schema, explained))
    return "<qt>" + "".join(rows) + "</qt>"


def _rows(spans: Sequence[Span], schema: Schema | None, explained: set[str]) -> list[str]:
    rows = []
    for span in spans:
        spec = schema.label(span.label) if schema is not None else None
        color = label_color(spec.color if spec is not None else None)
        chip = (
            f'<span style="background-color:{color.name()}; color:{text_color_on(color).name()}">'
            f"&nbsp;<b>{escape(span.label)}</b>&nbsp;</span>"
        )
        row = f"<p>{chip} “{escape(one_line(span.text, 80, keep_end=True))}”"
        if span.attributes:
            values = ", ".join(f"{escape(str(k))}: <b>{escape(str(v))}</b>" for k, v in span.attributes.items())
            row += f"<br>{values}"
        if spec is not None and spec.description and span.label not in explained:
            explained.add(span.label)  # once per label: two nested CLAIMs need one guideline
            row += f'<br><i style="color:#555555">{escape(_guideline(spec.description))}</i>'
        rows.append(row + "</p>")
    return rows
