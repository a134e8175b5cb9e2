"""`RemoteBackend`: the session interface over a `lsx serve` (Label Studio's REST paths, with
`Authorization: Token T`). The labeling config comes from the project; the interface tree and
checks use the same engine code as the local mode, so both modes show and refuse the same."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from lsx.engine.errors import AuthenticationFailed, Conflict, InputError, LsxError, NotFound, PermissionDenied
from lsx.tui.backend import BackendUnavailable, Progress, TaskView


class RemoteBackend:
    def __init__(self, server: str, token: str, project_ref: str | int, *, timeout: float = 15.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.where = server.rstrip("/")
        self.client = httpx.Client(base_url=self.where, headers={"Authorization": f"Token {token}"},
                                   timeout=timeout, transport=transport)
        me = self._req("GET", "/api/current-user/whoami")
        self.user = str(me.get("email") or me.get("username") or me.get("id"))
        self.user_id = me.get("id")
        ref = str(project_ref).strip()
        if ref.isdigit():
            project = self._req("GET", f"/api/projects/{ref}/")
        else:
            listing = self._req("GET", "/api/projects/", params={"page_size": 1000})
            rows = listing.get("results", listing) if isinstance(listing, dict) else listing
            found = [p for p in rows if p.get("title") == ref]
            if len(found) != 1:
                raise NotFound(f"project {ref!r} not found on {self.where}" if not found
                               else f"{len(found)} projects are titled {ref!r} on {self.where}: use an id")
            project = found[0]
        self.project_id = int(project["id"])
        self.project_title = str(project.get("title") or self.project_id)
        self._config = str(project.get("label_config") or "<View></View>")
        self._project = project
        self.session_done = 0

    # --- HTTP ------------------------------------------------------------------------------------

    def _req(self, method: str, path: str, **kw: Any) -> Any:
        try:
            resp = self.client.request(method, path, **kw)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"the server at {self.where} is not reachable ({exc})") from None
        if (resp.status_code == 204 or not resp.content) and resp.status_code < 400:
            return None
        if resp.status_code >= 400:
            raise self._error(resp)
        try:
            return resp.json()
        except ValueError:
            raise BackendUnavailable(f"the server at {self.where} answered {method} {path} with non-JSON") from None

    def _error(self, resp: httpx.Response) -> LsxError:
        try:
            body = resp.json()
            detail = body.get("detail") or body.get("message") or body.get("error") or str(body)
        except ValueError:
            detail = resp.text[:200]
        status = resp.status_code
        if status == 401:
            return AuthenticationFailed(f"the server at {self.where} refused the token (401: {detail}); "
                                        "check --token or create one with `lsx token create`")
        kinds: dict[int, type[LsxError]] = {403: PermissionDenied, 404: NotFound, 409: Conflict}
        if status >= 500:
            return BackendUnavailable(f"the server at {self.where} failed ({status}: {detail})")
        return kinds.get(status, InputError)(str(detail))

    # --- the session interface -------------------------------------------------------------------

    def label_config(self) -> str:
        return self._config

    def interface(self, task: TaskView) -> dict[str, Any]:
        from lsx.engine.config import parse_config

        return parse_config(self._config, source="label_config").interface_tree(task.data)

    @staticmethod
    def _preds(rows: list[Any]) -> list[dict[str, Any]]:
        return [{"id": p.get("id"), "result": p.get("result"), "score": p.get("score"),
                 "model_version": p.get("model_version")} for p in rows if isinstance(p, dict)]

    def next(self, exclude: Sequence[int] = ()) -> TaskView | None:
        try:
            got = self._req("GET", f"/api/projects/{self.project_id}/next/",
                            params=[("exclude", str(i)) for i in exclude])
        except NotFound:
            return None
        drafts = [d for d in got.get("drafts") or [] if d.get("annotation") is None]
        return TaskView(int(got["id"]), got.get("data") or {}, str(got.get("queue") or ""), got.get("inner_id"),
                        self._preds(got.get("predictions") or []), drafts[-1].get("result") if drafts else None,
                        allow_skip=bool(got.get("allow_skip", True)))

    def load(self, task_id: int) -> TaskView:
        got = self._req("GET", f"/api/tasks/{task_id}/")
        mine = [a for a in got.get("annotations") or [] if isinstance(a, dict)
                and (a.get("completed_by") in (self.user_id, None)
                     or (isinstance(a.get("completed_by"), dict) and a["completed_by"].get("id") == self.user_id))]
        drafts = [d for d in got.get("drafts") or [] if isinstance(d, dict) and d.get("user") in (self.user_id, None)]
        view = TaskView(task_id, got.get("data") or {}, "history", got.get("inner_id"),
                        self._preds(got.get("predictions") or []), drafts[-1].get("result") if drafts else None,
                        allow_skip=bool(got.get("allow_skip", True)))
        if mine:
            a = mine[-1]
            view.annotation = {"id": a["id"], "result": a.get("result") or [],
                               "was_cancelled": bool(a.get("was_cancelled"))}
        return view

    def submit(self, task_id: int, result: list[dict[str, Any]], *, lead_time: float | None = None,
               parent_prediction: int | None = None) -> int:
        body: dict[str, Any] = {"result": result, "lead_time": lead_time}
        if parent_prediction is not None:
            body["parent_prediction"] = parent_prediction
        got = self._req("POST", f"/api/tasks/{task_id}/annotations/", json=body)
        self.session_done += 1
        return int(got["id"])

    def update(self, annotation_id: int, result: list[dict[str, Any]]) -> None:
        self._req("PATCH", f"/api/annotations/{annotation_id}/", json={"result": result, "was_cancelled": False})

    def reject(self, task_id: int, prediction_id: int | None, *, lead_time: float | None = None) -> int:
        body = {"result": [], "was_cancelled": True, "lead_time": lead_time, "parent_prediction": prediction_id}
        return int(self._req("POST", f"/api/tasks/{task_id}/annotations/", json=body)["id"])

    def delete_annotation(self, annotation_id: int) -> None:
        self._req("DELETE", f"/api/annotations/{annotation_id}/")

    def skip(self, task_id: int, *, lead_time: float | None = None) -> int:
        body = {"result": [], "was_cancelled": True, "lead_time": lead_time}
        return int(self._req("POST", f"/api/tasks/{task_id}/annotations/", json=body)["id"])

    def postpone(self, task_id: int, result: list[dict[str, Any]]) -> None:
        self._req("POST", f"/api/tasks/{task_id}/drafts", json={"result": result, "was_postponed": True})

    def release(self, task_id: int) -> None:
        self._req("DELETE", f"/api/tasks/{task_id}/lock/")

    def heartbeat(self, task_id: int) -> None:
        self._req("POST", f"/api/tasks/{task_id}/lock/heartbeat/")

    def save_draft(self, task_id: int, result: list[dict[str, Any]], *, lead_time: float | None = None) -> None:
        self._req("POST", f"/api/tasks/{task_id}/drafts", json={"result": result, "lead_time": lead_time})

    def history(self) -> list[int]:
        rows = self._req("GET", f"/api/projects/{self.project_id}/label-stream-history/") or []
        return [int(r.get("task_id") or r.get("taskId")) for r in rows]

    def progress(self) -> Progress:
        p = self._req("GET", f"/api/projects/{self.project_id}/")
        total = int(p.get("task_number") or 0)
        finished = int(p.get("finished_task_number") or 0)
        return Progress(self.session_done, max(0, total - finished), total)

    def close(self) -> None:
        self.client.close()
