"""The app around the editor: predictions as pre-annotations, the Data Manager (filters saved as
views, delete action), untrusted HTML in task data, and brush RLE both ways."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np
from label_studio_sdk.converter.brush import decode_rle, encode_rle

from tests.web.ui.helpers import png_bytes, wait_ready

BBOX = """<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="bbox" toName="image"><Label value="Car"/><Label value="Person"/></RectangleLabels>
</View>"""
# The rle module's URL, next to the page's entry module (static URLs carry the UI's version).
RLE_MODULE = "document.querySelector('script[type=module]').src.replace(/main[.]js$/, 'editor/rle.js')"
TEXT = """<View>
  <HyperText name="html" value="$html"/>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices>
</View>"""


class Api:
    def __init__(self, page: Any, token: str) -> None:
        self.request = page.request
        self.headers = {"Authorization": f"Token {token}"}

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        r = self.request.fetch(path, method=method, headers=self.headers, data=body)
        assert r.ok, (path, r.status, r.text())
        return r.json() if r.status != 204 else None


def project_with(api: Api, config: str, tasks: list[dict[str, Any]]) -> tuple[int, list[int]]:
    project = api("POST", "/api/projects/", {"title": "UI test", "label_config": config})
    out = api("POST", f"/api/projects/{project['id']}/import?return_task_ids=true", tasks)
    return project["id"], out["task_ids"]


def test_predictions_load_as_pre_annotations_and_are_accepted(ui_page: Any, ui_server: Any) -> None:
    api = Api(ui_page, ui_server.token)
    image = "data:image/png;base64," + base64.b64encode(png_bytes(200, 100, (90, 90, 90))).decode()
    pid, [task_id] = project_with(api, BBOX, [{"image": image}])
    region = {"id": "pred1", "from_name": "bbox", "to_name": "image", "type": "rectanglelabels",
              "original_width": 200, "original_height": 100, "image_rotation": 0,
              "value": {"x": 10, "y": 20, "width": 30, "height": 40, "rotation": 0, "rectanglelabels": ["Car"]}}
    pred = api("POST", "/api/predictions/", {"task": task_id, "result": [region], "score": 0.8, "model_version": "m1"})

    ui_page.goto(f"/projects/{pid}/label")
    wait_ready(ui_page)
    assert ui_page.locator(".region-row >> text=Rectangle: Car").count() == 1
    assert ui_page.locator(".region-row .tag").inner_text() == "pred"
    ui_page.click("[data-action=submit]")
    ui_page.wait_for_selector("[data-testid=status] >> text=Submitted annotation")

    [annotation] = api("GET", f"/api/tasks/{task_id}/")["annotations"]
    assert annotation["parent_prediction"] == pred["id"]
    [item] = annotation["result"]
    assert item["id"] == "pred1" and item["origin"] == "prediction"
    assert item["value"] == region["value"]


def test_data_manager_filters_views_and_delete_action(ui_page: Any, ui_server: Any, screenshots: Any) -> None:
    api = Api(ui_page, ui_server.token)
    words = ["apple pie", "banana", "green apple", "cherry", "date"]
    pid, ids = project_with(api, TEXT, [{"text": w, "html": f"<b>{w}</b>"} for w in words])
    page = ui_page
    page.goto(f"/projects/{pid}/data")
    page.wait_for_selector("[data-testid=dm-table] tbody tr >> nth=4")
    assert page.inner_text("[data-testid=dm-page]").endswith("5 tasks")

    # Sort by ID descending (second click), then filter $text contains "apple".
    page.click("th[data-column=id]")
    page.click("th[data-column=id]")
    page.wait_for_selector(f"tbody tr:first-child[data-task='{ids[-1]}']")
    page.click("[data-action=add-filter]")
    page.select_option(".filter-row select[data-role=column]", "data.text")
    page.select_option(".filter-row select[data-role=operator]", "contains")
    page.fill(".filter-row input[data-role=value]", "apple")
    page.press(".filter-row input[data-role=value]", "Tab")
    page.click("[data-action=apply-filters]")
    page.wait_for_selector("[data-testid=dm-page] >> text=2 tasks")
    assert [int(x) for x in page.locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.task)")] == \
        [ids[2], ids[0]]

    # Save as a named view; it survives a reload.
    page.once("dialog", lambda d: d.accept("Apples"))
    page.click("[data-action=save-view]")
    page.wait_for_selector(".tab >> text=Apples")
    page.screenshot(path=str(screenshots / "data-manager.png"), full_page=True)
    page.reload()
    page.click(".tab >> text=Apples")
    page.wait_for_selector("[data-testid=dm-page] >> text=2 tasks")
    views = api("GET", f"/api/dm/views/?project={pid}")
    assert views[0]["data"]["filters"]["items"][0]["value"] == "apple"

    # Delete one selected task.
    page.locator(f"tbody tr[data-task='{ids[0]}'] input[type=checkbox]").check()
    page.once("dialog", lambda d: d.accept())
    page.select_option("[data-testid=dm-action]", "delete_tasks")
    page.wait_for_selector("[data-testid=dm-page] >> text=1 tasks")
    assert api("GET", f"/api/tasks/?project={pid}")["total"] == 4
    assert not page.js_errors


def test_task_html_runs_no_script(ui_page: Any, ui_server: Any) -> None:
    api = Api(ui_page, ui_server.token)
    evil = ('<img src="x" onerror="window.__pwned=1"><script>window.__pwned=2</script>'
            '<a href="javascript:window.__pwned=3">link</a><b>bold</b><svg onload="window.__pwned=4"></svg>')
    text = '<script>window.__pwned=5</script><img src=x onerror="window.__pwned=6">'
    pid, [task_id] = project_with(api, TEXT, [{"html": evil, "text": text}])
    page = ui_page
    response = page.goto(f"/projects/{pid}/label?task={task_id}")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    wait_ready(page)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".hypertext b").inner_text() == "bold"
    assert page.locator(".hypertext img[onerror], .hypertext script, .hypertext svg").count() == 0
    assert page.locator(".hypertext a").get_attribute("href") is None
    assert "<script>window.__pwned=5</script>" in page.inner_text(".object.text")
    page.goto(f"/projects/{pid}/data")
    page.wait_for_selector("tbody tr")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert not page.js_errors


def test_brush_rle_is_label_studio_format_both_ways(ui_page: Any) -> None:
    ui_page.goto("/login")
    w, h = 37, 23
    mask = np.zeros((h, w), dtype=np.uint8)
    mask[5:15, 3:30] = 255
    mask[18, ::2] = 255
    ours = ui_page.evaluate(
        """async ([flat]) => {
            const rle = await import(RLE_MODULE);
            return rle.rleFromMask(Uint8Array.from(flat));
        }""".replace("RLE_MODULE", RLE_MODULE),
        [mask.flatten().tolist()],
    )
    alpha = np.reshape(decode_rle(ours), (h, w, 4))[:, :, 3]
    assert (alpha == mask).all()

    theirs = encode_rle(np.repeat(mask.flatten(), 4))
    back = ui_page.evaluate(
        """async ([rle, w, h]) => {
            const m = await import(RLE_MODULE);
            return Array.from(m.maskFromRle(rle, w, h));
        }""".replace("RLE_MODULE", RLE_MODULE),
        [list(theirs), w, h],
    )
    assert (np.array(back, dtype=np.uint8).reshape(h, w) == mask).all()


def test_one_time_login_link_then_logout(anon_page: Any, ui_server: Any) -> None:
    from lsx.engine.auth_tokens import create_login_link

    key = create_login_link(ui_server.ws, ui_server.email)
    page = anon_page
    page.goto(f"/user/login/link/{key}")
    page.wait_for_selector(f"[data-testid=who] >> text={ui_server.email}")
    page.click("[data-testid=logout]")
    page.wait_for_url("**/login")
    page.goto("/projects")
    page.wait_for_url("**/login?next=*")
    page.goto(f"/user/login/link/{key}")  # spent: it does not log in twice
    assert page.locator("[data-testid=who]").count() == 0
