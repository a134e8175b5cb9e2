// The project list.

import { get } from "../api.js";
import { h, mount } from "../dom.js";

function card(p) {
  return h("li", { class: "card project", "data-testid": "project-card", dataset: { id: p.id } },
    h("h3", {}, h("a", { href: `/projects/${p.id}/data` }, p.title)),
    p.description ? h("p", { class: "muted" }, p.description) : null,
    h("p", { class: "counts" },
      `${p.task_number} tasks · ${p.total_annotations_number} annotations · ${p.total_predictions_number} predictions`),
    h("p", { class: "actions" },
      h("a", { href: `/projects/${p.id}/label`, class: "button primary" }, "Label"),
      h("a", { href: `/projects/${p.id}/data`, class: "button" }, "Data"),
      h("a", { href: `/projects/${p.id}/settings`, class: "button" }, "Settings")),
  );
}

export default async function projects(root) {
  const page = await get("/api/projects/", { page_size: 100 }).catch((e) => {
    if (e.status === 404) return { results: [], count: 0 };
    throw e;
  });
  mount(root,
    h("div", { class: "toolbar" }, h("h1", {}, "Projects"), h("span", { class: "spacer" }),
      h("a", { href: "/projects/new", class: "button primary", "data-testid": "new-project" }, "New project")),
    page.results.length
      ? h("ul", { class: "grid", "data-testid": "project-list" }, page.results.map(card))
      : h("p", { class: "empty" }, "No projects yet. Create one from a template or your own config."),
  );
}
