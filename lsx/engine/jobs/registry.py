"""Job kinds: plain engine functions registered by name, with their limits.

A kind is `func(ws, actor, params, handle) -> dict | None`; the dict becomes the job's result.
Built-in kinds register in `lsx.engine.jobs.kinds`; third parties add more through the
`lsx.job_kinds` entry-point group (each entry point names a module that calls `register_kind`),
and `lsx worker --with MODULE` imports extra modules so a worker knows their kinds.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from lsx.engine.errors import InputError

if TYPE_CHECKING:
    from lsx.engine.access.actor import Actor
    from lsx.engine.jobs.handle import JobHandle
    from lsx.engine.workspace import Workspace

log = logging.getLogger("lsx.jobs")

KindFunc = Callable[["Workspace", "Actor", dict[str, Any], "JobHandle"], "dict[str, Any] | None"]
# target(project_id, params) -> a key such as "export:3:JSON", or None for no cron lock.
TargetFunc = Callable[[int | None, dict[str, Any]], "str | None"]


@dataclass(frozen=True)
class KindSpec:
    name: str
    func: KindFunc
    timeout: int = 3600
    max_attempts: int = 3
    queue: str = "default"
    target: TargetFunc | None = None
    # First retry waits this many seconds, then twice as long each time (capped at max_delay).
    retry_delay: float = 5.0
    max_delay: float = 600.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before the attempt after `attempt` (1-based): exponential, capped."""
        return min(self.max_delay, self.retry_delay * (2 ** max(0, attempt - 1)))


_KINDS: dict[str, KindSpec] = {}
_loaded = False


def register_kind(
    name: str,
    func: KindFunc,
    *,
    timeout: int = 3600,
    max_attempts: int = 3,
    queue: str = "default",
    target: TargetFunc | None = None,
    retry_delay: float = 5.0,
    max_delay: float = 600.0,
) -> KindSpec:
    """Register (or replace) the kind `name`. Returns its spec."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    spec = KindSpec(name, func, timeout, max_attempts, queue, target, retry_delay, max_delay)
    _KINDS[name] = spec
    return spec


def _load_plugins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    importlib.import_module("lsx.engine.jobs.kinds")
    importlib.import_module("lsx.engine.storage.jobs")
    for ep in entry_points(group="lsx.job_kinds"):
        try:
            ep.load()
        except Exception:
            log.exception("job kind plugin %s failed to load", ep.name)


def get_kind(name: str) -> KindSpec:
    _load_plugins()
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise InputError(f"unknown job kind {name!r}; known kinds: {known}") from None


def kinds() -> list[KindSpec]:
    _load_plugins()
    return [_KINDS[n] for n in sorted(_KINDS)]
