"""`lsx config ...` and `lsx template ...`: check, describe and start from labeling configs.

Thin wrappers over lsx.engine.config, imported inside the commands so `lsx --help` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

config_app = typer.Typer(
    name="config", help="Check and describe labeling configs (Label Studio XML).", no_args_is_help=True
)
template_app = typer.Typer(name="template", help="Labeling-config templates shipped with lsx.", no_args_is_help=True)


def _die(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except FileNotFoundError:
        _die(f"{path}: no such file")
    except UnicodeDecodeError as exc:
        _die(f"{path}: not UTF-8 text ({exc.reason})")
    except OSError as exc:
        _die(f"{path}: {exc.strerror}")
    return ""


def _load(path: Path, strict: bool = False) -> Any:
    from lsx.engine.config import ConfigError, parse_config

    try:
        return parse_config(_read(path), source=str(path), strict=strict)
    except ConfigError as exc:
        for p in exc.problems:
            typer.echo(str(p))
        typer.echo(f"{path}: invalid ({len(exc.problems)} error{'s' if len(exc.problems) != 1 else ''})", err=True)
        raise typer.Exit(1) from None


def _read_tasks(path: Path) -> list[Any]:
    """A JSON list, one JSON object, or JSON lines."""
    text = _read(path)
    stripped = text.lstrip()
    if path.suffix.lower() != ".jsonl" and stripped[:1] in ("[", "{"):
        try:
            data = json.loads(text)
            return data if isinstance(data, list) else [data]
        except json.JSONDecodeError as exc:
            if stripped[:1] == "[":
                _die(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}")
    tasks: list[Any] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            tasks.append(json.loads(line))
        except json.JSONDecodeError as exc:
            _die(f"{path}:{n}:{exc.colno}: invalid JSON: {exc.msg}")
    return tasks


def check_tasks(config: Any, tasks: list[Any], source: str) -> list[Any]:
    """Problems of every task's data and every annotation / prediction result."""
    from lsx.engine.config import normalize_prediction_result, validate_result, validate_task_data
    from lsx.engine.errors import InputError, Problem

    problems: list[Any] = []
    for i, task in enumerate(tasks):
        where = f"{source}: task {i}"
        if isinstance(task, dict) and isinstance(task.get("data"), dict):
            data = task["data"]
        elif isinstance(task, dict) and "data" not in task:
            data, task = task, {}
        else:
            data = task.get("data") if isinstance(task, dict) else task
        problems += validate_task_data(config, data, index=i, where=where)
        task_data = data if isinstance(data, dict) else None
        for kind in ("annotations", "predictions"):
            items = task.get(kind) if isinstance(task, dict) else None
            if items is None:
                continue
            if not isinstance(items, list):
                problems.append(Problem(f"{kind} must be a list", where=where, field=kind, index=i))
                continue
            for j, item in enumerate(items):
                w = f"{where} {kind[:-1]} {j}"
                if not isinstance(item, dict) or "result" not in item:
                    problems.append(Problem(f"{kind[:-1]} must be an object with a result", where=w, index=i))
                    continue
                result = item["result"]
                if kind == "predictions":
                    try:
                        result = normalize_prediction_result(config, result)
                    except InputError as exc:
                        problems.append(Problem(str(exc), where=w, field="result", index=i))
                        continue
                problems += validate_result(config, result, index=i, where=w, kind=kind[:-1], task_data=task_data)
    return problems


