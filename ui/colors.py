"""Colours derived from a label's schema colour.

Schema colours are light tints meant to sit behind black text. Lines drawn in the
same tint vanish against white and against each other, so lines and strong marks
use a darker, more saturated version of the same hue.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from annotator.schema import Schema

UNKNOWN_LABEL_COLOR = "#D9D9D9"  # a span whose label the schema no longer has
# Okabe & Ito's palette (2008), told apart with every common colour-vision deficiency; for
# what the schema gives no colour (relations may have none), by its place in the schema.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
TEXT_CONTRAST = 4.5  # WCAG 2 AA, normal text
GRAPHIC_CONTRAST = 3.0  # WCAG 2.1 non-text contrast: lines and arrows that carry meaning


def label_color(name: str | None) -> QColor:
    color = QColor(name or UNKNOWN_LABEL_COLOR)
    return color if color.isValid() else QColor(UNKNOWN_LABEL_COLOR)


def with_lightness(color: QColor, lightness: float, min_saturation: float = 0.0) -> QColor:
    """The same hue at HSL ``lightness`` (0..1), saturated at least ``min_saturation``."""
    hue, saturation, alpha = color.hslHueF(), color.hslSaturationF(), color.alphaF()
    # Greys have hue -1; keep them grey instead of turning them red.
    if hue < 0:
        return QColor.fromHslF(0.0, 0.0, lightness, alpha)
    return QColor.fromHslF(hue, max(saturation, min_saturation), lightness, alpha)


def line_color(color: QColor) -> QColor:
    """For a thin line under text: dark enough to read on white and on any label tint."""
    return with_lightness(color, 0.36, 0.6)


def selected_span_tint(color: QColor) -> QColor:
    """For the selected span: its own hue a step stronger than the label tint, never the
    saturated blue of a text selection, so black text stays and the two cannot be confused."""
    return with_lightness(color, 0.80, 0.55)


def mix(a: QColor, b: QColor, weight_of_b: float) -> QColor:
    w = min(max(weight_of_b, 0.0), 1.0)
    return QColor.fromRgbF(
        a.redF() * (1 - w) + b.redF() * w,
        a.greenF() * (1 - w) + b.greenF() * w,
        a.blueF() * (1 - w) + b.blueF() * w,
    )


def text_color_on(background: QColor) -> QColor:
    """Black on light backgrounds, white on dark ones (WCAG relative luminance)."""
    # 0.179 is where black and white give the same contrast ratio: either way at least 4.58:1.
    return QColor("black") if relative_luminance(background) > 0.179 else QColor("white")


def relative_luminance(color: QColor) -> float:
    """WCAG 2's relative luminance, 0 (black) .. 1 (white)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF()) + 0.0722 * linear(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2's contrast ratio, 1 .. 21."""
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(color: QColor, background: QColor, minimum: float = GRAPHIC_CONTRAST) -> QColor:
    """``color``, or the same hue darkened (on a light background) or lightened (on a dark one)
    just enough to reach ``minimum`` contrast against ``background``: a schema's pale colour
    would vanish as a thin line, so the view adjusts it rather than refuse the schema."""
    if contrast_ratio(color, background) >= minimum:
        return color
    darker = relative_luminance(background) > 0.179
    lightness, adjusted = color.lightnessF(), color
    for _ in range(40):
        lightness = max(lightness - 0.025, 0.0) if darker else min(lightness + 0.025, 1.0)
        adjusted = with_lightness(color, lightness)
        if contrast_ratio(adjusted, background) >= minimum or lightness in (0.0, 1.0):
            return adjusted
    return adjusted


def relation_color(schema: Schema, name: str) -> str:
    """Relation ``name``'s colour: the schema's, else the palette's by the relation's place in the schema."""
    for position, spec in enumerate(schema.relations):
        if spec.name == name:
            return spec.color or OKABE_ITO[position % len(OKABE_ITO)]
    return UNKNOWN_LABEL_COLOR


def palette_color(index: int) -> QColor:
    """The ``index``-th colour of the colour-blind-safe default palette (it repeats past its end)."""
    return QColor(OKABE_ITO[index % len(OKABE_ITO)])
