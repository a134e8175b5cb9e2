"""`lsx storage ...` end to end on a local folder: one id space, summary line, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import lsx  # noqa: F401  (the in-process CLI runner fixture)

CONFIG = ('<View><Image name="image" value="$image"/>'
          '<Choices name="c" toName="image"><Choice value="a"/></Choices></View>')


def test_storage_commands(lsx,  # noqa: F811
                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "root"
    (root / "imgs").mkdir(parents=True)
    for n in range(3):
        (root / "imgs" / f"{n}.jpg").write_bytes(b"x")
    (root / "out").mkdir()
    monkeypatch.setenv("LSX_LOCAL_FILES_ROOT", str(root))
    (tmp_path / "c.xml").write_text(CONFIG)
    assert lsx("project", "create", "pics", "--config", str(tmp_path / "c.xml")).code == 0

    r = lsx("storage", "add", "pics", "--type", "local", "--path", "imgs", "--use-blob-urls")
    assert r.code == 0, r.err
    assert "storage 1 added" in r.out
    r = lsx("storage", "add", "pics", "--type", "localfiles", "--path", "out", "--export")
    assert r.code == 0 and "storage 2 added" in r.out, r.err
    assert lsx("storage", "add", "pics", "--type", "local", "--path", "/etc").code == 1  # outside the root

    listed = json.loads(lsx("storage", "list", "--json").out)
    assert [(s["id"], s["kind"]) for s in listed] == [(1, "import"), (2, "export")]

    dry = lsx("storage", "sync", "1", "--dry-run")
    assert dry.code == 0 and "(dry run): added 3" in dry.out, dry.out
    r = lsx("storage", "sync", "--all")
    assert r.code == 0, r.err
    assert "storage 1 (import localfiles): added 3, updated 0, removed 0" in r.out
    assert "storage 2 (export localfiles): written 0" in r.out
    again = lsx("storage", "sync", "1")
    assert "added 0" in again.out and "3 unchanged" in again.out

    (root / "imgs" / "bad.json").write_text("[")
    assert lsx("storage", "update", "1", "--no-use-blob-urls", "--regex-filter", r".*\.json").code == 0
    failed = lsx("storage", "sync", "--project", "pics")
    assert failed.code == 1 and "failed 1" in failed.out, failed.out

    shown = json.loads(lsx("storage", "show", "1", "--json").out)
    assert shown["status"] == "completed_with_errors" and shown["meta"]["failed"] == 1
    assert lsx("storage", "remove", "2").code == 0
    assert [s["id"] for s in json.loads(lsx("storage", "list", "--json").out)] == [1]
    assert lsx("storage", "sync", "2").code == 1
