// The labeling editor: renders an interface tree for one task, keeps the annotation in a store,
// and turns it into Label Studio results. Dispatches `lsx:ready` once it accepts input.

import { h } from "../dom.js";
import { Hotkeys, keyName, typing } from "./hotkeys.js";
import { regionId } from "./ids.js";
import { Interface, TOOL_OF_TAG } from "./interface.js";
import { renderTree } from "./layout.js";
import { regionPanel } from "./panel.js";
import { loadResults, toResults } from "./results.js";
import { regionColor } from "../image/shapes.js";
import { Store } from "./store.js";
import { controlHasValue } from "./controls.js";

const TOOL_KEYS = { v: "select", r: "rectangle", o: "ellipse", p: "polygon", k: "keypoint", b: "brush", e: "eraser" };
let clipboard = null;

export class Editor {
  /**
   * @param {HTMLElement} root
   * @param {object} tree the interface tree (GET /api/projects/{id}/interface)
   * @param {object} task {id, data}
   * @param {object} opts {result, origin, preview, readonly}
   */
  constructor(root, tree, task, { result = null, origin = null, preview = false, readonly = false } = {}) {
    this.root = root;
    this.tree = tree;
    this.task = task;
    this.preview = preview;
    this.readonly = readonly;
    this.uid = regionId();
    this.ui = new Interface(tree, task.data || {});
    this.store = new Store();
    this.hotkeys = new Hotkeys();
    this.tool = "select";
    this.activeLabel = null;
    this.brushSize = 24;
    this.spaceDown = false;
    this.relating = null;
    this.started = performance.now();
    if (result) loadResults(this.store, this.ui, result, { origin });
    this.store.reset();
    this.layout = renderTree(this);
    this.panel = regionPanel(this);
    this.images = this.layout.parts.images;
    this.el = h("div", { class: ["editor", preview ? "preview" : ""], "data-testid": "editor" },
      h("div", { class: "main" }, this.layout.el), this.images.length ? this.panel.el : null);
    root.replaceChildren(this.el);
    this.store.addEventListener("change", () => this.sync());
    this.store.addEventListener("select", () => this.sync());
    this.onKeyDown = (e) => this.keydown(e);
    this.onKeyUp = (e) => { if (e.key === " ") this.spaceDown = false; };
    if (!preview) {
      document.addEventListener("keydown", this.onKeyDown);
      document.addEventListener("keyup", this.onKeyUp);
    }
    const first = this.images.length ? this.images[0].tools[0] : null;
    this.setTool(first || "select");
    // Pictures load and decode while the rest of the editor is filled in.
    const shown = Promise.all(this.images.map((v) => v.showItem(0)));
    for (const c of this.layout.parts.controls) c.sync();
    this.layout.syncVisibility();
    if (this.images.length) this.panel.sync();
    this.ready = shown.then(() => {
      this.el.dataset.ready = "1";
      const detail = { task: task.id, ms: performance.now() - this.started };
      this.el.dispatchEvent(new CustomEvent("lsx:ready", { bubbles: true, detail }));
      return this;
    });
  }

  destroy() {
    document.removeEventListener("keydown", this.onKeyDown);
    document.removeEventListener("keyup", this.onKeyUp);
    this.el.remove();
  }

  sync() {
    for (const v of this.images) v.render();
    for (const c of this.layout.parts.controls) c.sync();
    this.layout.syncVisibility();
    if (this.images.length) this.panel.sync();
  }

  colorOf(region) {
    return regionColor(this.ui, region);
  }

  setTool(tool) {
    this.tool = tool;
    for (const v of this.images) v.syncTool(tool);
    if (this.images[0]) this.images[0].pointer.cancel();
  }

  select(id) {
    if (this.relating && id && id !== this.relating) {
      this.store.relations.push({ from_id: this.relating, to_id: id, direction: "right", labels: [] });
      this.relating = null;
      this.store.select(id);
      this.store.commit();
      return;
    }
    this.relating = null;
    this.store.select(id);
  }

  startRelation(id) {
    this.store.select(id);
    this.relating = id;
  }

  /** A new region for a tool on an object, labelled with the active label when it fits. */
  newRegion(tool, objectName, itemIndex, W, H) {
    const tools = this.ui.toolsFor(objectName).filter((t) => t.tool === tool);
    if (!tools.length) return null;
    let control = tools[0].control;
    let labels = [];
    let labelsFrom = null;
    const active = this.activeLabel;
    if (active) {
      const match = tools.find((t) => t.control.name === active.control);
      const activeControl = this.ui.controls.get(active.control);
      if (match) {
        control = match.control;
        labels = [active.value];
      } else if (activeControl && activeControl.tag === "Labels") {
        const bare = tools.find((t) => !this.ui.isLabelControl(t.control));
        if (bare) {
          control = bare.control;
          labelsFrom = active.control;
          labels = [active.value];
        }
      }
    }
    return { id: regionId(), tool, from_name: control.name, to_name: objectName, type: this.ui.resultType(control),
      value: {}, labels, labelsFrom, origin: "manual", hidden: false, locked: false, readonly: false,
      item_index: itemIndex, original_width: W, original_height: H, perRegion: {} };
  }

