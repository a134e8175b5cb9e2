// The labeling page: the label stream (next task, prefetched with `exclude`), a single task
// (?task=ID) or a list of selected tasks (?tasks=1,2,3); submit, update, skip, postpone, previous.

import { ApiError, get, patch, post } from "../api.js";
import { h, mount } from "../dom.js";
import { sanitizeHTML } from "../editor/sanitize.js";
import { session, whoami } from "../main.js";
import { navigate } from "../router.js";

export default async function label(root, { id, query }) {
  const treeP = get(`/api/projects/${id}/interface`);
  const projectP = get(`/api/projects/${id}/`);
  const mode = query.task ? "task" : query.tasks ? "list" : "stream";
  const list = mode === "list" ? query.tasks.split(",").map(Number).filter(Boolean) : [];
  let listIndex = Math.max(0, list.indexOf(Number(query.at)) );
  const firstTaskP = mode === "stream" ? nextTask([]) : loadTask(mode === "task" ? Number(query.task) : list[listIndex]);
  const editorModule = import("../editor/editor.js");  // loads while the API answers
  let Editor = null;
  let editor = null;
  let current = null; // {task, annotation, prediction}
  let prefetched = null;
  let started = 0;

  const status = h("p", { class: "status", role: "status", "data-testid": "status" });
  const title = h("span", { class: "task-title", "data-testid": "task-id" });
  const buttons = h("div", { class: "label-actions" });
  const host = h("div", { class: "editor-host" });
  const instructions = h("details", { class: "instructions", hidden: true }, h("summary", {}, "Instructions"));
  mount(root, h("div", { class: "label-page" },
    h("div", { class: "toolbar" }, h("a", { href: `/projects/${id}/data`, class: "button" }, "← Data"), title,
      h("span", { class: "spacer" }), buttons),
    instructions, status, host));

  function nextTask(exclude) {
    return get(`/api/projects/${id}/next/`, { exclude: exclude.length ? exclude.join(",") : undefined })
      .then((task) => ({ task, annotation: null }))
      .catch((err) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      });
  }

  function loadTask(taskId) {
    return Promise.all([get(`/api/tasks/${taskId}/`), whoami]).then(([task]) => {
      const me = session.user ? session.user.id : null;
      const mine = (task.annotations || []).filter((a) => a.completed_by === me && !a.was_cancelled);
      return { task, annotation: mine.length ? mine[mine.length - 1] : null };
    });
  }

  function say(text, kind = "") {
    status.textContent = text;
    status.className = `status ${kind}`;
  }

  function button(text, action, fn, primary = false) {
    return h("button", { type: "button", class: primary ? "primary" : "", "data-action": action, onClick: fn }, text);
  }

  function renderButtons() {
    const b = [];
    if (mode !== "stream" || current.annotation) b.push(button("← Previous", "previous", previous));
    if (current.annotation) b.push(button("Update", "update", () => save("update"), true));
    else b.push(button("Submit", "submit", () => save("submit"), true));
    if (mode === "stream" && !current.annotation) {
      if (project.show_skip_button !== false) b.push(button("Skip", "skip", () => save("skip")));
      if (current.task.allow_postpone !== false) b.push(button("Postpone", "postpone", () => save("postpone")));
    }
    if (mode !== "stream") b.push(button("Next →", "next", () => advance()));
    buttons.replaceChildren(...b);
  }

  async function show(entry) {
    if (editor) editor.destroy();
    editor = null;
    current = entry;
    if (!entry) {
      title.textContent = "";
      buttons.replaceChildren();
      host.replaceChildren(h("p", { class: "empty", "data-testid": "no-more" }, "No more tasks to label. 🎉"));
      return;
    }
    const { task, annotation } = entry;
    title.textContent = `Task #${task.id}`;
    const draft = (task.drafts || []).find((d) => !annotation || d.annotation === annotation.id);
    const prediction = (task.predictions || [])[0] || null;
    let result = null;
    let origin = null;
    if (annotation) result = annotation.result;
    else if (draft) result = draft.result;
    else if (prediction) {
      result = prediction.result;
      origin = "prediction";
    }
    current.prediction = !annotation && !draft && prediction ? prediction : null;
    current.draft = draft || null;
    started = performance.now();
    editor = new Editor(host, tree, task, { result, origin });
    renderButtons();
    if (annotation) say(`Your annotation #${annotation.id} is loaded; Update saves changes.`);
    else if (current.prediction) say(`Pre-annotated from prediction (model ${prediction.model_version || "—"}).`);
    else say("");
    await editor.ready;
  }

  async function advance() {
    if (mode === "stream") {
      const next = await (prefetched || nextTask([]));
      prefetched = null;
      await show(next);
      if (next) prefetched = nextTask([next.task.id]);
    } else if (mode === "list") {
      listIndex += 1;
      if (listIndex >= list.length) await show(null);
      else await show(await loadTask(list[listIndex]));
    } else {
      await show(await loadTask(current.task.id));
    }
  }

  async function previous() {
    if (mode === "list" && listIndex > 0) {
      listIndex -= 1;
      await show(await loadTask(list[listIndex]));
      return;
    }
    const hist = await get(`/api/projects/${id}/label-stream-history/`);
    const ids = hist.map((x) => x.task_id).filter((t) => !current || t !== current.task.id);
    if (!ids.length) return say("Nothing before this task.");
    navigate(`/projects/${id}/label?task=${ids[0]}`);
  }

  async function save(kind) {
    if (!editor) return;
    const lead = (performance.now() - started) / 1000;
    const result = editor.results();
    try {
      if (kind === "submit" || kind === "update") {
        const missing = editor.missingRequired();
        if (missing.length) return say(missing.join("; "), "error");
      }
      if (kind === "submit") {
        const body = { result, lead_time: lead };
        if (current.prediction) body.parent_prediction = current.prediction.id;
        if (current.draft) body.draft_id = current.draft.id;
        const out = await post(`/api/tasks/${current.task.id}/annotations/`, body);
        say(`Submitted annotation #${out.id}.`, "ok");
      } else if (kind === "update") {
        await patch(`/api/annotations/${current.annotation.id}/`, { result, lead_time: lead });
        say(`Updated annotation #${current.annotation.id}.`, "ok");
        if (mode === "task") {
          current = await loadTask(current.task.id);
          renderButtons();
          return;
        }
      } else if (kind === "skip") {
        await post(`/api/tasks/${current.task.id}/annotations/`, { result: [], was_cancelled: true, lead_time: lead });
        say(`Skipped task #${current.task.id}.`);
      } else if (kind === "postpone") {
        await post(`/api/tasks/${current.task.id}/drafts`, { result, was_postponed: true, lead_time: lead });
        say(`Postponed task #${current.task.id}.`);
      }
      const message = status.textContent;
      await advance();
      say(message, "ok");
    } catch (err) {
      say(err instanceof ApiError ? err.messages().join("; ") : String(err), "error");
    }
  }

  const onKey = (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && current) {
      e.preventDefault();
      save(current.annotation ? "update" : "submit");
    }
  };
  document.addEventListener("keydown", onKey);

  const [tree, project, first, module] = await Promise.all([treeP, projectP, firstTaskP, editorModule]);
  Editor = module.Editor;
  performance.mark("lsx:data");
  if (project.show_instruction && project.expert_instruction) {
    instructions.hidden = false;
    instructions.open = true;
    instructions.append(h("div", {}, sanitizeHTML(project.expert_instruction)));
  }
  await show(first);
  if (mode === "stream" && first) prefetched = nextTask([first.task.id]);

  return {
    destroy() {
      document.removeEventListener("keydown", onKey);
      if (editor) editor.destroy();
    },
    get editor() { return editor; },
  };
}
