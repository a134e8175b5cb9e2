"""Append-only audit trail: one row per write, in the same transaction as the write."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import AuditEvent


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: int | None = None,
    *,
    project_id: int | None = None,
    organization_id: int | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEvent(
            organization_id=organization_id if organization_id is not None else (actor and actor.organization_id),
            actor_id=actor.id if actor else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            project_id=project_id,
            detail=detail,
        )
    )
