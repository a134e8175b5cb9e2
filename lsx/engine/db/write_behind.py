"""Write-behind: batch writes run on a worker thread while the caller prepares the next batch.

A bulk import spends much of its time inside the database driver (SQLite inserting rows and
maintaining indexes, PostgreSQL on the wire), and drivers release the GIL there. Handing each
batch to one worker thread lets parsing and validation of batch n+1 overlap the write of batch n.
Batches are written in submission order, at most one waits in the queue (memory stays two
batches), and the first error is raised to the caller at its next submit or at close.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

_STOP = object()


class WriteBehind:
    """Call `write(*args)` for each submitted batch, in order, on one worker thread."""

    def __init__(self, write: Callable[..., None], *, name: str = "lsx-write-behind") -> None:
        self._write = write
        self._name = name
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def _run(self) -> None:
        while True:
            args = self._queue.get()
            if args is _STOP:
                return
            if self._error is None:  # after a failure, drain without writing
                try:
                    self._write(*args)
                except BaseException as exc:  # handed to the caller
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:  # kept: the worker writes nothing more once a batch failed
            raise self._error

    def submit(self, *args: Any) -> None:
        """Queue one batch; blocks while the previous one still waits. Raises an earlier failure."""
        self._raise()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()
        self._queue.put(args)

    def close(self) -> None:
        """Wait until every batch is written; raise the first failure."""
        self._stop()
        self._raise()

    def abort(self) -> None:
        """Wait for the batch being written to end; raise nothing (the caller is failing anyway)."""
        self._stop()

    def _stop(self) -> None:
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
