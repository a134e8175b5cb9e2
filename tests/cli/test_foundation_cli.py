"""The foundation's commands end to end: projects, import, export, tasks, users, tokens, apply."""

from __future__ import annotations

import builtins
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

FIX = Path(__file__).parent.parent / "fixtures"
CONFIG = FIX / "cli" / "sentiment.xml"
LS = FIX / "ls"

TABLES = ("projects", "tasks", "annotations", "predictions", "task_imports", "users", "memberships",
          "audit_events", "drafts")


def db_state(home: Path) -> dict[str, tuple[int, int]]:
    """Row count and max id of each table: equal before and after means nothing was written."""
    conn = sqlite3.connect(home / "lsx.db")
    try:
        return {t: conn.execute(f"SELECT count(*), coalesce(max(id), 0) FROM {t}").fetchone() for t in TABLES}
    finally:
        conn.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "lsx-home"


@pytest.fixture
def project(lsx: Callable, home: Path) -> str:
    r = lsx("project", "create", "Reviews", "--config", str(CONFIG))
    assert r.code == 0, r.err
    return "Reviews"


def test_project_create_list_show_update_delete(lsx: Callable, project: str) -> None:
    r = lsx("project", "list", "--json")
    rows = json.loads(r.out)
    assert [p["title"] for p in rows] == ["Reviews"] and rows[0]["sampling"] == "Sequential sampling"
    assert rows[0]["parsed_label_config"]["sentiment"]["labels"] == ["Positive", "Neutral", "Negative"]
    r = lsx("project", "update", project, "--max-annotations", "3", "--sampling", "Uniform sampling")
    assert r.code == 0 and "maximum_annotations" in r.out
    shown = json.loads(lsx("project", "show", "1", "--json").out)
    assert shown["maximum_annotations"] == 3 and shown["sampling"] == "Uniform sampling"
    assert "no changes" in lsx("project", "update", project, "--max-annotations", "3").out
    assert lsx("project", "delete", project, "--yes").code == 0
    assert json.loads(lsx("project", "list", "--json").out) == []


def test_duplicate_titles_need_an_id(lsx: Callable, project: str) -> None:
    lsx("project", "create", "Reviews", "--config", str(CONFIG))
    r = lsx("project", "show", "Reviews")
    assert r.code == 1 and "2 projects are titled 'Reviews' (ids 1, 2)" in r.err
    assert lsx("project", "show", "2").code == 0


def test_import_every_text_format_and_export(lsx: Callable, project: str, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"text": "one"}, {"data": {"text": "two"}, "meta": {"m": 1}}]))
    (tmp_path / "b.jsonl").write_text('{"text": "three"}\n\n{"data": {"text": "four"}}\n')
    (tmp_path / "c.csv").write_text("text,source\nfive,web\n\"six, with comma\",mail\n")
    (tmp_path / "d.tsv").write_text("text\tsource\nseven\tweb\n")
    (tmp_path / "e.txt").write_text("eight\nnine\n")
    r = lsx("import", project, *(str(tmp_path / n) for n in ("a.json", "b.jsonl", "c.csv", "d.tsv", "e.txt")))
    assert r.code == 0, r.err
    assert "imported 9 tasks" in r.out
    tasks = json.loads(lsx("task", "list", project, "--json").out)
    assert [t["data"]["text"] for t in tasks] == ["one", "two", "three", "four", "five", "six, with comma",
                                                  "seven", "eight", "nine"]
    assert tasks[1]["meta"] == {"m": 1} and tasks[4]["data"]["source"] == "web"
    assert [t["inner_id"] for t in tasks] == list(range(1, 10))
    out = tmp_path / "out.json"
    assert lsx("export", project, "--format", "JSON", "-o", str(out)).code == 0
    assert len(json.loads(out.read_text())) == 9
    jsonl = lsx("task", "list", project, "--jsonl", "--limit", "2", "--offset", "1").out.strip().splitlines()
    assert [json.loads(line)["data"]["text"] for line in jsonl] == ["two", "three"]


def test_media_files_are_copied_and_served_by_url(lsx: Callable, home: Path, tmp_path: Path) -> None:
    config = tmp_path / "img.xml"
    config.write_text('<View><Image name="img" value="$image"/><Choices name="c" toName="img">'
                      '<Choice value="a"/></Choices></View>')
    assert lsx("project", "create", "Pics", "--config", str(config)).code == 0
    media = tmp_path / "media"
    media.mkdir()
    (media / "cat.png").write_bytes(b"\x89PNG fake")
    (media / "dog.jpg").write_bytes(b"jpeg")
    assert lsx("import", "Pics", str(media)).code == 0
    tasks = json.loads(lsx("task", "list", "Pics", "--json").out)
    urls = [t["data"]["image"] for t in tasks]
    assert all(u.startswith("/data/upload/1/") for u in urls) and urls[0].endswith("-cat.png")
    stored = home / "media" / "1" / urls[0].rsplit("/", 1)[1]
    assert stored.read_bytes() == b"\x89PNG fake"


