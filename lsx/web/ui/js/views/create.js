// New project: a title, a template or pasted XML (with live preview and errors), then create.

import { ApiError, get, post } from "../api.js";
import { h, mount } from "../dom.js";
import { navigate } from "../router.js";
import { configEditor } from "./config-editor.js";

export default async function create(root) {
  const { templates, groups } = await get("/api/templates/");
  const title = h("input", { name: "title", placeholder: "Project title", required: true, "data-testid": "project-title" });
  const error = h("p", { class: "error", role: "alert" });
  const config = configEditor({ xml: "<View>\n  \n</View>\n" });
  const picker = h("select", { name: "template", "data-testid": "template",
    onChange: () => {
      const t = templates.find((x) => x.name === picker.value);
      if (t) config.set(t.config, t.sample_task && t.sample_task.data);
    } },
  h("option", { value: "" }, "Custom (paste XML)"),
  groups.map((g) => h("optgroup", { label: g }, templates.filter((t) => t.group === g)
    .map((t) => h("option", { value: t.name }, t.title)))));
  const submit = async (e) => {
    e.preventDefault();
    error.textContent = "";
    try {
      const project = await post("/api/projects/", { title: title.value || "New Project", label_config: config.value });
      navigate(`/projects/${project.id}/settings#import`);
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.messages().join("; ") : String(err);
    }
  };
  mount(root, h("form", { class: "create", onSubmit: submit },
    h("div", { class: "toolbar" }, h("h1", {}, "New project"), h("span", { class: "spacer" }),
      h("button", { type: "submit", class: "primary", "data-testid": "create-project" }, "Create")),
    h("div", { class: "row" }, h("label", {}, "Title", title), h("label", {}, "Template", picker)),
    error, config.el));
  config.refresh();
  return { destroy: () => config.destroy() };
}
