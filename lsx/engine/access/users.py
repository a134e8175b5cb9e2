"""Users and organizations: create, list, and turn an email into an Actor."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lsx.engine.access import audit
from lsx.engine.access.actor import ROLE_RANK, Actor
from lsx.engine.access.passwords import hash_password
from lsx.engine.db.models import ROLES, Membership, Organization, User
from lsx.engine.errors import Conflict, InputError, NotFound

DEFAULT_ORG = "Default"
LOCAL_OWNER = "admin@localhost"


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    first_name: str
    last_name: str
    is_active: bool
    organization: str | None
    role: str | None
    date_joined: datetime

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "is_active": self.is_active,
            "organization": self.organization,
            "role": self.role,
            "date_joined": self.date_joined.isoformat(),
        }


def _check_email(email: str) -> str:
    email = email.strip()
    local, _, domain = email.partition("@")
    if not local or not domain or " " in email:
        raise InputError(f"not an email address: {email!r}")
    return email


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return role


def get_org(session: Session, name_or_id: str | int) -> Organization:
    text = str(name_or_id)
    if text.isdigit():
        org = session.get(Organization, int(text))
    else:
        org = session.scalars(select(Organization).where(Organization.title == text)).first()
    if org is None:
        raise NotFound(f"organization {text!r} not found")
    return org


def create_org(session: Session, actor: Actor | None, title: str, *, owner: User | None = None) -> Organization:
    title = title.strip()
    if not title:
        raise InputError("organization name must not be empty")
    if session.scalars(select(Organization).where(Organization.title == title)).first():
        raise Conflict(f"organization {title!r} already exists")
    org = Organization(title=title, token=secrets.token_hex(16), created_by_id=actor.id if actor else None)
    session.add(org)
    session.flush()
    if owner is not None:
        session.add(Membership(organization_id=org.id, user_id=owner.id, role="owner"))
    audit.record(session, actor, "create", "organization", org.id, organization_id=org.id, title=title)
    return org


def list_orgs(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.id)))


def create_user(
    session: Session,
    actor: Actor | None,
    email: str,
    *,
    password: str | None = None,
    org: Organization | None = None,
    role: str = "annotator",
    first_name: str = "",
    last_name: str = "",
    placeholder: bool = False,
) -> User:
    """Create a user and make them a member of `org` (the actor's organization by default)."""
    email = _check_email(email)
    _check_role(role)
    if actor is not None and not placeholder:
        actor.require("admin", "create users")
        if ROLE_RANK[role] > ROLE_RANK[actor.role]:
            raise InputError(f"{actor.email} ({actor.role}) cannot grant the role {role}")
    if session.scalars(select(User).where(User.email == email)).first():
        raise Conflict(f"user {email} already exists")
    if org is None:
        if actor is None:
            raise InputError("an organization is needed for a new user")
        org = session.get(Organization, actor.organization_id)
    assert org is not None
    user = User(
        email=email,
        username=email.split("@", 1)[0] if not placeholder else email,
        first_name=first_name,
        last_name=last_name,
        password_hash=hash_password(password) if password else None,
        is_active=not placeholder,
        is_placeholder=placeholder,
        active_organization_id=org.id,
    )
    session.add(user)
    session.flush()
    session.add(Membership(organization_id=org.id, user_id=user.id, role=role))
    if not placeholder:
        audit.record(session, actor, "create", "user", user.id, organization_id=org.id, email=email, role=role)
    return user


def list_users(session: Session, actor: Actor) -> list[UserInfo]:
    rows = session.execute(
        select(User, Membership.role, Organization.title)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.organization_id == actor.organization_id, Membership.deleted_at.is_(None))
        .order_by(User.id)
    ).all()
    return [
        UserInfo(u.id, u.email, u.first_name, u.last_name, u.is_active, title, role, u.date_joined)
        for u, role, title in rows
    ]


def actor_for(session: Session, email: str) -> Actor:
    """The Actor for an email: its active organization and its role there."""
    user = session.scalars(select(User).where(User.email == email.strip())).first()
    if user is None:
        raise NotFound(f"user {email} not found (create it with `lsx user create {email}`)")
    if not user.is_active:
        raise InputError(f"user {email} is not active")
    return actor_for_user(session, user)


def actor_for_user(session: Session, user: User) -> Actor:
    query = select(Membership).where(Membership.user_id == user.id, Membership.deleted_at.is_(None))
    members = list(session.scalars(query.order_by(Membership.id)))
    if not members:
        raise InputError(f"user {user.email} belongs to no organization")
    chosen = next((m for m in members if m.organization_id == user.active_organization_id), members[0])
    return Actor(user.id, user.email, chosen.organization_id, chosen.role)
