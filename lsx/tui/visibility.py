"""visibleWhen / whenTagName / whenLabelValue / whenChoiceValue and perRegion: whether a control
is on screen for the current state (the editor's rule; hidden controls take no keys)."""

from __future__ import annotations

from lsx.tui.spec import ControlSpec, Rule
from lsx.tui.state import AnnotationState


def _chosen(state: AnnotationState, tag_names: tuple[str, ...]) -> set[str]:
    out: set[str] = set()
    for name, ctl in state.spec.controls.items():
        if ctl.tag != "Choices" or (tag_names and name not in tag_names):
            continue
        value = state.answer(ctl) or {}
        for c in value.get("choices") or []:
            if isinstance(c, list):
                out.update(map(str, c))
            else:
                out.add(str(c))
    return out


def rule_holds(rule: Rule, state: AnnotationState) -> bool:
    region = state.region(state.selected)
    if rule.when == "region-selected":
        if region is None:
            return False
        if rule.tag_names and region.from_name not in rule.tag_names:
            return False
        return not rule.label_values or bool(set(region.labels) & set(rule.label_values))
    if rule.when == "no-region-selected":
        return region is None
    if rule.when in ("choice-selected", "choice-unselected"):
        chosen = _chosen(state, rule.tag_names)
        hit = bool(chosen & set(rule.choice_values)) if rule.choice_values else bool(chosen)
        return hit if rule.when == "choice-selected" else not hit
    return True


def control_visible(ctl: ControlSpec, state: AnnotationState) -> bool:
    if not all(rule_holds(r, state) for r in ctl.rules):
        return False
    if ctl.per_region:
        region = state.region(state.selected)
        if region is None:
            return False
        tags = ctl.attrs.get("whenTagName") or ()
        labels = ctl.attrs.get("whenLabelValue") or ()
        if tags and region.from_name not in tags:
            return False
        if labels and not set(region.labels) & set(labels):
            return False
    return True
