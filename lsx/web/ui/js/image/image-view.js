// The Image object tag: the picture (one, or a list with `valueList`), its toolbar (zoom, fit,
// original size, rotation, brightness, contrast) and the regions drawn over it.

import { h, s } from "../dom.js";
import { imageUrls, placeholderImage, takeEarly } from "../editor/media.js";
import { BrushLayer } from "./brush.js";
import { PointerTools } from "./pointer.js";
import { handles, regionColor, shape } from "./shapes.js";
import { Viewport } from "./viewport.js";

const TOOL_TITLES = {
  select: ["Select / move (v)", "↖"], pan: ["Pan (hold space)", "✋"], rectangle: ["Rectangle (r)", "▭"],
  ellipse: ["Ellipse (o)", "◯"], polygon: ["Polygon (p)", "⬠"], keypoint: ["Key point (k)", "•"],
  brush: ["Brush (b)", "✎"], eraser: ["Eraser (e)", "⌫"],
};

const IMG_ATTRS = { class: "image", alt: "", draggable: "false", decoding: "async" };

export class ImageView {
  constructor(node, editor) {
    this.node = node;
    this.editor = editor;
    this.name = node.name;
    const attrs = node.attrs;
    this.attrs = attrs;
    this.urls = imageUrls(attrs, editor.task.data || {}, editor.task.id)
      .map((u) => u || (editor.preview ? placeholderImage() : ""));
    this.item = 0;
    this.W = 1;
    this.H = 1;
    this.tools = editor.ui.toolsFor(this.name).map((t) => t.tool);
    this.shapes = new Map();
    this.build();
    this.pointer = new PointerTools(this);
  }

  build() {
    const a = this.attrs;
    this.img = h("img", IMG_ATTRS);
    this.svg = s("svg", { class: "regions", xmlns: "http://www.w3.org/2000/svg" });
    this.regionLayer = s("g", { class: "region-layer" });
    this.handleLayer = s("g", { class: "handle-layer" });
    this.draftLayer = s("g", { class: "draft-layer" });
    this.svg.append(this.regionLayer, this.draftLayer, this.handleLayer);
    this.brushBox = h("div", { class: "brush-box" });
    this.brush = new BrushLayer(this.brushBox);
    this.stage = h("div", { class: "stage" }, this.img, this.brushBox, this.svg);
    this.frame = h("div", { class: ["image-frame", a.crosshair ? "crosshair" : ""], tabindex: "0",
      "data-testid": `image-${this.name}`, style: { maxWidth: a.maxWidth || "750px" } }, this.stage);
    this.viewport = new Viewport(this.frame, this.stage, { zoomBy: Number(a.zoomBy) || 1.1,
      negativeZoom: Boolean(a.negativeZoom), onChange: () => this.renderHandles() });
    this.el = h("div", { class: "image-object", "data-name": this.name }, this.toolbar(), this.frame,
      this.urls.length > 1 ? this.pager() : null);
    this.frame.addEventListener("wheel", (e) => {
      if (this.attrs.zoom === false) return;
      e.preventDefault();
      this.viewport.zoomAt(e.deltaY < 0 ? this.viewport.zoomBy : 1 / this.viewport.zoomBy, e.clientX, e.clientY);
    }, { passive: false });
  }

  toolbar() {
    const a = this.attrs;
    const e = this.editor;
    const tools = ["select", ...new Set(this.tools), ...(this.tools.includes("brush") ? ["eraser"] : [])];
    this.toolButtons = tools.map((t) => h("button", { type: "button", class: "tool", title: TOOL_TITLES[t][0],
      "data-tool": t, onClick: () => e.setTool(t) }, TOOL_TITLES[t][1]));
    const bar = h("div", { class: "image-toolbar" }, this.toolButtons);
    if (a.zoomControl) {
      bar.append(
        h("button", { type: "button", title: "Zoom in (alt +)", "data-action": "zoom-in", onClick: () => this.viewport.zoom(1) }, "+"),
        h("button", { type: "button", title: "Zoom out (alt -)", "data-action": "zoom-out", onClick: () => this.viewport.zoom(-1) }, "−"));
    }
    bar.append(
      h("button", { type: "button", title: "Fit (alt 0)", "data-action": "fit", onClick: () => this.viewport.fit() }, "Fit"),
      h("button", { type: "button", title: "Original size (alt 1)", "data-action": "original",
        onClick: () => this.viewport.original() }, "1:1"));
    if (a.rotateControl) {
      bar.append(
        h("button", { type: "button", title: "Rotate left", "data-action": "rotate-left",
          onClick: () => this.viewport.rotate(-90) }, "⟲"),
        h("button", { type: "button", title: "Rotate right", "data-action": "rotate-right",
          onClick: () => this.viewport.rotate(90) }, "⟳"));
    }
    this.filters = { brightness: 100, contrast: 100 };
    const slider = (name) => h("label", { class: "slider" }, name[0].toUpperCase() + name.slice(1),
      h("input", { type: "range", min: 0, max: 200, value: 100, "data-action": name,
        onInput: (ev) => { this.filters[name] = Number(ev.target.value); this.applyFilters(); } }));
    if (a.brightnessControl) bar.append(slider("brightness"));
    if (a.contrastControl) bar.append(slider("contrast"));
    if (this.tools.includes("brush")) {
      bar.append(h("label", { class: "slider" }, "Size",
        h("input", { type: "range", min: 2, max: 120, value: e.brushSize, "data-action": "brush-size",
          onInput: (ev) => { e.brushSize = Number(ev.target.value); } })));
    }
    return bar;
  }

