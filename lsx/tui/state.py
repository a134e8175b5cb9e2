"""The annotation being edited: regions, relations and per-control answers, with undo/redo,
loaded from and written to Label Studio's `result` list (reference §2.2).

Only structure lives here (what a result looks like); whether it is valid is the engine's call.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from lsx.tui.ids import region_id
from lsx.tui.spec import SPAN_CONTROLS, ControlSpec, FormSpec
from lsx.tui.textdoc import TextDoc


@dataclass
class Region:
    """A span on a text object, labeled by one span control."""

    id: str
    from_name: str
    to_name: str
    type: str
    geometry: dict[str, Any]  # start/end/text (or paragraph / xpath fields)
    labels: list[str]
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # perRegion control -> {value_key: ...}
    origin: str = "manual"
    score: float | None = None

    def span(self, doc: TextDoc | None) -> tuple[int, int] | None:
        return doc.offsets_of(self.geometry) if doc is not None else None


@dataclass
class Answer:
    """A classification (not attached to a region): one per control."""

    id: str
    value: dict[str, Any]
    origin: str = "manual"
    score: float | None = None


@dataclass
class Relation:
    from_id: str
    to_id: str
    direction: str = "right"
    labels: list[str] = field(default_factory=list)


@dataclass
class Snapshot:
    regions: list[Region]
    answers: dict[str, Answer]
    relations: list[Relation]
    selected: str | None


def _changed(origin: str) -> str:
    return "prediction-changed" if origin == "prediction" else origin


class AnnotationState:
    """Everything the annotator did to the current task; each change is one undo step."""

    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec
        self.regions: list[Region] = []
        self.answers: dict[str, Answer] = {}
        self.relations: list[Relation] = []
        self.selected: str | None = None
        self._undo: list[Snapshot] = []
        self._redo: list[Snapshot] = []
        self.dirty = False

    # --- undo -----------------------------------------------------------------------------------

    def _snap(self) -> Snapshot:
        return Snapshot(copy.deepcopy(self.regions), copy.deepcopy(self.answers), copy.deepcopy(self.relations),
                        self.selected)

    def _restore(self, s: Snapshot) -> None:
        self.regions, self.answers, self.relations, self.selected = s.regions, s.answers, s.relations, s.selected

    def checkpoint(self) -> None:
        """Call before a change: the state now becomes one undo step."""
        self._undo.append(self._snap())
        self._redo.clear()
        self.dirty = True

    def drop_checkpoint(self) -> None:
        """The change was refused: forget its undo step and go back."""
        if self._undo:
            self._restore(self._undo.pop())

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self._snap())
        self._restore(self._undo.pop())
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self._snap())
        self._restore(self._redo.pop())
        return True

    # --- regions --------------------------------------------------------------------------------

    def region(self, rid: str | None) -> Region | None:
        return next((r for r in self.regions if r.id == rid), None)

    def add_region(self, ctl: ControlSpec, to_name: str, geometry: dict[str, Any], label: str) -> Region:
        self.checkpoint()
        r = Region(region_id(), ctl.name, to_name, ctl.result_type, geometry, [label])
        self.regions.append(r)
        self.selected = r.id
        return r

    def toggle_region_label(self, region: Region, ctl: ControlSpec, label: str) -> None:
        self.checkpoint()
        if label in region.labels:
            if len(region.labels) > 1:
                region.labels.remove(label)
        elif ctl.multiple:
            region.labels.append(label)
        else:
            region.labels = [label]
        region.origin = _changed(region.origin)

    def delete_region(self, rid: str) -> None:
        self.checkpoint()
        self.regions = [r for r in self.regions if r.id != rid]
        self.relations = [x for x in self.relations if rid not in (x.from_id, x.to_id)]
        if self.selected == rid:
            self.selected = None

    def select_step(self, step: int) -> None:
        if not self.regions:
            self.selected = None
            return
        ids = [r.id for r in self.regions]
        i = ids.index(self.selected) if self.selected in ids else (-1 if step > 0 else len(ids))
        self.selected = ids[(i + step) % len(ids)]

    # --- relations ------------------------------------------------------------------------------

    def add_relation(self, from_id: str, to_id: str) -> Relation:
        self.checkpoint()
        rel = Relation(from_id, to_id)
        self.relations.append(rel)
        return rel

    def set_relation_label(self, rel: Relation, label: str) -> None:
        self.checkpoint()
        rel.labels = [x for x in rel.labels if x != label] if label in rel.labels else [*rel.labels, label]

    def delete_relation(self, rel: Relation) -> None:
        self.checkpoint()
        self.relations.remove(rel)

    # --- answers (classifications and per-region answers) -------------------------------------

    def answer(self, ctl: ControlSpec) -> dict[str, Any] | None:
        if ctl.per_region:
            r = self.region(self.selected)
            return r.answers.get(ctl.name) if r else None
        a = self.answers.get(ctl.name)
        return a.value if a else None

    def set_answer(self, ctl: ControlSpec, value: dict[str, Any] | None) -> None:
        """Set (or clear with None) the control's answer, on the selected region when perRegion."""
        self.checkpoint()
        if ctl.per_region:
            r = self.region(self.selected)
            if r is None:
                return
            if value is None:
                r.answers.pop(ctl.name, None)
            else:
                r.answers[ctl.name] = value
            return
        old = self.answers.get(ctl.name)
        if value is None:
            self.answers.pop(ctl.name, None)
        elif old is None:
            self.answers[ctl.name] = Answer(region_id(), value)
        else:
            old.value = value
            old.origin = _changed(old.origin)

    def clear(self) -> None:
        self.checkpoint()
        self.regions, self.answers, self.relations, self.selected = [], {}, [], None

    @property
    def empty(self) -> bool:
        return not (self.regions or self.answers or self.relations)

    # --- Label Studio's result list -------------------------------------------------------------

    def result(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for r in self.regions:
            item = {"value": {**r.geometry, r.type: list(r.labels)}, "id": r.id, "from_name": r.from_name,
                    "to_name": r.to_name, "type": r.type, "origin": r.origin}
            if r.score is not None:
                item["score"] = r.score
            out.append(item)
            for name, value in r.answers.items():
                ctl = self.spec.controls.get(name)
                if ctl is None:
                    continue
                geometry = {k: v for k, v in r.geometry.items() if k not in value}
                out.append({"value": {**geometry, **value}, "id": r.id, "from_name": name, "to_name": r.to_name,
                            "type": ctl.result_type, "origin": r.origin})
        for rel in self.relations:
            out.append({"from_id": rel.from_id, "to_id": rel.to_id, "type": "relation",
                        "direction": rel.direction, "labels": list(rel.labels)})
        for name, ctl in self.spec.controls.items():
            a = self.answers.get(name)
            if a is None:
                continue
            item = {"value": copy.deepcopy(a.value), "id": a.id, "from_name": name, "to_name": ctl.output_to_name,
                    "type": ctl.result_type, "origin": a.origin}
            if a.score is not None:
                item["score"] = a.score
            out.append(item)
        return out

    def load(self, result: list[dict[str, Any]] | None, *, origin: str | None = None) -> None:
        """Replace everything with a stored result (draft, annotation or prediction)."""
        self.regions, self.answers, self.relations, self.selected = [], {}, [], None
        self._undo.clear()
        self._redo.clear()
        self.dirty = False
        later: list[dict[str, Any]] = []
        for item in result or []:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "relation":
                self.relations.append(Relation(str(item.get("from_id")), str(item.get("to_id")),
                                               str(item.get("direction") or "right"), list(item.get("labels") or [])))
                continue
            ctl = self.spec.controls.get(str(item.get("from_name")))
            value = item.get("value") if isinstance(item.get("value"), dict) else {}
            if ctl is None:
                continue
            org = origin or str(item.get("origin") or "manual")
            if ctl.tag in SPAN_CONTROLS:
                geometry = {k: v for k, v in value.items() if k != ctl.value_key}
                self.regions.append(Region(str(item.get("id") or region_id()), ctl.name, str(item.get("to_name")),
                                           ctl.result_type, geometry, list(value.get(ctl.value_key) or []),
                                           origin=org, score=item.get("score")))
            elif ctl.per_region:
                later.append(item)
            else:
                self.answers[ctl.name] = Answer(str(item.get("id") or region_id()), dict(value), org,
                                                item.get("score"))
        for item in later:
            ctl = self.spec.controls[str(item.get("from_name"))]
            region = self.region(str(item.get("id")))
            if region is not None and ctl.value_key:
                region.answers[ctl.name] = {ctl.value_key: item["value"].get(ctl.value_key)}
