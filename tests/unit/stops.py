"""A stop event that records the waits asked of it and returns at once: retries without sleeping."""

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