def test_import_with_annotations_predictions_and_annotators(lsx: Callable, project: str, tmp_path: Path) -> None:
    result = [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}]
    tasks = [
        {"data": {"text": "a"}, "annotations": [{"result": result, "completed_by": 1},
                                                {"result": result, "completed_by": {"email": "x@example.com"}},
                                                {"result": result, "completed_by": 77}]},
        {"data": {"text": "b"}, "annotations": [{"result": [], "was_cancelled": True}],
         "predictions": [{"result": result, "score": "0.5", "model_version": "m1"}, 12]},
    ]
    f = tmp_path / "t.json"
    f.write_text(json.dumps(tasks))
    r = lsx("import", project, str(f))
    assert r.code == 0, r.err
    assert "prediction given by id only (12), skipped" in r.err
    listed = json.loads(lsx("task", "list", project, "--json").out)
    assert [(t["total_annotations"], t["cancelled_annotations"], t["total_predictions"], t["is_labeled"])
            for t in listed] == [(3, 0, 0, True), (0, 1, 1, False)]
    anns = json.loads(lsx("annotation", "list", str(listed[0]["id"]), "--json").out)
    assert len({a["completed_by"] for a in anns}) == 3 and anns[0]["completed_by"] == 1
    users = json.loads(lsx("user", "list", "--json").out)
    placeholders = [u for u in users if not u["is_active"]]
    assert {u["email"] for u in placeholders} == {"x@example.com", "imported-user-77@placeholder.invalid"}
    shown = json.loads(lsx("task", "show", str(listed[1]["id"]), "--json").out)
    assert shown["predictions"][0]["score"] == 0.5 and shown["predictions"][0]["model_version"] == "m1"


def test_skip_invalid_imports_valid_tasks_and_lists_rejected(lsx: Callable, project: str, tmp_path: Path) -> None:
    f = tmp_path / "t.jsonl"
    f.write_text('{"text": "ok"}\n{"data": 5}\n{"text": "fine"}\n[1]\n')
    r = lsx("import", project, str(f), "--skip-invalid")
    assert r.code == 0
    assert "imported 2 tasks" in r.out and "rejected 2" in r.out
    assert f"rejected: {f}:2: 'data' must be an object, got int" in r.err
    assert f"{f}:4: a task must be a JSON object, got list" in r.err


BAD_INPUTS = [
    ("malformed.json", '[{"text": "a"},\n {"text": "b"', "malformed.json:2:"),
    ("bad-line.jsonl", '{"text": "a"}\n{"text": "b"}\n{"text": oops}\n', "bad-line.jsonl:3:"),
    ("ragged.csv", "text,source\na,b\nc,d,e\n", "ragged.csv:3: row has 3 fields, the header has 2"),
    ("data.json", '[{"text": "a"}, {"data": "not an object"}]', "data.json: task 1: 'data' must be an object"),
    ("noresult.json", '[{"data": {"text": "a"}, "annotations": [{"lead_time": 3}]}]',
     "noresult.json: task 0: annotation 0: missing 'result'"),
    ("wrongkey.json", '[{"data": {"title": "a"}}]', "wrongkey.json: task 0"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_line_error_and_changes_nothing(
    lsx: Callable, project: str, home: Path, tmp_path: Path, name: str, content: str, message: str
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps({"text": f"t{i}"}) + "\n" for i in range(25_000)))
    bad = tmp_path / name
    bad.write_text(content)
    before = db_state(home)
    r = lsx("import", project, str(good), str(bad))  # the good file's batches land, then get purged
    assert r.code == 1
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], r.err
    assert "Traceback" not in r.err
    assert db_state(home) == before


