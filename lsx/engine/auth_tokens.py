"""Who is calling: legacy API tokens, Label Studio's personal-access-token JWT flow, browser
sessions with CSRF, and one-time login links. Every scheme ends in an Actor.

PAT flow (as Label Studio / simple-jwt): `create_pat` returns a long-lived *refresh* JWT whose jti
is stored (hashed) in api_tokens (kind "pat"); `refresh_access` trades it for a short-lived *access*
JWT sent as `Bearer`. Both are HS256 signed with LSX_SECRET_KEY. Blacklisting a PAT revokes its row,
so its refreshes fail at once; access tokens it already minted die within ACCESS_TTL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import bindparam, delete, select

from lsx.engine.access import audit
from lsx.engine.access.actor import Actor
from lsx.engine.access.passwords import verify_password
from lsx.engine.access.users import actor_for_user
from lsx.engine.api_models import WebSession
from lsx.engine.db.models import ApiToken, Membership, User
from lsx.engine.errors import AuthenticationFailed, InputError, NotFound, PermissionDenied

ALGORITHM = "HS256"
ACCESS_TTL = 300  # seconds, simple-jwt's default
PAT_TTL_DAYS = 365 * 200  # Label Studio's default: effectively forever
SESSION_TTL = timedelta(days=14)
LINK_TTL = timedelta(minutes=15)
# Resolved credentials are cached briefly: a revoked token stops working within this many seconds.
CACHE_SECONDS = 2.0

_cache: dict[str, tuple[float, Actor]] = {}
_cache_lock = threading.Lock()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _secret(ws: Any) -> str:
    return str(ws.settings.secret_key)


def _cached(key: str) -> Actor | None:
    hit = _cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return None


def _remember(key: str, actor: Actor) -> Actor:
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (time.monotonic() + CACHE_SECONDS, actor)
    return actor


def forget_cached() -> None:
    """Drop cached credentials (after a revocation or a logout, so it applies at once in this process)."""
    with _cache_lock:
        _cache.clear()
        _sessions.clear()


def _active_actor(session: Any, user: User | None) -> Actor:
    if user is None or not user.is_active:
        raise AuthenticationFailed("the user of these credentials does not exist or is not active")
    return actor_for_user(session, user)


# --- legacy token -------------------------------------------------------------------------------


# The token, its user and the user's live memberships in one statement (Core, no unit of work):
# what user_for_token + actor_for_user read, for the server's every cache miss.
_TOKEN_ACTOR = (
    select(ApiToken.revoked_at, User.id, User.email, User.is_active, User.active_organization_id,
           Membership.organization_id, Membership.role)
    .select_from(ApiToken)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Membership, (Membership.user_id == User.id) & Membership.deleted_at.is_(None))
    .where(ApiToken.key_hash == bindparam("h"))
    .order_by(Membership.id)
)


def actor_for_api_token(ws: Any, key: str) -> Actor:
    """`Authorization: Token <key>` (the tokens of `lsx token create`)."""
    hit = _cached("t:" + key)
    if hit is not None:
        return hit
    with ws.read_connection() as conn:
        rows = conn.execute(_TOKEN_ACTOR, {"h": _digest(key)}).all()
    if not rows or rows[0].revoked_at is not None or not rows[0].is_active:
        raise AuthenticationFailed("invalid or revoked token")
    return _remember("t:" + key, _actor_of(rows))


def _actor_of(rows: list[Any]) -> Actor:
    """actor_for_user over _TOKEN_ACTOR rows (one per live membership, oldest first)."""
    members = [r for r in rows if r.organization_id is not None]
    if not members:
        raise InputError(f"user {rows[0].email} belongs to no organization")
    chosen = next((m for m in members if m.organization_id == m.active_organization_id), members[0])
    return Actor(chosen.id, chosen.email, chosen.organization_id, chosen.role)


# --- personal access tokens (JWT) -----------------------------------------------------------------


def create_pat(ws: Any, actor: Actor, name: str = "") -> str:
    """A new refresh JWT for the actor; Label Studio keeps one active PAT per user, so older ones go."""
    jti = secrets.token_hex(16)
    now = datetime.now(UTC)
    claims = {
        "token_type": "refresh",
        "jti": jti,
        "user_id": actor.id,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(days=PAT_TTL_DAYS)).timestamp()),
    }
    token = jwt.encode(claims, _secret(ws), algorithm=ALGORITHM)
    with ws.session() as s:
        for old in s.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.id, ApiToken.kind == "pat", ApiToken.revoked_at.is_(None))
        ):
            old.revoked_at = now
        row = ApiToken(user_id=actor.id, key_hash=_digest(jti), prefix=jti[:8], name=name or "pat", kind="pat")
        s.add(row)
        s.flush()
        audit.record(s, actor, "create", "personal_access_token", row.id)
    forget_cached()
    return token


def list_pats(ws: Any, actor: Actor) -> list[dict[str, Any]]:
    """The actor's live PATs, shown truncated (the full token is shown once, at creation)."""
    with ws.read() as s:
        rows = s.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == actor.id, ApiToken.kind == "pat", ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
        return [
            {
                "token": f"{r.prefix}...",
                "created_at": r.created_at.replace(tzinfo=r.created_at.tzinfo or UTC).isoformat(),
                "expires_at": (r.created_at.replace(tzinfo=r.created_at.tzinfo or UTC)
                               + timedelta(days=PAT_TTL_DAYS)).isoformat(),
            }
            for r in rows
        ]


