"""Config changes on a project that has annotations: refuse what would orphan them (issue 3,
Build 6). The engine counts what is in use (from the DB) and passes it here as `ConfigUsage`."""

from __future__ import annotations

from dataclasses import dataclass, field

from lsx.engine.config.model import LabelConfig
from lsx.engine.errors import Problem

# TextArea answers stay meaningful whatever they point at (Label Studio exempts their to_name).
_TO_NAME_EXEMPT = frozenset({"textarea"})


@dataclass
class ConfigUsage:
    """What existing annotations use: (from_name, to_name, type) -> count, control -> label -> count."""

    tuples: dict[tuple[str, str, str], int] = field(default_factory=dict)
    labels: dict[str, dict[str, int]] = field(default_factory=dict)


def _n(count: int) -> str:
    return f"{count} annotation{'s' if count != 1 else ''}"


def check_config_change(old: LabelConfig | None, new: LabelConfig, usage: ConfigUsage) -> list[Problem]:
    """Problems listing each control, object or label in use that the new config drops."""
    problems: list[Problem] = []
    where = "config change"
    for (from_name, to_name, typ), count in sorted(usage.tuples.items()):
        if count <= 0:
            continue
        if typ == "relation":
            continue
        ctl = new.control_for(from_name)
        if ctl is None:
            old_tag = old.control_for(from_name) if old is not None else None
            what = f'<{old_tag.tag} name="{from_name}">' if old_tag else f'control "{from_name}"'
            problems.append(
                Problem(
                    f"{what} is used by {_n(count)} but is not in the new config",
                    where=where,
                    field=from_name,
                    extra={"count": count},
                )
            )
            continue
        types = {ctl.result_type}
        if ctl.tag == "MagicWand":
            types |= {"brushlabels", "brush"}
        if typ not in types:
            problems.append(
                Problem(
                    f'<{ctl.tag} name="{from_name}"> now emits "{ctl.result_type}", but {_n(count)} '
                    f'hold "{typ}" results',
                    where=where,
                    field=from_name,
                    extra={"count": count},
                )
            )
            continue
        if typ in _TO_NAME_EXEMPT:
            continue
        targets = set(ctl.to_name) | ({ctl.name} if ctl.tag == "Pairwise" else set())
        for t in to_name.split(","):
            if t in targets or (new.object_for(t) is not None and ctl.pattern is not None):
                continue
            problems.append(
                Problem(
                    f'<{ctl.tag} name="{from_name}"> no longer labels "{t}", used by {_n(count)}',
                    where=where,
                    field=from_name,
                    extra={"count": count},
                )
            )
    for name, labels in sorted(usage.labels.items()):
        used = {lab: n for lab, n in labels.items() if n > 0}
        if not used:
            continue
        ctl = new.control_for(name)
        if ctl is None:
            if not any(k[0] == name for k in usage.tuples):
                total = sum(used.values())
                problems.append(
                    Problem(
                        f'control "{name}" has labels in use ({_n(total)}) but is not in the new config',
                        where=where,
                        field=name,
                        extra={"count": total},
                    )
                )
            continue
        if ctl.dynamic:
            continue
        known = set(ctl.labels) | set(ctl.label_values)
        if ctl.paths:
            known |= {p[-1] for p in ctl.paths}
        missing = {lab: n for lab, n in used.items() if lab not in known}
        if missing:
            listing = ", ".join(f'"{lab}" ({_n(n)})' for lab, n in sorted(missing.items()))
            problems.append(
                Problem(
                    f'<{ctl.tag} name="{name}"> drops labels still in use: {listing}',
                    where=where,
                    field=name,
                    extra={"labels": missing, "count": sum(missing.values())},
                )
            )
    return problems
