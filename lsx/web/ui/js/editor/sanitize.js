// Untrusted HTML (HyperText, task data): parsed inertly, then only an allow-list survives.

const TAGS = new Set(("a abbr b bdi bdo blockquote br caption cite code col colgroup dd del details dfn div dl dt em " +
  "figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp section small span strong sub " +
  "summary sup table tbody td tfoot th thead time tr u ul article aside header footer main nav").split(" "));
const DROP_WITH_CONTENT = new Set(["script", "style", "template", "iframe", "object", "embed", "noscript", "textarea",
  "select", "title", "svg", "math", "frame", "frameset", "applet", "link", "meta", "base"]);
const ATTRS = new Set(["href", "src", "alt", "title", "colspan", "rowspan", "class", "lang", "dir", "width", "height",
  "start", "datetime", "cite", "open"]);
const SAFE_URL = /^(?:https?:|mailto:|#|\/(?!\/)|\.{0,2}\/|[^:/?#]*(?:[/?#]|$))/i;

function clean(node, doc) {
  for (const child of [...node.childNodes]) {
    if (child.nodeType === Node.TEXT_NODE) continue;
    if (child.nodeType !== Node.ELEMENT_NODE) {
      child.remove();
      continue;
    }
    const tag = child.localName;
    if (DROP_WITH_CONTENT.has(tag)) {
      child.remove();
      continue;
    }
    if (!TAGS.has(tag)) {
      clean(child, doc);
      child.replaceWith(...child.childNodes);
      continue;
    }
    for (const attr of [...child.attributes]) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\u0000-\u0020]/g, "");
      if (!ATTRS.has(name) || ((name === "href" || name === "src" || name === "cite") && !SAFE_URL.test(value))) {
        child.removeAttribute(attr.name);
      }
    }
    if (tag === "a") {
      child.setAttribute("rel", "noopener noreferrer nofollow");
      child.setAttribute("target", "_blank");
    }
    clean(child, doc);
  }
}

/** A DocumentFragment holding the sanitized markup (no script can run from it). */
export function sanitizeHTML(html) {
  const doc = new DOMParser().parseFromString(String(html ?? ""), "text/html");
  clean(doc.body, doc);
  const frag = document.createDocumentFragment();
  for (const n of [...doc.body.childNodes]) frag.append(document.importNode(n, true));
  return frag;
}
