// Conditional visibility (visibleWhen / whenTagName / whenLabelValue / whenChoiceValue) and
// perRegion controls, which show only while a region is selected.

const list = (v) => (Array.isArray(v) ? v : v === undefined || v === null || v === "" ? [] : String(v).split(","));

function selectedChoices(editor, names) {
  const out = new Set();
  for (const entry of editor.store.values.values()) {
    if (names.length && !names.includes(entry.from_name)) continue;
    for (const c of entry.value.choices || []) out.add(Array.isArray(c) ? c[c.length - 1] : c);
  }
  const region = editor.store.selectedRegion;
  if (region) {
    for (const [name, entry] of Object.entries(region.perRegion || {})) {
      if (names.length && !names.includes(name)) continue;
      for (const c of entry.value.choices || []) out.add(c);
    }
  }
  return out;
}

export function isVisible(node, editor) {
  const a = node.attrs || {};
  const region = editor.store.selectedRegion;
  const labels = list(a.whenLabelValue);
  const labelOk = () => !labels.length || (region && (region.labels || []).some((l) => labels.includes(l)));
  if (a.perRegion) {
    if (!region) return false;
    if (!labelOk()) return false;
  }
  const when = a.visibleWhen;
  if (!when) return true;
  const tags = list(a.whenTagName);
  if (when === "region-selected") {
    if (!region) return false;
    if (tags.length && !tags.includes(region.from_name) && !tags.includes(region.labelsFrom)) return false;
    return labelOk();
  }
  if (when === "no-region-selected") return !region;
  const choices = selectedChoices(editor, tags);
  const wanted = list(a.whenChoiceValue);
  if (when === "choice-selected") return wanted.length ? wanted.some((c) => choices.has(c)) : choices.size > 0;
  if (when === "choice-unselected") return wanted.length ? !wanted.some((c) => choices.has(c)) : choices.size === 0;
  return true;
}
