"""Bulk sessions skip SQLite's per-row foreign-key lookups, and only while they last."""

from __future__ import annotations

from sqlalchemy import text

from lsx.engine.workspace import Workspace


def _foreign_keys(ws: Workspace) -> int:
    with ws.session() as s:
        return int(s.execute(text("PRAGMA foreign_keys")).scalar_one())


def test_foreign_keys_are_off_inside_a_bulk_session_and_back_on_after(ws: Workspace) -> None:
    assert _foreign_keys(ws) == 1
    with ws.bulk_session() as s:
        assert s.execute(text("PRAGMA foreign_keys")).scalar_one() == 0
    assert _foreign_keys(ws) == 1
    # The connection the bulk session used is the pooled one the next session gets back.
    for _ in range(3):
        assert _foreign_keys(ws) == 1


def test_a_failed_bulk_session_also_restores_foreign_keys(ws: Workspace) -> None:
    try:
        with ws.bulk_session() as s:
            s.execute(text("SELECT 1"))
            raise RuntimeError("loader failed")
    except RuntimeError:
        pass
    assert _foreign_keys(ws) == 1
