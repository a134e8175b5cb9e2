"""How the editor starts: the API answers it needs are asked for once (before its modules load),
the picture is decoded by `lsx:ready`, and a long region list builds only the rows in view."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlencode

from tests.web.ui.helpers import png_bytes, wait_ready
from tests.web.ui.test_app import BBOX, TEXT, Api

W, H, N = 640, 480, 150


def uploaded_task_with_boxes(api: Api, page: Any) -> tuple[int, int, str]:
    """A project with one uploaded picture and an annotation of N boxes: (project, task, image URL)."""
    project = api("POST", "/api/projects/", {"title": "Start-up", "label_config": BBOX})
    pid = project["id"]
    r = page.request.post(f"/api/projects/{pid}/import?return_task_ids=true", headers=api.headers,
                          multipart={"file": {"name": "street.png", "mimeType": "image/png",
                                              "buffer": png_bytes(W, H, (90, 120, 150))}})
    assert r.ok, r.text()
    [task_id] = r.json()["task_ids"]
    task = api("GET", f"/api/tasks/{task_id}/")
    rng = random.Random(5)
    result = [{"id": f"r{i}", "from_name": "bbox", "to_name": "image", "type": "rectanglelabels",
               "original_width": W, "original_height": H, "image_rotation": 0,
               "value": {"x": rng.uniform(0, 90), "y": rng.uniform(0, 90), "width": 5, "height": 5, "rotation": 0,
                         "rectanglelabels": [rng.choice(["Car", "Person"])]}} for i in range(N)]
    api("POST", f"/api/tasks/{task_id}/annotations/", {"result": result})
    return pid, task_id, next(iter(task["data"].values()))


def initiators(page: Any) -> dict[str, str]:
    """What started each API request of the page: "link" for a preload, "fetch" for a script."""
    return page.evaluate("""() => Object.fromEntries(performance.getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/'))
        .map((e) => { const u = new URL(e.name); return [u.pathname + u.search, e.initiatorType]; }))""")


def test_editor_start_asks_once_decodes_and_windows_the_region_list(ui_page: Any, ui_server: Any) -> None:
    page = ui_page
    api = Api(page, ui_server.token)
    pid, task_id, image_url = uploaded_task_with_boxes(api, page)
    asked: list[str] = []
    page.on("request", lambda req: asked.append(req.url.split("://", 1)[1].split("/", 1)[1]))

    page.goto(f"/projects/{pid}/label?task={task_id}")
    wait_ready(page)

    # Each answer the page starts with was asked for once: the view took what the router prefetched.
    for path in ("api/current-user/whoami", f"api/projects/{pid}/interface", f"api/projects/{pid}/",
                 f"api/tasks/{task_id}/", image_url.lstrip("/")):
        assert asked.count(path) == 1, (path, asked)
    # On a page load they were preloaded by the page's head, and fetch() took those answers.
    assert initiators(page)[f"/api/tasks/{task_id}/"] == "link"
    # Ready means the picture is decoded and every box is drawn.
    assert page.evaluate("""() => { const i = document.querySelector('.image-object img.image');
                                    return i.complete && i.naturalWidth; }""") == W
    assert page.locator(".image-object svg.regions g.region").count() == N
    # The uploaded file may stay in this browser's cache rather than be asked for on every open.
    cache = page.request.get(image_url).headers["cache-control"]
    assert "private" in cache and "max-age" in cache

    # The region list counts every region but builds only the rows in view, whatever it holds.
    assert page.inner_text("[data-testid=region-count]") == f"({N})"
    rows = page.locator("[data-testid=region-list] .region-row")
    assert 0 < rows.count() < N
    assert rows.first.get_attribute("aria-setsize") == str(N)
    page.eval_on_selector("aside.side", "el => { el.scrollTop = el.scrollHeight; }")
    last = page.locator(f"[data-testid=region-list] .region-row[aria-posinset='{N}']")
    last.wait_for()
    assert last.get_attribute("data-id") == f"r{N - 1}"

    # One listener on the list serves each row's buttons and the row itself.
    last.locator("[data-action=hide]").click()
    page.wait_for_function(f"document.querySelectorAll('.image-object svg.regions g.region').length === {N - 1}")
    assert "hidden" in (last.get_attribute("class") or "")
    page.locator(f"[data-testid=region-list] .region-row[aria-posinset='{N - 1}'] .name").click()
    page.wait_for_selector(f".image-object svg.regions g.region.selected[data-id='r{N - 2}']")
    assert page.js_errors == []


def test_data_manager_asks_for_its_start_once(ui_page: Any, ui_server: Any) -> None:
    page = ui_page
    api = Api(page, ui_server.token)
    project = api("POST", "/api/projects/", {"title": "Start-up DM", "label_config": TEXT})
    pid = project["id"]
    api("POST", f"/api/projects/{pid}/import", [{"text": f"t{i}", "html": ""} for i in range(3)])
    asked: list[str] = []
    page.on("request", lambda req: asked.append(req.url.split("://", 1)[1].split("/", 1)[1]))

    page.goto(f"/projects/{pid}/data")
    page.wait_for_selector("[data-testid=dm-table] tbody tr")

    first_page = urlencode({"project": pid, "page": 1, "page_size": 100,
                            "query": '{"filters":{"conjunction":"and","items":[]},"ordering":[]}'})
    for path in ("api/current-user/whoami", f"api/projects/{pid}/", f"api/dm/views/?project={pid}",
                 f"api/dm/actions/?project={pid}", f"api/tasks/?{first_page}"):
        assert asked.count(path) == 1, (path, asked)
        assert initiators(page)["/" + path] == "link"
    assert page.js_errors == []
