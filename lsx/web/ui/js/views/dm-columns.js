// Data Manager columns: the task's computed columns plus one per task-data key, with the filter
// operators Label Studio offers for each column type.

import { h, fmtDate } from "../dom.js";
import { mediaUrl } from "../editor/media.js";

export const COMPUTED = [
  { key: "id", title: "ID", type: "Number" },
  { key: "completed_at", title: "Completed", type: "Datetime", render: (t) => fmtDate(t.completed_at) },
  { key: "total_annotations", title: "Annotations", type: "Number" },
  { key: "cancelled_annotations", title: "Skipped", type: "Number" },
  { key: "total_predictions", title: "Predictions", type: "Number" },
  { key: "annotators", title: "Annotators", type: "List", sortable: false, filterable: false,
    render: (t) => (t.annotators || []).join(", ") },
  { key: "predictions_score", title: "Score", type: "Number",
    render: (t) => (t.predictions_score === null || t.predictions_score === undefined ? "" : t.predictions_score.toFixed(3)) },
  { key: "avg_lead_time", title: "Lead time", type: "Number",
    render: (t) => (t.avg_lead_time === null || t.avg_lead_time === undefined ? "" : `${t.avg_lead_time.toFixed(1)}s`) },
  { key: "created_at", title: "Created", type: "Datetime", render: (t) => fmtDate(t.created_at) },
];

export const OPERATORS = {
  String: ["contains", "not_contains", "equal", "not_equal", "starts_with", "ends_with", "empty"],
  Number: ["equal", "not_equal", "less", "greater", "less_or_equal", "greater_or_equal", "in", "not_in", "empty"],
  Datetime: ["less", "greater", "in", "not_in", "empty"],
  Boolean: ["equal"],
};

const MEDIA = new Set(["Image"]);

function cellValue(value, type, taskId) {
  if (value === null || value === undefined) return "";
  if (MEDIA.has(type) && typeof value === "string") {
    const src = mediaUrl(value, taskId);
    return src ? h("img", { class: "thumb", src, alt: "", loading: "lazy" }) : value;
  }
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.length > 140 ? text.slice(0, 140) + "…" : text;
}

/** Columns for a project: data keys (from the config's data types and the tasks seen) then computed ones. */
export function columnsFor(project, tasks) {
  const types = (project.parsed_label_config && project.parsed_label_config) || {};
  const dataTypes = {};
  for (const control of Object.values(types)) {
    for (const input of control.inputs || []) if (input.value) dataTypes[input.value] = input.type;
  }
  for (const t of tasks) for (const k of Object.keys(t.data || {})) if (!(k in dataTypes)) dataTypes[k] = "String";
  const data = Object.entries(dataTypes).map(([key, type]) => ({
    key: `data.${key}`, title: `$${key}`, type: type === "Number" ? "Number" : "String", dataType: type,
    render: (t) => cellValue((t.data || {})[key], type, t.id),
  }));
  return [COMPUTED[0], ...data, ...COMPUTED.slice(1)];
}
