"""`lsx job ...` and `lsx worker`: look at, wait for, retry and cancel background jobs, and run workers.

`run_cli_job` is what long-running commands (`lsx import`, `lsx export`, storage syncs) share for
`--background` and `--wait`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import typer

from lsx.cli.common import actor, fail, print_json, print_table, progress_bar, workspace

if TYPE_CHECKING:
    from lsx.engine.jobs.info import JobInfo

job_app = typer.Typer(help="Background jobs: list, show, wait for, retry and cancel.", no_args_is_help=True)

# Exit codes of `lsx job wait` (and of commands that wait for a job).
EXIT_FAILED, EXIT_CANCELED, EXIT_STILL_RUNNING = 1, 2, 3


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def _project_id(ref: str | None) -> int | None:
    if ref is None:
        return None
    from lsx.engine.projects import resolve_project

    ws = workspace()
    with ws.read() as s:
        return resolve_project(s, actor(), ref).id


def _progress_text(info: JobInfo) -> str:
    total = f"/{info.progress_total}" if info.progress_total is not None else ""
    return f"{info.progress_done}{total}" + (f" {info.progress_message}" if info.progress_message else "")


def _when(info: JobInfo) -> str:
    return info.created_at.strftime("%Y-%m-%d %H:%M:%S") if info.created_at else ""


def exit_for(info: JobInfo, *, bare: bool = False) -> None:
    """Print why a job did not finish and exit with its code; return quietly when it finished.
    `bare`: the job ran inline for a command, so its error is the command's error (no job prefix)."""
    if info.ok:
        return
    if info.status == "failed":
        if bare:
            fail(info.error or "failed", EXIT_FAILED)
        fail(f"job {info.id} ({info.kind}) failed after {info.attempts} attempt(s): {info.error}", EXIT_FAILED)
    if info.status == "canceled":
        fail(f"job {info.id} ({info.kind}) was canceled", EXIT_CANCELED)
    fail(f"job {info.id} ({info.kind}) is still {info.status}", EXIT_STILL_RUNNING)


def busy(exc: Exception) -> NoReturn:
    """Cron-safety: another run holds the target. Say so and exit 0."""
    typer.echo(str(exc), err=True)
    raise typer.Exit(0)


def run_cli_job(
    kind: str, params: dict[str, Any], *, project_id: int | None, background: bool, wait: bool, label: str
) -> JobInfo | None:
    """Run a job for a command: inline with a progress bar, or (`background`) enqueue and print only
    the job id. Returns the ended job (None after a background submit without --wait); a failed or
    canceled job exits non-zero, a busy target exits 0 with a message."""
    from lsx.engine.jobs import JobBusy, run_job

    ws, who = workspace(), actor()
    try:
        if background and not wait:
            info = run_job(ws, who, kind, params, project_id=project_id, background=True)
            typer.echo(info.id)
            return None
        with progress_bar(label) as bar:
            info = run_job(ws, who, kind, params, project_id=project_id, background=background, wait=wait,
                           progress=bar)
    except JobBusy as exc:
        busy(exc)
    exit_for(info, bare=not background)
    return info


