// Label controls (RectangleLabels, PolygonLabels, ..., Labels): buttons with hotkeys. A label
// applies to the selected region, or becomes the label (and tool) for the next region drawn.

import { h } from "../dom.js";
import { TOOL_OF_TAG } from "./interface.js";

export function labelsControl(node, editor) {
  const ui = editor.ui;
  const labels = ui.labels.filter((l) => l.control === node.name);
  const buttons = labels.map((l) => {
    const button = h("button", { type: "button", class: "label", "data-label": l.value, "data-control": node.name,
      style: { "--label-color": l.color }, onClick: () => editor.useLabel(node, l.value) },
      h("span", { class: "swatch" }), l.alias || l.value, l.hotkey ? h("kbd", {}, l.hotkey) : null);
    if (l.hotkey) editor.hotkeys.set(l.hotkey, () => editor.useLabel(node, l.value));
    return button;
  });
  const el = h("div", { class: "control labels", "data-control": node.name, "data-tool": TOOL_OF_TAG[node.tag] || "" },
    buttons);
  return { el, sync() {
    const region = editor.store.selectedRegion;
    const active = editor.activeLabel;
    for (const b of buttons) {
      const onRegion = region && (region.from_name === node.name || region.labelsFrom === node.name) &&
        (region.labels || []).includes(b.dataset.label);
      const isActive = active && active.control === node.name && active.value === b.dataset.label;
      b.classList.toggle("active", Boolean(region ? onRegion : isActive));
    }
  } };
}
