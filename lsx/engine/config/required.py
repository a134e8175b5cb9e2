"""`required` controls: which answers an annotation still lacks before it may be submitted.

Shape checks live in results.py; this is the completeness rule Label Studio's editor enforces
on submit (`required` / `requiredMessage`, per region for perRegion controls), kept in the engine
so every front end blocks the same submissions.
"""

from __future__ import annotations

from typing import Any

from lsx.engine.config.model import ControlTag, LabelConfig, Tag
from lsx.engine.errors import Problem


def _answered(item: dict[str, Any], ctl: ControlTag) -> bool:
    value = item.get("value")
    if not isinstance(value, dict):
        return False
    answer = value.get(ctl.value_key) if ctl.value_key else value
    return answer not in (None, [], "", {})


def _conditions(root: Tag) -> dict[str, list[Tag]]:
    """Control name -> the tags (its own and enclosing Views) carrying a visibleWhen rule."""
    out: dict[str, list[Tag]] = {}

    def visit(node: Tag, rules: list[Tag]) -> None:
        here = [*rules, node] if node.attrs.get("visibleWhen") else rules
        name = node.attrs.get("name")
        if node.kind == "control" and isinstance(name, str):
            out[name] = here
        for child in node.children:
            visit(child, here)

    visit(root, [])
    return out


def _choice_visible(rule: Tag, result: list[dict[str, Any]]) -> bool | None:
    """choice-selected / choice-unselected; None for region rules (decided per region)."""
    when = rule.attrs.get("visibleWhen")
    if when not in ("choice-selected", "choice-unselected"):
        return None
    tags = set(rule.attrs.get("whenTagName") or ())
    wanted = set(rule.attrs.get("whenChoiceValue") or ())
    chosen: set[str] = set()
    for item in result:
        if item.get("type") == "choices" and (not tags or item.get("from_name") in tags):
            for c in (item.get("value") or {}).get("choices") or []:
                chosen.add(c if isinstance(c, str) else "/".join(map(str, c)))
                if isinstance(c, list):
                    chosen.update(map(str, c))
    selected = bool(chosen & wanted) if wanted else bool(chosen)
    return selected if when == "choice-selected" else not selected


def missing_required(config: LabelConfig, result: list[dict[str, Any]]) -> list[Problem]:
    """One problem per `required` control left unanswered (hidden controls are not required)."""
    problems: list[Problem] = []
    rules = config._cache.get("required_rules")
    if rules is None:
        rules = config._cache["required_rules"] = _conditions(config.root)
    regions = [
        r
        for r in result
        if isinstance(r, dict)
        and r.get("type") != "relation"
        and "id" in r
        and (config.control_for(str(r.get("from_name"))) or _NONE).tag.endswith("Labels")
    ]
    for ctl in config.controls.values():
        if not ctl.node.get("required", False):
            continue
        visible = [_choice_visible(rule, result) for rule in rules.get(ctl.name, [])]
        if any(v is False for v in visible):
            continue
        message = ctl.node.get("requiredMessage") or f'"{ctl.name}" ({ctl.tag}) is required'
        mine = [r for r in result if isinstance(r, dict) and r.get("from_name") == ctl.name and _answered(r, ctl)]
        if ctl.per_region:
            done = {r.get("id") for r in mine}
            tag_names = set(ctl.node.get("whenTagName") or ())
            label_values = set(ctl.node.get("whenLabelValue") or ())
            for region in regions:
                if tag_names and region.get("from_name") not in tag_names:
                    continue
                labels = set(next((v for k, v in (region.get("value") or {}).items() if k.endswith("labels")), []))
                if label_values and not labels & label_values:
                    continue
                if region.get("id") not in done:
                    problems.append(Problem(message=f"{message} (region {region.get('id')})", field=ctl.name))
        elif not mine:
            problems.append(Problem(message=str(message), field=ctl.name))
    return problems


class _NoControl:
    tag = ""


_NONE: Any = _NoControl()
