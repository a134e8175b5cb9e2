"""`lsx config` and `lsx template` commands, driven through their Typer apps."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lsx.cli.config_cmd import config_app, template_app

from .conftest import FIXTURES

runner = CliRunner()
IMAGE = str(FIXTURES / "ls-image.config.xml")


def test_validate_valid_config_exits_0() -> None:
    res = runner.invoke(config_app, ["validate", IMAGE])
    assert res.exit_code == 0, res.output
    assert "valid" in res.output


def test_validate_lists_every_error_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text('<View>\n<Choices name="a" toName="x" choice="triple"/>\n<Foo/>\n</View>')
    res = runner.invoke(config_app, ["validate", str(bad)])
    assert res.exit_code == 1
    lines = [line for line in res.stdout.splitlines() if line.startswith(str(bad))]
    assert len(lines) >= 3
    assert any('choice="triple"' in line for line in lines)
    assert any("unknown tag <Foo>" in line for line in lines)


def test_validate_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    cfg = tmp_path / "c.xml"
    cfg.write_text('<View><Text name="t" value="$text" sparkle="1"/></View>')
    assert runner.invoke(config_app, ["validate", str(cfg)]).exit_code == 0
    assert runner.invoke(config_app, ["validate", str(cfg), "--strict"]).exit_code == 1


def test_validate_tasks_checks_data_and_results(tmp_path: Path) -> None:
    tasks = json.loads((FIXTURES / "ls-image.export.JSON.snapshot.json").read_text())
    good = tmp_path / "good.json"
    good.write_text(json.dumps(tasks))
    res = runner.invoke(config_app, ["validate", IMAGE, "--tasks", str(good)])
    assert res.exit_code == 0, res.output
    tasks[0]["data"] = {"img": 1}
    tasks[1]["annotations"][0]["result"][0]["value"]["x"] = 250
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(json.dumps(t) for t in tasks))
    res = runner.invoke(config_app, ["validate", IMAGE, "--tasks", str(bad)])
    assert res.exit_code == 1
    assert "task 0" in res.stdout and 'no key "image"' in res.stdout
    assert "task 1 annotation 0" in res.stdout and "value.x is 250" in res.stdout


def test_show_prints_tree_controls_bindings_and_formats() -> None:
    res = runner.invoke(config_app, ["show", IMAGE])
    assert res.exit_code == 0
    assert '<RectangleLabels name="bbox" toName="image">' in res.stdout
    assert "$image -> <Image>" in res.stdout
    assert "COCO" in res.stdout
    data = json.loads(runner.invoke(config_app, ["show", IMAGE, "--json"]).stdout)
    assert set(data) >= {"tree", "controls", "data_types", "export_formats"}


def test_sample_task_prints_json() -> None:
    res = runner.invoke(config_app, ["sample-task", IMAGE])
    assert json.loads(res.stdout) == {"data": {"image": "https://example.com/images/sample.jpg"}}


def test_missing_file_is_a_clean_error() -> None:
    res = runner.invoke(config_app, ["validate", "/nonexistent.xml"])
    assert res.exit_code == 1 and "no such file" in res.output


def test_template_list_and_show() -> None:
    res = runner.invoke(template_app, ["list", "--json"])
    rows = json.loads(res.stdout)
    assert len(rows) >= 30 and {"name", "group", "title"} <= set(rows[0])
    res = runner.invoke(template_app, ["show", "ocr"])
    assert res.exit_code == 0 and "<TextArea" in res.stdout
    assert runner.invoke(template_app, ["show", "nope"]).exit_code == 1
