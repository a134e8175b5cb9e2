"""A tiny in-process event bus, so later features (webhooks, metrics) react to jobs without the
job code knowing them.

Events are emitted in the process that runs the job: the CLI or the web server for inline jobs; for
RQ jobs `job.started` and `job.progress` in the work-horse and the outcome events in the `lsx worker`
process that forked it. So a subscriber must be registered at import time of a module that every
process imports (a job kind's module, or one named by `lsx worker --with`). A failing subscriber is
logged and never breaks the job.

Names used by jobs: `job.started`, `job.progress`, `job.finished`, `job.failed` (final failure,
after the last attempt), `job.retrying`, `job.canceled`.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

log = logging.getLogger("lsx.events")

Callback = Callable[..., None]

_subscribers: dict[str, list[Callback]] = defaultdict(list)
_lock = threading.Lock()


def subscribe(event_name: str, callback: Callback) -> Callable[[], None]:
    """Call `callback(event_name, **payload)` on every `emit(event_name, ...)`; "*" hears every event.

    Returns a function that unsubscribes."""
    with _lock:
        _subscribers[event_name].append(callback)

    def unsubscribe() -> None:
        with _lock:
            if callback in _subscribers[event_name]:
                _subscribers[event_name].remove(callback)

    return unsubscribe


def has_subscribers(event_name: str) -> bool:
    """Lets emitters skip building an expensive payload nobody reads."""
    return bool(_subscribers.get(event_name) or _subscribers.get("*"))


def emit(event_name: str, **payload: Any) -> None:
    """Deliver to the subscribers of `event_name` and of "*"; cheap when nobody listens."""
    callbacks = _subscribers.get(event_name, []) + _subscribers.get("*", [])
    for callback in callbacks:
        try:
            callback(event_name, **payload)
        except Exception:
            log.exception("subscriber %r of %s failed", callback, event_name)
