// The region list: every region with its label, hide/lock/delete, and relations between regions.

import { h } from "../dom.js";

const TOOL_NAMES = { rectangle: "Rectangle", ellipse: "Ellipse", polygon: "Polygon", keypoint: "Point", brush: "Brush" };
// Rows have one height, so the list builds only the rows scrolled into view (a few dozen) however
// many regions there are: hundreds of rows were most of the editor's DOM and of its start-up.
const ROW_H = 26;
const OVERSCAN = 8;

export function regionPanel(editor) {
  const list = h("ol", { class: "region-list", "data-testid": "region-list", style: { "--row-h": `${ROW_H}px` } });
  const relations = h("ul", { class: "relation-list", "data-testid": "relation-list" });
  const relationOptions = editor.tree.relations || [];
  const el = h("aside", { class: "side" },
    h("h3", {}, "Regions ", h("span", { class: "muted", "data-testid": "region-count" })),
    list, h("h3", {}, "Relations"), relations,
    h("p", { class: "hint" }, "Select a region, press Alt+R or ⇄, then click another region to relate them."));

  // Rows are clones of one built row, and one listener on the list serves every row's clicks:
  // hundreds of regions cost no per-row element building or listeners.
  const template = h("li", { class: "region-row" }, h("span", { class: "swatch" }), h("span", { class: "name" }),
    h("span", { class: "spacer" }),
    h("button", { type: "button", class: "icon", title: "Relate to…", "data-action": "relate" }, "⇄"),
    h("button", { type: "button", class: "icon", "data-action": "hide" }),
    h("button", { type: "button", class: "icon", "data-action": "lock" }),
    h("button", { type: "button", class: "icon", title: "Delete", "data-action": "delete" }, "✕"));

  list.addEventListener("click", (e) => {
    const row = e.target.closest("li.region-row");
    const r = row && editor.store.regions.get(row.dataset.id);
    if (!r) return;
    const button = e.target.closest("button[data-action]");
    const action = button ? button.dataset.action : "select";
    if (action === "select") editor.select(r.id);
    else if (action === "relate") editor.startRelation(r.id);
    else if (action === "delete") editor.deleteRegion(r.id);
    else {
      if (action === "hide") r.hidden = !r.hidden;
      else if (action === "lock") r.locked = !r.locked;
      editor.store.commit();
    }
  });

  function regionRow(r) {
    const name = (r.labels && r.labels.length ? r.labels.join(", ") : "no label");
    const row = template.cloneNode(true);
    const [swatch, text, spacer, , hide, lock] = row.children;
    row.dataset.id = r.id;
    if (r.id === editor.store.selected) row.classList.add("selected");
    if (r.hidden) row.classList.add("hidden");
    swatch.style.background = editor.colorOf(r);
    text.textContent = `${TOOL_NAMES[r.tool]}: ${name}`;
    if (r.origin && r.origin.startsWith("prediction")) {
      spacer.before(h("span", { class: "tag", title: "from a prediction" },
        r.score !== undefined && r.score !== null ? `pred ${Number(r.score).toFixed(2)}` : "pred"));
    }
    hide.title = r.hidden ? "Show" : "Hide";
    hide.textContent = r.hidden ? "◌" : "◉";
    lock.title = r.locked ? "Unlock" : "Lock";
    lock.textContent = r.locked ? "Unlock" : "Lock";
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

  let regions = [];
  let offset = 0;  // how far the panel is scrolled past the list's top, in pixels

  function renderRows() {
    const count = Math.ceil(innerHeight / ROW_H) + 2 * OVERSCAN;
    const first = Math.max(0, Math.min(regions.length - count, Math.floor(offset / ROW_H) - OVERSCAN));
    list.style.height = `${regions.length * ROW_H}px`;
    list.style.paddingTop = `${first * ROW_H}px`;
    list.replaceChildren(...regions.slice(first, first + count).map((r, i) => {
      const row = regionRow(r);
      row.setAttribute("aria-posinset", first + i + 1);
      row.setAttribute("aria-setsize", regions.length);
      return row;
    }));
  }

  let pending = 0;
  el.addEventListener("scroll", () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      const next = Math.max(0, el.scrollTop - list.offsetTop);
      if (Math.floor(next / ROW_H) === Math.floor(offset / ROW_H)) return;
      offset = next;
      renderRows();
    });
  }, { passive: true });

  return { el, sync() {
    regions = [...editor.store.regions.values()];
    el.querySelector("[data-testid=region-count]").textContent = `(${regions.length})`;
    renderRows();
    relations.replaceChildren(...editor.store.relations.map(relationRow));
  } };
}
