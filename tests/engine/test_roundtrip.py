"""A Label Studio JSON export imported into lsx and exported again compares equal (ids aside)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from lsx.engine.access.actor import Actor
from lsx.engine.exports import export_project
from lsx.engine.imports import import_files
from lsx.engine.projects import create_project
from lsx.engine.workspace import Workspace

LS = Path(__file__).parent.parent / "fixtures" / "ls"


def _comparable(tasks: list[dict]) -> list[dict]:
    """What must survive a round trip: data, results, meta and per-task counters."""
    out = []
    for t in tasks:
        out.append({
            "data": t["data"],
            "meta": t.get("meta") or {},
            "total_annotations": t["total_annotations"],
            "cancelled_annotations": t["cancelled_annotations"],
            "total_predictions": t["total_predictions"],
            "annotations": [
                (a["result"], a["was_cancelled"], a["ground_truth"], a["lead_time"]) for a in t["annotations"]
            ],
            "predictions": [(p["result"], p["model_version"], p["score"]) for p in t["predictions"]],
        })
    return out


def _project(ws: Workspace, owner: Actor, kind: str) -> int:
    with ws.session() as s:
        return create_project(s, owner, kind, label_config=(LS / f"{kind}.config.xml").read_text()).id


@pytest.mark.db
@pytest.mark.parametrize("kind", ["text", "image"])
def test_label_studio_snapshot_export_round_trips(ws: Workspace, owner: Actor, kind: str, tmp_path: Path) -> None:
    source = LS / f"{kind}.export.JSON.snapshot.json"
    pid = _project(ws, owner, kind)
    report = import_files(ws, owner, pid, [str(source)])
    original = json.loads(source.read_text())
    assert report.task_count == len(original)
    out = tmp_path / "export.json"
    export_project(ws, owner, pid, "JSON", out)
    exported = json.loads(out.read_text())
    assert _comparable(exported) == _comparable(original)


@pytest.mark.parametrize("kind", ["text", "image"])
def test_direct_export_with_prediction_ids_imports_with_warnings(ws: Workspace, owner: Actor, kind: str) -> None:
    """Label Studio's direct JSON export lists predictions by id only: those are skipped, said so."""
    pid = _project(ws, owner, kind)
    report = import_files(ws, owner, pid, [str(LS / f"{kind}.export.JSON.json")])
    assert report.prediction_count == 0
    assert report.warnings and all("id only" in w for w in report.warnings)
    assert report.annotation_count == 13


@pytest.mark.parametrize("kind", ["text", "image"])
@pytest.mark.parametrize("fmt", ["JSON_MIN", "CSV", "TSV"])
def test_flat_exports_match_label_studio(ws: Workspace, owner: Actor, kind: str, fmt: str) -> None:
    """JSON_MIN/CSV/TSV equal Label Studio's files for the same project, ids and times aside."""
    pid = _project(ws, owner, kind)
    import_files(ws, owner, pid, [str(LS / f"{kind}.export.JSON.snapshot.json")])
    buf = io.BytesIO()
    export_project(ws, owner, pid, fmt, buf)
    ext = {"JSON_MIN": "JSON_MIN.json", "CSV": "CSV.csv", "TSV": "TSV.tsv"}[fmt]
    expected = (LS / f"{kind}.export.{ext}").read_bytes().decode()
    got = buf.getvalue().decode()
    if fmt == "JSON_MIN":
        volatile = {"id", "annotation_id", "annotator", "created_at", "updated_at"}
        strip = lambda rows: [{k: v for k, v in r.items() if k not in volatile} for r in rows]  # noqa: E731
        assert strip(json.loads(got)) == strip(json.loads(expected))
    else:
        import csv

        delim = "," if fmt == "CSV" else "\t"
        exp_rows = list(csv.reader(io.StringIO(expected), delimiter=delim))
        got_rows = list(csv.reader(io.StringIO(got), delimiter=delim))
        assert got_rows[0] == exp_rows[0]
        header = exp_rows[0]
        keep = [i for i, h in enumerate(header) if h not in {"id", "annotation_id", "annotator", "created_at",
                                                             "updated_at"}]
        assert [[r[i] for i in keep] for r in got_rows[1:]] == [[r[i] for i in keep] for r in exp_rows[1:]]
        # Quoting follows Label Studio's: every line ends with CRLF, strings quoted.
        assert got.split("\r\n")[0] == expected.split("\r\n")[0]


