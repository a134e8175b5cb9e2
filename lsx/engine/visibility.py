"""Which task rows exist for readers: those of no import, or of an import that committed.

Imports write tasks in several short transactions tagged with their TaskImport; flipping that one
row to `committed` makes them all visible at once. Readers exclude the (usually empty) set of
uncommitted imports, which SQLite and PostgreSQL evaluate once per statement.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from lsx.engine.db.models import IMPORT_COMMITTED, Task, TaskImport


def task_visible(task_import_id: ColumnElement[int | None] | None = None) -> ColumnElement[bool]:
    col = Task.task_import_id if task_import_id is None else task_import_id
    unfinished = select(TaskImport.id).where(TaskImport.state != IMPORT_COMMITTED).scalar_subquery()
    return or_(col.is_(None), col.not_in(unfinished))
