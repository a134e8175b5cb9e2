"""`lsx project ...`: create, list, show, update, delete, apply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from lsx.cli.common import actor, fail, print_json, print_jsonl, print_table, workspace

app = typer.Typer(help="Create and manage projects.", no_args_is_help=True)

SETTING_HELP = {
    "sampling": "Next-task strategy: sequential, uniform, uncertainty, confidence (or Label Studio's names).",
    "max_annotations": "Distinct annotators each task needs (Label Studio's maximum_annotations).",
    "overlap_percent": "Share of tasks that get max_annotations; the rest need one (0-100).",
    "show_overlap_first": "Serve tasks that need several annotators first.",
    "skip_queue": "REQUEUE_FOR_OTHERS, REQUEUE_FOR_ME or IGNORE_SKIPPED.",
    "lock_ttl": "Seconds a served task stays locked to its annotator.",
    "annotator_evaluation": "Serve ground-truth tasks first to evaluate annotators.",
    "model_version": "Model version whose predictions are used for pre-labeling and uncertainty sampling.",
}


def _settings(**options: Any) -> dict[str, Any]:
    return {k: v for k, v in options.items() if v is not None}


def _read_config(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text")
    raise AssertionError


@app.command()
def create(
    title: str = typer.Argument(..., help="Project title."),
    config: Path | None = typer.Option(None, "--config", "-c", help="Labeling config XML file."),
    template: str | None = typer.Option(None, "--template", "-t", help="Start from a built-in template."),
    description: str | None = typer.Option(None, "--description"),
    instructions: str | None = typer.Option(None, "--instructions", help="Instructions shown to annotators."),
    sampling: str | None = typer.Option(None, "--sampling", help=SETTING_HELP["sampling"]),
    max_annotations: int | None = typer.Option(None, "--max-annotations", help=SETTING_HELP["max_annotations"]),
    overlap_percent: int | None = typer.Option(None, "--overlap-percent", help=SETTING_HELP["overlap_percent"]),
    show_overlap_first: bool | None = typer.Option(
        None, "--show-overlap-first/--no-show-overlap-first", help=SETTING_HELP["show_overlap_first"]
    ),
    skip_queue: str | None = typer.Option(None, "--skip-queue", help=SETTING_HELP["skip_queue"]),
    lock_ttl: int | None = typer.Option(None, "--lock-ttl", help=SETTING_HELP["lock_ttl"]),
    annotator_evaluation: bool | None = typer.Option(
        None, "--annotator-evaluation/--no-annotator-evaluation", help=SETTING_HELP["annotator_evaluation"]
    ),
    model_version: str | None = typer.Option(None, "--model-version", help=SETTING_HELP["model_version"]),
    as_json: bool = typer.Option(False, "--json", help="Print the project as JSON."),
) -> None:
    """Create a project from a config file or a template."""
    from lsx.engine.projects import create_project, project_json

    if config and template:
        fail("give --config or --template, not both")
    xml, source = None, "config.xml"
    if config:
        xml, source = _read_config(config), str(config)
    elif template:
        from lsx.engine.config import get_template

        xml, source = get_template(template).xml, f"template {template}"
    ws, who = workspace(), actor()
    with ws.session() as s:
        project = create_project(
            s, who, title, label_config=xml, config_source=source,
            **_settings(
                description=description, instructions=instructions, sampling=sampling,
                max_annotations=max_annotations, overlap_percent=overlap_percent,
                show_overlap_first=show_overlap_first, skip_queue=skip_queue, lock_ttl=lock_ttl,
                annotator_evaluation=annotator_evaluation, model_version=model_version,
            ),
        )
        if as_json:
            print_json(project_json(s, project))
        else:
            typer.echo(f"created project {project.id}: {project.title}")


@app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json"),
    as_jsonl: bool = typer.Option(False, "--jsonl"),
) -> None:
    """List the projects of your organization."""
    if not (as_json or as_jsonl):
        import os

        from lsx.engine.quick import project_rows
        from lsx.engine.settings import load_settings

        rows = project_rows(load_settings(config_file=os.environ.get("LSX_CONFIG_FILE") or None))
        if rows is not None:
            print_table(
                ["id", "title", "tasks", "labeled", "annotations", "sampling"],
                [(r["id"], r["title"], r["tasks"], r["labeled"], r["annotations"], r["sampling"]) for r in rows],
            )
            return
    from lsx.engine.projects import list_projects, project_counts, project_json

    ws, who = workspace(), actor()
    with ws.read() as s:
        projects = list_projects(s, who)
        counts = project_counts(s, [p.id for p in projects])
        if as_json or as_jsonl:
            rows = [project_json(s, p, counts[p.id]) for p in projects]
            print_json(rows) if as_json else print_jsonl(rows)
            return
        print_table(
            ["id", "title", "tasks", "labeled", "annotations", "sampling"],
            [
                (p.id, p.title, counts[p.id]["task_number"], counts[p.id]["finished_task_number"],
                 counts[p.id]["total_annotations_number"], p.sampling)
                for p in projects
            ],
        )


@app.command()
def show(
    project: str = typer.Argument(..., help="Project id or title."), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Show one project's settings and counters."""
    from lsx.engine.projects import project_json, resolve_project

    ws, who = workspace(), actor()
    with ws.read() as s:
        data = project_json(s, resolve_project(s, who, project))
    if as_json:
        print_json(data)
        return
    for key in ("id", "title", "description", "task_number", "finished_task_number", "total_annotations_number",
                "skipped_annotations_number", "total_predictions_number", "sampling", "maximum_annotations",
                "overlap_cohort_percentage", "skip_queue", "custom_task_lock_ttl", "model_version"):
        typer.echo(f"{key:28} {data[key]}")
    typer.echo("label_config:")
    typer.echo(data["label_config"])


