// Log in with email and password; the API sets the session cookie.

import { ApiError, post } from "../api.js";
import { h, mount } from "../dom.js";
import { setUser } from "../main.js";
import { navigate } from "../router.js";

export default function login(root, { query }) {
  const error = h("p", { class: "error", role: "alert" });
  const email = h("input", { name: "email", type: "email", placeholder: "Email", required: true, autocomplete: "username" });
  const password = h("input", { name: "password", type: "password", placeholder: "Password", required: true,
    autocomplete: "current-password" });
  const submit = async (e) => {
    e.preventDefault();
    error.textContent = "";
    try {
      const out = await post("/user/login/", { email: email.value, password: password.value });
      setUser(out.user);
      const next = query.next && query.next.startsWith("/") && !query.next.startsWith("//") ? query.next : "/projects";
      navigate(next, { replace: true });
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.messages().join("; ") : String(err);
    }
  };
  mount(root, h("form", { class: "card login", onSubmit: submit },
    h("h1", {}, "Log in to lsx"),
    h("label", {}, "Email", email),
    h("label", {}, "Password", password),
    h("button", { type: "submit", class: "primary" }, "Log in"),
    error,
    h("p", { class: "hint" }, "On this machine, `lsx serve` prints a one-time login link."),
  ));
  email.focus();
}