def test_large_json_export_built_in_two_halves_equals_one_pass(
    ws: Workspace, owner: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above PARALLEL_EXPORT_MIN the SQLite JSON export builds two halves at once: same bytes."""
    import lsx.engine.exports as exports

    pid = _project(ws, owner, "text")
    import_files(ws, owner, pid, [str(LS / "text.export.JSON.snapshot.json")])
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    export_project(ws, owner, pid, "JSON", one)
    monkeypatch.setattr(exports, "PARALLEL_EXPORT_MIN", 2)
    report = export_project(ws, owner, pid, "JSON", two)
    assert two.read_bytes() == one.read_bytes()
    assert report.task_count == 20 and report.annotation_count == 13


def _edge_tasks(path: Path) -> Path:
    """Tasks the SQLite text path builds by cases: no skip, an upload name, non-ASCII, a cancelled one."""
    skipped = [{"result": [], "was_cancelled": True}]
    tasks = [
        {"data": {"text": "naïve café — 東京 \"quoted\" \\ back"}, "allow_skip": False},
        {"data": {"text": "from a file"}, "file_upload": "ab12cd-reviews \"q\".csv", "meta": {"k": [1, 2]}},
        {"data": {"text": "cancelled only"}, "annotations": skipped},
    ]
    path.write_text(json.dumps(tasks))
    return path


def test_sqlite_json_text_equals_the_generic_writer(
    ws: Workspace, owner: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite assembles the JSON text itself; PostgreSQL goes through Python: both give the same bytes."""
    pid = _project(ws, owner, "text")
    import_files(ws, owner, pid, [str(LS / "text.export.JSON.snapshot.json"), str(_edge_tasks(tmp_path / "e.json"))])
    fast = io.BytesIO()
    export_project(ws, owner, pid, "JSON", fast)
    monkeypatch.setattr(Workspace, "is_sqlite", property(lambda self: False))
    generic = io.BytesIO()
    export_project(ws, owner, pid, "JSON", generic)
    assert fast.getvalue() == generic.getvalue()
    tasks = json.loads(fast.getvalue())
    assert tasks[-3]["data"]["text"].startswith("naïve café") and tasks[-3]["allow_skip"] is False
    assert tasks[-2]["file_upload"] == "ab12cd-reviews \"q\".csv" and tasks[-2]["meta"] == {"k": [1, 2]}
    assert tasks[-1]["cancelled_annotations"] == 1 and tasks[-1]["annotations"][0]["was_cancelled"] is True


@pytest.mark.parametrize("only_annotated", [False, True])
def test_two_half_export_of_interleaved_projects(
    ws: Workspace, owner: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, only_annotated: bool
) -> None:
    """Ids of two projects interleave; each project's two-half export equals its one-pass export."""
    import lsx.engine.exports as exports

    a, b = _project(ws, owner, "text"), _project(ws, owner, "text")
    for pid in (a, b, a, b):
        import_files(ws, owner, pid, [str(LS / "text.export.JSON.snapshot.json")])
    for pid in (a, b):
        one, two = io.BytesIO(), io.BytesIO()
        monkeypatch.setattr(exports, "PARALLEL_EXPORT_MIN", 10**9)
        export_project(ws, owner, pid, "JSON", one, only_annotated=only_annotated)
        monkeypatch.setattr(exports, "PARALLEL_EXPORT_MIN", 2)
        report = export_project(ws, owner, pid, "JSON", two, only_annotated=only_annotated)
        assert two.getvalue() == one.getvalue()
        tasks = json.loads(one.getvalue())
        assert report.task_count == len(tasks) and report.annotation_count == 26
        assert len(tasks) < 40 if only_annotated else len(tasks) == 40


def test_exports_read_annotations_in_task_order_without_sorting_the_project(
    ws: Workspace, owner: Actor
) -> None:
    """SQLite must not gather a project's annotations in one in-memory sort (memory would grow with
    the project): only each task's own rows may be sorted."""
    from sqlalchemy import text

    import lsx.engine.exports as exports

    pid = _project(ws, owner, "text")
    import_files(ws, owner, pid, [str(LS / "text.export.JSON.snapshot.json")])
    with ws.read() as s:
        for sql, alias in ((exports._ANNOTATION_SQL, "a"), (exports._PREDICTION_SQL, "p")):
            query, bounds = exports._in_task_order(sql, alias, 1, 10**6)
            plan = " | ".join(
                row[3] for row in s.execute(text("EXPLAIN QUERY PLAN " + query.replace("%s", ":x", 1)
                                                 .replace("%s", ":lo", 1).replace("%s", ":hi", 1)),
                                            {"x": pid, "lo": bounds[0], "hi": bounds[1]})
            )
            assert "(task_id>? AND task_id<?)" in plan, plan
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
