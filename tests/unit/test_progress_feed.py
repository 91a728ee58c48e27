"""The import's progress display redraws at a bounded rate, whatever the record rate."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from annotator import cli_console
from annotator.progress_feed import ThrottledProgress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_redraws_are_bounded_per_second_and_no_step_is_lost() -> None:
    clock = FakeClock()
    shown: list[int] = []
    feed = ThrottledProgress(shown.append, interval=0.1, clock=clock)
    for _ in range(100_000):  # 100,000 records in 2 seconds: 50,000 a second
        clock.now += 2.0 / 100_000
        feed(7)
    feed.flush()
    assert len(shown) <= 2.0 / 0.1 + 1
    assert sum(shown) == 700_000


def test_a_slow_import_is_shown_at_every_step_once_the_interval_has_passed() -> None:
    clock = FakeClock()
    shown: list[int] = []
    feed = ThrottledProgress(shown.append, interval=0.1, clock=clock)
    for _ in range(5):
        clock.now += 1.0
        feed(3)
    assert shown == [3, 3, 3, 3, 3]


def test_flush_without_pending_steps_draws_nothing() -> None:
    shown: list[int] = []
    feed = ThrottledProgress(shown.append, clock=FakeClock())
    feed.flush()
    assert shown == []


def test_the_terminal_bar_gets_every_step_and_redraws_only_on_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(cli_console.err, "console", Console(file=screen, force_terminal=True, width=80))
    redraws: list[int] = []
    with cli_console.progress_bar("importing", 1_000) as advance:
        assert isinstance(advance, ThrottledProgress)
        clock = FakeClock()
        advance.clock, advance.due = clock, 0.1
        original = advance.show
        advance.show = lambda steps: (redraws.append(steps), original(steps))[1]
        for _ in range(1_000):  # all within 0.05 s of the fake clock: no redraw until the end
            clock.now += 0.05 / 1_000
            advance(1)
        assert redraws == []
    assert redraws == [1_000]
