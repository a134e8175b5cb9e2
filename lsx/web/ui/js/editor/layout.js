// The interface tree as DOM: layout tags (View, Header, Style, Collapse/Panel), object tags and
// controls. Returns the element plus the parts that follow the store (controls, visibility).

import { h } from "../dom.js";
import { ImageView } from "../image/image-view.js";
import { CONTROLS } from "./controls.js";
import { dataValue } from "./media.js";
import { sanitizeHTML } from "./sanitize.js";
import { labelsControl } from "./labels.js";
import { isVisible } from "./visibility.js";

function interpolate(text, data) {
  return String(text ?? "").replace(/\$([A-Za-z_][\w.]*)/g, (m, key) => {
    const v = dataValue(data, "$" + key);
    return v === undefined ? m : typeof v === "object" ? JSON.stringify(v) : String(v);
  });
}

function textObject(node, data) {
  let value = dataValue(data, node.attrs.value);
  if (value === undefined || value === null) value = "";
  if (node.tag === "HyperText") {
    return h("div", { class: "object hypertext", "data-name": node.name }, sanitizeHTML(value));
  }
  return h("div", { class: "object text", "data-name": node.name },
    typeof value === "object" ? JSON.stringify(value) : String(value));
}

function tableObject(node, data) {
  const value = dataValue(data, node.attrs.value) || {};
  const rows = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return h("table", { class: "object table" }, h("tbody", {}, rows.map(([k, v]) =>
    h("tr", {}, h("th", {}, String(k)), h("td", {}, typeof v === "object" ? JSON.stringify(v) : String(v))))));
}

export function renderTree(editor) {
  const parts = { controls: [], conditional: [], images: [] };
  const data = editor.task.data || {};

  function visit(node) {
    const a = node.attrs || {};
    let el = null;
    switch (node.tag) {
      case "View": {
        el = h("div", { class: ["view", a.display === "inline" ? "inline" : "", a.className || ""], id: a.idAttr });
        if (a.style) el.setAttribute("style", String(a.style));
        for (const child of node.children || []) {
          const c = visit(child);
          if (c) el.append(c);
        }
        break;
      }
      case "Header": {
        const size = Math.min(6, Math.max(1, Number(a.size) || 4));
        el = h(`h${size}`, { class: ["header", a.underline ? "underline" : ""] }, interpolate(a.value, data));
        if (a.style) el.setAttribute("style", String(a.style));
        break;
      }
      case "Style":
        el = h("style", {}, node.text || "");
        break;
      case "Markdown":
        el = h("div", { class: "markdown" }, interpolate(a.value, data));
        break;
      case "Collapse":
        el = h("div", { class: "collapse" }, (node.children || []).map((panel, i) => h("details",
          { open: a.open || i === 0 ? true : undefined }, h("summary", {}, panel.attrs.value || ""),
          (panel.children || []).map(visit))));
        break;
      case "Image": {
        const view = new ImageView(node, editor);
        parts.images.push(view);
        el = view.el;
        break;
      }
      case "Text":
      case "HyperText":
        el = textObject(node, data);
        break;
      case "Table":
        el = tableObject(node, data);
        break;
      default:
        if (node.kind === "control" && CONTROLS[node.tag]) {
          const control = CONTROLS[node.tag](node, editor);
          parts.controls.push(control);
          el = h("div", { class: "control-box", "data-control": node.name },
            a.perRegion ? h("span", { class: "muted small" }, "for the selected region") : null, control.el);
        } else if (node.kind === "control" && editor.ui.isLabelControl(node)) {
          const control = labelsControl(node, editor);
          parts.controls.push(control);
          el = control.el;
        } else if (node.kind === "object") {
          el = h("div", { class: "object unsupported" }, `${node.tag} "${node.name}" is labeled in a later version.`);
        }
    }
    if (el && (a.visibleWhen || a.perRegion)) parts.conditional.push({ node, el });
    return el;
  }

  const el = visit(editor.tree.root);
  return { el, parts, syncVisibility() {
    for (const { node, el: target } of parts.conditional) target.hidden = !isVisible(node, editor);
  } };
}
