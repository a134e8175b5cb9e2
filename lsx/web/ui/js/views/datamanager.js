// The Data Manager: the task table (server-side pages, sorting, Label Studio filters saved as
// named views), selection and bulk actions, and the way into the labeling editor.

import { ApiError, del, get, patch, post } from "../api.js";
import { h, mount } from "../dom.js";
import { navigate } from "../router.js";
import { columnsFor, OPERATORS } from "./dm-columns.js";

export default async function datamanager(root, { id }) {
  // The first page asked for (default tab, no filter) is prefetched with the page: router.js EARLY.
  const state = { page: 1, pageSize: 100, ordering: [], filters: { conjunction: "and", items: [] }, view: null,
    selected: new Set(), all: false, total: 0, tasks: [] };
  const first = fetchPage();
  const [project, views, actions] = await Promise.all([get(`/api/projects/${id}/`), get("/api/dm/views/", { project: id }),
    get("/api/dm/actions/", { project: id })]);
  let columns = [];

  const status = h("p", { class: "status", role: "status", "data-testid": "dm-status" });
  const tabs = h("div", { class: "tabs", "data-testid": "dm-views" });
  const filterBox = h("div", { class: "filters", "data-testid": "dm-filters" });
  const table = h("table", { class: "dm-table", "data-testid": "dm-table" });
  const pager = h("div", { class: "pager" });
  const actionSelect = h("select", { "data-testid": "dm-action" }, h("option", { value: "" }, "Actions…"),
    h("option", { value: "label_selected" }, "Label selected"),
    actions.map((a) => h("option", { value: a.id }, a.title)));
  const say = (text, kind = "") => { status.textContent = text; status.className = `status ${kind}`; };

  function query(extra = {}) {
    const q = { filters: state.filters, ordering: state.ordering };
    return { ...q, ...extra };
  }

  function fetchPage() {
    return get("/api/tasks/", { project: id, page: state.page, page_size: state.pageSize, query: query() })
      .catch((err) => {
        if (err instanceof ApiError && err.status === 404) return { tasks: [], total: 0 };
        throw err;
      });
  }

  async function load(pending) {
    try {
      const out = await (pending || fetchPage());
      state.tasks = out.tasks;
      state.total = out.total;
      if (!columns.length) columns = columnsFor(project, out.tasks);
      renderTable();
      say("");
    } catch (err) {
      say(err instanceof ApiError ? err.messages().join("; ") : String(err), "error");
    }
  }

  function renderTabs() {
    const tab = (view, title) => h("button", { type: "button", class: ["tab", state.view === view ? "active" : ""],
      "data-view": view ? view.id : "default", onClick: () => useView(view) }, title);
    tabs.replaceChildren(tab(null, "Default"), ...views.map((v) => tab(v, (v.data && v.data.title) || `View ${v.id}`)),
      h("button", { type: "button", class: "link", "data-action": "save-view", onClick: saveView }, "+ Save as view"),
      state.view ? h("button", { type: "button", class: "link", "data-action": "delete-view", onClick: deleteView },
        "Delete view") : null);
  }

  function useView(view) {
    state.view = view;
    const data = (view && view.data) || {};
    state.filters = data.filters ? JSON.parse(JSON.stringify(data.filters)) : { conjunction: "and", items: [] };
    state.ordering = data.ordering || [];
    state.page = 1;
    renderTabs();
    renderFilters();
    load();
  }

  async function saveView() {
    const title = prompt("Name of the view", "My view");
    if (!title) return;
    try {
      const view = await post("/api/dm/views/", { project: id,
        data: { title, filters: state.filters, ordering: state.ordering } });
      views.push(view);
      state.view = view;
      renderTabs();
    } catch (err) {
      say(err instanceof ApiError ? err.messages().join("; ") : String(err), "error");
    }
  }

  async function deleteView() {
    if (!state.view || !confirm("Delete this view?")) return;
    await del(`/api/dm/views/${state.view.id}/`);
    views.splice(views.indexOf(state.view), 1);
    useView(null);
  }

  async function persistView() {
    if (!state.view) return;
    const data = { ...(state.view.data || {}), filters: state.filters, ordering: state.ordering };
    state.view = Object.assign(state.view, await patch(`/api/dm/views/${state.view.id}/`, { data }));
  }

  function filterRow(item, index) {
    const name = item.filter.replace("filter:tasks:", "");
    const column = columns.find((c) => c.key === name) || columns[0];
    const type = column.type in OPERATORS ? column.type : "String";
    const columnSelect = h("select", { "data-role": "column", onChange: (e) => {
      const c = columns.find((x) => x.key === e.target.value);
      item.filter = `filter:tasks:${c.key}`;
      item.type = c.type;
      item.operator = OPERATORS[c.type in OPERATORS ? c.type : "String"][0];
      item.value = "";
      renderFilters();
    } }, columns.filter((c) => c.filterable !== false).map((c) => h("option", { value: c.key, selected: c.key === name }, c.title)));
    const opSelect = h("select", { "data-role": "operator", onChange: (e) => { item.operator = e.target.value; renderFilters(); } },
      OPERATORS[type].map((o) => h("option", { value: o, selected: o === item.operator }, o.replace(/_/g, " "))));
    const input = (val, set, kind) => h("input", { "data-role": "value", value: val ?? "",
      type: kind === "Number" ? "number" : kind === "Datetime" ? "datetime-local" : "text",
      onChange: (e) => set(kind === "Number" && e.target.value !== "" ? Number(e.target.value) : e.target.value) });
    let value;
    if (item.operator === "in" || item.operator === "not_in") {
      const range = typeof item.value === "object" && item.value ? item.value : { min: "", max: "" };
      item.value = range;
      value = [input(range.min, (v) => { range.min = v; }, type), "–", input(range.max, (v) => { range.max = v; }, type)];
    } else if (item.operator === "empty") {
      value = h("select", { "data-role": "value", onChange: (e) => { item.value = e.target.value === "true"; } },
        h("option", { value: "true", selected: item.value !== false }, "is empty"),
        h("option", { value: "false", selected: item.value === false }, "is not empty"));
      if (item.value === "" || item.value === undefined) item.value = true;
    } else {
      value = input(item.value, (v) => { item.value = v; }, type);
    }
    return h("div", { class: "filter-row" }, columnSelect, opSelect, value,
      h("button", { type: "button", class: "icon", title: "Remove filter", onClick: () => {
        state.filters.items.splice(index, 1);
        renderFilters();
      } }, "✕"));
  }

  function renderFilters() {
    const conj = h("select", { "data-role": "conjunction", onChange: (e) => { state.filters.conjunction = e.target.value; } },
      ["and", "or"].map((c) => h("option", { value: c, selected: c === state.filters.conjunction }, c)));
    filterBox.replaceChildren(
      ...state.filters.items.map(filterRow),
      h("div", { class: "filter-actions" },
        state.filters.items.length > 1 ? conj : null,
        h("button", { type: "button", "data-action": "add-filter", onClick: () => {
          const c = columns.find((x) => x.key.startsWith("data.")) || columns[0];
          state.filters.items.push({ filter: `filter:tasks:${c.key}`, operator: OPERATORS[c.type in OPERATORS ? c.type : "String"][0],
            type: c.type, value: "" });
          renderFilters();
        } }, "+ Filter"),
        h("button", { type: "button", class: "primary", "data-action": "apply-filters", onClick: async () => {
          state.page = 1;
          await load();
          await persistView().catch(() => {});
        } }, "Apply")));
  }

  function sortBy(column) {
    if (column.sortable === false) return;
    const key = `tasks:${column.key}`;
    state.ordering = state.ordering[0] === key ? [`-${key}`] : state.ordering[0] === `-${key}` ? [] : [key];
    state.page = 1;
    load();
    persistView().catch(() => {});
  }

  function renderTable() {
    const sortMark = (c) => (state.ordering[0] === `tasks:${c.key}` ? " ▲" : state.ordering[0] === `-tasks:${c.key}` ? " ▼" : "");
    const allBox = h("input", { type: "checkbox", "data-testid": "select-page", title: "Select this page",
      checked: state.tasks.length > 0 && state.tasks.every((t) => state.all || state.selected.has(t.id)),
      onChange: (e) => {
        for (const t of state.tasks) (e.target.checked ? state.selected.add(t.id) : state.selected.delete(t.id));
        if (!e.target.checked) state.all = false;
        renderTable();
      } });
    const head = h("thead", {}, h("tr", {}, h("th", { class: "check" }, allBox),
      columns.map((c) => h("th", { "data-column": c.key, class: c.sortable === false ? "" : "sortable",
        onClick: () => sortBy(c) }, c.title, sortMark(c)))));
    const rows = state.tasks.map((t) => {
      const box = h("input", { type: "checkbox", checked: state.all || state.selected.has(t.id), onClick: (e) => e.stopPropagation(),
        onChange: (e) => {
          if (e.target.checked) state.selected.add(t.id);
          else {
            state.selected.delete(t.id);
            state.all = false;
          }
          renderCount();
        } });
      return h("tr", { "data-task": t.id, onClick: () => navigate(`/projects/${id}/label?task=${t.id}`) },
        h("td", { class: "check" }, box),
        columns.map((c) => h("td", { "data-column": c.key }, c.render ? c.render(t) : String(t[c.key] ?? ""))));
    });
    table.replaceChildren(head, h("tbody", {}, rows));
    const pages = Math.max(1, Math.ceil(state.total / state.pageSize));
    pager.replaceChildren(
      h("button", { type: "button", disabled: state.page <= 1, "data-action": "prev-page", onClick: () => { state.page--; load(); } }, "‹"),
      h("span", { "data-testid": "dm-page" }, `Page ${state.page} of ${pages} · ${state.total} tasks`),
      h("button", { type: "button", disabled: state.page >= pages, "data-action": "next-page", onClick: () => { state.page++; load(); } }, "›"),
      h("select", { onChange: (e) => { state.pageSize = Number(e.target.value); state.page = 1; load(); } },
        [30, 100, 500].map((n) => h("option", { value: n, selected: n === state.pageSize }, `${n} per page`))),
      h("button", { type: "button", class: "link", "data-action": "select-all", onClick: () => { state.all = true; renderTable(); } },
        `Select all ${state.total}`));
    renderCount();
  }

  const count = h("span", { class: "muted", "data-testid": "dm-selected" });
  function renderCount() {
    count.textContent = state.all ? `${state.total - 0} selected` : state.selected.size ? `${state.selected.size} selected` : "";
  }

  function selectedItems() {
    return state.all ? { all: true, excluded: [] } : { all: false, included: [...state.selected] };
  }

  async function runAction() {
    const actionId = actionSelect.value;
    actionSelect.value = "";
    if (!actionId) return;
    if (!state.all && !state.selected.size) return say("Select tasks first.", "error");
    if (actionId === "label_selected") {
      const ids = state.all ? state.tasks.map((t) => t.id) : [...state.selected];
      navigate(`/projects/${id}/label?tasks=${ids.join(",")}`);
      return;
    }
    const action = actions.find((a) => a.id === actionId);
    const text = action.dialog && action.dialog.text ? action.dialog.text : `Run "${action.title}"?`;
    if (!confirm(text)) return;
    try {
      const out = await post("/api/dm/actions/", { ...query(), selectedItems: selectedItems() },
        { id: actionId, project: id });
      state.selected.clear();
      state.all = false;
      await load();
      say(out.detail || `${action.title}: ${out.processed_items} tasks`, "ok");
    } catch (err) {
      say(err instanceof ApiError ? err.messages().join("; ") : String(err), "error");
    }
  }
  actionSelect.addEventListener("change", runAction);

  mount(root, h("div", { class: "dm" },
    h("div", { class: "toolbar" }, h("h1", {}, project.title), h("span", { class: "spacer" }),
      h("a", { href: `/projects/${id}/settings`, class: "button" }, "Settings"),
      h("a", { href: `/projects/${id}/label`, class: "button primary", "data-testid": "label-all" }, "Label all tasks")),
    tabs, filterBox, h("div", { class: "toolbar small" }, actionSelect, count), status,
    h("div", { class: "table-wrap" }, table), pager));
  await load(first);
  renderTabs();
  renderFilters();
  root.dataset.rows = String(state.tasks.length);
}
