"""`lsx import`, `lsx export`, `lsx task ...` and `lsx annotation ...`."""

from __future__ import annotations

from pathlib import Path

import typer

from lsx.cli.common import actor, print_json, print_json_array, print_jsonl, print_table, workspace

task_app = typer.Typer(help="List, show and delete tasks.", no_args_is_help=True)
annotation_app = typer.Typer(help="List annotations.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)


def import_(
    project: str = typer.Argument(..., help="Project id or title."),
    files: list[Path] = typer.Argument(..., help="JSON, JSONL, CSV, TSV, TXT, media files or folders."),
    fmt: str | None = typer.Option(None, "--format", help="Force a format: json, jsonl, csv, tsv, txt, media."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import valid tasks, list rejected ones."),
    as_json: bool = typer.Option(False, "--json", help="Print the import report as JSON."),
    background: bool = typer.Option(False, "--background", help="Hand it to `lsx worker` (needs LSX_REDIS_URL); "
                                    "print only the job id."),
    wait: bool = typer.Option(False, "--wait", help="If the same files are being imported, wait for that "
                              "import, then run (default: exit 0); with --background, wait for the result."),
) -> None:
    """Import tasks (with annotations and predictions) into a project.

    Runs as a job (`lsx job list`): an import of the same files into the same project while one runs
    exits 0 with a message, so cron never overlaps two."""
    from lsx.cli.job_cmd import run_cli_job
    from lsx.engine.projects import resolve_project

    ws, who = workspace(), actor()
    with ws.read() as s:
        project_id = resolve_project(s, who, project).id
    paths = [str(f.resolve() if background else f) for f in files]  # a worker has another cwd
    params = {"project": project_id, "paths": paths, "fmt": fmt, "skip_invalid": skip_invalid}
    info = run_cli_job("import", params, project_id=project_id, background=background, wait=wait, label="importing")
    if info is None:  # enqueued; the job id was printed
        return
    report = info.result or {}
    if as_json:
        print_json(report)
        return
    rejected = report.get("rejected", [])
    for warning in report.get("warnings", []):
        typer.echo(f"warning: {warning}", err=True)
    for problem in rejected:
        typer.echo(f"rejected: {problem['where'] + ': ' if problem.get('where') else ''}{problem['error']}", err=True)
    typer.echo(
        f"imported {report['task_count']} tasks, {report['annotation_count']} annotations, "
        f"{report['prediction_count']} predictions into project {project_id}"
        + (f"; rejected {len(rejected)}" if rejected else "")
        + f" ({report['duration']:.2f}s)"
    )


def export(
    project: str = typer.Argument(..., help="Project id or title."),
    fmt: str = typer.Option("JSON", "--format", "-f", help="JSON, JSON_MIN, CSV, TSV, ..."),
    output: str = typer.Option("-", "--output", "-o", help="Output file, or - for standard output."),
    only_annotated: bool = typer.Option(False, "--only-annotated", help="Only tasks with annotations."),
    background: bool = typer.Option(False, "--background", help="Hand it to `lsx worker` (needs LSX_REDIS_URL "
                                    "and --output FILE); print only the job id."),
    wait: bool = typer.Option(False, "--wait", help="If this project is being exported in this format, wait "
                              "for that export, then run (default: exit 0); with --background, wait for it."),
) -> None:
    """Export a project's tasks and annotations.

    Runs as a job (`lsx job list`): an export of the same project and format while one runs exits 0
    with a message, so cron never overlaps two."""
    from lsx.cli.job_cmd import run_cli_job
    from lsx.engine.errors import InputError
    from lsx.engine.projects import resolve_project

    ws, who = workspace(), actor()
    with ws.read() as s:
        project_id = resolve_project(s, who, project).id
    if background and output == "-":
        raise InputError("--background writes to a file: give --output FILE")
    out = str(Path(output).resolve()) if background else output  # a worker has another cwd
    params = {"project": project_id, "fmt": fmt, "out": out, "only_annotated": only_annotated}
    info = run_cli_job("export", params, project_id=project_id, background=background, wait=wait, label="exporting")
    report = info.result if info is not None else None
    if report and output != "-":
        typer.echo(f"exported {report['task_count']} tasks as {report['format']} to {report['path']} "
                   f"({report['duration']:.2f}s)", err=True)


@task_app.command("list")
def list_(
    project: str = typer.Argument(..., help="Project id or title."),
    limit: int = typer.Option(100, "--limit", help="At most this many tasks; 0 for all."),
    offset: int = typer.Option(0, "--offset"),
    labeled: bool | None = typer.Option(None, "--labeled/--unlabeled", help="Only labeled / unlabeled tasks."),
    as_json: bool = typer.Option(False, "--json"),
    as_jsonl: bool = typer.Option(False, "--jsonl"),
) -> None:
    """List a project's tasks."""
    from lsx.engine.projects import resolve_project
    from lsx.engine.tasks import iter_task_json, list_tasks

    ws, who = workspace(), actor()
    with ws.read() as s:
        p = resolve_project(s, who, project)
        if as_json or as_jsonl:
            rows = iter_task_json(s, p, limit=limit or None, offset=offset, labeled=labeled)
            print_json_array(rows) if as_json else print_jsonl(rows)
            return
        tasks = list_tasks(s, who, p, limit=limit or None, offset=offset, labeled=labeled)
        print_table(
            ["id", "data", "annotations", "skipped", "predictions", "labeled"],
            [(t.id, _short(t.data), t.total_annotations, t.cancelled_annotations, t.total_predictions,
              "yes" if t.is_labeled else "") for t in tasks],
        )


def _short(data: object, width: int = 60) -> str:
    import orjson

    text = orjson.dumps(data).decode()
    return text if len(text) <= width else text[: width - 1] + "…"


@task_app.command()
def show(task_id: int = typer.Argument(...), as_json: bool = typer.Option(False, "--json")) -> None:
    """Show a task with its annotations and predictions."""
    from lsx.engine.annotations import annotation_json
    from lsx.engine.predictions import prediction_json
    from lsx.engine.tasks import get_task, task_annotations, task_json, task_predictions

    ws, who = workspace(), actor()
    with ws.read() as s:
        task = get_task(s, who, task_id)
        data = task_json(
            task,
            annotations=[annotation_json(a) for a in task_annotations(s, task)],
            predictions=[prediction_json(p) for p in task_predictions(s, task)],
        )
    if as_json:
        print_json(data)
        return
    typer.echo(f"task {data['id']} (project {data['project']}, inner id {data['inner_id']})")
    typer.echo(f"  data: {_short(data['data'], 200)}")
    if data["meta"]:
        typer.echo(f"  meta: {_short(data['meta'], 200)}")
    typer.echo(f"  labeled: {'yes' if data['is_labeled'] else 'no'}")
    for a in data["annotations"]:
        flags = " skipped" if a["was_cancelled"] else (" ground truth" if a["ground_truth"] else "")
        typer.echo(f"  annotation {a['id']} by user {a['completed_by']}{flags}: {len(a['result'])} regions")
    for p in data["predictions"]:
        typer.echo(f"  prediction {p['id']} {p['model_version']} score={p['score']}: {len(p['result'])} regions")


@task_app.command()
def delete(
    task_ids: list[int] = typer.Argument(..., help="Task ids."),
) -> None:
    """Delete tasks with their annotations and predictions."""
    from lsx.engine.tasks import delete_tasks

    ws, who = workspace(), actor()
    with ws.session() as s:
        n = delete_tasks(s, who, task_ids)
    typer.echo(f"deleted {n} task{'s' if n != 1 else ''}")


@annotation_app.command("list")
def annotation_list(
    task_id: int = typer.Argument(..., help="Task id."),
    as_json: bool = typer.Option(False, "--json"),
    as_jsonl: bool = typer.Option(False, "--jsonl"),
) -> None:
    """List a task's annotations (skipped ones included)."""
    from lsx.engine.annotations import annotation_json
    from lsx.engine.tasks import get_task, task_annotations

    ws, who = workspace(), actor()
    with ws.read() as s:
        rows = [annotation_json(a) for a in task_annotations(s, get_task(s, who, task_id))]
    if as_json:
        print_json(rows)
    elif as_jsonl:
        print_jsonl(rows)
    else:
        print_table(
            ["id", "completed_by", "regions", "skipped", "ground_truth", "lead_time", "updated_at"],
            [(r["id"], r["completed_by"], len(r["result"]), "yes" if r["was_cancelled"] else "",
              "yes" if r["ground_truth"] else "", r["lead_time"], r["updated_at"]) for r in rows],
        )
    if not rows and not (as_json or as_jsonl):
        typer.echo("no annotations")
