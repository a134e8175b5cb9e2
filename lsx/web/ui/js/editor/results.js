// Regions and values <-> Label Studio result items (percent coordinates, original_width/height).

import { TOOL_OF_TYPE } from "./interface.js";

const GEOMETRY_KEYS = {
  rectangle: ["x", "y", "width", "height", "rotation"],
  ellipse: ["x", "y", "radiusX", "radiusY", "rotation"],
  polygon: ["points", "closed"],
  keypoint: ["x", "y", "width"],
  brush: ["format", "rle"],
};

export function geometry(region) {
  const out = {};
  for (const key of GEOMETRY_KEYS[region.tool]) if (region.value[key] !== undefined) out[key] = region.value[key];
  return out;
}

function imageFields(region) {
  const out = { original_width: region.original_width, original_height: region.original_height, image_rotation: 0 };
  if (region.item_index !== null && region.item_index !== undefined) out.item_index = region.item_index;
  return out;
}

/** The annotation's `result` list. */
export function toResults(store, ui) {
  const out = [];
  for (const r of store.regions.values()) {
    const control = ui.controls.get(r.from_name);
    const item = { id: r.id, from_name: r.from_name, to_name: r.to_name, type: r.type, origin: r.origin || "manual",
      value: { ...geometry(r) }, ...imageFields(r) };
    if (r.score !== undefined && r.score !== null) item.score = r.score;
    if (r.hidden) item.hidden = true;
    if (r.readonly) item.readonly = true;
    if (control && ui.isLabelControl(control)) item.value[ui.valueKey(control)] = r.labels || [];
    out.push(item);
    if (r.labelsFrom && r.labels && r.labels.length) {
      out.push({ id: r.id, from_name: r.labelsFrom, to_name: r.to_name, type: "labels", origin: item.origin,
        value: { ...(r.tool === "brush" ? {} : geometry(r)), labels: r.labels }, ...imageFields(r) });
    }
    for (const [name, entry] of Object.entries(r.perRegion || {})) {
      const geo = r.tool === "brush" ? {} : geometry(r);
      out.push({ id: r.id, from_name: name, to_name: entry.to_name, type: entry.type, origin: "manual",
        value: { ...geo, ...entry.value }, ...imageFields(r) });
    }
  }
  for (const entry of store.values.values()) {
    const item = { id: entry.id, from_name: entry.from_name, to_name: entry.to_name, type: entry.type,
      origin: "manual", value: entry.value };
    if (entry.item_index !== null && entry.item_index !== undefined) item.item_index = entry.item_index;
    out.push(item);
  }
  for (const rel of store.relations) {
    const item = { type: "relation", from_id: rel.from_id, to_id: rel.to_id, direction: rel.direction || "right" };
    if (rel.labels && rel.labels.length) item.labels = rel.labels;
    out.push(item);
  }
  return out;
}

/** Fill a store from a result list (annotation, draft or prediction). */
export function loadResults(store, ui, results, { origin } = {}) {
  const later = [];
  for (const item of results || []) {
    if (item.type === "relation") {
      store.relations.push({ from_id: item.from_id, to_id: item.to_id, direction: item.direction || "right",
        labels: item.labels || [] });
      continue;
    }
    const tool = TOOL_OF_TYPE[item.type];
    const control = ui.controls.get(item.from_name);
    if (tool && control) {
      const value = { ...item.value };
      const key = ui.valueKey(control);
      const labels = ui.isLabelControl(control) ? value[key] || [] : [];
      delete value[key];
      store.add({ id: item.id, tool, from_name: item.from_name, to_name: item.to_name, type: item.type, value, labels,
        labelsFrom: null, origin: origin || item.origin || "manual", score: item.score, hidden: Boolean(item.hidden),
        locked: false, readonly: Boolean(item.readonly), item_index: item.item_index ?? null,
        original_width: item.original_width, original_height: item.original_height, perRegion: {} });
    } else {
      later.push(item);
    }
  }
  for (const item of later) {
    const region = item.id ? store.regions.get(item.id) : null;
    const control = ui.controls.get(item.from_name);
    if (!control) continue;
    if (region && item.type === "labels") {
      region.labelsFrom = item.from_name;
      region.labels = item.value.labels || [];
    } else if (region) {
      const key = ui.valueKey(control);
      region.perRegion[item.from_name] = { to_name: item.to_name, type: item.type, value: { [key]: item.value[key] } };
    } else {
      const k = item.from_name + (item.item_index !== undefined && item.item_index !== null ? `#${item.item_index}` : "");
      store.setValue(k, { id: item.id, from_name: item.from_name, to_name: item.to_name, type: item.type,
        value: item.value, item_index: item.item_index ?? null });
    }
  }
}