def test_unreadable_file(lsx: Callable, project: str, home: Path, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"text": "a"}\n')
    real_open = builtins.open

    def guarded(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(file) == str(secret):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    before = db_state(home)
    monkeypatch.setattr(builtins, "open", guarded)
    r = lsx("import", project, str(secret))
    monkeypatch.setattr(builtins, "open", real_open)
    assert r.code == 1 and f"error: {secret}: cannot read: Permission denied" in r.err
    assert db_state(home) == before


def test_missing_file_and_missing_project(lsx: Callable, project: str, tmp_path: Path) -> None:
    r = lsx("import", project, str(tmp_path / "nope.json"))
    assert r.code == 1 and "nope.json: no such file or folder" in r.err
    r = lsx("import", "No such project", str(CONFIG))
    assert r.code == 1 and "project 'No such project' not found" in r.err
    r = lsx("export", "42")
    assert r.code == 1 and "project 42 not found" in r.err


def test_config_that_is_not_xml(lsx: Callable, home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<View>\n  <Text name='t' value='$text'>\n</View>\n")
    lsx("user", "list")  # creates the database
    before = db_state(home)
    r = lsx("project", "create", "Broken", "--config", str(bad))
    assert r.code == 1 and str(bad) in r.err and ":3:" in r.err
    assert len(r.err.strip().splitlines()) == 1
    assert db_state(home) == before


def test_users_orgs_tokens_and_acting_as(lsx: Callable, project: str) -> None:
    r = lsx("user", "create", "ann@example.com", "--password-stdin", "--role", "annotator", input="s3cret\n")
    assert r.code == 0, r.err
    assert lsx("user", "create", "ann@example.com").code == 1
    assert lsx("user", "create", "bob@example.com", "--role", "emperor").code == 1
    token = lsx("token", "create", "--user", "ann@example.com").out.strip()
    assert len(token) == 40 and token.isalnum()
    listed = json.loads(lsx("token", "list", "--json").out)
    assert listed[0]["prefix"] == token[:8] and token not in json.dumps(listed)
    assert lsx("token", "revoke", token[:8]).code == 0
    assert json.loads(lsx("token", "list", "--json").out)[0]["revoked"] is True
    # An annotator may read but not create projects or users.
    r = lsx("--as", "ann@example.com", "project", "create", "Mine", "--config", str(CONFIG))
    assert r.code == 1 and "may not create projects" in r.err
    r = lsx("project", "list", "--as", "ann@example.com", "--json")
    assert [p["title"] for p in json.loads(r.out)] == ["Reviews"]
    assert lsx("--as", "nobody@example.com", "project", "list").code == 1
    assert lsx("org", "create", "Other").code == 0
    orgs = json.loads(lsx("org", "list", "--json").out)
    assert [o["title"] for o in orgs] == ["Default", "Other"]


def test_settings_command_masks_secrets(lsx: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSX_SECRET_KEY", "topsecret")
    rows = {r["name"]: r for r in json.loads(lsx("settings", "--json").out)}
    assert rows["LSX_SECRET_KEY"]["value"] == "***" and rows["LSX_SECRET_KEY"]["source"] == "env"
    assert rows["LSX_TASK_LOCK_TTL"] == {**rows["LSX_TASK_LOCK_TTL"], "value": 3600, "source": "default"}


def test_db_commands(lsx: Callable) -> None:
    assert lsx("db", "upgrade").out.startswith("upgraded to ")  # a fresh database migrates
    assert "database is up to date" in lsx("db", "upgrade").out
    assert "up to date" in lsx("db", "current").out


def test_label_studio_export_round_trip_through_cli(lsx: Callable, tmp_path: Path) -> None:
    assert lsx("project", "create", "NER", "--config", str(LS / "text.config.xml")).code == 0
    assert lsx("import", "NER", str(LS / "text.export.JSON.snapshot.json")).code == 0
    out = tmp_path / "again.json"
    assert lsx("export", "NER", "-o", str(out)).code == 0
    again = json.loads(out.read_text())
    original = json.loads((LS / "text.export.JSON.snapshot.json").read_text())
    assert [t["data"] for t in again] == [t["data"] for t in original]
    assert [[a["result"] for a in t["annotations"]] for t in again] == [
        [a["result"] for a in t["annotations"]] for t in original
    ]
    only = tmp_path / "only.json"
    assert lsx("export", "NER", "-o", str(only), "--only-annotated").code == 0
    assert len(json.loads(only.read_text())) == 10


def test_token_revoke_by_an_all_digit_prefix(lsx: Callable, project: str) -> None:
    """A hex prefix can be all decimal digits: it must still name the token, not an id."""
    from sqlalchemy import update

    from lsx.cli.common import workspace
    from lsx.engine.db.models import ApiToken

    lsx("token", "create")
    ws = workspace()
    with ws.session() as s:
        s.execute(update(ApiToken).values(prefix="24667466"))
    from lsx.cli import common

    common.reset_workspace()
    r = lsx("token", "revoke", "24667466")
    assert r.code == 0, r.err
    assert json.loads(lsx("token", "list", "--json").out)[0]["revoked"] is True
    assert lsx("token", "revoke", "1").code == 0  # its id works too
