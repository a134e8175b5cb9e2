"""Time for locks, injectable: the engine asks a clock, so tests move time instead of sleeping."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Unix seconds."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to (`advance`), for lock-expiry tests."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = float(start)

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> float:
        self.t += seconds
        return self.t


SYSTEM = SystemClock()


def seconds(now: float | datetime | Clock | None) -> float:
    """Accept what callers have at hand (None, Unix seconds, a datetime or a clock)."""
    if now is None:
        return time.time()
    if isinstance(now, int | float):
        return float(now)
    if isinstance(now, datetime):
        return now.timestamp()
    return now.now()
