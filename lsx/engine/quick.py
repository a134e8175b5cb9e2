"""Read-only answers for the hottest CLI commands straight from SQLite.

Importing SQLAlchemy costs a few hundred milliseconds of start-up; `lsx project list` should answer
faster than that. These functions read an embedded database with the standard library's sqlite3,
with the same rules as the full path (organization scoping, visible tasks only). They return None
whenever they cannot answer exactly (not SQLite, no database yet, schema not current), and the
caller takes the full path.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from lsx.engine.settings import Settings


def _connect(settings: Settings) -> sqlite3.Connection | None:
    url = settings.database_url
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        from lsx.engine.db.migrate import head_revisions

        current = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
        if current != set(head_revisions()):
            conn.close()
            return None
    except sqlite3.Error:
        conn.close()
        return None
    return conn


def _actor(conn: sqlite3.Connection, email: str) -> tuple[int, int] | None:
    """(user id, organization id) as actor_for chooses them, or None (the full path explains why)."""
    row = conn.execute(
        "SELECT u.id, u.active_organization_id, u.is_active FROM users u WHERE u.email = ?", (email.strip(),)
    ).fetchone()
    if row is None or not row[2]:
        return None
    orgs = [r[0] for r in conn.execute(
        "SELECT organization_id FROM memberships WHERE user_id = ? AND deleted_at IS NULL ORDER BY id", (row[0],)
    )]
    if not orgs:
        return None
    return row[0], (row[1] if row[1] in orgs else orgs[0])


def project_rows(settings: Settings) -> list[dict[str, Any]] | None:
    """Rows of `lsx project list`: id, title, tasks, labeled, annotations, sampling."""
    try:
        conn = _connect(settings)
    except sqlite3.Error:
        return None
    if conn is None:
        return None
    try:
        who = _actor(conn, settings.user)
        if who is None:
            return None
        # As projects.task_totals: index-only counts, sums from the partial index of tasks that have
        # any counter, minus the tasks of imports not yet committed (found by their id ranges).
        rows = conn.execute(
            """
            SELECT p.id, p.title, p.sampling,
                (SELECT count(*) FROM tasks t WHERE t.project_id = p.id),
                (SELECT count(*) FROM tasks t WHERE t.project_id = p.id AND t.is_labeled = 1),
                (SELECT coalesce(sum(t.total_annotations), 0) FROM tasks t WHERE t.project_id = p.id
                    AND (t.total_annotations > 0 OR t.cancelled_annotations > 0 OR t.total_predictions > 0))
            FROM projects p WHERE p.organization_id = ? ORDER BY p.id
            """,
            (who[1],),
        ).fetchall()
        hidden = {
            pid: (n, labeled or 0, annotations or 0)
            for pid, n, labeled, annotations in conn.execute(
                """
                SELECT i.project_id, count(*), sum(t.is_labeled), sum(t.total_annotations)
                FROM task_imports i JOIN tasks t
                    ON t.id BETWEEN i.first_task_id AND i.last_task_id AND t.task_import_id = i.id
                WHERE i.state != 'committed' GROUP BY i.project_id
                """
            )
        }
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    out = []
    for pid, title, sampling, n, labeled, n_annotations in rows:
        h = hidden.get(pid, (0, 0, 0))
        out.append({"id": pid, "title": title, "sampling": sampling, "tasks": n - h[0], "labeled": labeled - h[1],
                    "annotations": n_annotations - h[2]})
    return out
