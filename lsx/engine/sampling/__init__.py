"""Next-task sampling: which task an annotator sees next, with Label Studio's label-stream rules.

`next_task` serves a task and locks it; `submit`, `skip`, `postpone`, `release` and `heartbeat`
end or extend the claim; `history` lists what was served. Strategies are registered by name
(`sequential`, `uniform`, `uncertainty`, `confidence`); third parties add their own through the
`lsx.samplers` entry-point group.
"""

from lsx.engine.sampling.clock import Clock, ManualClock, SystemClock
from lsx.engine.sampling.models import LabelStreamHistory, SamplingCursor, TaskLock
from lsx.engine.sampling.strategies import (
    Sampler,
    get_sampler,
    normalize_sampling,
    register,
    registry,
    sampling_label,
)
from lsx.engine.sampling.stream import (
    HistoryEntry,
    NextTask,
    heartbeat,
    history,
    next_task,
    postpone,
    release,
    skip,
    submit,
)

__all__ = [
    "Clock",
    "HistoryEntry",
    "LabelStreamHistory",
    "ManualClock",
    "NextTask",
    "Sampler",
    "SamplingCursor",
    "SystemClock",
    "TaskLock",
    "get_sampler",
    "heartbeat",
    "history",
    "next_task",
    "normalize_sampling",
    "postpone",
    "register",
    "registry",
    "release",
    "sampling_label",
    "skip",
    "submit",
]
