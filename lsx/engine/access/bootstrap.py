"""First use: a default organization and the local owner, so a new machine needs no setup."""

from __future__ import annotations

from sqlalchemy import select

from lsx.engine.access.users import DEFAULT_ORG, LOCAL_OWNER, create_org, create_user
from lsx.engine.db.models import Organization, User


def ensure_defaults(ws: object) -> None:
    from lsx.engine.workspace import Workspace

    assert isinstance(ws, Workspace)
    with ws.read() as s:
        if s.scalars(select(User.id).limit(1)).first() is not None:
            return
    with ws.session() as s:
        if s.scalars(select(User.id).limit(1)).first() is not None:
            return  # another process got there first
        org = s.scalars(select(Organization).where(Organization.title == DEFAULT_ORG)).first()
        org = org or create_org(s, None, DEFAULT_ORG)
        owner = create_user(s, None, LOCAL_OWNER, org=org, role="owner", first_name="Local", last_name="Owner")
        org.created_by_id = owner.id
