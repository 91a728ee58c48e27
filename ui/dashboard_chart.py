"""A grouped bar chart drawn with QPainter: one group per annotator, one bar per series.

Qt Charts is in PySide6-Addons, a wheel of well over 100 MB that the window does not otherwise
need (PySide6-Essentials has Widgets); one bar chart is a paintEvent (README, Dependencies).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.colors import line_color

AXIS = QColor("#666666")
GRID = QColor("#E4E4E4")
PAD = 8
SWATCH = 10


@dataclass(frozen=True)
class Series:
    name: str
    color: QColor  # the bar's fill; its outline is the same hue, darker


@dataclass(frozen=True)
class BarData:
    title: str
    groups: tuple[str, ...]  # annotators
    series: tuple[Series, ...]  # labels, or one series
    values: tuple[tuple[float, ...], ...]  # per group, one value per series


def nice_step(largest: float, ticks: int = 4) -> float:
    """A round grid step (1, 2 or 5 times a power of ten) giving about `ticks` lines up to `largest`."""
    if largest <= 0:
        return 1.0
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = BarData("", (), (), ())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(140)

    def sizeHint(self) -> QSize:
        return QSize(420, 220)

    def show_data(self, data: BarData) -> None:
        self.data = data
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        metrics = painter.fontMetrics()
        line = metrics.height()
        data = self.data
        painter.setPen(self.palette().text().color())
        painter.drawText(QRectF(PAD, PAD, self.width() - 2 * PAD, line), Qt.AlignmentFlag.AlignLeft, data.title)
        legend_top = PAD + line + 2
        x = float(PAD)
        for series in data.series:  # the legend, one line
            painter.fillRect(QRectF(x, legend_top + (line - SWATCH) / 2, SWATCH, SWATCH), series.color)
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(x + SWATCH + 4, legend_top, 200, line), Qt.AlignmentFlag.AlignLeft, series.name)
            x += SWATCH + 4 + metrics.horizontalAdvance(series.name) + 14
        if not data.groups:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "nothing to show yet")
            return
        largest = max((value for values in data.values for value in values), default=0.0)
        step = nice_step(largest)
        top = step * max(1, math.ceil(largest / step))
        axis_width = max(metrics.horizontalAdvance(_number(top)), metrics.horizontalAdvance("0")) + 6
        plot = QRectF(PAD + axis_width, legend_top + line + 6, self.width() - 2 * PAD - axis_width, 0.0)
        plot.setBottom(self.height() - PAD - line - 4)
        if plot.height() < 10 or plot.width() < 10:
            return
        tick = 0.0
        while tick <= top + step / 2:  # grid lines and their numbers
            y = plot.bottom() - plot.height() * tick / top
            painter.setPen(QPen(GRID if tick else AXIS, 1))
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.setPen(AXIS)
            painter.drawText(
                QRectF(PAD, y - line / 2, axis_width - 4, line),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                _number(tick),
            )
            tick += step
        group_width = plot.width() / len(data.groups)
        bar_width = max(2.0, min(40.0, group_width * 0.8 / max(1, len(data.series))))
        for index, (group, values) in enumerate(zip(data.groups, data.values, strict=True)):
            left = plot.left() + index * group_width + (group_width - bar_width * len(values)) / 2
            for offset, (series, value) in enumerate(zip(data.series, values, strict=True)):
                height = plot.height() * value / top
                bar = QRectF(left + offset * bar_width, plot.bottom() - height, bar_width - 1, height)
                painter.fillRect(bar, series.color)
                painter.setPen(QPen(line_color(series.color), 1))
                painter.drawRect(bar)
                if bar_width >= metrics.horizontalAdvance(_number(value)) + 2 and value:
                    painter.setPen(self.palette().text().color())
                    painter.drawText(
                        QRectF(bar.left() - 4, bar.top() - line, bar_width + 8, line),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        _number(value),
                    )
            painter.setPen(self.palette().text().color())
            name = metrics.elidedText(group, Qt.TextElideMode.ElideRight, int(group_width) - 4)
            painter.drawText(
                QRectF(plot.left() + index * group_width, plot.bottom() + 2, group_width, line),
                Qt.AlignmentFlag.AlignHCenter,
                name,
            )


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def grouped(title: str, groups: Sequence[str], series: Sequence[Series], values: Sequence[Sequence[float]]) -> BarData:
    return BarData(title, tuple(groups), tuple(series), tuple(tuple(row) for row in values))
