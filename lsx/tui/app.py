"""The labeling app: one screen that shows a task, takes keys, and runs the session (next,
submit, skip, postpone, drafts, heartbeat, history) through a `LabelingBackend`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from lsx.engine.errors import AuthenticationFailed, LsxError
from lsx.tui.backend import BackendUnavailable, LabelingBackend, Progress, TaskView
from lsx.tui.checks import config_of, shape_problems, submit_problems
from lsx.tui.help import HelpScreen, key_table
from lsx.tui.hotkeys import assign_hotkeys
from lsx.tui.render import Rendered, doc_for, object_node, render_form, shape
from lsx.tui.rescue import save_file_draft
from lsx.tui.spec import SPAN_CONTROLS, ControlSpec, FormSpec, Option, build_spec, check_terminal_config
from lsx.tui.state import AnnotationState
from lsx.tui.visibility import control_visible, rule_holds
from lsx.tui.widgets.controls import TextAreaField
from lsx.tui.widgets.regions import RegionList
from lsx.tui.widgets.spantext import Mark, SpanText

R = TypeVar("R")
FATAL = (BackendUnavailable, AuthenticationFailed)
DEFAULT_COLOURS = ["#FF6B6B", "#FFA94D", "#4DABF7", "#69DB7C", "#DA77F2", "#FFD43B", "#38D9A9", "#F783AC"]


class LabelApp(App[int]):
    """`lsx label`: label the tasks a backend serves until none are left or `q`."""

    TITLE = "lsx label"
    CSS = """
    #top { height: 1; background: $primary; color: $text; padding: 0 1; }
    #body { height: 1fr; }
    #form { width: 2fr; height: 1fr; }
    #side { width: 1fr; height: 1fr; border-left: solid $primary; }
    #msg { height: auto; max-height: 3; padding: 0 1; }
    #msg.error { color: $error; text-style: bold; }
    #keys { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    #banner { height: auto; padding: 0 1; background: $warning 30%; }
    .ruled { height: auto; }
    .header { padding: 0 1; margin-top: 1; }
    .object { padding: 0 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "submit", priority=True),
        Binding("enter", "submit", "submit"),
        Binding("ctrl+k", "skip", "skip", priority=True),
        Binding("ctrl+o", "postpone", "postpone", priority=True),
        Binding("ctrl+z", "undo", "undo"),
        Binding("ctrl+y", "redo", "redo"),
        Binding("pageup", "history(-1)", "previous"),
        Binding("pagedown", "history(1)", "next"),
        Binding("escape", "escape", "leave field"),
        Binding("question_mark", "help", "help"),
        Binding("q", "quit_session", "quit"),
        Binding("ctrl+q", "quit_session", "quit", priority=True),
        Binding("left_square_bracket", "select_region(-1)", "previous region"),
        Binding("right_square_bracket", "select_region(1)", "next region"),
        Binding("delete,backspace", "delete_region", "delete region"),
        Binding("ctrl+r", "relate", "relation"),
        Binding("ctrl+x", "clear_predictions", "clear pre-annotations"),
    ]

    def __init__(self, backend: LabelingBackend, *, accept_reject: bool = False, prefetch: bool = True,
                 heartbeat_every: float = 60.0) -> None:
        super().__init__()
        self.backend = backend
        self.accept_reject = accept_reject
        self.prefetch_enabled = prefetch
        self.heartbeat_every = heartbeat_every
        self.config = config_of(backend.label_config())
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lsx-label")
        self.current: TaskView | None = None  # what is on screen
        self.live: TaskView | None = None  # the task served to label (not a history view)
        self.live_state: AnnotationState | None = None
        self.state: AnnotationState | None = None
        self.spec: FormSpec | None = None
        self.hotkeys: dict[str, tuple[ControlSpec, Option]] = {}
        self.rendered = Rendered()
        self.prediction_id: int | None = None
        self.shown_at = time.monotonic()
        self.prefetched: Future[TaskView | None] | None = None
        self.ignored: list[int] = []
        self.seen: list[int] = []  # task ids served, oldest first (history)
        self.pos: int | None = None  # index into seen while viewing history
        self.decisions: list[tuple[int, int | None]] = []  # accept-reject: (task, annotation id or None)
        self.progress: Progress | None = None  # counted in the background after the first paint
        self.progress_loaded = asyncio.Event()  # set when the first count arrived (or failed)
        self._history: Future[list[int]] | None = None  # the annotator's earlier tasks, loaded after paint
        self._history_merged = False
        self._leaving = False  # the session is ending: the worker takes no more jobs
        self.pending_from: str | None = None  # relation being drawn from this region
        self.relation_labeling: Any = None
        self.last_coalesce: str | None = None
        self.message = ""
        self.exit_message: str | None = None
        self.finished = False
        self.submitted: list[int] = []  # annotation ids created in this session
        self.on_shown: Callable[[], None] | None = None  # bench hook
        self._shape: tuple[Any, ...] | None = None

    # --- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="top")
        yield Static("", id="banner")
        with Horizontal(id="body"):
            yield VerticalScroll(id="form")
            with VerticalScroll(id="side"):
                yield RegionList(id="regions")
        yield Static("", id="msg")
        yield Static(self._keys_line(), id="keys")

    def _keys_line(self) -> Text:
        if self.accept_reject:
            s = "a accept · x reject · Space ignore · u undo · PgUp history · ? help · q quit"
        else:
            s = "Enter submit · ^K skip · ^O postpone · ^Z/^Y undo/redo · PgUp/PgDn history · ? help · q quit"
        return Text(s)

    async def on_mount(self) -> None:
        self._ui_loop = asyncio.get_running_loop()
        for box in self.query(VerticalScroll):
            box.can_focus = False  # Tab goes to text and fields, never to a scroll box
        # The first task goes on screen before anything else is asked of the database: the history,
        # the progress counts and the prefetch of the next task start once it is drawn.
        await self._advance(first=True)
        if self.exit_message is None:
            self.call_after_refresh(self._after_first_paint)
        self.set_interval(self.heartbeat_every, self._heartbeat)

    def _after_first_paint(self) -> None:
        from lsx.tui.startup import release_gc

        release_gc()  # `lsx label` started without the garbage collector (lsx.tui.startup)
        if self.exit_message is not None or self._leaving:
            return
        if self.prefetched is None:
            self._start_prefetch()  # the worker runs one job at a time: the next task comes first
        self._history = self.pool.submit(self.backend.history)
        self._history.add_done_callback(self._from_worker(self._history_arrived))
        self._load_progress()

    def _from_worker(self, fn: Callable[[Future[Any]], None]) -> Callable[[Future[Any]], None]:
        """A done-callback run by the worker thread, handed to the UI's loop (never block the worker
        on the UI: the UI may be waiting for this worker's next job)."""

        def hand_over(fut: Future[Any]) -> None:
            if fut.cancelled():
                return
            try:
                self._ui_loop.call_soon_threadsafe(fn, fut)
            except RuntimeError:  # the app has ended and its loop is closed
                pass

        return hand_over

    def _arrived(self, fut: Future[R]) -> tuple[bool, R | None]:
        """A background call's answer, its error handled as `_guard` does (none once leaving)."""
        if self.exit_message is not None or self._leaving or not self.is_running:
            return False, None
        return self._guard(fut.result)

    def _history_arrived(self, fut: Future[list[int]]) -> None:
        ok, hist = self._arrived(fut)
        if ok:
            self._merge_history(hist or [])

    def _merge_history(self, hist: list[int]) -> None:
        """Tasks served before this session, oldest first, ahead of those served since."""
        if self._history_merged:
            return
        self._history_merged = True
        older = [t for t in reversed(hist) if t not in self.seen]
        if older:
            self.seen[:0] = older
            if self.pos is not None:
                self.pos += len(older)

    def _load_progress(self) -> None:
        if self._leaving:
            return
        fut = self.pool.submit(self.backend.progress)
        fut.add_done_callback(self._from_worker(self._progress_arrived))

    def _progress_arrived(self, fut: Future[Progress]) -> None:
        ok, got = self._arrived(fut)
        if ok and got is not None:
            self.progress = got
            self._topbar()
            if self.finished:
                self._done_text()
        self.progress_loaded.set()

    # --- calling the backend -------------------------------------------------------------------

    def _guard(self, fn: Callable[[], R]) -> tuple[bool, R | None]:
        """Run a backend call: user errors become a message; a lost backend ends the session
        with the work saved to a file."""
        try:
            return True, fn()
        except FATAL as exc:
            self._fatal(exc)
            return False, None
        except LsxError as exc:
            self.say(str(exc), error=True)
            return False, None

    def _fatal(self, exc: Exception) -> None:
        where = ""
        if self.live is not None and self.live_state is not None and not self.live_state.empty:
            path = save_file_draft(project_id=self.backend.project_id, task_id=self.live.id,
                                   result=self.live_state.result(), where=self.backend.where,
                                   user=self.backend.user, reason=str(exc))
            where = f" Your work on task {self.live.id} is saved in {path}."
        self.exit_message = f"{exc}.{where}"
        self.say(self.exit_message, error=True)
        self._leaving = True
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.exit(1, return_code=1)

    def _heartbeat(self) -> None:
        ids = [t.id for t in (self.live,) if t is not None]
        if self.prefetched is not None and self.prefetched.done() and self.prefetched.exception() is None:
            nxt = self.prefetched.result()
            if nxt is not None:
                ids.append(nxt.id)
        for tid in ids:
            self.pool.submit(self.backend.heartbeat, tid)

    def _start_prefetch(self) -> None:
        if not self.prefetch_enabled or self.live is None or self._leaving:
            return
        exclude = [self.live.id, *self.ignored]
        self.prefetched = self.pool.submit(self.backend.next, exclude)

    def _take_prefetch(self) -> tuple[bool, TaskView | None]:
        fut, self.prefetched = self.prefetched, None
        if fut is None:
            return False, None
        ok, got = self._guard(fut.result)
        return ok, got

    def _drop_prefetch(self) -> None:
        fut, self.prefetched = self.prefetched, None
        if fut is None:
            return
        try:
            got = fut.result()
        except Exception:
            return
        if got is not None:
            self._guard(lambda: self.backend.release(got.id))

    # --- showing a task -------------------------------------------------------------------------

    async def _advance(self, *, first: bool = False) -> None:
        """Show the next task: the prefetched one if any, else ask the backend."""
        had, nxt = self._take_prefetch()
        if not had or nxt is None:
            ok, nxt = self._guard(lambda: self.backend.next(self.ignored))
            if not ok:
                return
        if nxt is None:
            await self._show_done()
            return
        self.live, self.pos = nxt, None
        if nxt.id in self.seen:
            self.seen.remove(nxt.id)
        self.seen.append(nxt.id)
        await self._show(nxt)
        self.live_state = self.state
        if not first:  # the first prefetch waits for the first paint (_after_first_paint)
            self._start_prefetch()

    async def _show_done(self) -> None:
        self.live, self.live_state, self.current, self.state = None, None, None, None
        self.finished = True
        form = self.query_one("#form", VerticalScroll)
        await form.remove_children()
        await form.mount(Static(id="done"))
        self._done_text()
        self.query_one("#regions", RegionList).update("")
        self.query_one("#banner", Static).display = False
        self._topbar()

    def _done_text(self) -> None:
        p = self.progress
        done = f" You finished {p.done} task(s)." if p else ""
        for w in self.query("#done").results(Static):
            w.update(Text(f"No more tasks to label in “{self.backend.project_title}”.{done}\n"
                          "PgUp reviews what you labeled; q quits.", style="bold"))

    async def _show(self, task: TaskView, *, state: AnnotationState | None = None) -> None:
        started = time.perf_counter()
        tree = self.backend.interface(task)
        check_terminal_config(tree)
        spec = build_spec(tree)
        self.hotkeys = assign_hotkeys(spec)
        self.spec, self.current = spec, task
        self.prediction_id = None
        self.pending_from, self.relation_labeling, self.last_coalesce = None, None, None
        if state is None:
            state = AnnotationState(spec)
            if task.annotation is not None:
                state.load(task.annotation.get("result"))
            elif task.draft is not None and not self.accept_reject:
                state.load(task.draft)
            elif task.predictions:
                pred = task.predictions[-1]
                state.load(pred.get("result"), origin="prediction")
                self.prediction_id = pred.get("id")
        self.state = state
        form = self.query_one("#form", VerticalScroll)
        same = shape(tree)
        reuse = same is not None and same == self._shape and bool(self.rendered.widgets)
        self._shape = same
        with self.batch_update():
            if reuse:  # same config, only the text changed: keep the widgets
                for name, w in self.rendered.texts.items():
                    doc = doc_for(object_node(spec, name))
                    self.rendered.docs[name] = doc
                    w.set_doc(doc)
                for cw in self.rendered.controls.values():
                    cw.reset()
            else:
                self.rendered = render_form(spec, self, self._marks_for)
                await form.remove_children()
                await form.mount_all(self.rendered.widgets)
            form.scroll_home(animate=False)
            self.query_one("#side").display = bool(spec.span_controls()) and not self.accept_reject
            self._banner()
            self.sync()
            texts = list(self.rendered.texts.values())
            if texts and not self.accept_reject:
                texts[0].focus()
            else:
                self.set_focus(None)
        self.shown_at = time.monotonic()
        self.render_ms = (time.perf_counter() - started) * 1000
        self.say("")
        if self.on_shown is not None:
            self.call_after_refresh(self.on_shown)

    def _banner(self) -> None:
        banner = self.query_one("#banner", Static)
        t = self.current
        if t is None:
            banner.display = False
            return
        if self.accept_reject and self.pos is None:
            if t.predictions:
                p = t.predictions[-1]
                score = f", score {p['score']:.2f}" if isinstance(p.get("score"), (int, float)) else ""
                banner.update(Text(f"Prediction {p.get('model_version') or ''}{score}:  a accept · x reject · "
                                   "Space ignore · u undo", style="bold"))
            else:
                banner.update(Text("This task has no prediction: Space passes it, u undoes", style="bold"))
            banner.display = True
        elif self.pos is not None:
            ann = t.annotation
            what = ("skipped" if ann.get("was_cancelled") else "your annotation") if ann else "not labeled by you"
            banner.update(Text(f"History: task {t.id} ({what}). Enter saves changes · PgDn goes forward",
                               style="bold"))
            banner.display = True
        elif self.prediction_id is not None:
            banner.update(Text("Pre-annotated from a prediction: edit it, submit it, or Ctrl+X clears it"))
            banner.display = True
        else:
            banner.display = False

    def _topbar(self) -> None:
        t, p = self.current, self.progress
        parts = [f"{self.backend.project_title}"]
        if t is not None:
            parts.append(f"task {t.id}" + (f" (#{t.inner_id})" if t.inner_id else ""))
            if t.queue:
                parts.append(f"queue: {t.queue}")
        if p is not None:
            parts.append(f"done {p.done} · remaining {p.remaining}")
        parts.append(self.backend.user)
        self.query_one("#top", Static).update(Text(" · ".join(parts)))

    def _colours(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        if self.spec is None:
            return out
        n = 0
        for ctl in self.spec.span_controls():
            for opt in ctl.options:
                out[(ctl.name, opt.value)] = opt.background or DEFAULT_COLOURS[n % len(DEFAULT_COLOURS)]
                n += 1
        return out

    def _marks_for(self, obj: str) -> Callable[[], list[Mark]]:
        def marks() -> list[Mark]:
            st = self.state
            doc = self.rendered.docs.get(obj)
            if st is None or doc is None:
                return []
            colours = self._colours()
            out = []
            for r in st.regions:
                if r.to_name != obj:
                    continue
                span = r.span(doc)
                if span is None:
                    continue
                colour = colours.get((r.from_name, r.labels[0]) if r.labels else ("", ""), "grey70")
                out.append(Mark(span[0], span[1], colour, ",".join(r.labels), r.id == st.selected))
            return out

        return marks

    def sync(self) -> None:
        """Redraw everything from the annotation state (after every change)."""
        st = self.state
        if st is None:
            return
        for box, rules in self.rendered.ruled:
            box.display = all(rule_holds(r, st) for r in rules)
        for name, w in self.rendered.controls.items():
            ctl = self.spec.controls[name] if self.spec else None
            if ctl is None:
                continue
            vis = control_visible(ctl, st)
            w.display = vis  # type: ignore[attr-defined]
            if vis:
                w.sync()
        for text in self.rendered.texts.values():
            text.refresh(layout=True)
        self.query_one("#regions", RegionList).show(st, self._colours(), self.pending_from)
        self._topbar()

    def say(self, message: str, *, error: bool = False) -> None:
        self.message = message
        try:
            msg = self.query_one("#msg", Static)
        except Exception:
            return
        msg.update(message)
        msg.set_class(error, "error")

    # --- changing the annotation -----------------------------------------------------------------

    def apply(self, ctl: ControlSpec, value: dict[str, Any] | None, *, coalesce: bool = False) -> bool:
        """Set a control's answer; the engine refuses values that do not fit the config."""
        st = self.state
        if st is None or self._read_only():
            return False
        if ctl.per_region and st.region(st.selected) is None:
            self.say(f"{ctl.name} answers for a region: select one first ([ or ])", error=True)
            return False
        before = len(st._undo)
        if coalesce and self.last_coalesce == ctl.name and st._undo:
            before -= 1  # one undo step for the whole typed value
            saved = st._undo.pop()
            st.set_answer(ctl, value)
            st._undo[-1:] = [saved]
        else:
            st.set_answer(ctl, value)
        self.last_coalesce = ctl.name if coalesce else None
        return self._check_change(before)

    def _check_change(self, before: int) -> bool:
        st, task = self.state, self.current
        if st is None or task is None:
            return False
        problems = shape_problems(self.config, st.result(), task.data)
        if problems:
            if len(st._undo) > before:
                st.drop_checkpoint()
            self.say(problems[0], error=True)
            self.sync()
            return False
        self.say("")
        self.sync()
        return True

    def _read_only(self) -> bool:
        return self.accept_reject and self.pos is None

    def _active_text(self, ctl: ControlSpec) -> SpanText | None:
        focused = self.focused
        if isinstance(focused, SpanText) and focused.doc.object_name in ctl.to_name:
            return focused
        return next((w for n, w in self.rendered.texts.items() if n in ctl.to_name), None)

    def pick(self, ctl: ControlSpec, opt: Option) -> None:
        """An option key: a label on the selected text or region, or a choice."""
        st = self.state
        if st is None or self._read_only():
            return
        if not control_visible(ctl, st):
            self.say(f"{ctl.name} is not shown right now", error=True)
            return
        self.last_coalesce = None
        before = len(st._undo)
        if ctl.tag in SPAN_CONTROLS:
            text = self._active_text(ctl)
            sel = text.selection if text is not None else None
            region = st.region(st.selected)
            if sel is None and region is not None and region.from_name == ctl.name:
                st.toggle_region_label(region, ctl, opt.value)
            elif text is not None:
                if sel is None:
                    s, e = text.doc.unit_at(text.cursor, "word")
                    sel = (s, e) if e > s else None
                if sel is None:
                    self.say("select some text first (Shift+arrows or the mouse)", error=True)
                    return
                st.add_region(ctl, text.doc.object_name, text.doc.span_value(*sel), opt.value)
                text.anchor = text.cursor = sel[1]
            self._check_change(before)
            return
        current = st.answer(ctl) or {}
        if ctl.tag == "Pairwise":
            value: dict[str, Any] | None = None if current.get("selected") == opt.value else {"selected": opt.value}
        else:
            item: Any = list(opt.path) if ctl.nested else opt.value
            chosen = list(current.get("choices") or [])
            if item in chosen:
                chosen.remove(item)
            elif ctl.multiple:
                chosen.append(item)
            else:
                chosen = [item]
            value = {"choices": chosen} if chosen else None
        self.apply(ctl, value)

    async def on_key(self, event: events.Key) -> None:
        if isinstance(self.focused, Input) or isinstance(self.screen, HelpScreen):
            return
        if self.accept_reject and self.pos is None and event.key in ("a", "x", "space", "u"):
            event.stop()
            await self._decide(event.key)
            return
        if self.relation_labeling is not None and self.spec and self.spec.relations:
            labels = self.spec.relations
            if event.character and event.character.isdigit() and 0 < int(event.character) <= len(labels):
                event.stop()
                st = self.state
                if st is not None:
                    st.set_relation_label(self.relation_labeling, labels[int(event.character) - 1])
                self.relation_labeling = None
                self.say("")
                self.sync()
                return
        found = self.hotkeys.get(event.key)
        if found is not None:
            event.stop()
            self.pick(*found)

    def on_span_text_moved(self, event: SpanText.Moved) -> None:
        st = self.state
        if st is not None and st.selected is not None and self.pending_from is None:
            st.selected = None
            self.sync()

    def on_span_text_picked(self, event: SpanText.Picked) -> None:
        st = self.state
        if st is None:
            return
        doc = event.widget.doc
        hits = [r for r in st.regions if r.to_name == doc.object_name and (sp := r.span(doc)) and
                sp[0] <= event.offset < sp[1]]
        st.selected = hits[-1].id if hits else None
        self.sync()

    def on_region_list_clicked(self, event: RegionList.Clicked) -> None:
        if self.state is not None:
            self.state.selected = event.region_id
            self.sync()

    # --- fixed keys ----------------------------------------------------------------------------

    def action_select_region(self, step: int) -> None:
        if self.state is not None:
            self.state.select_step(step)
            self.sync()

    def action_delete_region(self) -> None:
        st = self.state
        if st is None or self._read_only() or st.selected is None:
            return
        st.delete_region(st.selected)
        self.sync()

    def action_relate(self) -> None:
        st = self.state
        if st is None or self._read_only():
            return
        if st.selected is None:
            self.say("select a region first ([ or ]), then Ctrl+R, then the target and Ctrl+R again", error=True)
            return
        if self.pending_from is None or self.pending_from == st.selected:
            self.pending_from = st.selected
            self.say("relation: select the target region with [ or ], then press Ctrl+R (Esc cancels)")
            self.sync()
            return
        source, self.pending_from = self.pending_from, None
        existing = next((x for x in st.relations if x.from_id == source and x.to_id == st.selected), None)
        if existing is not None:
            st.delete_relation(existing)
            self.say("relation removed")
        else:
            rel = st.add_relation(source, st.selected)
            labels = self.spec.relations if self.spec else None
            if labels:
                self.relation_labeling = rel
                self.say("relation label: " + " · ".join(f"{i} {lab}" for i, lab in enumerate(labels, 1))
                         + " (Esc: none)")
            else:
                self.say("relation added")
        self.sync()

    def action_clear_predictions(self) -> None:
        if self.state is not None and not self._read_only():
            self.state.clear()
            self.prediction_id = None
            self._banner()
            self.sync()

    def action_escape(self) -> None:
        if isinstance(self.focused, Input):
            texts = list(self.rendered.texts.values())
            if texts:
                texts[0].focus()
            else:
                self.set_focus(None)
            return
        if self.relation_labeling is not None or self.pending_from is not None:
            self.relation_labeling, self.pending_from = None, None
            self.say("")
        elif isinstance(self.focused, SpanText) and self.focused.selection is not None:
            self.focused.clear_selection()
        elif self.state is not None and self.state.selected is not None:
            self.state.selected = None
        elif self.focused is not None and not isinstance(self.focused, SpanText):
            self.set_focus(None)
        self.sync()

    def action_undo(self) -> None:
        if self.state is not None and self.state.undo():
            self.last_coalesce = None
            self.sync()

    def action_redo(self) -> None:
        if self.state is not None and self.state.redo():
            self.sync()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(key_table(self.hotkeys, self.accept_reject)))

    def _lead_time(self) -> float:
        return round(time.monotonic() - self.shown_at, 3)

    def _flush_fields(self) -> None:
        for w in self.rendered.controls.values():
            if isinstance(w, TextAreaField):
                w.flush()

    async def action_submit(self) -> None:
        st, task = self.state, self.current
        if st is None or task is None or self._read_only():
            return
        self._flush_fields()
        result = st.result()
        problems = submit_problems(self.config, result, task.data)
        if problems:
            self.say(f"not submitted: {problems[0]}" + (f" (+{len(problems) - 1} more)" if len(problems) > 1
                                                         else ""), error=True)
            return
        if self.pos is not None:  # editing a task from history
            ann = task.annotation
            if ann is not None:
                ok, _ = self._guard(lambda: self.backend.update(int(ann["id"]), result))
            else:
                ok, _ = self._guard(lambda: self.backend.submit(task.id, result))
            if ok:
                self.say(f"task {task.id} saved")
            return
        pred = self.prediction_id
        ok, ann_id = self._guard(lambda: self.backend.submit(task.id, result, lead_time=self._lead_time(),
                                                             parent_prediction=pred))
        if not ok:
            return
        self.submitted.append(int(ann_id or 0))
        self._count_done()
        await self._advance()

    def _count_done(self) -> None:
        if self.progress is not None:
            self.progress = Progress(self.progress.done + 1, max(0, self.progress.remaining - 1),
                                     self.progress.total)
            if self.progress.done % 25 == 0:
                self._load_progress()

    async def action_skip(self) -> None:
        task = self.live
        if task is None or self.pos is not None:
            return
        if not task.allow_skip:
            self.say("this task cannot be skipped", error=True)
            return
        ok, _ = self._guard(lambda: self.backend.skip(task.id, lead_time=self._lead_time()))
        if ok:
            await self._advance()

    async def action_postpone(self) -> None:
        task, st = self.live, self.state
        if task is None or st is None or self.pos is not None:
            return
        self._flush_fields()
        ok, _ = self._guard(lambda: self.backend.postpone(task.id, st.result()))
        if ok:
            await self._advance()

    async def action_history(self, step: int) -> None:
        if not self._history_merged:  # still loading (or not asked yet): wait for it
            fut = self._history
            ok, hist = self._guard(fut.result if fut is not None else self.backend.history)
            if not ok:
                return
            self._merge_history(hist or [])
        if not self.seen:
            return
        if self.pos is None:
            if step > 0:
                return
            cur = len(self.seen) - 1 if self.live is not None and self.seen[-1] == self.live.id else len(self.seen)
            target = cur - 1
        else:
            target = self.pos + step
        if target < 0:
            self.say("no earlier task in your history")
            return
        if self.live is not None and target >= len(self.seen) - 1 and self.seen[-1] == self.live.id:
            self.pos = None
            await self._show(self.live, state=self.live_state)
            return
        if target >= len(self.seen):
            self.pos = None
            if self.live is not None:
                await self._show(self.live, state=self.live_state)
            else:
                await self._advance()
            return
        tid = self.seen[target]
        ok, view = self._guard(lambda: self.backend.load(tid))
        if not ok or view is None:
            return
        self.pos = target
        await self._show(view)

    # --- accept / reject ----------------------------------------------------------------------

    async def _decide(self, key: str) -> None:
        task = self.live
        if key == "u":
            await self._undo_decision()
            return
        if task is None:
            return
        pred = task.predictions[-1] if task.predictions else None
        if key == "a":
            if pred is None:
                self.say("no prediction to accept: Space passes the task", error=True)
                return
            result = [{**r, "origin": r.get("origin", "prediction")} if r.get("type") != "relation" else r
                      for r in pred.get("result") or []]
            problems = submit_problems(self.config, result, task.data)
            if problems:
                self.say(f"this prediction does not fit the config: {problems[0]}", error=True)
                return
            ok, ann = self._guard(lambda: self.backend.submit(task.id, result, lead_time=self._lead_time(),
                                                              parent_prediction=pred.get("id")))
            if not ok:
                return
            self.decisions.append((task.id, int(ann or 0)))
            self._count_done()
        elif key == "x":
            ok, ann = self._guard(lambda: self.backend.reject(task.id, pred.get("id") if pred else None,
                                                              lead_time=self._lead_time()))
            if not ok:
                return
            self.decisions.append((task.id, int(ann or 0)))
        else:  # space: ignore
            ok, _ = self._guard(lambda: self.backend.release(task.id))
            if not ok:
                return
            self.ignored.append(task.id)
            self.decisions.append((task.id, None))
        self._drop_prefetch() if key == "space" else None
        await self._advance()

    async def _undo_decision(self) -> None:
        if not self.decisions:
            self.say("nothing to undo")
            return
        task_id, ann = self.decisions.pop()
        if ann is not None:
            ok, _ = self._guard(lambda: self.backend.delete_annotation(ann))
            if not ok:
                return
            if self.progress is not None and self.progress.done:
                self.progress = Progress(self.progress.done - 1, self.progress.remaining + 1, self.progress.total)
        elif task_id in self.ignored:
            self.ignored.remove(task_id)
        self._drop_prefetch()
        if self.live is not None:
            cur = self.live.id
            self._guard(lambda: self.backend.release(cur))
        ok, view = self._guard(lambda: self.backend.load(task_id))
        if not ok or view is None:
            return
        self._guard(lambda: self.backend.heartbeat(task_id))  # take the lock again
        view.annotation, view.queue = None, "undo"
        self.live, self.pos = view, None
        await self._show(view)
        self.live_state = self.state
        self._start_prefetch()
        self.say(f"undone: task {task_id} is back")

    # --- leaving ------------------------------------------------------------------------------

    async def action_quit_session(self) -> None:
        """Quit: the work in progress becomes a draft, locks are given back."""
        live, st = self.live, self.live_state
        if live is not None and st is not None and not self.accept_reject:
            self._flush_fields()
            if (not st.empty and st.dirty) or (st.dirty and live.draft):
                ok, _ = self._guard(lambda: self.backend.save_draft(live.id, st.result(),
                                                                    lead_time=self._lead_time()))
                if not ok:
                    return
        self._drop_prefetch()
        if live is not None:
            ok, _ = self._guard(lambda: self.backend.release(live.id))
            if not ok:
                return
        self._leaving = True
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.exit(0)
