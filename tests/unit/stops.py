"""Stop events that record the waits asked of them and return at once: retries without sleeping."""

from __future__ import annotations

import threading


class RecordingStop(threading.Event):
    def __init__(self, stop_after: int | None = None) -> None:
        super().__init__()
        self.waits: list[float] = []
        self._stop_after = stop_after

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(float(timeout or 0))
        if self._stop_after is not None and len(self.waits) >= self._stop_after:
            self.set()
        return self.is_set()


class Clock:
    """Stands in for a module's `time`: both of its clocks move only when told to."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


class ClockedStop(RecordingStop):
    """A recording stop whose waits, unless it is set, pass on `clock` the time they ask for."""

    def __init__(self, clock: Clock, stop_after: int | None = None) -> None:
        super().__init__(stop_after)
        self.clock = clock

    def wait(self, timeout: float | None = None) -> bool:
        stopped = super().wait(timeout)
        if not stopped:
            self.clock.now += float(timeout or 0)
        return stopped
