"""Colours derived from a label's schema colour.

Schema colours are light tints meant to sit behind black text. Lines drawn in the
same tint vanish against white and against each other, so lines and strong marks
use a darker, more saturated version of the same hue.
"""

from __future__ import annotations

from PySide6.QtGui import QColor

UNKNOWN_LABEL_COLOR = "#D9D9D9"  # a span whose label the schema no longer has


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

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * linear(background.redF()) + 0.7152 * linear(background.greenF()) + 0.0722 * linear(background.blueF())
    )
    # 0.179 is where black and white give the same contrast ratio.
    return QColor("black") if luminance > 0.179 else QColor("white")
