// The app: who is logged in, the top bar, then the route's view.

import { get, post, toLogin } from "./api.js";
import { h, mount } from "./dom.js";
import { interceptLinks, navigate, render } from "./router.js";

export const session = { user: null };

function topBar(user) {
  const logout = async () => {
    await post("/user/logout/");
    session.user = null;
    navigate("/login");
    mount(document.getElementById("top"), topBar(null));
  };
  return [
    h("a", { href: "/projects", class: "brand" }, "lsx"),
    h("nav", {}, user ? [h("a", { href: "/projects" }, "Projects")] : []),
    h("span", { class: "spacer" }),
    user ? [h("span", { class: "who", "data-testid": "who" }, user.email),
      h("button", { class: "link", onClick: logout, "data-testid": "logout" }, "Log out")] : [],
  ];
}

/** Who is logged in; asked while the page's view loads (a 401 sends the browser to the login form).
 * Without extra headers, so it takes over the page head's preload (ui_routes.early_gets). */
export const whoami = location.pathname === "/login" ? Promise.resolve(null)
  : get("/api/current-user/whoami", undefined, { redirect401: false, plain: true }).then((user) => {
    session.user = user;
    return user;
  }, () => {
    toLogin();
    return new Promise(() => {});
  });

async function start() {
  interceptLinks();
  mount(document.getElementById("top"), topBar(null));
  whoami.then((user) => mount(document.getElementById("top"), topBar(user)));
  await render();
}

export function setUser(user) {
  session.user = user;
  mount(document.getElementById("top"), topBar(user));
}

start();
