// The region list: every region with its label, hide/lock/delete, and relations between regions.

import { h } from "../dom.js";

const TOOL_NAMES = { rectangle: "Rectangle", ellipse: "Ellipse", polygon: "Polygon", keypoint: "Point", brush: "Brush" };

export function regionPanel(editor) {
  const list = h("ol", { class: "region-list", "data-testid": "region-list" });
  const relations = h("ul", { class: "relation-list", "data-testid": "relation-list" });
  const relationOptions = editor.tree.relations || [];
  const el = h("aside", { class: "side" },
    h("h3", {}, "Regions ", h("span", { class: "muted", "data-testid": "region-count" })),
    list, h("h3", {}, "Relations"), relations,
    h("p", { class: "hint" }, "Select a region, press Alt+R or ⇄, then click another region to relate them."));

  function regionRow(r) {
    const store = editor.store;
    const name = (r.labels && r.labels.length ? r.labels.join(", ") : "no label");
    const row = h("li", { class: ["region-row", r.id === store.selected ? "selected" : "", r.hidden ? "hidden" : ""],
      "data-id": r.id, onClick: () => editor.select(r.id) },
    h("span", { class: "swatch", style: { background: editor.colorOf(r) } }),
    h("span", { class: "name" }, `${TOOL_NAMES[r.tool]}: ${name}`),
    r.origin && r.origin.startsWith("prediction") ? h("span", { class: "tag", title: "from a prediction" },
      r.score !== undefined && r.score !== null ? `pred ${Number(r.score).toFixed(2)}` : "pred") : null,
    h("span", { class: "spacer" }),
    h("button", { type: "button", class: "icon", title: "Relate to…", "data-action": "relate",
      onClick: (e) => { e.stopPropagation(); editor.startRelation(r.id); } }, "⇄"),
    h("button", { type: "button", class: "icon", title: r.hidden ? "Show" : "Hide", "data-action": "hide",
      onClick: (e) => { e.stopPropagation(); r.hidden = !r.hidden; store.commit(); } }, r.hidden ? "◌" : "◉"),
    h("button", { type: "button", class: "icon", title: r.locked ? "Unlock" : "Lock", "data-action": "lock",
      onClick: (e) => { e.stopPropagation(); r.locked = !r.locked; store.commit(); } }, r.locked ? "Unlock" : "Lock"),
    h("button", { type: "button", class: "icon", title: "Delete", "data-action": "delete",
      onClick: (e) => { e.stopPropagation(); editor.deleteRegion(r.id); } }, "✕"));
    return row;
  }

  function relationRow(rel, index) {
    const store = editor.store;
    const label = (id) => {
      const r = store.regions.get(id);
      return r ? `${TOOL_NAMES[r.tool]} ${(r.labels || []).join(",") || id}` : id;
    };
    const dir = h("button", { type: "button", class: "icon", title: "Direction", onClick: () => {
      rel.direction = { right: "left", left: "bi", bi: "right" }[rel.direction || "right"];
      store.commit();
    } }, { right: "→", left: "←", bi: "↔" }[rel.direction || "right"]);
    const select = relationOptions.length ? h("select", { onChange: (e) => {
      rel.labels = e.target.value ? [e.target.value] : [];
      store.commit();
    } }, h("option", { value: "" }, "—"), relationOptions.map((o) => h("option", { value: o,
      selected: (rel.labels || []).includes(o) }, o))) : null;
    return h("li", { class: "relation-row" }, label(rel.from_id), dir, label(rel.to_id), select,
      h("button", { type: "button", class: "icon", title: "Delete relation", onClick: () => {
        store.relations.splice(index, 1);
        store.commit();
      } }, "✕"));
  }

  return { el, sync() {
    const regions = [...editor.store.regions.values()];
    el.querySelector("[data-testid=region-count]").textContent = `(${regions.length})`;
    list.replaceChildren(...regions.map(regionRow));
    relations.replaceChildren(...editor.store.relations.map(relationRow));
  } };
}
