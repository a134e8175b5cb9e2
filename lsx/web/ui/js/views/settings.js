// Project settings: general, labeling config (live preview), annotation rules (sampling, overlap,
// lock TTL), import by file upload with progress, export in every format the config allows.

import { ApiError, get, patch, upload } from "../api.js";
import { h, mount } from "../dom.js";
import { configEditor } from "./config-editor.js";

const SAMPLING = ["Sequential sampling", "Uniform sampling", "Uncertainty sampling"];
const SKIP = ["REQUEUE_FOR_OTHERS", "REQUEUE_FOR_ME", "IGNORE_SKIPPED"];

function messageOf(err) {
  return err instanceof ApiError ? err.messages().join("; ") : String(err);
}

export default async function settings(root, { id }) {
  const [project, formats] = await Promise.all([get(`/api/projects/${id}/`), get(`/api/projects/${id}/export/formats`)]);
  const status = h("p", { class: "status", role: "status", "data-testid": "settings-status" });
  const say = (text, kind = "ok") => { status.textContent = text; status.className = `status ${kind}`; };

  const field = (name, label, input) => h("label", { class: "field" }, label, input);
  const text = (name, value) => h("input", { name, value: value ?? "" });
  const check = (name, value) => h("input", { type: "checkbox", name, checked: Boolean(value) });
  const num = (name, value, min) => h("input", { type: "number", name, value: value ?? "", min });
  const choose = (name, value, options) => h("select", { name }, [...new Set([value, ...options])].filter(Boolean)
    .map((o) => h("option", { value: o, selected: o === value }, o)));

  const general = h("form", { class: "card", "data-section": "general" },
    h("h2", {}, "General"),
    field("title", "Title", text("title", project.title)),
    field("description", "Description", h("textarea", { name: "description", rows: 2, value: project.description })),
    field("expert_instruction", "Instructions (HTML, shown to annotators)",
      h("textarea", { name: "expert_instruction", rows: 4, value: project.expert_instruction })),
    field("show_instruction", "Show instructions before labeling", check("show_instruction", project.show_instruction)),
    field("show_skip_button", "Annotators may skip tasks", check("show_skip_button", project.show_skip_button)),
    h("button", { type: "submit", class: "primary" }, "Save"));

  const rules = h("form", { class: "card", "data-section": "annotation" },
    h("h2", {}, "Annotation"),
    field("sampling", "Task sampling", choose("sampling", project.sampling, SAMPLING)),
    field("maximum_annotations", "Annotations per task (overlap)", num("maximum_annotations", project.maximum_annotations, 1)),
    field("overlap_cohort_percentage", "Overlap applies to % of tasks",
      num("overlap_cohort_percentage", project.overlap_cohort_percentage, 0)),
    field("show_overlap_first", "Show overlapping tasks first", check("show_overlap_first", project.show_overlap_first)),
    field("skip_queue", "Skipped tasks", choose("skip_queue", project.skip_queue, SKIP)),
    field("task_lock_ttl", "Task lock TTL (seconds, empty = default)", num("task_lock_ttl", project.custom_task_lock_ttl, 1)),
    field("show_collab_predictions", "Use predictions as pre-annotations",
      check("show_collab_predictions", project.show_collab_predictions)),
    field("model_version", "Model version of pre-annotations", text("model_version", project.model_version)),
    h("button", { type: "submit", class: "primary" }, "Save"));

  const saveForm = (form) => async (e) => {
    e.preventDefault();
    const body = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") body[el.name] = el.checked;
      else if (el.type === "number") body[el.name] = el.value === "" ? null : Number(el.value);
      else body[el.name] = el.value;
    }
    if (body.maximum_annotations === null) delete body.maximum_annotations;
    if (body.overlap_cohort_percentage === null) delete body.overlap_cohort_percentage;
    try {
      await patch(`/api/projects/${id}/`, body);
      say("Saved.");
    } catch (err) {
      say(messageOf(err), "error");
    }
  };
  general.addEventListener("submit", saveForm(general));
  rules.addEventListener("submit", saveForm(rules));

  const config = configEditor({ xml: project.label_config });
  const saveConfig = async (force = false) => {
    try {
      await patch(`/api/projects/${id}/`, { label_config: config.value, force });
      say("Labeling config saved.");
    } catch (err) {
      say(messageOf(err), "error");
    }
  };
  const labeling = h("section", { class: "card", "data-section": "labeling" }, h("h2", {}, "Labeling interface"), config.el,
    h("button", { type: "button", class: "primary", "data-action": "save-config", onClick: () => saveConfig(false) },
      "Save config"));

  const files = h("input", { type: "file", multiple: true, name: "file", "data-testid": "import-files" });
  const progress = h("progress", { max: 1, value: 0, "data-testid": "import-progress" });
  const importStatus = h("p", { class: "status", "data-testid": "import-status" });
  const doImport = async () => {
    if (!files.files.length) return;
    importStatus.textContent = "Uploading…";
    importStatus.className = "status";
    try {
      const out = await upload(`/api/projects/${id}/import`, files.files, (f) => { progress.value = f; });
      progress.value = 1;
      importStatus.textContent = `Imported ${out.task_count} tasks`;
      importStatus.className = "status ok";
    } catch (err) {
      importStatus.textContent = messageOf(err);
      importStatus.className = "status error";
    }
  };
  const importer = h("section", { class: "card", id: "import", "data-section": "import" }, h("h2", {}, "Import"),
    h("p", { class: "muted" }, "JSON, JSONL, CSV, TSV, TXT or media files (images are uploaded as one task each)."),
    files, h("button", { type: "button", class: "primary", "data-action": "import", onClick: doImport }, "Upload"),
    progress, importStatus);

  const exporter = h("section", { class: "card", "data-section": "export" }, h("h2", {}, "Export"),
    h("ul", { class: "formats" }, formats.map((f) => h("li", { class: f.disabled ? "disabled" : "" },
      f.disabled ? h("span", {}, f.title) : h("a", { href: `/api/projects/${id}/export?exportType=${encodeURIComponent(f.name)}`,
        download: "", "data-format": f.name }, f.title),
      h("span", { class: "muted" }, ` — ${f.description}`)))));

  mount(root, h("div", { class: "settings" },
    h("div", { class: "toolbar" }, h("h1", {}, project.title, " · settings"), h("span", { class: "spacer" }),
      h("a", { href: `/projects/${id}/data`, class: "button" }, "Data"),
      h("a", { href: `/projects/${id}/label`, class: "button primary" }, "Label")),
    status, general, labeling, rules, importer, exporter));
  config.refresh();
  if (location.hash === "#import") importer.scrollIntoView();
  return { destroy: () => config.destroy() };
}
