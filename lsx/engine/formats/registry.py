"""Export formats by name. Built-ins register here the same way later formats (COCO, YOLO...) will."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, Protocol

import orjson

from lsx.engine.timefmt import iso, iso_from_sqlite

if TYPE_CHECKING:  # the export's helper process imports this module without SQLAlchemy
    from lsx.engine.db.models import Project


@dataclass(slots=True)
class TaskRecord:
    """One task as stored (driver values) with its annotation and prediction rows."""

    task: tuple[Any, ...]
    annotations: list[tuple[Any, ...]]
    predictions: list[tuple[Any, ...]]


@dataclass
class ExportContext:
    """What an exporter may use besides the records: the project, the read session, options."""

    project: Project
    is_sqlite: bool
    session: Any = None
    only_annotated: bool = False
    progress: Any = None
    report: Any = None  # the ExportReport, for exporters that stream rows themselves


class Exporter(Protocol):
    name: str
    title: str
    description: str
    extension: str

    def check(self, ctx: ExportContext) -> None:
        """Raise InputError when the project's config does not allow this format."""

    def write(self, ctx: ExportContext, records: Iterator[TaskRecord], fh: IO[bytes]) -> None: ...


EXPORTERS: dict[str, Exporter] = {}


def register_exporter(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.name] = exporter
    return exporter


# Driver values -> JSON: SQLite hands back JSON and dates as text, PostgreSQL as Python objects.


def json_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def json_value(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str) else value


def timestamp(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return iso_from_sqlite(value)
    assert isinstance(value, datetime)
    return iso(value)


def boolean(value: Any) -> bool:
    return bool(value)


def _load_builtins() -> None:
    from lsx.engine.formats import json_export, min_export  # noqa: F401


_load_builtins()
