// Regions drawn as SVG (in image pixels) and the handles of the selected one.

import { s } from "../dom.js";
import { rectCorners, rotatePoint, toPx } from "./geometry.js";

export function regionColor(ui, region) {
  const label = region.labels && region.labels[0];
  return label ? ui.labelColor(region.labelsFrom || region.from_name, label) : "#e8590c";
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes: the lean form of dom.js's s() for the hundreds built per render. */
function el(tag, attrs) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const key in attrs) node.setAttribute(key, attrs[key]);
  return node;
}

/** One region's SVG group (brush regions are canvases; they get no SVG body). */
export function shape(region, ui, W, H, { selected, ratio }) {
  const color = regionColor(ui, region);
  const control = ui.controls.get(region.from_name);
  const strokeWidth = Number((control && control.attrs.strokeWidth) || 2);
  let cls = "region";
  if (selected) cls += " selected";
  if (region.locked) cls += " locked";
  const g = el("g", { class: cls, "data-id": region.id, "data-tool": region.tool });
  const px = toPx(region, W, H);
  let body = null;
  if (region.tool === "rectangle") {
    const size = { width: Math.max(px.w, 0), height: Math.max(px.h, 0) };
    // Only a rotated box needs a transform (each one costs the renderer a transform node).
    body = px.rotation ? el("rect", { x: 0, y: 0, ...size, transform: `translate(${px.x} ${px.y}) rotate(${px.rotation})` })
      : el("rect", { x: px.x, y: px.y, ...size });
  } else if (region.tool === "ellipse") {
    body = el("ellipse", { cx: 0, cy: 0, rx: Math.max(px.rx, 0), ry: Math.max(px.ry, 0),
      transform: `translate(${px.x} ${px.y}) rotate(${px.rotation})` });
  } else if (region.tool === "polygon") {
    body = el(px.closed ? "polygon" : "polyline", { points: px.points.map((p) => `${p.x},${p.y}`).join(" ") });
  } else if (region.tool === "keypoint") {
    body = el("circle", { cx: px.x, cy: px.y, r: Math.max(px.r, 4 / ratio) });
  }
  if (body) {
    const fillOpacity = region.tool === "keypoint" ? 0.9 : region.tool === "polygon" && !px.closed ? 0
      : selected ? 0.3 : 0.15;
    body.setAttribute("stroke", color);
    body.setAttribute("stroke-width", selected ? strokeWidth + 1 : strokeWidth);
    body.setAttribute("vector-effect", "non-scaling-stroke");
    body.setAttribute("fill", color);
    body.setAttribute("fill-opacity", fillOpacity);
    g.append(body);
  }
  return g;
}

function handle(x, y, ratio, attrs) {
  return s("circle", { class: "handle", cx: x, cy: y, r: 5 / ratio, "vector-effect": "non-scaling-stroke", ...attrs });
}

/** Handles of the selected region: corners and rotation for boxes, vertices and midpoints for polygons. */
export function handles(region, W, H, ratio, { canRotate = true } = {}) {
  const g = s("g", { class: "handles", "data-id": region.id });
  const px = toPx(region, W, H);
  if (region.tool === "rectangle") {
    rectCorners(px).forEach((c, i) => g.append(handle(c.x, c.y, ratio, { "data-handle": `corner-${i}` })));
    if (canRotate) {
      const top = rotatePoint({ x: px.w / 2, y: -24 / ratio }, px.rotation);
      g.append(handle(px.x + top.x, px.y + top.y, ratio, { "data-handle": "rotate", class: "handle rotate" }));
    }
  } else if (region.tool === "ellipse") {
    const ex = rotatePoint({ x: px.rx, y: 0 }, px.rotation);
    const ey = rotatePoint({ x: 0, y: px.ry }, px.rotation);
    g.append(handle(px.x + ex.x, px.y + ex.y, ratio, { "data-handle": "radius-x" }));
    g.append(handle(px.x + ey.x, px.y + ey.y, ratio, { "data-handle": "radius-y" }));
    if (canRotate) {
      const top = rotatePoint({ x: 0, y: -px.ry - 24 / ratio }, px.rotation);
      g.append(handle(px.x + top.x, px.y + top.y, ratio, { "data-handle": "rotate", class: "handle rotate" }));
    }
  } else if (region.tool === "polygon") {
    const n = px.points.length;
    px.points.forEach((p, i) => {
      if (i < n - 1 || px.closed) {
        const q = px.points[(i + 1) % n];
        g.append(handle((p.x + q.x) / 2, (p.y + q.y) / 2, ratio * 1.6,
          { "data-handle": `mid-${i}`, class: "handle mid" }));
      }
    });
    px.points.forEach((p, i) => g.append(handle(p.x, p.y, ratio, { "data-handle": `point-${i}` })));
  }
  return g;
}