@job_app.command("list")
def list_(
    project: str | None = typer.Option(None, "--project", "-p", help="Only this project's jobs (id or title)."),
    status: str | None = typer.Option(None, "--status", "-s", help="queued, started, finished, failed, canceled."),
    kind: str | None = typer.Option(None, "--kind", help="Only jobs of this kind (import, export, ...)."),
    limit: int = typer.Option(100, "--limit", help="At most this many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List jobs, newest first (dead workers' jobs are detected and requeued first)."""
    from lsx.engine.jobs import list_jobs

    jobs = list_jobs(workspace(), actor(), _project_id(project), status, kind=kind, limit=limit)
    if as_json:
        print_json([j.as_json() for j in jobs])
        return
    print_table(
        ["id", "kind", "status", "project", "progress", "attempts", "created", "error"],
        (
            [j.id, j.kind, j.status + (" (stopping)" if j.stopping else ""), j.project_id, _progress_text(j),
             f"{j.attempts}/{j.max_attempts}", _when(j), (j.error or "").splitlines()[0][:80] if j.error else ""]
            for j in jobs
        ),
    )


@job_app.command()
def show(
    job_id: int = typer.Argument(..., help="Job id."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show one job: status, progress, attempts, result, and the last error with its traceback."""
    from lsx.engine.jobs import get_job

    info = get_job(workspace(), actor(), job_id)
    if as_json:
        print_json(info.as_json())
        return
    data = info.as_json()
    for key in ("id", "kind", "status", "project", "backend", "queue", "target", "attempts", "max_attempts",
                "worker", "created_at", "started_at", "heartbeat_at", "finished_at", "run_after"):
        if data[key] is not None:
            typer.echo(f"{key + ':':14}{data[key]}")
    typer.echo(f"{'progress:':14}{_progress_text(info)}")
    typer.echo(f"{'params:':14}{data['params']}")
    if info.result is not None:
        typer.echo(f"{'result:':14}{info.result}")
    if info.error:
        typer.echo(f"{'error:':14}{info.error}")
    if info.traceback:
        typer.echo(info.traceback.rstrip())


@job_app.command()
def wait(
    job_id: int = typer.Argument(..., help="Job id."),
    timeout: float | None = typer.Option(None, "--timeout", help="Give up after this many seconds (exit 3)."),
    as_json: bool = typer.Option(False, "--json", help="Print the ended job as JSON."),
) -> None:
    """Wait for a job with a progress bar. Exit 0 finished, 1 failed, 2 canceled, 3 still running."""
    from lsx.engine.jobs import get_job, wait_job

    ws = workspace()
    get_job(ws, actor(), job_id)  # not found / not yours: say so before waiting
    with progress_bar(f"job {job_id}") as bar:
        info = wait_job(ws, job_id, bar, timeout=timeout)
    if as_json:
        print_json(info.as_json())
    elif info.ok:
        typer.echo(f"job {info.id} ({info.kind}) finished" + (f": {info.result}" if info.result else ""), err=True)
    exit_for(info)


@job_app.command()
def retry(
    job_id: int = typer.Argument(..., help="Job id."),
    wait: bool = typer.Option(False, "--wait", help="With Redis: wait for it to end."),
) -> None:
    """Run an ended (failed, canceled or finished) job again: on the workers when LSX_REDIS_URL is set
    (prints the job id), else here with a progress bar."""
    from lsx.engine.jobs import JobBusy, retry_job

    ws, who = workspace(), actor()
    try:
        if ws.settings.redis_url and not wait:
            info = retry_job(ws, who, job_id)
            typer.echo(info.id)
            return
        with progress_bar(f"job {job_id}") as bar:
            info = retry_job(ws, who, job_id, wait=wait, progress=bar)
    except JobBusy as exc:
        busy(exc)
    exit_for(info)
    typer.echo(f"job {info.id} ({info.kind}) finished", err=True)


@job_app.command()
def cancel(job_id: int = typer.Argument(..., help="Job id.")) -> None:
    """Cancel a job: a queued one never runs; a running one stops at its next progress report."""
    from lsx.engine.jobs import cancel_job

    info = cancel_job(workspace(), actor(), job_id)
    note = " (it stops at its next progress report)" if info.stopping else ""
    typer.echo(f"job {info.id} ({info.kind}) canceled{note}", err=True)


def worker(
    queues: list[str] | None = typer.Option(None, "--queues", "-q", help="Queues to work on (default: default)."),
    burst: bool = typer.Option(False, "--burst", help="Quit when the queues are empty."),
    name: str | None = typer.Option(None, "--name", help="Worker name (default: RQ's)."),
    modules: list[str] | None = typer.Option(None, "--with", help="Import this module first (job kind plugins)."),
    poll: float = typer.Option(1.0, "--poll", help="Seconds between maintenance rounds (recovery, retries)."),
    log_level: str = typer.Option("INFO", "--log-level", help="DEBUG, INFO, WARNING, ERROR."),
) -> None:
    """Run an RQ worker that executes lsx jobs (needs LSX_REDIS_URL); run as many as you like, anywhere."""
    from lsx.engine.jobs.worker import run_worker

    names = [q for item in queues or [] for q in item.split(",") if q]
    run_worker(workspace(), names or None, burst=burst, name=name, poll=poll, modules=modules,
               logging_level=log_level.upper())
