"""Read access to people and organizations for the API: users of the actor's organization, the
organizations the actor belongs to, and their memberships, in Label Studio's shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from lsx.engine.access.actor import Actor
from lsx.engine.db.models import Annotation, Membership, Organization, Project, User
from lsx.engine.errors import NotFound
from lsx.engine.timefmt import iso

# What an OSS Label Studio user may do; lsx roles narrow writes in the engine, not here.
PERMISSIONS = ("projects.view", "projects.change", "tasks.view", "tasks.change", "annotations.view",
               "annotations.create", "annotations.change", "predictions.view", "predictions.change")


def user_json(user: User) -> dict[str, Any]:
    initials = ((user.first_name[:1] + user.last_name[:1]) or user.email[:2]).lower()
    return {
        "id": user.id, "first_name": user.first_name, "last_name": user.last_name,
        "username": user.username or user.email, "email": user.email, "last_activity": iso(user.last_activity),
        "custom_hotkeys": {}, "avatar": None, "initials": initials, "phone": "",
        "active_organization": user.active_organization_id, "active_organization_meta": {},
        "allow_newsletters": None, "date_joined": iso(user.date_joined) or "",
    }


def _members(actor: Actor) -> Any:
    return select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organization_id == actor.organization_id, Membership.deleted_at.is_(None),
        User.is_placeholder.is_(False),
    )


def list_users(session: Session, actor: Actor) -> list[User]:
    return list(session.scalars(_members(actor).order_by(User.id)))


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    user = session.scalars(_members(actor).where(User.id == user_id)).first()
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def whoami(session: Session, actor: Actor) -> dict[str, Any]:
    user = session.get(User, actor.id)
    if user is None:
        raise NotFound("user not found")
    return {**user_json(user), "active_organization": actor.organization_id, "role": actor.role,
            "permissions": list(PERMISSIONS)}


def org_json(org: Organization) -> dict[str, Any]:
    return {"id": org.id, "title": org.title, "contact_info": org.contact_info, "created_at": iso(org.created_at)}


def list_orgs(session: Session, actor: Actor) -> list[Organization]:
    return list(session.scalars(
        select(Organization).join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == actor.id, Membership.deleted_at.is_(None)).order_by(Organization.id)
    ))


def get_org(session: Session, actor: Actor, org_id: int) -> Organization:
    """An organization the actor belongs to (another one answers NotFound)."""
    for org in list_orgs(session, actor):
        if org.id == org_id:
            return org
    raise NotFound(f"organization {org_id} not found")


def memberships_page(session: Session, actor: Actor, org_id: int, page: int, page_size: int) -> dict[str, Any]:
    get_org(session, actor, org_id)
    base = select(Membership, User).join(User, User.id == Membership.user_id).where(
        Membership.organization_id == org_id, Membership.deleted_at.is_(None), User.is_placeholder.is_(False)
    )
    count = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    if page < 1 or (page - 1) * page_size >= max(count, 1):
        raise NotFound("Invalid page.")
    rows = session.execute(base.order_by(Membership.id).offset((page - 1) * page_size).limit(page_size)).all()
    user_ids = [u.id for _, u in rows]
    created = dict(session.execute(
        select(Project.created_by_id, func.count()).where(Project.organization_id == org_id,
                                                          Project.created_by_id.in_(user_ids))
        .group_by(Project.created_by_id)
    ).all())
    contributed = dict(session.execute(
        select(Annotation.completed_by_id, func.count(distinct(Annotation.project_id)))
        .join(Project, Project.id == Annotation.project_id)
        .where(Project.organization_id == org_id, Annotation.completed_by_id.in_(user_ids))
        .group_by(Annotation.completed_by_id)
    ).all())
    results = [
        {"id": m.id, "organization": org_id, "user": user_json(u), "role": m.role,
         "created_projects": int(created.get(u.id, 0)), "contributed_to_projects": int(contributed.get(u.id, 0))}
        for m, u in rows
    ]
    return {"count": count, "results": results}
