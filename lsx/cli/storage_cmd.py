"""`lsx storage add|list|show|update|remove|sync`: import and export storages (S3, GCS, Azure Blob,
local folders). One id space for every storage; `sync` prints one summary line per storage and exits
non-zero when any sync failed, so cron alerts on it."""

from __future__ import annotations

from typing import Any

import typer

from lsx.cli.common import actor, fail, print_json, print_table, progress_bar, workspace

app = typer.Typer(help="Cloud and local storages: add, list, show, update, remove, sync.", no_args_is_help=True)

TYPE_HELP = "s3, gcs, azure or localfiles (local)"


def _fields(**opts: Any) -> dict[str, Any]:
    """CLI options -> storage fields; options not given stay out (update keeps the old value)."""
    names = {
        "bucket": "bucket", "container": "container", "path": "path", "prefix": "prefix",
        "regex_filter": "regex_filter", "use_blob_urls": "use_blob_urls", "endpoint_url": "endpoint_url",
        "title": "title", "description": "description", "recursive": "recursive_scan", "presign": "presign",
        "presign_ttl": "presign_ttl", "region": "region_name", "can_delete_objects": "can_delete_objects",
        "layout": "layout", "format": "format", "on_change": "on_change", "on_delete": "on_delete",
        "access_key_id": "aws_access_key_id", "secret_access_key": "aws_secret_access_key",
        "session_token": "aws_session_token", "account_name": "account_name", "account_key": "account_key",
        "connection_string": "connection_string", "google_project_id": "google_project_id",
    }
    out = {names[k]: v for k, v in opts.items() if k in names and v is not None}
    creds = opts.get("credentials_file")
    if creds is not None:
        try:
            with open(creds) as fh:
                out["google_application_credentials"] = fh.read()
        except OSError as exc:
            fail(f"{creds}: cannot read: {exc.strerror or exc}")
    return out


def _project_id(ref: str) -> int:
    from lsx.engine.projects import resolve_project

    ws = workspace()
    with ws.read() as s:
        return resolve_project(s, actor(), ref).id


_OPT = {
    "bucket": typer.Option(None, "--bucket", help="S3/GCS bucket"),
    "container": typer.Option(None, "--container", help="Azure container"),
    "path": typer.Option(None, "--path", help="local folder (under LSX_LOCAL_FILES_ROOT, or relative to it)"),
}


