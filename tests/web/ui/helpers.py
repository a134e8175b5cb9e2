"""Helpers for driving the editor: image pixels <-> screen points, waiting for `lsx:ready`."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image


def png_bytes(width: int, height: int, color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def wait_ready(page: Any) -> None:
    page.wait_for_selector("[data-testid=editor][data-ready='1']", timeout=15000)


def screen(page: Any, x: float, y: float, image: str = "image") -> tuple[float, float]:
    """The page point showing image pixel (x, y)."""
    pt = page.evaluate(
        """([name, x, y]) => {
            const svg = document.querySelector(`.image-object[data-name="${name}"] svg.regions`);
            const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM());
            return [p.x, p.y];
        }""",
        [image, x, y],
    )
    return pt[0], pt[1]


def drag(page: Any, a: tuple[float, float], b: tuple[float, float], steps: int = 8) -> None:
    """Drag between two image pixels with the mouse."""
    ax, ay = screen(page, *a)
    bx, by = screen(page, *b)
    page.mouse.move(ax, ay)
    page.mouse.down()
    page.mouse.move(bx, by, steps=steps)
    page.mouse.up()


def click(page: Any, p: tuple[float, float]) -> None:
    x, y = screen(page, *p)
    page.mouse.click(x, y)


def region_count(page: Any) -> int:
    return page.locator("[data-testid=region-list] .region-row").count()
