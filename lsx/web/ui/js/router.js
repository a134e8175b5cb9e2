// Client-side routes: a path pattern -> a view module loaded on demand.

import { dropPrefetched, prefetch, url } from "./api.js";
import { decodeEarly, dropEarly } from "./editor/media.js";

const ROUTES = [
  [/^\/login$/, "./views/login.js", []],
  [/^\/(projects)?$/, "./views/projects.js", []],
  [/^\/projects\/new$/, "./views/create.js", []],
  [/^\/projects\/(\d+)\/data$/, "./views/datamanager.js", ["id"]],
  [/^\/projects\/(\d+)\/settings$/, "./views/settings.js", ["id"]],
  [/^\/projects\/(\d+)\/label$/, "./views/label.js", ["id"]],
];

// What a view asks the API for first, sent before its modules load so the server works while they
// do (the view's get() of the same URL takes the answer; on a page load the page's head has already
// preloaded the same URLs, see ui_routes.early_gets). The label page's first pictures start loading
// and decoding as soon as the task and the interface are in.
const EARLY = {
  "./views/label.js": ({ id }, query) => {
    const task = query.task ? (/^\d+$/.test(query.task) ? `/api/tasks/${Number(query.task)}/` : null)
      : query.tasks ? null : `/api/projects/${id}/next/`;
    const [tree, , first] = prefetch([`/api/projects/${id}/interface`, `/api/projects/${id}/`, task]);
    if (first) Promise.all([tree, first]).then(([t, k]) => decodeEarly(t, k), () => {});
  },
  "./views/datamanager.js": ({ id }) => prefetch([`/api/projects/${id}/`, `/api/dm/views/?project=${id}`,
    `/api/dm/actions/?project=${id}`,
    // the first page of tasks: the default tab, no filter (datamanager.js state)
    url("/api/tasks/", { project: id, page: 1, page_size: 100,
      query: { filters: { conjunction: "and", items: [] }, ordering: [] } })]),
};

// Modules a view needs, fetched in parallel up front instead of import by import.
const PRELOAD = {
  "./views/label.js": ["editor/editor.js", "editor/hotkeys.js", "editor/ids.js", "editor/interface.js",
    "editor/layout.js", "editor/panel.js", "editor/results.js", "editor/store.js", "editor/controls.js",
    "editor/labels.js", "editor/visibility.js", "editor/media.js", "editor/sanitize.js", "editor/rle.js",
    "image/image-view.js", "image/shapes.js", "image/geometry.js", "image/brush.js", "image/pointer.js",
    "image/viewport.js"],
  "./views/datamanager.js": ["views/dm-columns.js", "editor/media.js"],
};
const BASE = new URL(".", import.meta.url);

function preload(module) {
  for (const path of PRELOAD[module] || []) {
    const href = new URL(path, BASE).href;
    if (document.head.querySelector(`link[href="${href}"]`)) continue;
    document.head.append(Object.assign(document.createElement("link"), { rel: "modulepreload", href }));
  }
}

let current = null;

export function match(pathname) {
  for (const [re, module, names] of ROUTES) {
    const m = re.exec(pathname);
    if (m) return { module, params: Object.fromEntries(names.map((n, i) => [n, Number(m[i + 1])])) };
  }
  return null;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  return render();
}

export async function render() {
  const root = document.getElementById("app");
  if (current && current.destroy) current.destroy();
  current = null;
  const found = match(location.pathname);
  if (!found) {
    root.textContent = "Not found";
    return;
  }
  const query = Object.fromEntries(new URLSearchParams(location.search));
  dropPrefetched();  // what the previous page started and did not take
  dropEarly();
  if (EARLY[found.module]) EARLY[found.module](found.params, query);
  preload(found.module);
  const view = await import(found.module);
  current = (await view.default(root, { ...found.params, query })) || null;
}

/** Same-origin links navigate without a page load. */
export function interceptLinks() {
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a[href]");
    if (!a || a.target || a.hasAttribute("download") || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    const u = new URL(a.href, location.href);
    if (u.origin !== location.origin || !match(u.pathname)) return;
    e.preventDefault();
    navigate(u.pathname + u.search);
  });
  window.addEventListener("popstate", () => render());
}