  addRegion(region) {
    this.store.add(region);
    this.store.selected = region.id;
    this.store.commit();
  }

  deleteRegion(id) {
    const r = this.store.regions.get(id);
    if (!r || r.readonly) return;
    this.store.remove(id);
    this.store.commit();
  }

  /** A label button or hotkey: label the selected region, or arm the label (and its tool). */
  useLabel(node, value) {
    const store = this.store;
    const region = store.selectedRegion;
    const tool = TOOL_OF_TAG[node.tag];
    const fits = region && !region.readonly && this.ui.toNames(node).includes(region.to_name) &&
      (region.from_name === node.name || node.tag === "Labels" || tool === region.tool);
    if (fits) {
      if (node.tag === "Labels" && !this.ui.isLabelControl(this.ui.controls.get(region.from_name))) {
        region.labelsFrom = node.name;
      } else if (region.from_name !== node.name && node.tag !== "Labels") {
        region.from_name = node.name;
        region.type = this.ui.resultType(node);
      }
      const multiple = node.attrs.choice === "multiple";
      const now = region.labels || [];
      if (multiple) region.labels = now.includes(value) ? now.filter((l) => l !== value) : [...now, value];
      else region.labels = [value];
      store.touched(region);
      store.commit();
      return;
    }
    const same = this.activeLabel && this.activeLabel.control === node.name && this.activeLabel.value === value;
    this.activeLabel = same ? null : { control: node.name, value };
    if (!same && tool) this.setTool(tool);
    this.sync();
  }

  copy() {
    const r = this.store.selectedRegion;
    if (r) clipboard = JSON.parse(JSON.stringify(r));
  }

  paste() {
    if (!clipboard || this.readonly) return;
    const r = JSON.parse(JSON.stringify(clipboard));
    r.id = regionId();
    r.origin = "manual";
    r.readonly = false;
    r.locked = false;
    const view = this.images.find((v) => v.name === r.to_name);
    if (view && r.tool !== "brush") {
      const shift = 2;
      if (r.tool === "polygon") r.value.points = r.value.points.map(([x, y]) => [Math.min(100, x + shift), Math.min(100, y + shift)]);
      else {
        r.value.x = Math.min(100, r.value.x + shift);
        r.value.y = Math.min(100, r.value.y + shift);
      }
    }
    this.addRegion(r);
  }

  keydown(e) {
    if (typing(e)) return;
    const key = keyName(e);
    const store = this.store;
    const view = this.images[0];
    if (key === "ctrl+z") { e.preventDefault(); store.undo(); return; }
    if (key === "ctrl+shift+z" || key === "ctrl+y") {
      e.preventDefault(); store.redo(); return;
    }
    if (this.readonly) return;
    if (key === "ctrl+c") { this.copy(); return; }
    if (key === "ctrl+v") { e.preventDefault(); this.paste(); return; }
    if (this.hotkeys.run(e)) return;
    if (key === "space") { this.spaceDown = true; e.preventDefault(); return; }
    if (key === "escape") {
      if (!(view && view.pointer.cancel())) this.select(null);
      this.activeLabel = null;
      this.sync();
      return;
    }
    if (key === "enter" && view && view.pointer.poly) { e.preventDefault(); view.pointer.finishPolygon(); return; }
    if ((key === "delete" || key === "backspace") && store.selected) { e.preventDefault(); this.deleteRegion(store.selected); return; }
    if (key === "alt+r" && store.selected) { this.startRelation(store.selected); return; }
    if (key === "alt+h" && store.selectedRegion) { store.selectedRegion.hidden = !store.selectedRegion.hidden; store.commit(); return; }
    if (view) {
      const zoom = { "alt+=": () => view.viewport.zoom(1), "alt++": () => view.viewport.zoom(1),
        "alt+-": () => view.viewport.zoom(-1), "alt+0": () => view.viewport.fit(), "alt+1": () => view.viewport.original(),
        "alt+arrowleft": () => view.viewport.pan(40, 0), "alt+arrowright": () => view.viewport.pan(-40, 0),
        "alt+arrowup": () => view.viewport.pan(0, 40), "alt+arrowdown": () => view.viewport.pan(0, -40) }[key];
      if (zoom) { e.preventDefault(); zoom(); return; }
      const tool = TOOL_KEYS[key];
      const available = ["select", ...view.tools, ...(view.tools.includes("brush") ? ["eraser"] : [])];
      if (tool && available.includes(tool)) { this.setTool(tool); return; }
    }
  }

  results() {
    return toResults(this.store, this.ui);
  }

  /** Messages for required controls without a value (the server checks too). */
  missingRequired() {
    const out = [];
    for (const node of this.ui.controls.values()) {
      if (!node.attrs.required) continue;
      const has = this.ui.isLabelControl(node)
        ? [...this.store.regions.values()].some((r) => r.from_name === node.name || r.labelsFrom === node.name)
        : controlHasValue(this, node);
      if (!has) out.push(node.attrs.requiredMessage || `${node.name} is required`);
    }
    return out;
  }
}
