// Classification controls: Choices, TextArea, Rating, Number, DateTime, Taxonomy. Each renders
// into the layout and reads/writes the store (the selected region's value when perRegion).

import { h } from "../dom.js";
import { regionId } from "./ids.js";

/** Where a control's value lives: the selected region (perRegion) or the annotation. */
function binding(editor, node) {
  const store = editor.store;
  const key = editor.ui.valueKey(node);
  const toName = editor.ui.toNames(node)[0];
  const type = editor.ui.resultType(node);
  return {
    get() {
      if (node.attrs.perRegion) {
        const r = store.selectedRegion;
        return r && r.perRegion[node.name] ? r.perRegion[node.name].value[key] : undefined;
      }
      const entry = store.values.get(node.name);
      return entry ? entry.value[key] : undefined;
    },
    set(value) {
      const empty = value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length);
      if (node.attrs.perRegion) {
        const r = store.selectedRegion;
        if (!r) return;
        if (empty) delete r.perRegion[node.name];
        else r.perRegion[node.name] = { to_name: r.to_name, type, value: { [key]: value } };
      } else {
        const old = store.values.get(node.name);
        store.setValue(node.name, empty ? null : { id: old ? old.id : regionId(), from_name: node.name, to_name: toName,
          type, value: { [key]: value }, item_index: null });
      }
      store.commit();
    },
  };
}

function choices(node, editor) {
  const b = binding(editor, node);
  const multiple = node.attrs.choice === "multiple";
  const options = editor.ui.optionValues(node, editor.task.data || {});
  const children = node.children || [];
  const inputs = options.map((value) => {
    const child = children.find((c) => c.attrs.value === value) || { attrs: {} };
    const input = h("input", { type: multiple ? "checkbox" : "radio", name: `${editor.uid}-${node.name}`, value });
    input.addEventListener("click", () => {
      const now = new Set(b.get() || []);
      if (multiple) {
        if (input.checked) now.add(value);
        else now.delete(value);
        b.set(options.filter((o) => now.has(o)));
      } else {
        b.set(now.has(value) ? [] : [value]);
      }
    });
    if (child.attrs.hotkey) editor.hotkeys.set(child.attrs.hotkey, () => input.click());
    return h("label", { class: "choice", title: child.attrs.hint || "" }, input, child.attrs.alias || value,
      child.attrs.hotkey ? h("kbd", {}, child.attrs.hotkey) : null);
  });
  const el = h("fieldset", { class: ["control", "choices", node.attrs.layout === "inline" || node.attrs.showInline ? "inline" : ""] },
    inputs);
  return { el, sync() {
    const now = new Set(b.get() || []);
    for (const label of inputs) {
      const input = label.querySelector("input");
      input.checked = now.has(input.value);
    }
  } };
}

function textarea(node, editor) {
  const b = binding(editor, node);
  const rows = Number(node.attrs.rows) || 2;
  const field = h("textarea", { rows, placeholder: node.attrs.placeholder || "", name: node.name });
  field.addEventListener("change", () => b.set(field.value ? field.value.split("\n").filter(Boolean) : []));
  return { el: h("div", { class: "control textarea" }, field), sync() {
    const v = b.get();
    if (document.activeElement !== field) field.value = Array.isArray(v) ? v.join("\n") : "";
  } };
}

function rating(node, editor) {
  const b = binding(editor, node);
  const max = Number(node.attrs.maxRating) || 5;
  const stars = Array.from({ length: max }, (_, i) => h("button", { type: "button", class: "star", "data-value": i + 1,
    title: `${i + 1}`, onClick: () => b.set(b.get() === i + 1 ? null : i + 1) }, "★"));
  return { el: h("div", { class: "control rating" }, stars), sync() {
    const v = b.get() || 0;
    stars.forEach((s, i) => s.classList.toggle("on", i < v));
  } };
}

function number(node, editor) {
  const b = binding(editor, node);
  const a = node.attrs;
  const field = h("input", { type: a.slider ? "range" : "number", name: node.name, min: a.min, max: a.max, step: a.step || 1 });
  field.addEventListener("change", () => b.set(field.value === "" ? null : Number(field.value)));
  return { el: h("div", { class: "control number" }, field), sync() {
    const v = b.get();
    if (document.activeElement !== field) field.value = v ?? "";
  } };
}

function datetime(node, editor) {
  const b = binding(editor, node);
  const only = new Set(Array.isArray(node.attrs.only) ? node.attrs.only : String(node.attrs.only || "").split(","));
  let type = "datetime-local";
  if (only.has("date")) type = only.has("time") ? "datetime-local" : "date";
  else if (only.has("time")) type = "time";
  else if (only.has("month")) type = "month";
  else if (only.has("year")) type = "number";
  const field = h("input", { type, name: node.name, min: node.attrs.min, max: node.attrs.max });
  field.addEventListener("change", () => b.set(field.value || null));
  return { el: h("div", { class: "control datetime" }, field), sync() {
    if (document.activeElement !== field) field.value = b.get() ?? "";
  } };
}

function taxonomy(node, editor) {
  const b = binding(editor, node);
  const boxes = [];
  const leafsOnly = Boolean(node.attrs.leafsOnly);
  const key = (path) => JSON.stringify(path);
  const branch = (children, prefix) => h("ul", {}, children.filter((c) => c.tag === "Choice").map((c) => {
    const path = [...prefix, String(c.attrs.value)];
    const kids = (c.children || []).filter((k) => k.tag === "Choice");
    const box = h("input", { type: "checkbox", "data-path": key(path), disabled: leafsOnly && kids.length > 0 });
    box.addEventListener("change", () => {
      const now = new Map((b.get() || []).map((p) => [key(p), p]));
      if (box.checked) now.set(key(path), path);
      else now.delete(key(path));
      b.set([...now.values()]);
    });
    boxes.push(box);
    const item = h("li", {}, h("label", {}, box, c.attrs.alias || c.attrs.value));
    if (kids.length) item.append(branch(kids, path));
    return item;
  }));
  return { el: h("div", { class: "control taxonomy" }, branch(node.children || [], [])), sync() {
    const now = new Set((b.get() || []).map(key));
    for (const box of boxes) box.checked = now.has(box.dataset.path);
  } };
}

export const CONTROLS = { Choices: choices, TextArea: textarea, Rating: rating, Number: number, DateTime: datetime,
  Taxonomy: taxonomy };

/** The current value of a control (for the required check). */
export function controlHasValue(editor, node) {
  const store = editor.store;
  if (node.attrs.perRegion) {
    return [...store.regions.values()].every((r) => r.perRegion[node.name]);
  }
  return store.values.has(node.name);
}
