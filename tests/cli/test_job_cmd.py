"""`lsx job ...`, `lsx worker`, and `lsx import/export --background/--wait`, end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from lsx.engine.workspace import Workspace
from tests.plugins.jobs import StartWorker

CONFIG = Path(__file__).parent.parent / "fixtures" / "cli" / "sentiment.xml"


@pytest.fixture
def tasks_file(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps({"text": f"review {i}"}) + "\n" for i in range(30)))
    return path


def _project(lsx: Callable) -> str:
    r = lsx("project", "create", "Reviews", "--config", str(CONFIG))
    assert r.code == 0, r.err
    return "Reviews"


def _jobs(lsx: Callable, *args: str) -> list[dict]:
    r = lsx("job", "list", "--json", *args)
    assert r.code == 0, r.err
    return json.loads(r.out)


# -- without Redis ---------------------------------------------------------------------------------


def test_inline_import_is_recorded_as_a_job(lsx: Callable, tasks_file: Path) -> None:
    project = _project(lsx)
    r = lsx("import", project, str(tasks_file))
    assert r.code == 0 and "imported 30 tasks" in r.out, r.err
    [job] = _jobs(lsx)
    assert job["kind"] == "import" and job["status"] == "finished" and job["attempts"] == 1
    assert job["result"]["task_count"] == 30 and job["backend"] == "inline"
    shown = json.loads(lsx("job", "show", str(job["id"]), "--json").out)
    assert shown["id"] == job["id"] and shown["progress"]["done"] == 30
    text = lsx("job", "show", str(job["id"])).out
    assert "status:       finished" in text and "result:" in text
    assert "import" in lsx("job", "list").out
    assert _jobs(lsx, "--status", "failed") == []
    assert [j["id"] for j in _jobs(lsx, "--project", project)] == [job["id"]]


def test_failed_import_shows_in_failed_jobs_with_its_error(lsx: Callable, tmp_path: Path) -> None:
    project = _project(lsx)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"text": "x"}, ')
    r = lsx("import", project, str(bad))
    assert r.code == 1 and r.err.startswith("error: ") and "bad.json" in r.err and "Traceback" not in r.err
    [job] = _jobs(lsx, "--status", "failed")
    assert "bad.json" in job["error"]
    assert lsx("job", "wait", str(job["id"])).code == 1


def test_background_without_redis_is_refused(lsx: Callable, tasks_file: Path, tmp_path: Path) -> None:
    project = _project(lsx)
    r = lsx("import", project, str(tasks_file), "--background")
    assert r.code == 1 and "--background needs LSX_REDIS_URL" in r.err
    r = lsx("export", project, "-o", str(tmp_path / "x.json"), "--background")
    assert r.code == 1 and "--background needs LSX_REDIS_URL" in r.err
    r = lsx("worker", "--burst")
    assert r.code == 1 and "needs LSX_REDIS_URL" in r.err


def test_job_commands_say_what_is_wrong(lsx: Callable) -> None:
    assert lsx("job", "show", "99").err.strip() == "error: job 99 not found"
    assert "unknown job status 'done'" in lsx("job", "list", "--status", "done").err


# -- with Redis and real workers -------------------------------------------------------------------


def test_background_import_and_export_run_on_a_worker(
    lsx: Callable, rq_ws: Workspace, start_worker: StartWorker, tasks_file: Path, tmp_path: Path
) -> None:
    project = _project(lsx)
    r = lsx("import", project, str(tasks_file), "--background")
    assert r.code == 0, r.err
    job_id = r.out.strip()
    assert job_id.isdigit()  # only the job id
    assert _jobs(lsx)[0]["status"] == "queued"
    start_worker()
    r = lsx("job", "wait", job_id)
    assert r.code == 0, r.err
    out = tmp_path / "export.json"
    r = lsx("export", project, "-o", str(out), "--background", "--wait")
    assert r.code == 0, r.err
    assert len(json.loads(out.read_text())) == 30
    export = _jobs(lsx, "--status", "finished")[0]
    assert export["kind"] == "export" and export["backend"] == "rq" and export["result"]["task_count"] == 30


def test_cron_safety_second_run_exits_0_or_waits(
    lsx: Callable, rq_ws: Workspace, start_worker: StartWorker, tasks_file: Path
) -> None:
    project = _project(lsx)
    first = lsx("import", project, str(tasks_file), "--background").out.strip()  # no worker yet: stays queued
    for args in ((), ("--background",)):
        r = lsx("import", project, str(tasks_file), *args)
        assert r.code == 0 and f"job {first} (import) is already queued" in r.err, r.err
    assert len(_jobs(lsx)) == 1
    start_worker()
    r = lsx("import", project, str(tasks_file), "--wait")  # waits for the first, then imports again
    assert r.code == 0 and "imported 30 tasks" in r.out, r.err
    assert [j["status"] for j in _jobs(lsx)] == ["finished", "finished"]


def test_wait_retry_and_cancel(
    lsx: Callable, rq_ws: Workspace, start_worker: StartWorker, tmp_path: Path
) -> None:
    from lsx.engine.access.users import LOCAL_OWNER, actor_for
    from lsx.engine.jobs import run_job

    with rq_ws.read() as s:
        boss = actor_for(s, LOCAL_OWNER)
    flag = tmp_path / "broken"
    flag.touch()
    failing = run_job(rq_ws, boss, "t.fail", {"flag": str(flag)}, background=True).id
    queued = run_job(rq_ws, boss, "t.tiny", {}, background=True).id
    r = lsx("job", "cancel", str(queued))
    assert r.code == 0 and "canceled" in r.err
    assert lsx("job", "cancel", str(queued)).code == 1
    start_worker()
    r = lsx("job", "wait", str(failing))
    assert r.code == 1 and "failed after 3 attempt(s): RuntimeError: boom on attempt 3" in r.err
    shown = lsx("job", "show", str(failing)).out
    assert "Traceback" in shown
    flag.unlink()
    r = lsx("job", "retry", str(failing), "--wait")
    assert r.code == 0, r.err
    assert lsx("job", "wait", str(failing), "--json").code == 0
    assert lsx("job", "wait", str(queued)).code == 2
    running = run_job(rq_ws, boss, "t.forever", {}, background=True).id
    assert lsx("job", "wait", str(running), "--timeout", "0.5").code == 3
    assert lsx("job", "cancel", str(running)).code == 0
    assert lsx("job", "wait", str(running)).code == 2