@app.command()
def update(
    project: str = typer.Argument(..., help="Project id or title."),
    title: str | None = typer.Option(None, "--title"),
    config: Path | None = typer.Option(None, "--config", "-c", help="New labeling config XML file."),
    force: bool = typer.Option(False, "--force", help="Apply a config change that orphans annotations."),
    description: str | None = typer.Option(None, "--description"),
    instructions: str | None = typer.Option(None, "--instructions"),
    sampling: str | None = typer.Option(None, "--sampling", help=SETTING_HELP["sampling"]),
    max_annotations: int | None = typer.Option(None, "--max-annotations", help=SETTING_HELP["max_annotations"]),
    overlap_percent: int | None = typer.Option(None, "--overlap-percent", help=SETTING_HELP["overlap_percent"]),
    show_overlap_first: bool | None = typer.Option(
        None, "--show-overlap-first/--no-show-overlap-first", help=SETTING_HELP["show_overlap_first"]
    ),
    skip_queue: str | None = typer.Option(None, "--skip-queue", help=SETTING_HELP["skip_queue"]),
    lock_ttl: int | None = typer.Option(None, "--lock-ttl", help=SETTING_HELP["lock_ttl"]),
    annotator_evaluation: bool | None = typer.Option(
        None, "--annotator-evaluation/--no-annotator-evaluation", help=SETTING_HELP["annotator_evaluation"]
    ),
    model_version: str | None = typer.Option(None, "--model-version", help=SETTING_HELP["model_version"]),
) -> None:
    """Change a project's title, config or settings."""
    from lsx.engine.projects import resolve_project, update_project

    ws, who = workspace(), actor()
    xml = _read_config(config) if config else None
    with ws.session() as s:
        p = resolve_project(s, who, project)
        changed = update_project(
            s, who, p, label_config=xml, config_source=str(config) if config else "config.xml", force=force,
            **_settings(
                title=title, description=description, instructions=instructions, sampling=sampling,
                max_annotations=max_annotations, overlap_percent=overlap_percent,
                show_overlap_first=show_overlap_first, skip_queue=skip_queue, lock_ttl=lock_ttl,
                annotator_evaluation=annotator_evaluation, model_version=model_version,
            ),
        )
    typer.echo(f"updated project {p.id}: {', '.join(changed)}" if changed else f"project {p.id}: no changes")


@app.command()
def delete(
    project: str = typer.Argument(..., help="Project id or title."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a project with its tasks, annotations and predictions."""
    from lsx.engine.projects import delete_project, resolve_project

    ws, who = workspace(), actor()
    with ws.session() as s:
        p = resolve_project(s, who, project)
        if not yes and not typer.confirm(f"delete project {p.id} ({p.title}) and all its tasks?", default=False):
            fail("not deleted", code=1)
        pid, title = p.id, p.title
        delete_project(s, who, p)
    typer.echo(f"deleted project {pid}: {title}")


@app.command()
def apply(
    file: Path = typer.Option(..., "-f", "--file", help="project.toml describing the project."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan, change nothing."),
    force: bool = typer.Option(False, "--force", help="Apply a config change that orphans annotations."),
    reimport: bool = typer.Option(False, "--reimport", help="Replace unannotated tasks of edited import files."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create or update a project from a file, idempotently (for CI)."""
    from lsx.engine.project_apply import apply_project_file

    ws, who = workspace(), actor()
    plan = apply_project_file(ws, who, file, dry_run=dry_run, force=force, reimport=reimport)
    if as_json:
        print_json(plan.as_json())
        return
    for line in plan.lines():
        typer.echo(line)
