"""Root of the `lsx` command. Command groups live one per module and import the engine lazily,
so `lsx --help` stays fast."""

from __future__ import annotations

import importlib
import os
import sys

import typer

app = typer.Typer(
    name="lsx",
    help="lsx: label text, images, audio and video; Label Studio's formats, command-line first.\n\n"
    "Global options go anywhere: --as EMAIL (act as that user; default LSX_USER) and "
    "--config-file FILE (an lsx.toml).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's help renderer costs more to import than the rest of start-up
    context_settings={"help_option_names": ["-h", "--help"]},
)

# (module, attribute, group name or None for top-level commands registered by the module)
GROUPS: list[tuple[str, str, str | None]] = [
    ("lsx.cli.settings_cmd", "register", None),
    ("lsx.cli.db_cmd", "app", "db"),
    ("lsx.cli.users_cmd", "user_app", "user"),
    ("lsx.cli.users_cmd", "org_app", "org"),
    ("lsx.cli.users_cmd", "token_app", "token"),
    ("lsx.cli.project_cmd", "app", "project"),
    ("lsx.cli.task_cmd", "register", None),
    ("lsx.cli.task_cmd", "task_app", "task"),
    ("lsx.cli.task_cmd", "annotation_app", "annotation"),
    ("lsx.cli.config_cmd", "config_app", "config"),
    ("lsx.cli.config_cmd", "template_app", "template"),
    ("lsx.cli.job_cmd", "job_app", "job"),
    ("lsx.cli.job_cmd", "register", None),
    ("lsx.cli.storage_cmd", "app", "storage"),
    ("lsx.cli.serve_cmd", "register", None),
    ("lsx.cli.label_cmd", "register", None),
    ("lsx.cli.next_cmd", "register", None),
]


def _register() -> None:
    for module_name, attr, group in GROUPS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a group still being built
            if exc.name != module_name:
                raise
            continue
        obj = getattr(module, attr)
        if group is None:
            obj(app)
        else:
            app.add_typer(obj, name=group)


_GLOBAL_VALUE_OPTIONS = {"--as": "LSX_USER", "--config-file": "LSX_CONFIG_FILE"}


def hoist_global_options(argv: list[str]) -> list[str]:
    """Take --as/--config-file from anywhere on the line into the environment the engine reads."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg.partition("=")
        if name in _GLOBAL_VALUE_OPTIONS:
            if not eq:
                if i + 1 >= len(argv):
                    out.append(arg)
                    break
                value = argv[i + 1]
                i += 1
            os.environ[_GLOBAL_VALUE_OPTIONS[name]] = value
        else:
            out.append(arg)
        i += 1
    return out


def main(argv: list[str] | None = None) -> None:
    args = hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    _register()
    from lsx.cli.common import run_app

    run_app(app, args)


