"""`lsx project apply`: declarative, idempotent setup from a project.toml."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.test_foundation_cli import db_state

FIX = Path(__file__).parent.parent / "fixtures" / "cli"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    folder = tmp_path / "spec"
    folder.mkdir()
    shutil.copy(FIX / "sentiment.xml", folder / "config.xml")
    (folder / "tasks.jsonl").write_text("".join(json.dumps({"text": f"review {i}"}) + "\n" for i in range(20)))
    (folder / "project.toml").write_text(
        'title = "Apply demo"\nconfig = "config.xml"\ninstructions = "Be kind."\nmax_annotations = 2\n'
        'sampling = "uniform"\n\n[[import]]\npath = "tasks.jsonl"\n'
    )
    return folder / "project.toml"


def test_apply_twice_second_run_changes_nothing(lsx: Callable, spec: Path, tmp_path: Path) -> None:
    home = tmp_path / "lsx-home"
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 0, r.err
    assert "created" in r.out and "imported 20 tasks" in r.out
    before = db_state(home)
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 0 and r.out.strip() == "project 1 (Apply demo): no changes"
    assert db_state(home) == before
    shown = json.loads(lsx("project", "show", "Apply demo", "--json").out)
    assert shown["maximum_annotations"] == 2 and shown["sampling"] == "Uniform sampling"
    assert shown["expert_instruction"] == "Be kind." and shown["task_number"] == 20


def test_changed_config_and_settings_update_the_project(lsx: Callable, spec: Path) -> None:
    lsx("project", "apply", "-f", str(spec))
    config = spec.parent / "config.xml"
    config.write_text(config.read_text().replace('<Choice value="Neutral" hotkey="n"/>', ""))
    spec.write_text(spec.read_text().replace("max_annotations = 2", "max_annotations = 3"))
    dry = lsx("project", "apply", "-f", str(spec), "--dry-run")
    assert "would update" in dry.out and "config: would change" in dry.out and "maximum_annotations: 2 -> 3" in dry.out
    assert json.loads(lsx("project", "show", "1", "--json").out)["maximum_annotations"] == 2
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 0 and "updated" in r.out
    shown = json.loads(lsx("project", "show", "1", "--json").out)
    assert shown["maximum_annotations"] == 3
    assert shown["parsed_label_config"]["sentiment"]["labels"] == ["Positive", "Negative"]


def test_edited_import_file_is_reported_and_reimported(lsx: Callable, spec: Path, tmp_path: Path) -> None:
    lsx("project", "apply", "-f", str(spec))
    tasks = spec.parent / "tasks.jsonl"
    tasks.write_text("".join(json.dumps({"text": f"new review {i}"}) + "\n" for i in range(5)))
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 0 and "changed since last import (use --reimport" in r.out
    assert json.loads(lsx("project", "show", "1", "--json").out)["task_number"] == 20
    r = lsx("project", "apply", "-f", str(spec), "--reimport")
    assert r.code == 0 and "re-imported 5 tasks" in r.out
    listed = json.loads(lsx("task", "list", "1", "--json").out)
    assert [t["data"]["text"] for t in listed] == [f"new review {i}" for i in range(5)]
    assert "no changes" in lsx("project", "apply", "-f", str(spec)).out


def test_unknown_key_is_an_error_with_its_line(lsx: Callable, spec: Path, tmp_path: Path) -> None:
    spec.write_text(spec.read_text() + "colour = 'red'\n")
    lsx("user", "list")
    before = db_state(tmp_path / "lsx-home")
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 1 and f"{spec}:9: unknown key 'colour'" in r.err
    assert db_state(tmp_path / "lsx-home") == before


def test_bad_values_and_missing_files(lsx: Callable, spec: Path) -> None:
    text = spec.read_text()
    spec.write_text(text.replace("max_annotations = 2", "max_annotations = 'two'"))
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 1 and "maximum_annotations must be int" in r.err
    spec.write_text(text.replace('path = "tasks.jsonl"', 'path = "gone.jsonl"'))
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 1 and "import gone.jsonl: no such file" in r.err
    spec.write_text(text + "[[import]]\nformat = 'csv'\n")
    assert "needs a 'path'" in lsx("project", "apply", "-f", str(spec)).err
    spec.write_text("title = \n")
    r = lsx("project", "apply", "-f", str(spec))
    assert r.code == 1 and str(spec) in r.err


def test_example_file_in_configs_applies(lsx: Callable) -> None:
    example = Path(__file__).parent.parent.parent / "configs" / "project.example.toml"
    r = lsx("project", "apply", "-f", str(example))
    assert r.code == 0 and "imported 50 tasks" in r.out