@config_app.command("validate")
def validate(
    file: Path = typer.Argument(..., help="Labeling config (XML)."),
    tasks: Path | None = typer.Option(None, "--tasks", help="JSON / JSONL tasks to check against the config."),
    strict: bool = typer.Option(False, "--strict", help="Treat warnings (unknown attributes...) as errors."),
) -> None:
    """Exit 0 when the config (and tasks) are valid, 1 otherwise; every problem on its own line."""
    config = _load(file, strict)
    for w in config.warnings:
        typer.echo(f"warning: {w}", err=True)
    if tasks is None:
        typer.echo(f"{file}: valid ({len(config.controls)} controls, {len(config.objects)} objects)")
        return
    items = _read_tasks(tasks)
    problems = check_tasks(config, items, str(tasks))
    for p in problems:
        typer.echo(str(p))
    if problems:
        typer.echo(
            f"{tasks}: {len(problems)} problem{'s' if len(problems) != 1 else ''} in {len(items)} tasks", err=True
        )
        raise typer.Exit(1)
    typer.echo(f"{file}: valid; {tasks}: {len(items)} tasks valid")


def _tree_lines(node: dict[str, Any], depth: int = 0) -> list[str]:
    keys = ("name", "toName", "value", "valueList", "on")
    bits = [f'{k}="{",".join(v) if isinstance(v, list) else v}"' for k in keys if (v := node["attrs"].get(k))]
    line = "  " * depth + f"<{node['tag']}{' ' if bits else ''}{' '.join(bits)}>"
    if node.get("text") and node["tag"] in ("Label", "Choice", "Style"):
        line += f" {node['text'][:40]}"
    out = [line]
    for c in node["children"]:
        out += _tree_lines(c, depth + 1)
    return out


@config_app.command("show")
def show(
    file: Path = typer.Argument(..., help="Labeling config (XML)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The tag tree, the controls with what they label, the data bindings and the export formats."""
    config = _load(file)
    tree = config.interface_tree()
    formats = config.export_formats()
    if as_json:
        out = {
            "tree": tree,
            "controls": config.parsed_label_config(),
            "data_types": dict(config.data_types),
            "export_formats": [f["name"] for f in formats if not f["disabled"]],
            "warnings": [str(w) for w in config.warnings],
        }
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    typer.echo("Tree:")
    for line in _tree_lines(tree["root"], 1):
        typer.echo(line)
    typer.echo("Controls:")
    for name, ctl in config.controls.items():
        labels = f": {', '.join(ctl.labels)}" if ctl.labels else (" (dynamic options)" if ctl.dynamic else "")
        typer.echo(f"  {name} <{ctl.tag}> -> {', '.join(ctl.to_name)} [{ctl.result_type}]{labels}")
    typer.echo("Bindings:")
    for key, tag in config.data_types.items():
        typer.echo(f"  ${key} -> <{tag}>")
    typer.echo("Export formats: " + ", ".join(f["name"] for f in formats if not f["disabled"]))
    for w in config.warnings:
        typer.echo(f"warning: {w}", err=True)


@config_app.command("sample-task")
def sample_task(file: Path = typer.Argument(..., help="Labeling config (XML).")) -> None:
    """An example task for the config (its comment task, else generated from the bindings)."""
    config = _load(file)
    typer.echo(json.dumps(config.sample_task(), indent=2, ensure_ascii=False))


@template_app.command("list")
def template_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Templates by group."""
    from lsx.engine.config import list_templates

    items = list_templates()
    if as_json:
        rows = [{"name": t.name, "group": t.group, "title": t.title} for t in items]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max((len(t.group) + len(t.name) + 1 for t in items), default=0)
    for t in items:
        typer.echo(f"{(t.group + '/' + t.name).ljust(width)}  {t.title}")


@template_app.command("show")
def template_show(
    name: str = typer.Argument(..., help="Template name (or group/name)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON with the sample task."),
) -> None:
    """A template's XML (with --json: also its title and sample task)."""
    from lsx.engine.config import get_template
    from lsx.engine.errors import LsxError

    try:
        t = get_template(name)
    except LsxError as exc:
        _die(str(exc))
        return
    if as_json:
        out = {"name": t.name, "group": t.group, "title": t.title, "xml": t.xml, "sample_task": t.sample_task}
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(t.xml if t.xml.endswith("\n") else t.xml + "\n")
