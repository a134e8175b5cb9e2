"""API tokens for scripts: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.db.models import ApiToken, Membership, User
from lsx.engine.errors import AuthenticationFailed, InputError, NotFound, PermissionDenied


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(session: Session, actor: Actor, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Returns the row and the only copy of the key."""
    if user.id != actor.id:
        actor.require("admin", "create tokens for other users")
        same_org = session.scalars(
            select(Membership).where(
                Membership.user_id == user.id, Membership.organization_id == actor.organization_id
            )
        ).first()
        if same_org is None:
            raise NotFound(f"user {user.email} not found in your organization")
    key = secrets.token_hex(20)
    token = ApiToken(user_id=user.id, key_hash=_digest(key), prefix=key[:8], name=name)
    session.add(token)
    session.flush()
    audit.record(session, actor, "create", "api_token", token.id, user=user.email)
    return token, key


def list_tokens(session: Session, actor: Actor, user: User | None = None) -> list[tuple[ApiToken, str]]:
    query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
    if user is not None:
        query = query.where(ApiToken.user_id == user.id)
    if actor.role not in ("owner", "admin"):
        query = query.where(ApiToken.user_id == actor.id)
    else:
        query = query.join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == actor.organization_id
        )
    return [(t, e) for t, e in session.execute(query.order_by(ApiToken.id)).all()]


def revoke_token(session: Session, actor: Actor, token_id_or_prefix: str) -> ApiToken:
    text = token_id_or_prefix.strip()
    # A prefix is 8 hex digits and may be all decimal digits, so a number may name either.
    cond = or_(ApiToken.prefix == text, ApiToken.id == int(text)) if text.isdigit() else ApiToken.prefix == text
    matches = list(session.scalars(select(ApiToken).where(cond)))
    if not matches:
        raise NotFound(f"token {text!r} not found")
    if len(matches) > 1:
        raise InputError(f"{text!r} names {len(matches)} tokens (an id and a prefix): use the other one")
    token = matches[0]
    if token.user_id != actor.id:
        actor.require("admin", "revoke other users' tokens")
    token.revoked_at = datetime.now(UTC)
    audit.record(session, actor, "revoke", "api_token", token.id)
    return token


def user_for_token(session: Session, key: str) -> User:
    token = session.scalars(select(ApiToken).where(ApiToken.key_hash == _digest(key))).first()
    if token is None or token.revoked_at is not None:
        raise AuthenticationFailed("invalid or revoked token")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise PermissionDenied("the token's user is not active")
    return user