def _decode(ws: Any, token: str, token_type: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(token, _secret(ws), algorithms=[ALGORITHM])
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("token has expired") from None
    except jwt.InvalidTokenError:
        raise AuthenticationFailed("token is invalid") from None
    if claims.get("token_type") != token_type or not isinstance(claims.get("user_id"), int):
        raise AuthenticationFailed(f"token is not an {token_type} token")
    return claims


def _live_pat(session: Any, claims: dict[str, Any]) -> ApiToken:
    row = session.scalars(
        select(ApiToken).where(ApiToken.key_hash == _digest(str(claims.get("jti", ""))), ApiToken.kind == "pat")
    ).first()
    if row is None or row.revoked_at is not None or row.user_id != claims["user_id"]:
        raise AuthenticationFailed("token is blacklisted or unknown")
    return row


def refresh_access(ws: Any, refresh: str) -> str:
    """`POST /api/token/refresh/`: a short-lived access JWT for a live PAT."""
    claims = _decode(ws, refresh, "refresh")
    with ws.read() as s:
        _live_pat(s, claims)
        _active_actor(s, s.get(User, claims["user_id"]))
    now = int(time.time())
    access = {
        "token_type": "access",
        "jti": secrets.token_hex(8),
        "pat": claims["jti"],
        "user_id": claims["user_id"],
        "iat": now,
        "exp": now + ACCESS_TTL,
    }
    return jwt.encode(access, _secret(ws), algorithm=ALGORITHM)


def actor_for_access_token(ws: Any, token: str) -> Actor:
    """`Authorization: Bearer <access JWT>`."""
    hit = _cached("b:" + token)
    if hit is not None:
        return hit
    claims = _decode(ws, token, "access")
    with ws.read_connection() as conn:  # _live_pat + _active_actor in one statement
        rows = conn.execute(_PAT_ACTOR, {"h": _digest(str(claims.get("pat", "")))}).all()
    if not rows or rows[0].revoked_at is not None or rows[0].id != claims["user_id"]:
        raise AuthenticationFailed("token is blacklisted or unknown")
    if not rows[0].is_active:
        raise AuthenticationFailed("the user of these credentials does not exist or is not active")
    return _remember("b:" + token, _actor_of(rows))


_PAT_ACTOR = _TOKEN_ACTOR.where(ApiToken.kind == "pat")


def blacklist_pat(ws: Any, actor: Actor, refresh: str) -> None:
    """Revoke a PAT (its owner only): its refreshes and its access tokens stop working."""
    claims = _decode(ws, refresh, "refresh")
    with ws.session() as s:
        row = _live_pat(s, claims)
        if row.user_id != actor.id:
            raise NotFound("token not found")
        row.revoked_at = datetime.now(UTC)
        audit.record(s, actor, "revoke", "personal_access_token", row.id)
    forget_cached()


# --- browser sessions -------------------------------------------------------------------------------


def _new_session(s: Any, user_id: int, kind: str, ttl: timedelta) -> tuple[str, str]:
    key, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    s.add(WebSession(key_hash=_digest(key), kind=kind, user_id=user_id, csrf=csrf,
                     expires_at=datetime.now(UTC) + ttl))
    return key, csrf


def login(ws: Any, email: str, password: str) -> tuple[str, str]:
    """Check a password; returns (session key, CSRF token) for the cookie and the forms."""
    with ws.session() as s:
        user = s.scalars(select(User).where(User.email == email.strip())).first()
        if user is None or not user.is_active or not verify_password(password, user.password_hash):
            raise AuthenticationFailed("wrong email or password")
        actor = actor_for_user(s, user)
        s.execute(delete(WebSession).where(WebSession.expires_at < datetime.now(UTC)))
        out = _new_session(s, user.id, "session", SESSION_TTL)
        audit.record(s, actor, "login", "user", user.id)
        return out


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_sessions: dict[str, tuple[float, Actor, str, datetime]] = {}


def cached_session(key: str) -> tuple[Actor, str] | None:
    """What session_actor answered for this cookie within CACHE_SECONDS (and before the session
    expires), else None: a dict look-up, for the event loop."""
    hit = _sessions.get(key)
    if hit is not None and hit[0] > time.monotonic() and hit[3] > datetime.now(UTC):
        return hit[1], hit[2]
    return None


def session_actor(ws: Any, key: str) -> tuple[Actor, str]:
    """The actor and CSRF token of a session cookie."""
    with ws.read() as s:
        row = s.scalars(
            select(WebSession).where(WebSession.key_hash == _digest(key), WebSession.kind == "session")
        ).first()
        if row is None or _aware(row.expires_at) < datetime.now(UTC):
            raise AuthenticationFailed("session expired; log in again")
        actor, csrf = _active_actor(s, s.get(User, row.user_id)), row.csrf
    with _cache_lock:
        if len(_sessions) > 10_000:
            _sessions.clear()
        _sessions[key] = (time.monotonic() + CACHE_SECONDS, actor, csrf, _aware(row.expires_at))
    return actor, csrf


def check_csrf(expected: str, given: str | None) -> None:
    """Unsafe methods from a browser session must echo the session's CSRF token."""
    if not given or not hmac.compare_digest(expected, given):
        raise PermissionDeniedCsrf("CSRF token missing or incorrect")


def logout(ws: Any, key: str) -> None:
    with ws.session() as s:
        s.execute(delete(WebSession).where(WebSession.key_hash == _digest(key)))
    with _cache_lock:
        _sessions.pop(key, None)


def create_login_link(ws: Any, email: str) -> str:
    """A one-time link key (what `lsx serve` prints for the local owner)."""
    with ws.session() as s:
        user = s.scalars(select(User).where(User.email == email)).first()
        if user is None:
            raise NotFound(f"user {email} not found")
        key, _ = _new_session(s, user.id, "link", LINK_TTL)
        return key


def use_login_link(ws: Any, key: str) -> tuple[str, str]:
    """Spend a login link (once) for a session."""
    with ws.session() as s:
        row = s.scalars(
            select(WebSession).where(WebSession.key_hash == _digest(key), WebSession.kind == "link")
        ).first()
        if row is None or _aware(row.expires_at) < datetime.now(UTC):
            raise AuthenticationFailed("this login link is unknown, used or expired")
        user_id = row.user_id
        s.delete(row)
        return _new_session(s, user_id, "session", SESSION_TTL)


# --- one entry point for the server ------------------------------------------------------------------


def cached_actor(authorization: str | None, api_key: str | None = None) -> Actor | None:
    """The actor `authenticate` resolved for these headers within CACHE_SECONDS, else None: a dict
    look-up, so the server answers most requests' authentication on the event loop."""
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "token":
            return _cached("t:" + value.strip())
        if scheme == "bearer":
            return _cached("b:" + value.strip())
        return None
    if api_key:
        return _cached(("b:" if api_key.count(".") == 2 else "t:") + api_key)
    return None


def authenticate(ws: Any, authorization: str | None, api_key: str | None = None) -> Actor:
    """Resolve an Authorization header (`Token`, `Bearer`) or an X-API-Key header to an Actor."""
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "token" and value:
            return actor_for_api_token(ws, value)
        if scheme.lower() == "bearer" and value:
            return actor_for_access_token(ws, value)
        raise AuthenticationFailed("unsupported Authorization header; use `Token <key>` or `Bearer <access JWT>`")
    if api_key:
        if api_key.count(".") == 2:
            return actor_for_access_token(ws, api_key)
        return actor_for_api_token(ws, api_key)
    raise AuthenticationFailed("Authentication credentials were not provided.")


class PermissionDeniedCsrf(PermissionDenied):
    """A browser write without the session's CSRF token."""

