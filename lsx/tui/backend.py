"""The session interface the screens talk to: one labeling session of one annotator on one
project. `LocalBackend` calls the engine in-process; `RemoteBackend` calls a `lsx serve` (or
Label Studio) over its REST API. The screens never know which one they hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from lsx.engine.errors import LsxError


class BackendUnavailable(LsxError):
    """The database or server went away mid-session; the work is kept as a file draft."""

    status = 503


@dataclass
class TaskView:
    """A task as the screens need it: data, where it came from, pre-annotations, saved work."""

    id: int
    data: dict[str, Any]
    queue: str = ""
    inner_id: int | None = None
    predictions: list[dict[str, Any]] = field(default_factory=list)  # {id, result, score, model_version}
    draft: list[dict[str, Any]] | None = None
    annotation: dict[str, Any] | None = None  # the annotator's own, when revisiting history
    allow_skip: bool = True


@dataclass
class Progress:
    done: int  # tasks this annotator finished in the project
    remaining: int  # tasks of the project still needing annotations
    total: int


@runtime_checkable
class LabelingBackend(Protocol):
    project_id: int
    project_title: str
    user: str
    where: str  # "local database" or the server URL, for messages

    def label_config(self) -> str: ...

    def interface(self, task: TaskView) -> dict[str, Any]: ...

    def next(self, exclude: Sequence[int] = ()) -> TaskView | None: ...

    def load(self, task_id: int) -> TaskView: ...

    def submit(self, task_id: int, result: list[dict[str, Any]], *, lead_time: float | None = None,
               parent_prediction: int | None = None) -> int: ...

    def update(self, annotation_id: int, result: list[dict[str, Any]]) -> None: ...

    def reject(self, task_id: int, prediction_id: int | None, *, lead_time: float | None = None) -> int: ...

    def delete_annotation(self, annotation_id: int) -> None: ...

    def skip(self, task_id: int, *, lead_time: float | None = None) -> int: ...

    def postpone(self, task_id: int, result: list[dict[str, Any]]) -> None: ...

    def release(self, task_id: int) -> None: ...

    def heartbeat(self, task_id: int) -> None: ...

    def save_draft(self, task_id: int, result: list[dict[str, Any]], *, lead_time: float | None = None) -> None: ...

    def history(self) -> list[int]: ...

    def progress(self) -> Progress: ...

    def close(self) -> None: ...
