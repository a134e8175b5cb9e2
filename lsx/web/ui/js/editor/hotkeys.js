// Keyboard shortcuts: config hotkeys (labels, choices) and the editor's own keys.

export function keyName(e) {
  const parts = [];
  if (e.ctrlKey || e.metaKey) parts.push("ctrl");
  if (e.altKey) parts.push("alt");
  if (e.shiftKey && (e.key.length > 1 || e.ctrlKey || e.metaKey || e.altKey)) parts.push("shift");
  parts.push(e.key === " " ? "space" : e.key.toLowerCase());
  return parts.join("+");
}

export function normalize(hotkey) {
  return String(hotkey).toLowerCase().split("+").map((p) => (p === "cmd" || p === "meta" ? "ctrl" : p.trim()))
    .sort((a, b) => ["ctrl", "alt", "shift"].indexOf(b) - ["ctrl", "alt", "shift"].indexOf(a))
    .join("+");
}

export function typing(e) {
  const t = e.target;
  return t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) &&
    !(t.tagName === "INPUT" && ["checkbox", "radio", "range", "button"].includes(t.type));
}

export class Hotkeys {
  constructor() {
    this.map = new Map();
  }

  set(hotkey, fn) {
    for (const one of String(hotkey).split(",")) this.map.set(normalize(one), fn);
  }

  has(key) {
    return this.map.has(key);
  }

  run(e) {
    const fn = this.map.get(keyName(e));
    if (!fn) return false;
    e.preventDefault();
    fn(e);
    return true;
  }
}
