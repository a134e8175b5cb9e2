// What the editor needs to know about an interface tree: controls, objects, image tools, labels
// with their hotkeys and colours.

export const TOOL_OF_TAG = {
  RectangleLabels: "rectangle", Rectangle: "rectangle",
  EllipseLabels: "ellipse", Ellipse: "ellipse",
  PolygonLabels: "polygon", Polygon: "polygon",
  KeyPointLabels: "keypoint", KeyPoint: "keypoint",
  BrushLabels: "brush", Brush: "brush",
};
export const TOOL_OF_TYPE = Object.fromEntries(Object.entries(TOOL_OF_TAG).map(([tag, tool]) => [tag.toLowerCase(), tool]));
export const CLASSIFICATION_TAGS = new Set(["Choices", "TextArea", "Rating", "Number", "DateTime", "Taxonomy"]);
const PALETTE = ["#1C7ED6", "#37B24D", "#F59F00", "#E03131", "#AE3EC9", "#0CA678", "#F76707", "#4263EB"];

function walk(node, fn, parent = null) {
  fn(node, parent);
  for (const child of node.children || []) walk(child, fn, node);
}

export class Interface {
  constructor(tree, data = {}) {
    this.tree = tree;
    this.controls = new Map();
    this.objects = new Map();
    this.labels = []; // {control, value, color, hotkey}
    walk(tree.root, (node) => {
      if (node.kind === "control") this.controls.set(node.name, node);
      if (node.kind === "object") this.objects.set(node.name, node);
    });
    let auto = 1;
    for (const control of this.controls.values()) {
      if (!this.isLabelControl(control)) continue;
      for (const [i, value] of this.optionValues(control, data).entries()) {
        const child = (control.children || []).find((c) => c.attrs.value === value) || { attrs: {} };
        let hotkey = child.attrs.hotkey;
        if (!hotkey && auto <= 9) hotkey = String(auto++);
        this.labels.push({ control: control.name, value, hotkey, alias: child.attrs.alias,
          color: child.attrs.background || PALETTE[i % PALETTE.length] });
      }
    }
  }

  isLabelControl(control) {
    return control.tag === "Labels" || (control.tag.endsWith("Labels") && control.tag in TOOL_OF_TAG);
  }

  /** Options of a Choices/Labels control: static children or, when dynamic, from the task data. */
  optionValues(control, data) {
    if (control.control && control.control.dynamic) {
      const key = String(control.attrs.value || "").replace(/^\$/, "");
      const list = Array.isArray(data[key]) ? data[key] : [];
      return list.map((x) => (typeof x === "object" && x ? String(x.value ?? "") : String(x))).filter(Boolean);
    }
    if (control.control && control.control.labels && control.control.labels.length) return control.control.labels;
    return (control.children || []).filter((c) => c.attrs && c.attrs.value !== undefined).map((c) => String(c.attrs.value));
  }

  toNames(control) {
    const to = control.attrs.toName;
    return Array.isArray(to) ? to : String(to || "").split(",").filter(Boolean);
  }

  /** Geometry controls drawing on an object: [{control, tool}] */
  toolsFor(objectName) {
    const out = [];
    for (const control of this.controls.values()) {
      const tool = TOOL_OF_TAG[control.tag];
      if (tool && this.toNames(control).includes(objectName)) out.push({ control, tool });
    }
    return out;
  }

  /** A plain `Labels` control on an object (labels for bare geometry tools). */
  labelsFor(objectName) {
    return [...this.controls.values()].find((c) => c.tag === "Labels" && this.toNames(c).includes(objectName));
  }

  labelColor(control, value) {
    const hit = this.labels.find((l) => l.control === control && l.value === value);
    return hit ? hit.color : "#e8590c";
  }

  valueKey(control) {
    return (control.control && control.control.value_key) || control.tag.toLowerCase();
  }

  resultType(control) {
    return (control.control && control.control.result_type) || control.tag.toLowerCase();
  }

  relationsControl() {
    return [...this.controls.values()].find((c) => c.tag === "Relations");
  }
}