@app.command("add")
def add(
    project: str = typer.Argument(..., help="project id or title"),
    type_: str = typer.Option(..., "--type", help=TYPE_HELP),
    bucket: str | None = _OPT["bucket"],
    container: str | None = _OPT["container"],
    path: str | None = _OPT["path"],
    prefix: str | None = typer.Option(None, "--prefix"),
    regex_filter: str | None = typer.Option(None, "--regex-filter", help="re.match on the key (anchored at its start)"),
    use_blob_urls: bool = typer.Option(False, "--use-blob-urls", help="one task per media object"),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url", help="S3-compatible store or emulator"),
    export: bool = typer.Option(False, "--export", help="an export (target) storage"),
    title: str | None = typer.Option(None, "--title"),
    recursive: bool = typer.Option(False, "--recursive", help="scan sub-folders too"),
    presign: bool = typer.Option(True, "--presign/--no-presign", help="redirect to presigned URLs (else stream)"),
    presign_ttl: int | None = typer.Option(None, "--presign-ttl", help="minutes"),
    region: str | None = typer.Option(None, "--region"),
    can_delete_objects: bool = typer.Option(False, "--can-delete-objects", help="export: delete with annotations"),
    layout: str | None = typer.Option(None, "--layout", help="export: annotation (default) or task"),
    format_: str | None = typer.Option(None, "--format", help="export: write the project in this export format"),
    on_change: str | None = typer.Option(None, "--on-change", help="default for syncs: keep or update"),
    on_delete: str | None = typer.Option(None, "--on-delete", help="default for syncs: keep, mark or remove"),
    access_key_id: str | None = typer.Option(None, "--access-key-id",
                                             help="S3 (else the AWS_* environment)"),
    secret_access_key: str | None = typer.Option(None, "--secret-access-key",
                                                 envvar="LSX_STORAGE_AWS_SECRET_ACCESS_KEY"),
    session_token: str | None = typer.Option(None, "--session-token"),
    account_name: str | None = typer.Option(None, "--account-name", help="Azure (else AZURE_STORAGE_*)"),
    account_key: str | None = typer.Option(None, "--account-key"),
    connection_string: str | None = typer.Option(None, "--connection-string"),
    credentials_file: str | None = typer.Option(None, "--credentials-file", help="GCS service-account JSON"),
    google_project_id: str | None = typer.Option(None, "--google-project-id"),
    no_check: bool = typer.Option(False, "--no-check", help="save without reaching the store"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Add a storage; its credentials are checked against the store first (nothing is saved if wrong)."""
    from lsx.engine.storage import create_storage, storage_json

    fields = _fields(
        bucket=bucket, container=container, path=path, prefix=prefix, regex_filter=regex_filter,
        use_blob_urls=use_blob_urls, endpoint_url=endpoint_url, title=title, recursive=recursive, presign=presign,
        presign_ttl=presign_ttl, region=region, can_delete_objects=can_delete_objects, layout=layout,
        format=format_, on_change=on_change, on_delete=on_delete, access_key_id=access_key_id,
        secret_access_key=secret_access_key, session_token=session_token, account_name=account_name,
        account_key=account_key, connection_string=connection_string, credentials_file=credentials_file,
        google_project_id=google_project_id,
    )
    ws = workspace()
    row = create_storage(ws, actor(), _project_id(project), type_, fields, kind="export" if export else "import",
                         validate=not no_check)
    if as_json:
        print_json(storage_json(ws, row, secrets="mask"))
    else:
        typer.echo(f"storage {row.id} added ({row.kind} {row.type}: {row.bucket})")


@app.command("list")
def list_(
    project: str | None = typer.Option(None, "--project", help="only this project's storages"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Every storage you can see, import and export, in one id space."""
    from lsx.engine.storage import list_storages, storage_json

    ws = workspace()
    rows = list_storages(ws, actor(), project_id=_project_id(project) if project else None)
    items = [storage_json(ws, r, secrets="mask") for r in rows]
    if as_json:
        print_json(items)
        return
    print_table(["id", "project", "kind", "type", "location", "prefix", "status", "last sync"],
                [[i["id"], i["project"], i["kind"], i["type"], i.get("bucket") or i.get("container") or i.get("path"),
                  i["prefix"], i["status"], i["last_sync"] or ""] for i in items])


@app.command("show")
def show(storage_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """One storage with its last-sync counters; secrets are shown as ***."""
    from lsx.engine.storage import get_storage, storage_json

    ws = workspace()
    info = storage_json(ws, get_storage(ws, actor(), storage_id), secrets="mask")
    if as_json:
        print_json(info)
        return
    for k, v in info.items():
        typer.echo(f"{k}: {v}")


@app.command("update")
def update(
    storage_id: int = typer.Argument(...),
    bucket: str | None = _OPT["bucket"],
    container: str | None = _OPT["container"],
    path: str | None = _OPT["path"],
    prefix: str | None = typer.Option(None, "--prefix"),
    regex_filter: str | None = typer.Option(None, "--regex-filter"),
    use_blob_urls: bool | None = typer.Option(None, "--use-blob-urls/--no-use-blob-urls"),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url"),
    title: str | None = typer.Option(None, "--title"),
    recursive: bool | None = typer.Option(None, "--recursive/--no-recursive"),
    presign: bool | None = typer.Option(None, "--presign/--no-presign"),
    presign_ttl: int | None = typer.Option(None, "--presign-ttl"),
    can_delete_objects: bool | None = typer.Option(None, "--can-delete-objects/--no-can-delete-objects"),
    layout: str | None = typer.Option(None, "--layout"),
    format_: str | None = typer.Option(None, "--format"),
    on_change: str | None = typer.Option(None, "--on-change"),
    on_delete: str | None = typer.Option(None, "--on-delete"),
    access_key_id: str | None = typer.Option(None, "--access-key-id"),
    secret_access_key: str | None = typer.Option(None, "--secret-access-key"),
    account_name: str | None = typer.Option(None, "--account-name"),
    account_key: str | None = typer.Option(None, "--account-key"),
    credentials_file: str | None = typer.Option(None, "--credentials-file"),
) -> None:
    """Change a storage; a changed connection is checked against the store first."""
    from lsx.engine.storage import update_storage

    fields = _fields(
        bucket=bucket, container=container, path=path, prefix=prefix, regex_filter=regex_filter,
        use_blob_urls=use_blob_urls, endpoint_url=endpoint_url, title=title, recursive=recursive, presign=presign,
        presign_ttl=presign_ttl, can_delete_objects=can_delete_objects, layout=layout, format=format_,
        on_change=on_change, on_delete=on_delete, access_key_id=access_key_id, secret_access_key=secret_access_key,
        account_name=account_name, account_key=account_key, credentials_file=credentials_file,
    )
    row = update_storage(workspace(), actor(), storage_id, fields)
    typer.echo(f"storage {row.id} updated")


@app.command("remove")
def remove(storage_id: int = typer.Argument(...)) -> None:
    """Remove a storage and its sync records; the tasks it made stay."""
    from lsx.engine.storage import delete_storage

    delete_storage(workspace(), actor(), storage_id)
    typer.echo(f"storage {storage_id} removed")


def _summary(o: Any) -> str:
    r = o.result or {}
    head = f"storage {o.storage.id} ({o.storage.kind} {o.storage.type})"
    if o.error:
        return f"{head}: FAILED: {o.error}"
    if o.job is not None and o.job.status in ("queued", "started"):
        return f"{head}: job {o.job.id} {o.job.status}"
    if o.storage.kind == "export":
        return (f"{head}: written {r.get('written', 0)}, deleted {r.get('deleted', 0)}, failed {r.get('failed', 0)} "
                f"in {r.get('duration', 0):.2f}s")
    dry = " (dry run)" if r.get("dry_run") else ""
    return (f"{head}{dry}: added {r.get('added', 0)}, updated {r.get('updated', 0)}, removed {r.get('removed', 0)}, "
            f"marked {r.get('marked', 0)}, failed {r.get('failed', 0)}; {r.get('listed', 0)} listed, "
            f"{r.get('unchanged', 0)} unchanged in {r.get('duration', 0):.2f}s")


@app.command("sync")
def sync(
    storage_id: int | None = typer.Argument(None, help="a storage id (or --project / --all)"),
    project: str | None = typer.Option(None, "--project", help="every storage of this project"),
    all_: bool = typer.Option(False, "--all", help="every storage you can see (for cron)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="print the plan, change nothing"),
    background: bool = typer.Option(False, "--background", help="run on `lsx worker` processes (LSX_REDIS_URL)"),
    wait: bool = typer.Option(False, "--wait", help="with --background: wait for the end"),
    on_change: str | None = typer.Option(None, "--on-change", help="changed objects: keep (default) or update"),
    on_delete: str | None = typer.Option(None, "--on-delete", help="deleted objects: keep (default), mark, remove"),
    force: bool = typer.Option(False, "--force", help="--on-delete remove also removes annotated tasks"),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="import the valid items of a bad task file"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sync storages: import new/changed/deleted objects, or write annotations back. Exit 1 if any failed."""
    from lsx.engine.errors import LsxError
    from lsx.engine.jobs import JobBusy
    from lsx.engine.storage import get_storage, sync_many, sync_storage
    from lsx.engine.storage.sync import SyncOutcome

    if sum(x is not None and x is not False for x in (storage_id, project, all_ or None)) != 1:
        fail("give one of: a storage id, --project P, --all")
    ws, who = workspace(), actor()
    kwargs: dict[str, Any] = dict(dry_run=dry_run, background=background, wait=wait, on_change=on_change,
                                  on_delete=on_delete, force=force, skip_invalid=skip_invalid)
    with progress_bar("syncing") as bar:
        kwargs["progress"] = bar
        if storage_id is not None:
            try:
                outcomes = [sync_storage(ws, who, storage_id, **kwargs)]
            except JobBusy as exc:
                typer.echo(str(exc), err=True)
                raise typer.Exit(0) from None
            except LsxError as exc:
                if dry_run or background:
                    raise
                outcomes = [SyncOutcome(get_storage(ws, who, storage_id), error=str(exc))]
        else:
            outcomes = sync_many(ws, who, project_id=_project_id(project) if project else None, **kwargs)
    if as_json:
        print_json([o.as_json() for o in outcomes])
    else:
        for o in outcomes:
            typer.echo(_summary(o))
        if not outcomes:
            typer.echo("no storages to sync")
    if any(not o.ok for o in outcomes):
        raise typer.Exit(1)
