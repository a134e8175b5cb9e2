"""The acceptance path in a real Chromium: log in with the form, create a project from the
bounding-box template (plus polygon, keypoint and brush tools), upload three Pillow images, label
one with the mouse and hotkeys, submit, and read the result back through the API."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from label_studio_sdk.converter.brush import decode_rle

from tests.web.ui.helpers import click, drag, png_bytes, region_count, screen, wait_ready

EXTRA_TOOLS = """  <PolygonLabels name="poly" toName="image"><Label value="Road" background="#F59F00"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="Head" background="#E03131"/></KeyPointLabels>
  <BrushLabels name="mask" toName="image"><Label value="Sky" background="#74C0FC"/></BrushLabels>
</View>"""
W, H = 400, 300


def near(value: float, expected: float, size: float) -> bool:
    """Percent `value` is within one pixel of `expected` pixels on an axis of `size` pixels."""
    return abs(value * size / 100 - expected) <= 1.0


def by_type(results: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in results if r.get("type") == kind]


def test_label_images_from_login_to_stored_result(anon_page: Any, ui_server: Any, screenshots: Any,
                                                  tmp_path: Any) -> None:
    page = anon_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Log in with the form.
    page.goto("/")
    page.wait_for_url("**/login?next=*")
    page.fill("input[name=email]", ui_server.email)
    page.fill("input[name=password]", ui_server.password)
    page.click("button[type=submit]")
    page.wait_for_selector("text=No projects yet")

    # Create from the bounding-box template, adding tools while the preview follows.
    page.click("[data-testid=new-project]")
    page.select_option("[data-testid=template]", "bounding_boxes")
    page.wait_for_selector("[data-testid=preview] .label[data-label=Car]")
    xml = page.input_value("[data-testid=config-xml]").replace("</View>", EXTRA_TOOLS)
    page.fill("[data-testid=config-xml]", xml.replace("<View>", "<View>\n  <Bogus/>", 1))
    page.wait_for_selector("[data-testid=config-errors] li.error >> text=line 3")
    page.fill("[data-testid=config-xml]", xml)
    page.wait_for_selector("[data-testid=preview] .label[data-label=Sky]")
    page.fill("[data-testid=project-title]", "Street scenes")
    page.click("[data-testid=create-project]")

    # Upload three images with progress.
    page.wait_for_selector("[data-testid=import-files]")
    files = []
    for i, color in enumerate([(200, 60, 60), (60, 200, 60), (60, 60, 200)]):
        path = tmp_path / f"street-{i}.png"
        path.write_bytes(png_bytes(W, H, color))
        files.append(str(path))
    page.set_input_files("[data-testid=import-files]", files)
    page.click("[data-action=import]")
    page.wait_for_selector("[data-testid=import-status] >> text=Imported 3 tasks")
    page.wait_for_selector("[data-testid=preview] .label[data-label=Sky]")
    page.screenshot(path=str(screenshots / "settings-live-preview.png"), full_page=True)

    page.click("a:has-text('Data')")
    page.wait_for_selector("[data-testid=dm-table] tbody tr >> nth=2")
    page.click("a[href='/projects']")
    page.wait_for_selector("[data-testid=project-card]")
    page.screenshot(path=str(screenshots / "project-list.png"), full_page=True)

    # The editor.
    page.click("[data-testid=project-card] a:has-text('Label')")
    wait_ready(page)
    task_id = int(page.inner_text("[data-testid=task-id]").split("#")[1])

    # Two rectangles, labelled by hotkey.
    page.keyboard.press("r")
    drag(page, (50, 50), (150, 120))
    page.keyboard.press("1")
    drag(page, (200, 150), (300, 250))
    page.keyboard.press("2")
    assert region_count(page) == 2

    # Move the first (+20, +10), then resize it from its bottom-right corner.
    click(page, (100, 85))
    drag(page, (100, 85), (120, 95))
    corner = page.locator("[data-handle=corner-2]").bounding_box()
    cx, cy = screen(page, 190, 150)
    page.mouse.move(corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2)
    page.mouse.down()
    page.mouse.move(cx, cy, steps=6)
    page.mouse.up()

    # Rotate the second by 90 degrees about its centre.
    click(page, (250, 200))
    handle = page.locator("[data-handle=rotate]").bounding_box()
    rx, ry = screen(page, 330, 200)
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(rx, ry, steps=6)
    page.mouse.up()

    # A polygon (closed on its first point), a keypoint, a brush stroke.
    page.keyboard.press("p")
    for p in [(40, 180), (120, 180), (120, 260), (40, 180)]:
        click(page, p)
    page.keyboard.press("3")
    page.keyboard.press("k")
    click(page, (350, 50))
    page.keyboard.press("4")
    page.keyboard.press("b")
    drag(page, (200, 280), (280, 280), steps=10)
    page.keyboard.press("5")
    assert region_count(page) == 5

    # Undo twice (the brush label, then the stroke), redo twice.
    page.keyboard.press("Escape")
    page.keyboard.press("Control+z")
    assert page.locator(".region-row >> text=Brush: no label").count() == 1
    page.keyboard.press("Control+z")
    assert region_count(page) == 4
    page.keyboard.press("Control+Shift+z")
    page.keyboard.press("Control+Shift+z")
    assert region_count(page) == 5
    assert page.locator(".region-row >> text=Brush: Sky").count() == 1
    page.screenshot(path=str(screenshots / "editor.png"), full_page=True)

    page.click("[data-action=submit]")
    page.wait_for_selector("[data-testid=status] >> text=Submitted annotation")
    assert not errors, errors

    # The stored result, read through the API.
    r = page.request.get(f"/api/tasks/{task_id}/", headers={"Authorization": f"Token {ui_server.token}"})
    task = r.json()
    [annotation] = task["annotations"]
    results = annotation["result"]
    for item in results:
        assert item["original_width"] == W and item["original_height"] == H, item

    rects = {r["value"]["rectanglelabels"][0]: r["value"] for r in by_type(results, "rectanglelabels")}
    car, person = rects["Car"], rects["Person"]
    assert near(car["x"], 70, W) and near(car["y"], 60, H), car
    assert near(car["width"], 120, W) and near(car["height"], 90, H), car
    assert car["rotation"] == 0
    assert abs(person["rotation"] - 90) < 1.5, person
    assert near(person["width"], 100, W) and near(person["height"], 100, H), person
    # Rotated about its centre (250, 200): the top-left corner is now at (300, 150).
    assert near(person["x"], 300, W) and near(person["y"], 150, H), person

    [poly] = by_type(results, "polygonlabels")
    assert poly["value"]["polygonlabels"] == ["Road"] and poly["value"]["closed"] is True
    points = [(x * W / 100, y * H / 100) for x, y in poly["value"]["points"]]
    assert len(points) == 3
    for (x, y), (ex, ey) in zip(points, [(40, 180), (120, 180), (120, 260)], strict=True):
        assert math.hypot(x - ex, y - ey) <= 1.0, points

    [kp] = by_type(results, "keypointlabels")
    assert kp["value"]["keypointlabels"] == ["Head"]
    assert near(kp["value"]["x"], 350, W) and near(kp["value"]["y"], 50, H), kp

    [brush] = by_type(results, "brushlabels")
    assert brush["value"]["brushlabels"] == ["Sky"] and brush["value"]["format"] == "rle"
    alpha = np.reshape(decode_rle(brush["value"]["rle"]), (H, W, 4))[:, :, 3]
    assert alpha[280, 240] > 0 and alpha[280, 205] > 0
    assert alpha[200, 240] == 0 and alpha[280, 320] == 0
