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

/** A neutral picture for previews (sample tasks point at hosts the page may not load). */
export function placeholderImage(width = 640, height = 400) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#dee2e6"/><path d="M0 ${height} L${width * 0.35} ${height * 0.45} ` +
    `L${width * 0.6} ${height * 0.75} L${width * 0.75} ${height * 0.6} L${width} ${height}Z" fill="#adb5bd"/></svg>`;
  return "data:image/svg+xml;base64," + btoa(svg);
}
