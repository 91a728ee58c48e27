"""Progress reported per record, shown at a bounded rate.

An import reports every record (a few microseconds of work each); redrawing a progress bar
for each one made `annotator import` on a terminal 10% slower. A ThrottledProgress adds the
steps up and hands them to the display at most once per interval of its clock, so the
redraws per second are bounded whatever the record rate, and nothing is lost: what is still
pending is handed over by flush().
"""

from __future__ import annotations

import time
from collections.abc import Callable

REDRAW_INTERVAL_S = 0.1  # 10 redraws a second: smooth to the eye, nothing to the import


class ThrottledProgress:
    def __init__(
        self,
        show: Callable[[int], None],
        *,
        interval: float = REDRAW_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.show = show  # takes the steps made since it was last called, and redraws
        self.interval = interval
        self.clock = clock
        self.pending = 0
        self.due = clock() + interval

    def __call__(self, step: int) -> None:
        self.pending += step
        now = self.clock()
        if now >= self.due:
            self.due = now + self.interval
            self.flush()

    def flush(self) -> None:
        if self.pending:
            steps, self.pending = self.pending, 0
            self.show(steps)
