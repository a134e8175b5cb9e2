"""`lsx user ...`, `lsx org ...` and `lsx token ...`."""

from __future__ import annotations

import sys

import typer

from lsx.cli.common import actor, fail, print_json, print_jsonl, print_table, workspace

user_app = typer.Typer(help="Create and list users.", no_args_is_help=True)
org_app = typer.Typer(help="Create and list organizations.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts.", no_args_is_help=True)


@user_app.command()
def create(
    email: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    org: str | None = typer.Option(None, "--org", help="Organization name or id (default: yours)."),
    role: str = typer.Option("annotator", "--role", help="owner, admin, manager, reviewer or annotator."),
    first_name: str = typer.Option("", "--first-name"),
    last_name: str = typer.Option("", "--last-name"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a user in an organization."""
    from lsx.engine.access.users import create_user, get_org

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("empty password on standard input")
    ws, who = workspace(), actor()
    with ws.session() as s:
        organization = get_org(s, org) if org else None
        if organization is not None and organization.id != who.organization_id and who.role != "owner":
            fail("only an owner may add users to another organization")
        user = create_user(s, who, email, password=password, org=organization, role=role,
                           first_name=first_name, last_name=last_name)
        uid = user.id
    if as_json:
        print_json({"id": uid, "email": email, "role": role})
    else:
        typer.echo(f"created user {uid}: {email} ({role})")


@user_app.command("list")
def list_users(as_json: bool = typer.Option(False, "--json"), as_jsonl: bool = typer.Option(False, "--jsonl")) -> None:
    """List the users of your organization."""
    from lsx.engine.access.users import list_users as engine_list

    ws, who = workspace(), actor()
    with ws.read() as s:
        users = engine_list(s, who)
    rows = [u.as_json() for u in users]
    if as_json:
        print_json(rows)
    elif as_jsonl:
        print_jsonl(rows)
    else:
        print_table(["id", "email", "role", "active"], [(u.id, u.email, u.role, "yes" if u.is_active else "no")
                                                        for u in users])


@org_app.command("create")
def org_create(name: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """Create an organization; you become its owner."""
    from lsx.engine.access.users import create_org
    from lsx.engine.db.models import User

    ws, who = workspace(), actor()
    with ws.session() as s:
        org = create_org(s, who, name, owner=s.get(User, who.id))
        oid = org.id
    if as_json:
        print_json({"id": oid, "title": name})
    else:
        typer.echo(f"created organization {oid}: {name}")


@org_app.command("list")
def org_list(as_json: bool = typer.Option(False, "--json"), as_jsonl: bool = typer.Option(False, "--jsonl")) -> None:
    """List organizations."""
    from lsx.engine.access.users import list_orgs

    ws = workspace()
    actor()
    with ws.read() as s:
        rows = [{"id": o.id, "title": o.title, "created_at": o.created_at.isoformat()} for o in list_orgs(s)]
    if as_json:
        print_json(rows)
    elif as_jsonl:
        print_jsonl(rows)
    else:
        print_table(["id", "title", "created_at"], [(r["id"], r["title"], r["created_at"]) for r in rows])


@token_app.command("create")
def token_create(
    user: str | None = typer.Option(None, "--user", help="Email of the token's user (default: you)."),
    name: str = typer.Option("", "--name", help="A label for the token."),
) -> None:
    """Create an API token and print it once (only its hash is stored)."""
    from sqlalchemy import select

    from lsx.engine.access.tokens import create_token
    from lsx.engine.db.models import User
    from lsx.engine.errors import NotFound

    ws, who = workspace(), actor()
    with ws.session() as s:
        email = user or who.email
        target = s.scalars(select(User).where(User.email == email)).first()
        if target is None:
            raise NotFound(f"user {email} not found")
        _, key = create_token(s, who, target, name)
    typer.echo(key)


@token_app.command("list")
def token_list(
    user: str | None = typer.Option(None, "--user"),
    as_json: bool = typer.Option(False, "--json"),
    as_jsonl: bool = typer.Option(False, "--jsonl"),
) -> None:
    """List tokens (their prefixes, never the keys)."""
    from sqlalchemy import select

    from lsx.engine.access.tokens import list_tokens
    from lsx.engine.db.models import User

    ws, who = workspace(), actor()
    with ws.read() as s:
        target = s.scalars(select(User).where(User.email == user)).first() if user else None
        rows = [
            {"id": t.id, "prefix": t.prefix, "user": email, "name": t.name, "created_at": t.created_at.isoformat(),
             "revoked": t.revoked_at is not None}
            for t, email in list_tokens(s, who, target)
        ]
    if as_json:
        print_json(rows)
    elif as_jsonl:
        print_jsonl(rows)
    else:
        print_table(["id", "prefix", "user", "name", "created_at", "revoked"],
                    [(r["id"], r["prefix"] + "…", r["user"], r["name"], r["created_at"], "yes" if r["revoked"] else "")
                     for r in rows])


@token_app.command("revoke")
def token_revoke(token: str = typer.Argument(..., help="Token id or prefix.")) -> None:
    """Revoke a token."""
    from lsx.engine.access.tokens import revoke_token

    ws, who = workspace(), actor()
    with ws.session() as s:
        t = revoke_token(s, who, token)
        tid = t.id
    typer.echo(f"revoked token {tid}")
