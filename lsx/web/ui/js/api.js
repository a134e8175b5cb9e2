// The REST API over fetch: the session cookie authenticates, writes carry the CSRF token.

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }

  /** Every message of a Label Studio error body, field names first. */
  messages() {
    const out = [];
    for (const [field, list] of Object.entries(this.body.validation_errors || {})) {
      for (const m of list) out.push(field === "non_field_errors" ? m : `${field}: ${m}`);
    }
    return out.length ? out : [this.message];
  }
}

function cookie(name) {
  const hit = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
}

export function csrfToken() {
  return cookie("csrftoken");
}

export function url(path, query) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) v.forEach((x) => u.searchParams.append(k, x));
    else u.searchParams.set(k, typeof v === "object" ? JSON.stringify(v) : v);
  }
  return u.pathname + u.search;
}

let leaving = false;

/** Off to the login form (once, however many requests answered 401). */
export function toLogin() {
  if (leaving || location.pathname === "/login") return;
  leaving = true;
  location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

export async function api(method, path, { json, query, body, signal, redirect401 = true, plain = false } = {}) {
  const headers = plain ? {} : { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["X-CSRFToken"] = csrfToken();
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  const resp = await fetch(url(path, query), { method, headers, body, signal, credentials: "same-origin" });
  if (resp.status === 204) return null;
  const type = resp.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await resp.json() : await resp.text();
  if (!resp.ok) {
    if (resp.status === 401 && redirect401) {
      // Signed out (or a request that raced the login): the login form takes over, so the caller
      // gets no answer rather than an error nobody can act on.
      toLogin();
      return new Promise(() => {});
    }
    throw new ApiError(resp.status, typeof data === "object" ? data : { detail: data });
  }
  return data;
}

// GETs started with the page, before the view that needs them has loaded (router.js); the view's
// own get() of the same URL takes the answer, once. A navigation drops what was not taken.
const early = new Map();

export function dropPrefetched() {
  early.clear();
}

/** Start these GETs (null entries are skipped); their answers, in order. Sent without extra
 * headers, so they take over what the page's head preloaded for them (ui_routes.early_gets). */
export function prefetch(paths) {
  return paths.map((path) => {
    if (!path) return null;
    const answer = api("GET", path, { plain: true });
    answer.catch(() => {});  // a failure belongs to the view that takes it, not an unhandled rejection
    early.set(url(path), answer);
    return answer;
  });
}

export function get(path, query, opts) {
  const key = url(path, query);
  const answer = opts ? undefined : early.get(key);
  if (answer) {
    early.delete(key);
    return answer;
  }
  return api("GET", path, { ...opts, query });
}
export const post = (path, json, query) => api("POST", path, { json, query });
export const patch = (path, json) => api("PATCH", path, { json });
export const del = (path) => api("DELETE", path);

/** Upload files as multipart with progress (fetch has no upload progress). */
export function upload(path, files, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const f of files) form.append("file", f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: "network error" }));
    xhr.send(form);
  });
}