  pager() {
    this.pageLabel = h("span", { class: "page" });
    const go = (d) => this.showItem(Math.min(this.urls.length - 1, Math.max(0, this.item + d)));
    return h("div", { class: "pager" }, h("button", { type: "button", onClick: () => go(-1), "data-action": "prev-image" }, "‹"),
      this.pageLabel, h("button", { type: "button", onClick: () => go(1), "data-action": "next-image" }, "›"));
  }

  applyFilters() {
    this.img.style.filter = `brightness(${this.filters.brightness}%) contrast(${this.filters.contrast}%)`;
  }

  syncTool(tool) {
    for (const b of this.toolButtons) b.classList.toggle("active", b.dataset.tool === tool);
    this.frame.dataset.tool = tool;
  }

  /** Load and decode the current item; resolves when it can be drawn on. */
  async showItem(index) {
    this.item = index;
    if (this.pageLabel) this.pageLabel.textContent = `${index + 1} / ${this.urls.length}`;
    const url = this.urls[index];
    const early = takeEarly(url);
    let decoded;
    if (early) {  // already loading (or decoded): that element takes this one's place
      for (const [name, value] of Object.entries(IMG_ATTRS)) early.img.setAttribute(name, value);
      this.img.replaceWith(early.img);
      this.img = early.img;
      decoded = early.decoded;
    } else {
      this.img.src = url;
      decoded = this.img.decode().then(() => true, () => false);
    }
    const img = this.img;
    // The size is known once the file is in: lay out and draw the regions then, while the
    // picture decodes off the main thread.
    if (!img.complete) {
      await new Promise((done) => {
        img.addEventListener("load", done, { once: true });
        img.addEventListener("error", done, { once: true });
      });
    }
    if (this.item !== index) return;  // another item was asked for meanwhile
    this.layoutItem();
    if (await decoded) performance.mark("lsx:decoded");
    else if (this.item === index) this.frame.classList.add("broken");
  }

  /** Size the stage, brush layer and frame to the loaded picture, fit it and draw its regions. */
  layoutItem() {
    this.W = this.img.naturalWidth || 640;
    this.H = this.img.naturalHeight || 400;
    for (const el of [this.img, this.svg]) {
      el.setAttribute("width", this.W);
      el.setAttribute("height", this.H);
    }
    this.svg.setAttribute("viewBox", `0 0 ${this.W} ${this.H}`);
    this.stage.style.width = `${this.W}px`;
    this.stage.style.height = `${this.H}px`;
    this.brush.setSize(this.W, this.H);
    for (const entry of this.brush.canvases.values()) entry.canvas.remove();
    this.brush.canvases.clear();
    const width = this.frame.clientWidth || 750;
    this.frame.style.height = `${Math.min(Math.round((width * this.H) / this.W), Math.round(innerHeight * 0.72))}px`;
    if (this.attrs.defaultZoom === "original") this.viewport.setSize(this.W, this.H), this.viewport.original();
    else this.viewport.setSize(this.W, this.H), this.viewport.fit();
    this.render();
  }

  /** Regions of this image (and of the shown item). */
  regions() {
    const out = [];
    for (const r of this.editor.store.regions.values()) {
      if (r.to_name !== this.name) continue;
      if (this.urls.length > 1 && (r.item_index ?? 0) !== this.item) continue;
      out.push(r);
    }
    return out;
  }

  render() {
    const store = this.editor.store;
    const ratio = this.viewport.pixelRatio;
    const ui = this.editor.ui;
    const frag = document.createDocumentFragment();
    this.shapes.clear();
    const brushes = [];
    for (const r of this.regions()) {
      if (r.tool === "brush") {
        brushes.push(r);
        continue;
      }
      if (r.hidden) continue;
      const g = shape(r, ui, this.W, this.H, { selected: r.id === store.selected, ratio });
      this.shapes.set(r.id, g);
      frag.append(g);
    }
    this.regionLayer.replaceChildren(frag);
    this.brush.sync(brushes, (r) => regionColor(ui, r), store.selected);
    this.renderHandles();
  }

  /** Redraw one region in place (while dragging). */
  update(region) {
    const old = this.shapes.get(region.id);
    if (region.tool === "brush") return;
    const g = shape(region, this.editor.ui, this.W, this.H, { selected: true, ratio: this.viewport.pixelRatio });
    if (old) old.replaceWith(g);
    else this.regionLayer.append(g);
    this.shapes.set(region.id, g);
    this.renderHandles();
  }

  renderHandles() {
    if (!this.handleLayer) return;
    const region = this.editor.store.selectedRegion;
    if (!region || region.to_name !== this.name || region.hidden || region.locked || region.readonly ||
        region.tool === "brush" || region.tool === "keypoint" || this.editor.readonly) {
      this.handleLayer.replaceChildren();
      return;
    }
    const control = this.editor.ui.controls.get(region.from_name);
    const canRotate = !control || control.attrs.canRotate !== false;
    this.handleLayer.replaceChildren(handles(region, this.W, this.H, this.viewport.pixelRatio, { canRotate }));
  }
}
