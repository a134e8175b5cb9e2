// Mouse and pen on an image: draw, select, move, resize, rotate, edit polygon points, paint.

import { shape } from "./shapes.js";
import { clampPoint, fromPx, rectCorners, rotatePoint, toPx, translate } from "./geometry.js";
import { toImage } from "./viewport.js";

const clone = (v) => JSON.parse(JSON.stringify(v));
const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
const deg = (r) => (r * 180) / Math.PI;

export class PointerTools {
  constructor(view) {
    this.view = view;
    this.drag = null;
    this.poly = null;
    const frame = view.frame;
    frame.addEventListener("pointerdown", (e) => this.down(e));
    frame.addEventListener("pointermove", (e) => this.move(e));
    frame.addEventListener("pointerup", (e) => this.up(e));
    frame.addEventListener("pointercancel", (e) => this.up(e));
    frame.addEventListener("dblclick", () => this.finishPolygon());
    frame.addEventListener("contextmenu", (e) => e.target.closest("[data-handle]") && e.preventDefault());
  }

  get editor() {
    return this.view.editor;
  }

  point(e) {
    return toImage(this.view.svg, e.clientX, e.clientY);
  }

  begin(e, drag) {
    this.drag = { ...drag, changed: false, startClient: { x: e.clientX, y: e.clientY } };
    this.view.frame.setPointerCapture(e.pointerId);
  }

  down(e) {
    const v = this.view;
    const ed = this.editor;
    v.frame.focus({ preventScroll: true });
    if (e.button === 1 || (e.button === 0 && (ed.tool === "pan" || ed.spaceDown))) {
      e.preventDefault();
      this.begin(e, { kind: "pan", last: { x: e.clientX, y: e.clientY } });
      return;
    }
    if (e.button !== 0) return;
    const p = this.point(e);
    const handleEl = e.target.closest && e.target.closest("[data-handle]");
    const regionEl = e.target.closest && e.target.closest("g.region");
    if (ed.readonly) {
      if (regionEl) ed.select(regionEl.dataset.id);
      return;
    }
    if (handleEl && ed.store.selectedRegion) {
      this.handleDown(e, handleEl.dataset.handle, ed.store.selectedRegion, p);
      return;
    }
    if (ed.tool === "brush" || ed.tool === "eraser") {
      this.brushDown(e, p);
      return;
    }
    if (this.poly) {
      this.polygonClick(p);
      return;
    }
    if (regionEl && (ed.tool === "select" || !e.shiftKey)) {
      const region = ed.store.regions.get(regionEl.dataset.id);
      ed.select(region.id);
      if (!region.locked && !region.readonly) this.begin(e, { kind: "move", region, start: p, orig: clone(region.value) });
      return;
    }
    const inside = p.x >= 0 && p.y >= 0 && p.x <= v.W && p.y <= v.H;
    if (!inside) return;
    if (ed.tool === "rectangle" || ed.tool === "ellipse") {
      const region = ed.newRegion(ed.tool, v.name, v.urls.length > 1 ? v.item : null, v.W, v.H);
      if (region) this.begin(e, { kind: "draw", region, start: p });
    } else if (ed.tool === "polygon") {
      const region = ed.newRegion("polygon", v.name, v.urls.length > 1 ? v.item : null, v.W, v.H);
      if (region) {
        this.poly = { region, points: [p], cursor: p };
        this.drawPoly();
      }
    } else if (ed.tool === "keypoint") {
      const region = ed.newRegion("keypoint", v.name, v.urls.length > 1 ? v.item : null, v.W, v.H);
      if (region) {
        region.value = { x: 0, y: 0, width: 1 };
        fromPx(region, { x: p.x, y: p.y }, v.W, v.H);
        ed.addRegion(region);
      }
    } else {
      ed.select(null);
    }
  }

