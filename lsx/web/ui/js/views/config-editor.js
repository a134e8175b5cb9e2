// A labeling-config editor: XML on the left, the validator's problems (line:column) and a live
// preview of the interface on the right, refreshed as you type.

import { post } from "../api.js";
import { debounce, h } from "../dom.js";
import { Editor } from "../editor/editor.js";

const SAMPLE = { Text: "The quick brown fox jumps over the lazy dog.", HyperText: "<p>Some <b>HTML</b> text</p>" };

/** Data to preview a config with: the template's sample task, else made up from the data types. */
function sampleData(tree, given) {
  const data = { ...(given || {}) };
  for (const [key, type] of Object.entries(tree.data_types || {})) {
    if (data[key] === undefined) data[key] = SAMPLE[type] ?? (type === "Image" ? "" : `sample ${key}`);
  }
  return data;
}

export function configEditor({ xml = "", sample = null, onChange } = {}) {
  const area = h("textarea", { class: "xml", spellcheck: "false", name: "label_config", "data-testid": "config-xml",
    rows: 18, value: xml });
  const errors = h("ul", { class: "config-errors", "data-testid": "config-errors" });
  const previewHost = h("div", { class: "preview-host", "data-testid": "preview" });
  const state = { xml, valid: false, tree: null, sample };
  let editor = null;
  let seq = 0;

  async function refresh() {
    const mine = ++seq;
    state.xml = area.value;
    const out = await post("/api/projects/interface-preview/", { label_config: area.value }).catch((err) => ({
      valid: false, tree: null, errors: [{ message: err.message }] }));
    if (mine !== seq) return;
    state.valid = out.valid;
    state.tree = out.tree;
    errors.replaceChildren(...out.errors.map((e) => h("li", { class: "error" },
      e.line ? h("a", { href: "#", class: "where", onClick: (ev) => { ev.preventDefault(); jump(e.line, e.column); } },
        `line ${e.line}, column ${e.column}`) : null, e.line ? ": " : "", e.message)));
    if (out.valid) {
      if (editor) editor.destroy();
      editor = new Editor(previewHost, out.tree, { id: null, data: sampleData(out.tree, state.sample) }, { preview: true });
      errors.append(...out.tree.warnings.map((w) => h("li", { class: "warning" }, typeof w === "string" ? w : w.message)));
    }
    previewHost.classList.toggle("stale", !out.valid);
    if (onChange) onChange(state);
  }

  function jump(line, column) {
    const lines = area.value.split("\n");
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, (column || 1) - 1);
    area.focus();
    area.setSelectionRange(pos, pos);
  }

  area.addEventListener("input", debounce(refresh, 200));
  const el = h("div", { class: "config-editor" },
    h("div", { class: "config-code" }, area, errors),
    h("div", { class: "config-preview" }, h("h4", {}, "Preview"), previewHost));
  return {
    el, state, refresh,
    set(text, sampleTask) {
      area.value = text;
      state.sample = sampleTask || null;
      refresh();
    },
    get value() { return area.value; },
    destroy() { if (editor) editor.destroy(); },
  };
}
