"""`lsx next PROJECT` and `lsx annotate TASK_ID`: the label stream for scripts.

Thin wrappers over lsx.engine.sampling (imported inside the commands, so `lsx --help` stays fast).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from lsx.cli.common import actor, fail, print_json, workspace


def register(app: typer.Typer) -> None:
    app.command("next")(next_)
    app.command("annotate")(annotate)


def _project_id(ref: str) -> int:
    ws, who = workspace(), actor()
    try:
        from lsx.engine.projects import resolve_project
    except ImportError:
        if not ref.strip().isdigit():
            fail(f"PROJECT must be a project id, got {ref!r}")
        return int(ref)
    with ws.read() as s:
        return int(resolve_project(s, who, ref).id)


def next_(
    project: str = typer.Argument(..., help="Project id or title."),
    as_json: bool = typer.Option(False, "--json", help="Print the served task as JSON."),
    exclude: list[int] = typer.Option([], "--exclude", help="Task ids not to serve (prefetch); repeatable."),
) -> None:
    """Serve (and lock) the next task for the acting user (--as EMAIL); exit 3 when none is left."""
    from lsx.engine.sampling import next_task

    ws, who = workspace(), actor()
    nt = next_task(ws, _project_id(project), who, exclude=exclude)
    if nt is None:
        if as_json:
            print_json(None)
        typer.echo(f"There are no tasks for {who.email}", err=True)
        raise typer.Exit(3)
    if as_json:
        print_json(nt.as_json())
        return
    typer.echo(f"task {nt.task_id} ({nt.queue}); locked until {nt.as_json()['lock_expires_at'] or '-'}")
    typer.echo(json.dumps(nt.data, ensure_ascii=False))


def _result(value: str | None) -> Any:
    if value is None:
        return []
    text = Path(value[1:]).read_text() if value.startswith("@") else value
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"--result: not JSON ({exc})")


def annotate(
    task_id: int = typer.Argument(..., help="Task id."),
    result: str | None = typer.Option(None, "--result", help="Result list as JSON, or @file."),
    skip: bool = typer.Option(False, "--skip", help="Skip the task instead."),
    postpone: bool = typer.Option(False, "--postpone", help="Postpone it (a draft with --result)."),
    lead_time: float | None = typer.Option(None, "--lead-time", help="Seconds spent."),
    as_json: bool = typer.Option(False, "--json", help="Print the annotation (or draft) as JSON."),
) -> None:
    """Submit, skip or postpone the acting user's work on a task (releases their lock)."""
    import lsx.engine.annotations as annotations
    from lsx.engine import sampling

    if skip and postpone:
        fail("--skip and --postpone exclude each other")
    ws, who = workspace(), actor()
    if postpone:
        draft = sampling.postpone(ws, who, task_id, result=_result(result), lead_time=lead_time)
        with ws.read() as s:
            payload = annotations.draft_json(s.merge(draft, load=False))
    else:
        if skip:
            ann_id = sampling.skip(ws, who, task_id, lead_time=lead_time)
        else:
            if result is None:
                fail("--result is required (or --skip / --postpone)")
            ann_id = sampling.submit(ws, who, task_id, _result(result), lead_time=lead_time)
        with ws.read() as s:
            from lsx.engine.db.models import Annotation

            payload = annotations.annotation_json(s.get(Annotation, ann_id))
    if as_json:
        print_json(payload)
    else:
        what = "postponed" if postpone else "skipped" if skip else "annotated"
        typer.echo(f"{what} task {task_id} ({'draft' if postpone else 'annotation'} {payload['id']})")