  handleDown(e, name, region, p) {
    const v = this.view;
    if (name.startsWith("point-") && (e.altKey || e.button === 2)) {
      const i = Number(name.slice(6));
      if (region.value.points.length > 3) {
        region.value.points.splice(i, 1);
        this.editor.store.touched(region);
        this.editor.store.commit();
      }
      return;
    }
    if (name.startsWith("mid-")) {
      const i = Number(name.slice(4));
      const px = toPx(region, v.W, v.H);
      px.points.splice(i + 1, 0, p);
      fromPx(region, px, v.W, v.H);
      name = `point-${i + 1}`;
    }
    this.begin(e, { kind: "handle", handle: name, region, start: p, orig: clone(region.value) });
  }

  move(e) {
    const d = this.drag;
    const v = this.view;
    if (this.poly && !d) {
      this.poly.cursor = this.point(e);
      this.drawPoly();
      return;
    }
    if (!d) return;
    if (d.kind === "pan") {
      v.viewport.pan(e.clientX - d.last.x, e.clientY - d.last.y);
      d.last = { x: e.clientX, y: e.clientY };
      return;
    }
    const p = this.point(e);
    d.changed = d.changed || Math.hypot(e.clientX - d.startClient.x, e.clientY - d.startClient.y) > 2;
    if (!d.changed) return;
    if (d.kind === "draw") {
      const a = clampPoint(d.start, v.W, v.H);
      const b = clampPoint(p, v.W, v.H);
      if (d.region.tool === "rectangle") {
        fromPx(d.region, { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x),
          h: Math.abs(b.y - a.y), rotation: 0 }, v.W, v.H);
      } else {
        fromPx(d.region, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2, rx: Math.abs(b.x - a.x) / 2,
          ry: Math.abs(b.y - a.y) / 2, rotation: 0 }, v.W, v.H);
      }
      v.draftLayer.replaceChildren(shape(d.region, this.editor.ui, v.W, v.H, { selected: true,
        ratio: v.viewport.pixelRatio }));
    } else if (d.kind === "move") {
      d.region.value = clone(d.orig);
      translate(d.region, p.x - d.start.x, p.y - d.start.y, v.W, v.H);
      v.update(d.region);
    } else if (d.kind === "handle") {
      d.region.value = clone(d.orig);
      this.reshape(d.region, d.handle, p);
      v.update(d.region);
    } else if (d.kind === "brush") {
      v.brush.stroke(d.region, d.color, d.last, p, this.editor.brushSize, d.erase);
      d.last = p;
    }
  }

  reshape(region, handle, p) {
    const v = this.view;
    const px = toPx(region, v.W, v.H);
    if (region.tool === "rectangle" && handle.startsWith("corner-")) {
      const corners = rectCorners(px);
      const fixed = corners[(Number(handle.slice(7)) + 2) % 4];
      const local = rotatePoint({ x: p.x - fixed.x, y: p.y - fixed.y }, -px.rotation);
      const x0 = Math.min(0, local.x);
      const y0 = Math.min(0, local.y);
      const origin = rotatePoint({ x: x0, y: y0 }, px.rotation);
      Object.assign(px, { x: fixed.x + origin.x, y: fixed.y + origin.y, w: Math.abs(local.x), h: Math.abs(local.y) });
    } else if (handle === "rotate" && region.tool === "rectangle") {
      const half = rotatePoint({ x: px.w / 2, y: px.h / 2 }, px.rotation);
      const c = { x: px.x + half.x, y: px.y + half.y };
      const angle = deg(Math.atan2(p.y - c.y, p.x - c.x)) + 90;
      const snapped = Math.abs(angle % 45) < 2 ? Math.round(angle / 45) * 45 : angle;
      const back = rotatePoint({ x: px.w / 2, y: px.h / 2 }, snapped);
      Object.assign(px, { x: c.x - back.x, y: c.y - back.y, rotation: snapped });
    } else if (handle === "rotate" && region.tool === "ellipse") {
      px.rotation = deg(Math.atan2(p.y - px.y, p.x - px.x)) + 90;
    } else if (handle === "radius-x" || handle === "radius-y") {
      const local = rotatePoint({ x: p.x - px.x, y: p.y - px.y }, -px.rotation);
      if (handle === "radius-x") px.rx = Math.abs(local.x);
      else px.ry = Math.abs(local.y);
    } else if (handle.startsWith("point-")) {
      px.points[Number(handle.slice(6))] = clampPoint(p, v.W, v.H);
    }
    fromPx(region, px, v.W, v.H);
  }

  up(e) {
    const d = this.drag;
    this.drag = null;
    if (!d) return;
    if (this.view.frame.hasPointerCapture(e.pointerId)) this.view.frame.releasePointerCapture(e.pointerId);
    const ed = this.editor;
    const v = this.view;
    if (d.kind === "draw") {
      v.draftLayer.replaceChildren();
      const px = toPx(d.region, v.W, v.H);
      const big = d.region.tool === "rectangle" ? px.w * px.h > 4 && d.changed : px.rx * px.ry > 1 && d.changed;
      if (big) ed.addRegion(d.region);
      else ed.select(null);
    } else if ((d.kind === "move" || d.kind === "handle") && d.changed) {
      ed.store.touched(d.region);
      ed.store.commit();
    } else if (d.kind === "handle") {
      ed.store.commit();
    } else if (d.kind === "brush") {
      d.region.value.format = "rle";
      d.region.value.rle = v.brush.encode(d.region);
      if (d.created) ed.addRegion(d.region);
      else {
        ed.store.touched(d.region);
        ed.store.commit();
      }
    }
  }

  brushDown(e, p) {
    const ed = this.editor;
    const v = this.view;
    const erase = ed.tool === "eraser";
    let region = ed.store.selectedRegion;
    const fits = region && region.tool === "brush" && region.to_name === v.name && !region.locked &&
      (!ed.activeLabel || erase || (region.labels || []).includes(ed.activeLabel.value));
    let created = false;
    if (!fits) {
      if (erase) return;
      region = ed.newRegion("brush", v.name, v.urls.length > 1 ? v.item : null, v.W, v.H);
      if (!region) return;
      region.value = { format: "rle", rle: [] };
      created = true;
    }
    const color = v.brush.canvases.get(region.id)?.color || ed.colorOf(region);
    v.brush.stroke(region, color, p, p, ed.brushSize, erase);
    this.begin(e, { kind: "brush", region, color, last: p, erase, created });
    this.drag.changed = true;
  }

  polygonClick(p) {
    const v = this.view;
    const first = this.poly.points[0];
    if (this.poly.points.length >= 3 && dist(p, first) * v.viewport.pixelRatio < 10) {
      this.finishPolygon();
      return;
    }
    this.poly.points.push(clampPoint(p, v.W, v.H));
    this.drawPoly();
  }

  drawPoly() {
    const v = this.view;
    const { region, points, cursor } = this.poly;
    fromPx(region, { points: [...points, cursor], closed: false }, v.W, v.H);
    v.draftLayer.replaceChildren(shape(region, this.editor.ui, v.W, v.H, { selected: true,
      ratio: v.viewport.pixelRatio }));
  }

  /** Close the polygon being drawn (click on its first point, double click or Enter). */
  finishPolygon() {
    if (!this.poly) return;
    const v = this.view;
    const { region, points } = this.poly;
    this.poly = null;
    v.draftLayer.replaceChildren();
    const unique = points.filter((p, i) => i === 0 || dist(p, points[i - 1]) > 0.5);
    if (unique.length < 3) return;
    fromPx(region, { points: unique, closed: true }, v.W, v.H);
    this.editor.addRegion(region);
  }

  cancel() {
    if (this.poly) {
      this.poly = null;
      this.view.draftLayer.replaceChildren();
      return true;
    }
    return false;
  }
}
