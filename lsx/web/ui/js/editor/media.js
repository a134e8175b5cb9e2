// Where task data points at media: same-origin paths as they are, anything else through the
// server's resolve endpoint (which checks that the user may see the task).

function b64url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_");
}

export function dataValue(data, ref) {
  if (typeof ref !== "string" || !ref.startsWith("$")) return ref;
  let cur = data;
  for (const part of ref.slice(1).split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = cur[part];
  }
  return cur;
}

export function mediaUrl(raw, taskId) {
  if (typeof raw !== "string" || !raw) return "";
  if (/^data:image\/(png|jpeg|gif|webp|svg\+xml);/i.test(raw)) return raw;
  if (raw.startsWith("/") && !raw.startsWith("//")) return raw;
  if (taskId) return `/tasks/${taskId}/resolve/?fileuri=${b64url(raw)}`;
  return "";
}

/** The URLs of an Image tag's pictures for a task (one, or its `valueList`); "" where none. */
export function imageUrls(attrs, data, taskId) {
  const list = attrs.valueList ? dataValue(data, attrs.valueList) : null;
  const raw = Array.isArray(list) ? list : [dataValue(data, attrs.value)];
  return raw.map((u) => mediaUrl(u, taskId));
}

// Pictures fetched and decoded before the editor that shows them is built: for the label page the
// router starts them as soon as the task and the interface are in, and the image view takes the
// element over.
const early = new Map();

/** Start loading and decoding the first picture of each Image tag of an interface tree. */
export function decodeEarly(tree, task) {
  const visit = (node) => {
    if (node.tag === "Image") {
      const url = imageUrls(node.attrs || {}, task.data || {}, task.id)[0];
      if (url && !early.has(url)) {
        const img = new Image();
        img.src = url;
        early.set(url, { img, decoded: img.decode().then(() => true, () => false) });
      }
    }
    for (const child of node.children || []) visit(child);
  };
  if (tree && tree.root) visit(tree.root);
}

export function dropEarly() {
  early.clear();
}

/** The early element for a URL and its decode (resolves true once decoded), taken once; or null. */
export function takeEarly(url) {
  const hit = early.get(url) || null;
  early.delete(url);
  return hit;
}

/** A neutral picture for previews (sample tasks point at hosts the page may not load). */
export function placeholderImage(width = 640, height = 400) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#dee2e6"/><path d="M0 ${height} L${width * 0.35} ${height * 0.45} ` +
    `L${width * 0.6} ${height * 0.75} L${width * 0.75} ${height * 0.6} L${width} ${height}Z" fill="#adb5bd"/></svg>`;
  return "data:image/svg+xml;base64," + btoa(svg);
}
