"""Route-coverage cases for storages (loaded by test_route_coverage): B's storages of every type.

Cloud storages point at a closed port: routes that reach the store (sync, validate, files) are
tested against the emulators in tests/engine/storage/test_api.py, including other organizations."""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path
from typing import Any

TYPES = ("s3", "gcs", "azure", "localfiles")
_REACHES_STORE = "reaches the store; other-organization cases against emulators in tests/engine/storage/test_api.py"

NO_OBJECT: dict[tuple[str, str], str] = {
    ("GET", "/api/storages/"): "lists the caller's organization only",
    ("GET", "/api/storages/export"): "lists the caller's organization only",
    ("GET", "/api/storages/types"): "catalogue",
    ("GET", "/api/storages/export/types"): "catalogue",
}
OBJECT_OF_PREFIX: list[tuple[str, str]] = [("/tasks/{id}", "storage_task"), ("/projects/{id}", "storage_project")]
QUERY: dict[tuple[str, str], Any] = {
    ("GET", "/tasks/{id}/resolve/"): lambda o: {"fileuri": o["storage_fileuri"]},
    ("GET", "/tasks/{id}/presign/"): lambda o: {"fileuri": o["storage_fileuri"]},
    ("GET", "/projects/{id}/resolve/"): lambda o: {"fileuri": o["storage_fileuri"]},
    ("GET", "/data/local-files/"): lambda o: {"d": o["storage_local_d"]},
}
BODY: dict[tuple[str, str], Any] = {}
OVERRIDE_ID: dict[tuple[str, str], str] = {}

for _kind in ("import", "export"):
    for _t in TYPES:
        base = f"/api/storages/export/{_t}" if _kind == "export" else f"/api/storages/{_t}"
        obj = f"storage_{_kind}_{_t}"
        OBJECT_OF_PREFIX.append((f"{base}/{{id}}", obj))
        BODY[("PATCH", f"{base}/{{id}}")] = lambda o: {"title": "renamed"}
        NO_OBJECT[("GET", f"{base}/")] = "lists the caller's organization only"
        NO_OBJECT[("GET", f"{base}/form")] = "form layout, no object"
        if _t == "localfiles":
            BODY[("POST", f"{base}/")] = lambda o, k=_kind: {"project": o["project"], "path": o["storage_dir"],
                                                             "title": f"new {k}"}
            BODY[("POST", f"{base}/validate")] = lambda o: {"project": o["project"], "path": o["storage_dir"]}
            if _kind == "import":
                BODY[("POST", f"{base}/files")] = lambda o: {"id": o["storage_import_localfiles"]}
        else:
            NO_OBJECT[("POST", f"{base}/")] = _REACHES_STORE
            NO_OBJECT[("POST", f"{base}/validate")] = _REACHES_STORE
            NO_OBJECT[("POST", f"{base}/{{id}}/sync")] = _REACHES_STORE
            if _kind == "import":
                NO_OBJECT[("POST", f"{base}/files")] = _REACHES_STORE


def seed(ws: Any, actor: Any) -> dict[str, Any]:
    from lsx.engine.imports import import_body
    from lsx.engine.projects import create_project
    from lsx.engine.storage import create_storage

    root = Path(tempfile.mkdtemp(prefix="lsx-cases-root-"))
    ws.settings.values["LSX_LOCAL_FILES_ROOT"] = str(root)
    folder = f"org{actor.organization_id}"
    (root / folder).mkdir()
    (root / folder / "a.jpg").write_bytes(b"jpeg")
    config = ('<View><Image name="image" value="$image"/>'
              '<Choices name="c" toName="image"><Choice value="a"/></Choices></View>')
    with ws.session() as s:
        project = create_project(s, actor, "storage cases", label_config=config).id
    out: dict[str, Any] = {"storage_dir": folder, "storage_local_d": f"{folder}/a.jpg", "storage_project": project}
    for kind in ("import", "export"):
        for t in TYPES:
            fields = ({"path": folder} if t == "localfiles" else
                      {"bucket": "nowhere", "endpoint_url": "http://127.0.0.1:9", "s3_endpoint": "http://127.0.0.1:9"})
            out[f"storage_{kind}_{t}"] = create_storage(ws, actor, project, t, fields, kind=kind, validate=False).id
    uri = f"/data/local-files/?d={folder}/a.jpg"
    report = import_body(ws, actor, project, b'[{"image": "%s"}]' % uri.encode())
    out["storage_task"] = report.task_ids[0]
    out["storage_fileuri"] = base64.urlsafe_b64encode(uri.encode()).decode()
    return out
