"""Validation of annotation / prediction `result` lists against a config (issue 3, Build 4).

Runs per task on million-task imports, so every control gets a precompiled checker (closures
over its labels and limits) and problems are only built when something is wrong: a first pass
only answers "clean or not" (no closures, sets or messages); a result it cannot pass is checked
again by the full pass, which words every problem.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lsx.engine.config.catalog import CATALOG
from lsx.engine.config.model import ControlTag, LabelConfig
from lsx.engine.errors import InputError, Problem

# A check returns None when fine, else (field relative to the item, message).
Issue = tuple[str, str] | None
Check = Callable[[dict[str, Any]], Issue]

_NUM = (int, float)
_DIRECTIONS = frozenset({"right", "left", "bi"})
_ORIGINS = frozenset({"manual", "prediction", "prediction-changed"})
_ITEM_NUM_FIELDS = ("original_width", "original_height")
_CORE_KEYS = frozenset({"id", "from_name", "to_name", "type", "value", "origin"})
_INF = math.inf
_PCT_LO = -1e-6
_PCT_HI = 100.0 + 1e-6  # the bound _pct computes for hi=100


def _is_num(v: object) -> bool:
    t = type(v)
    return (t is int or t is float) and v == v and v not in (math.inf, -math.inf)  # type: ignore[operator]


def _pct(value: dict[str, Any], key: str, required: bool = True, hi: float = 100.0) -> Issue:
    v = value.get(key)
    t = type(v)
    if (t is int or t is float) and -1e-6 <= v <= hi + 1e-6:  # in range, hence also finite
        return None
    if v is None:
        return (f"value.{key}", f"value.{key} is missing") if required else None
    if not _is_num(v):
        return f"value.{key}", f"value.{key} must be a number (got {v!r})"
    if v < -1e-6 or v > hi + 1e-6:
        return f"value.{key}", f"value.{key} is {v}, outside 0-{hi:g}"
    return None


def _rotation(value: dict[str, Any]) -> Issue:
    r = value.get("rotation")
    if r is None:
        return None
    if not _is_num(r) or not -360 <= r <= 360:
        return "value.rotation", f"value.rotation must be a number of degrees in -360..360 (got {r!r})"
    return None


# --- geometry checks ------------------------------------------------------------------------


def _rect(v: dict[str, Any]) -> Issue:
    # Inline fast path for the common well-formed box; any doubt goes to the worded checks.
    x, y, w, h, r = v.get("x"), v.get("y"), v.get("width"), v.get("height"), v.get("rotation")
    tx, ty, tw, th = type(x), type(y), type(w), type(h)
    if (
        (tx is float or tx is int)
        and (ty is float or ty is int)
        and (tw is float or tw is int)
        and (th is float or th is int)
        and _PCT_LO <= x <= _PCT_HI
        and _PCT_LO <= y <= _PCT_HI
        and _PCT_LO <= w <= _PCT_HI
        and _PCT_LO <= h <= _PCT_HI
        and (r is None or ((type(r) is int or type(r) is float) and -360 <= r <= 360))
    ):
        return None
    return _pct(v, "x") or _pct(v, "y") or _pct(v, "width") or _pct(v, "height") or _rotation(v)


def _keypoint(v: dict[str, Any]) -> Issue:
    issue = _pct(v, "x") or _pct(v, "y")
    if issue:
        return issue
    w = v.get("width")
    if w is not None and (not _is_num(w) or w < 0):
        return "value.width", f"value.width must be a number >= 0 (got {w!r})"
    return None


def _ellipse(v: dict[str, Any]) -> Issue:
    return _pct(v, "x") or _pct(v, "y") or _pct(v, "radiusX") or _pct(v, "radiusY") or _rotation(v)


def _polygon(v: dict[str, Any]) -> Issue:
    pts = v.get("points")
    if type(pts) is not list:
        return "value.points", "value.points must be a list of [x, y] pairs"
    for i, p in enumerate(pts):
        if (type(p) is not list and type(p) is not tuple) or len(p) != 2:
            return f"value.points[{i}]", f"value.points[{i}] must be an [x, y] pair (got {p!r})"
        x, y = p
        if not (_is_num(x) and _is_num(y)) or not (-1e-6 <= x <= 100 + 1e-6 and -1e-6 <= y <= 100 + 1e-6):
            return f"value.points[{i}]", f"value.points[{i}] must be two numbers in 0-100 (got {p!r})"
    closed = v.get("closed")
    if closed is not None and type(closed) is not bool:
        return "value.closed", f"value.closed must be true or false (got {closed!r})"
    if len(pts) < (3 if closed is not False else 2):
        return "value.points", f"a polygon needs at least {3 if closed is not False else 2} points (got {len(pts)})"
    return None


def _brush(v: dict[str, Any]) -> Issue:
    fmt = v.get("format", "rle")
    if fmt != "rle":
        return "value.format", f'value.format must be "rle" (got {fmt!r})'
    rle = v.get("rle")
    if type(rle) is not list or not rle:
        return "value.rle", "value.rle must be a non-empty list of integers 0-255"
    for x in rle:
        if type(x) is not int or x < 0 or x > 255:
            return "value.rle", f"value.rle must hold integers 0-255 (found {x!r})"
    return None


def _bitmask(v: dict[str, Any]) -> Issue:
    url = v.get("imageDataURL")
    if type(url) is not str or not url.startswith("data:image/"):
        return "value.imageDataURL", "value.imageDataURL must be a data:image/... URL"
    return None


def _vector(v: dict[str, Any]) -> Issue:
    verts = v.get("vertices")
    if type(verts) is not list:
        return "value.vertices", "value.vertices must be a list of points"
    for i, p in enumerate(verts):
        if type(p) is not dict:
            return f"value.vertices[{i}]", f"value.vertices[{i}] must be an object with x and y"
        issue = _pct(p, "x") or _pct(p, "y")
        if issue:
            return f"value.vertices[{i}].{issue[0][6:]}", f"value.vertices[{i}]: {issue[1]}"
    closed = v.get("closed")
    if closed is not None and type(closed) is not bool:
        return "value.closed", "value.closed must be true or false"
    return None


def _int_ge0(v: dict[str, Any], key: str, required: bool = True) -> Issue:
    x = v.get(key)
    if x is None:
        return (f"value.{key}", f"value.{key} is missing") if required else None
    if type(x) is not int or x < 0:
        return f"value.{key}", f"value.{key} must be an integer >= 0 (got {x!r})"
    return None


def _text_span(v: dict[str, Any]) -> Issue:
    issue = _int_ge0(v, "start") or _int_ge0(v, "end")
    if issue:
        return issue
    if v["start"] > v["end"]:
        return "value.end", f"value.start {v['start']} is after value.end {v['end']}"
    t = v.get("text")
    if t is not None and type(t) is not str:
        return "value.text", "value.text must be a string"
    return None


def _ht_span(v: dict[str, Any]) -> Issue:
    for key in ("start", "end"):
        if type(v.get(key)) is not str:
            return f"value.{key}", f"value.{key} must be an XPath string (got {v.get(key)!r})"
    issue = _int_ge0(v, "startOffset") or _int_ge0(v, "endOffset")
    if issue:
        return issue
    g = v.get("globalOffsets")
    if g is not None:
        if type(g) is not dict or type(g.get("start")) is not int or type(g.get("end")) is not int:
            return "value.globalOffsets", "value.globalOffsets must be {start: int, end: int}"
        if g["start"] > g["end"] or g["start"] < 0:
            return "value.globalOffsets", f"value.globalOffsets start {g['start']} is after end {g['end']}"
    return None


def _para_index(x: object) -> int | None:
    if type(x) is int and x >= 0:
        return x
    if type(x) is str and x.isdigit():
        return int(x)
    return None


def _para_span(v: dict[str, Any]) -> Issue:
    s, e = _para_index(v.get("start")), _para_index(v.get("end"))
    if s is None:
        return "value.start", f"value.start must be a paragraph index (got {v.get('start')!r})"
    if e is None:
        return "value.end", f"value.end must be a paragraph index (got {v.get('end')!r})"
    issue = _int_ge0(v, "startOffset", False) or _int_ge0(v, "endOffset", False)
    if issue:
        return issue
    if s > e:
        return "value.end", f"value.start {s} is after value.end {e}"
    so, eo = v.get("startOffset"), v.get("endOffset")
    if s == e and type(so) is int and type(eo) is int and so > eo:
        return "value.endOffset", "value.startOffset is after value.endOffset in one paragraph"
    return None


def _audio_span(v: dict[str, Any]) -> Issue:
    s, e = v.get("start"), v.get("end")
    if not _is_num(s) or s < 0:
        return "value.start", f"value.start must be seconds >= 0 (got {s!r})"
    if not _is_num(e) or e < 0:
        return "value.end", f"value.end must be seconds >= 0 (got {e!r})"
    if s > e:
        return "value.end", f"value.start {s} is after value.end {e}"
    ch = v.get("channel")
    if ch is not None and (type(ch) is not int or ch < 0):
        return "value.channel", f"value.channel must be an integer >= 0 (got {ch!r})"
    return None


def _ts_range(v: dict[str, Any]) -> Issue:
    s, e = v.get("start"), v.get("end")
    for key, x in (("start", s), ("end", e)):
        if not (_is_num(x) or type(x) is str):
            return f"value.{key}", f"value.{key} must be a number or a time string (got {x!r})"
    if type(s) is type(e) and s > e:  # type: ignore[operator]
        return "value.end", f"value.start {s!r} is after value.end {e!r}"
    inst = v.get("instant")
    if inst is not None and type(inst) is not bool:
        return "value.instant", "value.instant must be true or false"
    return None


def _ranges(v: dict[str, Any]) -> Issue:
    rs = v.get("ranges")
    if type(rs) is not list or not rs:
        return "value.ranges", "value.ranges must be a non-empty list of {start, end}"
    for i, r in enumerate(rs):
        if type(r) is not dict or not _is_num(r.get("start")) or not _is_num(r.get("end")):
            return f"value.ranges[{i}]", f"value.ranges[{i}] must be {{start, end}} frame numbers"
        if r["start"] > r["end"] or r["start"] < 0:
            return f"value.ranges[{i}]", f"value.ranges[{i}]: start {r['start']} is after end {r['end']}"
    return None


def _video_seq(v: dict[str, Any]) -> Issue:
    seq = v.get("sequence")
    if type(seq) is not list:
        return "value.sequence", "value.sequence must be a list of keyframes"
    for i, f in enumerate(seq):
        if type(f) is not dict:
            return f"value.sequence[{i}]", f"value.sequence[{i}] must be a keyframe object"
        fr = f.get("frame")
        if type(fr) is not int or fr < 0:
            return f"value.sequence[{i}].frame", f"value.sequence[{i}].frame must be an integer >= 0"
        for key in ("x", "y", "width", "height"):
            issue = _pct(f, key, required=False)
            if issue:
                return f"value.sequence[{i}].{key}", f"value.sequence[{i}]: {issue[1]}"
        en = f.get("enabled")
        if en is not None and type(en) is not bool:
            return f"value.sequence[{i}].enabled", f"value.sequence[{i}].enabled must be true or false"
    fc = v.get("framesCount")
    if fc is not None and (type(fc) is not int or fc < 0):
        return "value.framesCount", "value.framesCount must be an integer >= 0"
    return None


_IMAGE_BY_KEY: tuple[tuple[str, Check], ...] = (
    ("points", _polygon),
    ("radiusX", _ellipse),
    ("rle", _brush),
    ("imageDataURL", _bitmask),
    ("vertices", _vector),
    ("height", _rect),
    ("x", _keypoint),
)


def _image_any(v: dict[str, Any]) -> Issue:
    for key, check in _IMAGE_BY_KEY:
        if key in v:
            return check(v)
    return None


def _video_any(v: dict[str, Any]) -> Issue:
    if "sequence" in v:
        return _video_seq(v)
    if "ranges" in v:
        return _ranges(v)
    return None


GEOMETRY: dict[str, Check] = {
    "rect": _rect,
    "polygon": _polygon,
    "keypoint": _keypoint,
    "ellipse": _ellipse,
    "brush": _brush,
    "bitmask": _bitmask,
    "vector": _vector,
    "htspan": _ht_span,
    "paraspan": _para_span,
    "tsrange": _ts_range,
    "ranges": _ranges,
    "videoseq": _video_seq,
}
BY_OBJECT: dict[str, Check] = {
    "Text": _text_span,
    "HyperText": _ht_span,
    "Paragraphs": _para_span,
    "Audio": _audio_span,
    "AudioPlus": _audio_span,
    "TimeSeries": _ts_range,
    "Image": _image_any,
    "Video": _video_any,
}

# --- answer checks --------------------------------------------------------------------------


def _labels_check(ctl: ControlTag, key: str, required: bool, allowed: Any = None, dynamic: bool | None = None) -> Check:
    allowed = ctl.label_values if allowed is None else allowed
    dynamic = ctl.dynamic if dynamic is None else dynamic
    single = ctl.choice != "multiple"
    fld = f"value.{key}"

    def check(v: dict[str, Any]) -> Issue:
        labels = v.get(key)
        if labels is None:
            return (fld, f"{fld} is missing") if required else None
        if type(labels) is not list:
            return fld, f"{fld} must be a list of labels (got {type(labels).__name__})"
        if single and len(labels) > 1:
            return fld, f'{fld} has {len(labels)} labels but <{ctl.tag} name="{ctl.name}"> allows one'
        for lab in labels:
            if type(lab) is not str:
                return fld, f"{fld} must hold strings (got {lab!r})"
            if not dynamic and lab not in allowed:
                return fld, f'{fld}: "{lab}" is not a label of <{ctl.tag} name="{ctl.name}">'
        return None

    return check


def _choices_check(ctl: ControlTag) -> Check:
    allowed = ctl.label_values
    dynamic = ctl.dynamic
    single = ctl.choice != "multiple"
    nested = ctl.nested
    paths = ctl.paths

    def check(v: dict[str, Any]) -> Issue:
        ch = v.get("choices")
        if type(ch) is not list:
            return "value.choices", "value.choices must be a list" if ch is not None else "value.choices is missing"
        if single and len(ch) > 1:
            return "value.choices", f'value.choices has {len(ch)} choices but <Choices name="{ctl.name}"> is single'
        for c in ch:
            if type(c) is str:
                if not dynamic and c not in allowed:
                    return "value.choices", f'value.choices: "{c}" is not a choice of <Choices name="{ctl.name}">'
            elif nested and type(c) is list and c and all(type(x) is str for x in c):
                if not dynamic and tuple(c) not in paths:
                    return "value.choices", f"value.choices: path {c!r} is not in the choice tree"
            else:
                return "value.choices", f"value.choices must hold strings (got {c!r})"
        return None

    return check


def _taxonomy_check(ctl: ControlTag) -> Check:
    paths = ctl.paths
    leaves = ctl.leaves
    dynamic = ctl.dynamic or bool(ctl.node.get("isEditable", False))
    leafs_only = bool(ctl.node.get("leafsOnly", False))
    max_usages = ctl.node.get("maxUsages")

    def check(v: dict[str, Any]) -> Issue:
        tx = v.get("taxonomy")
        if type(tx) is not list:
            return "value.taxonomy", "value.taxonomy must be a list of paths"
        if type(max_usages) is int and max_usages > 0 and len(tx) > max_usages:
            return "value.taxonomy", f"value.taxonomy has {len(tx)} selections; maxUsages is {max_usages}"
        for p in tx:
            if type(p) is not list or not p or not all(type(x) is str for x in p):
                return "value.taxonomy", f"value.taxonomy items must be non-empty lists of strings (got {p!r})"
            if dynamic:
                continue
            t = tuple(p)
            if t not in paths:
                return "value.taxonomy", f"value.taxonomy: path {p!r} is not in the taxonomy"
            if leafs_only and t not in leaves:
                return "value.taxonomy", f"value.taxonomy: {p!r} is not a leaf (leafsOnly)"
        return None

    return check


def _textarea_check(ctl: ControlTag) -> Check:
    max_sub = ctl.node.get("maxSubmissions")

    def check(v: dict[str, Any]) -> Issue:
        t = v.get("text")
        if type(t) is str:
            return None
        if type(t) is not list:
            return "value.text", "value.text must be a list of strings" if t is not None else "value.text is missing"
        for x in t:
            if type(x) is not str:
                return "value.text", f"value.text must hold strings (got {x!r})"
        if type(max_sub) is int and max_sub > 0 and len(t) > max_sub:
            return "value.text", f"value.text has {len(t)} entries; maxSubmissions is {max_sub}"
        return None

    return check


def _rating_check(ctl: ControlTag) -> Check:
    top = ctl.node.get("maxRating", 5)

    def check(v: dict[str, Any]) -> Issue:
        r = v.get("rating")
        if not _is_num(r) or (type(r) is float and not r.is_integer()):
            return "value.rating", f"value.rating must be an integer (got {r!r})"
        if r < 0 or r > top:
            return "value.rating", f"value.rating {r} is outside 0-{top} (maxRating)"
        return None

    return check


def _number_check(ctl: ControlTag) -> Check:
    lo = ctl.node.get("min")
    hi = ctl.node.get("max")
    lo = lo if _is_num(lo) else None
    hi = hi if _is_num(hi) else None

    def check(v: dict[str, Any]) -> Issue:
        n = v.get("number")
        if not _is_num(n):
            return "value.number", f"value.number must be a number (got {n!r})"
        if lo is not None and n < lo:
            return "value.number", f"value.number {n} is below min {lo}"
        if hi is not None and n > hi:
            return "value.number", f"value.number {n} is above max {hi}"
        return None

    return check


def _datetime_check(ctl: ControlTag) -> Check:
    def check(v: dict[str, Any]) -> Issue:
        d = v.get("datetime")
        if type(d) is not str or not d:
            return "value.datetime", f"value.datetime must be a non-empty string (got {d!r})"
        return None

    return check


def _pairwise_check(ctl: ControlTag) -> Check:
    def check(v: dict[str, Any]) -> Issue:
        s = v.get("selected")
        if s not in ("left", "right"):
            return "value.selected", f'value.selected must be "left" or "right" (got {s!r})'
        return None

    return check


def _ranker_check(ctl: ControlTag, buckets: tuple[str, ...]) -> Check:
    keys = frozenset(buckets) | frozenset(ctl.to_name)

    def check(v: dict[str, Any]) -> Issue:
        r = v.get("ranker")
        if type(r) is not dict:
            return "value.ranker", "value.ranker must be an object of bucket -> item ids"
        for k, ids in r.items():
            if k not in keys and ctl.pattern is None:
                return "value.ranker", f'value.ranker: "{k}" is not a bucket or list of <Ranker name="{ctl.name}">'
            if type(ids) is not list or not all(type(i) in (str, int) for i in ids):
                return f"value.ranker.{k}", f"value.ranker.{k} must be a list of item ids"
        return None

    return check


def _chain(*checks: Check | None) -> Check:
    real = [c for c in checks if c is not None]
    if not real:
        return lambda v: None
    if len(real) == 1:
        return real[0]
    a, *rest = real
    if len(rest) == 1:
        b = rest[0]
        return lambda v: a(v) or b(v)
    return lambda v: next((i for i in (c(v) for c in real) if i), None)


class Compiled:
    """Per-control validator: accepted types and to_names, value check per to_name."""

    __slots__ = ("_any", "ctl", "geometric", "per_region", "to_names", "types", "value_checks")

    def __init__(self, config: LabelConfig, ctl: ControlTag) -> None:
        self.ctl = ctl
        spec = CATALOG[ctl.tag]
        types = {ctl.result_type}
        types.update(spec.extra.get("also_types", ()))  # type: ignore[arg-type]
        self.types = frozenset(types)
        self.per_region = ctl.per_region
        to_names = set(ctl.to_name)
        if ctl.tag == "Pairwise":
            to_names.add(ctl.name)
        self.to_names = frozenset(to_names)
        self.geometric = spec.geometry is not None
        answer: Check | None = None
        key = ctl.value_key
        tag = ctl.tag
        if tag == "Choices":
            answer = _choices_check(ctl)
        elif tag == "Taxonomy":
            answer = _taxonomy_check(ctl)
        elif tag == "TextArea":
            answer = _textarea_check(ctl)
        elif tag == "Rating":
            answer = _rating_check(ctl)
        elif tag == "Number":
            answer = _number_check(ctl)
        elif tag == "DateTime":
            answer = _datetime_check(ctl)
        elif tag == "Pairwise":
            answer = _pairwise_check(ctl)
        elif tag == "Ranker":
            answer = _ranker_check(ctl, config.buckets.get(ctl.name, ()))
        elif tag == "VideoRectangle":
            # Labels come from the Labels tags that label the same video.
            siblings = [c for c in config.controls.values() if c.tag == "Labels" and set(c.to_name) & set(ctl.to_name)]
            allowed = {k: v for c in siblings for k, v in c.label_values.items()}
            dyn = any(c.dynamic for c in siblings) or not siblings
            answer = _labels_check(ctl, "labels", False, allowed, dyn)
        elif key is not None:
            answer = _labels_check(ctl, key, required=True)
        self.value_checks: dict[str, Check] = {}
        for t in to_names:
            geometry: Check | None = None
            if spec.geometry == "by-object":
                obj = config.objects.get(t)
                geometry = BY_OBJECT.get(obj.tag) if obj is not None else None
            elif spec.geometry is not None:
                geometry = GEOMETRY[spec.geometry]
            self.value_checks[t] = _chain(geometry, answer)
        self._any = _chain(answer)

    def check_for(self, to_name: str) -> Check | None:
        c = self.value_checks.get(to_name)
        if c is None and self.ctl.pattern is not None:
            return self._any
        return c


class ResultValidator:
    """All compiled controls of one config."""

    def __init__(self, config: LabelConfig) -> None:
        self.config = config
        self.compiled = {name: Compiled(config, ctl) for name, ctl in config.controls.items()}
        self.patterns = [(c.pattern, self.compiled[n]) for n, c in config.controls.items() if c.pattern]
        self.max_usages = {n: c.max_usages for n, c in config.controls.items() if c.max_usages}
        rel = config.relation_labels
        self.relation_labels = frozenset(rel) if rel else frozenset()

    def lookup(self, name: str) -> Compiled | None:
        c = self.compiled.get(name)
        if c is None:
            for pat, comp in self.patterns:
                if pat.fullmatch(name):
                    return comp
        return c

    def run(
        self, result: object, index: int | None, where: str, kind: str, task_data: dict[str, Any] | None
    ) -> list[Problem]:
        """Problems of one result list ([] when clean); the clean case costs one cheap pass."""
        if type(result) is list:
            try:
                if self._clean(result, task_data):
                    return []
            except _Dirty:
                pass
        return self.run_full(result, index, where, kind, task_data)

    def _clean(self, result: list[Any], task_data: dict[str, Any] | None) -> bool:
        """True only when `run_full` would find no problem; False (or _Dirty) means "look closer".

        Mirrors run_full step by step without wording anything; the rarer checks (relations,
        perRegion, maxUsages, span bounds) reuse run_full's helpers with an `add` that aborts
        (the item index they pass it is never used).
        """
        get = self.compiled.get
        relations: list[dict[str, Any]] | None = None
        per_region: list[dict[str, Any]] | None = None
        spans: list[tuple[int, dict[str, Any], Compiled]] | None = None
        for item in result:
            if type(item) is not dict:
                return False
            typ = item.get("type")
            if typ == "relation":
                if relations is None:
                    relations = []
                relations.append(item)
                continue
            from_name = item.get("from_name")
            if type(from_name) is not str:
                return False
            comp = get(from_name) or self.lookup(from_name)
            if comp is None or type(typ) is not str or typ not in comp.types:
                return False
            to_name = item.get("to_name")
            if type(to_name) is not str:
                return False
            check = comp.value_checks.get(to_name) or comp.check_for(to_name)
            if check is None:
                return False
            value = item.get("value")
            if type(value) is not dict or check(value) is not None:
                return False
            rid = item.get("id")
            if rid is not None and type(rid) is not str and type(rid) is not int:
                return False
            if comp.per_region:
                if per_region is None:
                    per_region = []
                per_region.append(item)
            if not item.keys() <= _CORE_KEYS:
                if not _item_fields_ok(item):
                    return False
            elif type(item.get("origin", "")) is not str:
                return False
            if task_data is not None and comp.ctl.tag == "Labels":
                if spans is None:
                    spans = []
                spans.append((-1, item, comp))
        if relations is not None or per_region is not None:
            # Every item passed, so the region ids are those run_full collects.
            ids: set[object] = set()
            region_ids: set[object] = set()
            for item in result:
                rid = item.get("id")
                if rid is None or item.get("type") == "relation":
                    continue
                ids.add(rid)
                comp = get(item["from_name"]) or self.lookup(item["from_name"])
                if comp is not None and comp.geometric:
                    region_ids.add(rid)
            for item in relations or ():
                self._relation(-1, item, ids, _dirty)
            for item in per_region or ():
                rid = item.get("id")
                if rid is None or (rid not in region_ids and not self._region_elsewhere(rid, result)):
                    return False
        if self.max_usages:
            self._max_usages(result, _dirty)
        if spans:
            self._span_bounds(spans, task_data or {}, _dirty)
        return True

    def run_full(
        self, result: object, index: int | None, where: str, kind: str, task_data: dict[str, Any] | None
    ) -> list[Problem]:
        """Every problem of one result list, each naming the item index and field."""
        problems: list[Problem] = []
        if not where:
            where = f"task {index} {kind}" if index is not None else kind

        def add(i: int | None, fld: str, msg: str, from_name: object = None) -> None:
            prefix = f"result[{i}]" if i is not None else "result"
            full = f"{prefix}.{fld}" if fld else prefix
            label = f'{prefix} (from_name "{from_name}")' if isinstance(from_name, str) else prefix
            problems.append(
                Problem(
                    message=f"{label}: {msg}", where=where, field=full, index=index, extra={"item": i, "kind": kind}
                )
            )

        if type(result) is not list:
            add(None, "", f"result must be a list of regions (got {type(result).__name__})")
            return problems
        relations: list[tuple[int, dict[str, Any]]] = []
        ids: set[object] = set()
        region_ids: set[object] = set()
        per_region: list[tuple[int, dict[str, Any]]] = []
        spans: list[tuple[int, dict[str, Any], Compiled]] | None = [] if task_data is not None else None
        lookup = self.compiled.get
        for i, item in enumerate(result):
            if type(item) is not dict:
                add(i, "", f"each result item must be an object (got {type(item).__name__})")
                continue
            typ = item.get("type")
            if typ == "relation":
                relations.append((i, item))
                continue
            from_name = item.get("from_name")
            if type(from_name) is not str:
                add(i, "from_name", "from_name is missing" if from_name is None else "from_name must be a string")
                continue
            comp = lookup(from_name) or self.lookup(from_name)
            if comp is None:
                add(i, "from_name", f'"{from_name}" is not a control tag of the config', from_name)
                continue
            if type(typ) is not str or typ not in comp.types:
                want = " or ".join(f'"{t}"' for t in sorted(comp.types))
                add(i, "type", f"type {typ!r} does not match <{comp.ctl.tag}> (expected {want})", from_name)
                continue
            to_name = item.get("to_name")
            check = comp.check_for(to_name) if type(to_name) is str else None
            if check is None:
                allowed = ", ".join(f'"{t}"' for t in sorted(comp.to_names))
                add(i, "to_name", f"to_name {to_name!r} is not one of {allowed}", from_name)
                continue
            value = item.get("value")
            if type(value) is not dict:
                add(i, "value", "value must be an object" if value is not None else "value is missing", from_name)
                continue
            issue = check(value)
            if issue is not None:
                add(i, issue[0], issue[1], from_name)
            rid = item.get("id")
            if rid is not None:
                if type(rid) is not str and type(rid) is not int:
                    add(i, "id", f"id must be a string (got {rid!r})", from_name)
                else:
                    ids.add(rid)
                    if comp.geometric:
                        region_ids.add(rid)
            if comp.per_region:
                per_region.append((i, item))
            if not item.keys() <= _CORE_KEYS:
                self._item_fields(i, item, add, from_name)
            elif type(item.get("origin", "")) is not str:
                add(i, "origin", "origin must be a string such as manual or prediction", from_name)
            if spans is not None and comp.ctl.tag == "Labels":
                spans.append((i, item, comp))
        for i, item in relations:
            self._relation(i, item, ids, add)
        for i, item in per_region:
            rid = item.get("id")
            if rid is None:
                add(i, "id", "a perRegion result needs the id of its region", item.get("from_name"))
            elif rid not in region_ids and region_ids is not None and not self._region_elsewhere(rid, result):
                add(i, "id", f"perRegion result id {rid!r} is not a region of this result", item.get("from_name"))
        if self.max_usages:
            self._max_usages(result, add)
        if spans:
            self._span_bounds(spans, task_data or {}, add)
        return problems

    @staticmethod
    def _region_elsewhere(rid: object, result: list[Any]) -> bool:
        """A perRegion result may also hang off a region of another classification (e.g. a Labels span)."""
        return any(
            type(r) is dict and r.get("id") == rid and r.get("type") != "relation" and "start" in (r.get("value") or {})
            for r in result
        )

    def _item_fields(self, i: int, item: dict[str, Any], add: Callable[..., None], from_name: str) -> None:
        for key in _ITEM_NUM_FIELDS:
            x = item.get(key)
            if x is not None and (not _is_num(x) or x <= 0):
                add(i, key, f"{key} must be a positive number (got {x!r})", from_name)
        score = item.get("score")
        if score is not None and not _is_num(score):
            add(i, "score", f"score must be a number (got {score!r})", from_name)
        origin = item.get("origin")
        if origin is not None and type(origin) is not str:
            add(i, "origin", f"origin must be a string such as manual or prediction (got {origin!r})", from_name)
        idx = item.get("item_index")
        if idx is not None and (type(idx) is not int or idx < 0):
            add(i, "item_index", f"item_index must be an integer >= 0 (got {idx!r})", from_name)
        for key in ("readonly", "hidden"):
            x = item.get(key)
            if x is not None and type(x) is not bool:
                add(i, key, f"{key} must be true or false (got {x!r})", from_name)

    def _relation(self, i: int, item: dict[str, Any], ids: set[object], add: Callable[..., None]) -> None:
        for key in ("from_id", "to_id"):
            x = item.get(key)
            if x is None:
                add(i, key, f"relation needs {key}")
                return
            if type(x) is not str:  # region ids are strings; a list or object is not even hashable
                add(i, key, f"relation {key} must be a region id string (got {x!r})")
                return
            if x not in ids:
                add(i, key, f"relation {key} {x!r} is not a region id of this result")
                return
        d = item.get("direction")
        if d is not None and (type(d) is not str or d not in _DIRECTIONS):
            add(i, "direction", f'direction must be "right", "left" or "bi" (got {d!r})')
        labels = item.get("labels")
        if labels is not None:
            if type(labels) is not list or not all(type(x) is str for x in labels):
                add(i, "labels", "relation labels must be a list of strings")
            else:
                for lab in labels:
                    if lab not in self.relation_labels:
                        add(i, "labels", f'relation label "{lab}" is not a <Relation> of the config')
                        break

    def _max_usages(self, result: list[Any], add: Callable[..., None]) -> None:
        counts: dict[tuple[str, str], int] = {}
        for item in result:
            if type(item) is not dict:
                continue
            name = item.get("from_name")
            limits = self.max_usages.get(name) if type(name) is str else None
            if not limits:
                continue
            comp = self.compiled[name]  # type: ignore[index]
            value = item.get("value")
            labels = value.get(comp.ctl.value_key) if type(value) is dict else None
            if type(labels) is not list:
                continue
            for lab in labels:
                if type(lab) is str and lab in limits:
                    counts[(name, lab)] = counts.get((name, lab), 0) + 1  # type: ignore[index]
        for (name, lab), n in counts.items():
            limit = self.max_usages[name][lab]
            if n > limit:
                add(
                    None,
                    "",
                    f'label "{lab}" of <{self.compiled[name].ctl.tag} name="{name}"> is used {n} times; '
                    f"maxUsages is {limit}",
                    name,
                )

    def _span_bounds(
        self, spans: list[tuple[int, dict[str, Any], Compiled]], data: dict[str, Any], add: Callable[..., None]
    ) -> None:
        from lsx.engine.config.task_data import resolve

        for i, item, _comp in spans:
            obj = self.config.objects.get(item.get("to_name"))  # type: ignore[arg-type]
            if obj is None or obj.tag != "Text" or not obj.value or obj.value_type == "url":
                continue
            text = resolve(obj.value, data)
            if type(text) is not str:
                continue
            end = item["value"].get("end")
            if type(end) is int and end > len(text) and end > len(text.encode("utf-16-le")) // 2:
                add(
                    i,
                    "value.end",
                    f"value.end {end} is past the end of the text ({len(text)} characters)",
                    item.get("from_name"),
                )


class _Dirty(Exception):
    """Raised by `_dirty` to leave ResultValidator._clean at the first problem."""


def _dirty(*_args: object) -> None:
    """The `add` of the clean-or-not pass: any problem ends it."""
    raise _Dirty


def _item_fields_ok(item: dict[str, Any]) -> bool:
    """True when ResultValidator._item_fields would add nothing."""
    for key in _ITEM_NUM_FIELDS:
        x = item.get(key)
        if x is not None:
            t = type(x)
            if not ((t is int or t is float) and 0 < x < _INF):  # _is_num(x) and x > 0
                return False
    score = item.get("score")
    if score is not None and not _is_num(score):
        return False
    origin = item.get("origin")
    if origin is not None and type(origin) is not str:
        return False
    idx = item.get("item_index")
    if idx is not None and (type(idx) is not int or idx < 0):
        return False
    for key in ("readonly", "hidden"):
        x = item.get(key)
        if x is not None and type(x) is not bool:
            return False
    return True


def validator_for(config: LabelConfig) -> ResultValidator:
    v = config._cache.get("results")
    if v is None:
        v = config._cache["results"] = ResultValidator(config)
    return v


def validate_result(
    config: LabelConfig,
    result: object,
    *,
    index: int | None = None,
    where: str = "",
    kind: str = "annotation",
    task_data: dict[str, Any] | None = None,
) -> list[Problem]:
    """Check one annotation/prediction `result` list; each problem names the item index and field.

    `task_data`, when given, lets text spans be checked against the text's length.
    """
    v = config._cache.get("results")
    if v is None:
        v = validator_for(config)
    if type(result) is list:  # ResultValidator.run, inlined: this runs once per imported annotation
        try:
            if v._clean(result, task_data):
                return []
        except _Dirty:
            pass
    return v.run_full(result, index, where, kind, task_data)


_SIMPLE_TYPES = ("choices", "rating", "number", "textarea")


def normalize_prediction_result(config: LabelConfig, result: object) -> list[Any]:
    """Expand Label Studio's simplified prediction forms into a list of regions (reference §2.4).

    A list is returned as is; a dict becomes one region of the first control whose result type is
    a key of it; a bare string or number becomes the answer of the first single-valued control.
    """
    if isinstance(result, list):
        return result
    controls = list(config.controls.values())
    if isinstance(result, dict):
        for ctl in controls:
            if ctl.result_type in result or (
                ctl.value_key
                and ctl.value_key in result
                and ctl.result_type != "relation"
                and ctl.value_key not in ("labels", "text")
            ):
                return [_region(ctl, dict(result))]
        raise InputError("prediction result is an object with no key matching a control type of the config")
    if isinstance(result, bool) or not isinstance(result, (str, int, float)):
        raise InputError(
            f"prediction result must be a list, an object, a string or a number (got {type(result).__name__})"
        )
    for ctl in controls:
        t = ctl.result_type
        if t not in _SIMPLE_TYPES:
            continue
        if t == "choices" and isinstance(result, str):
            return [_region(ctl, {"choices": [result]})]
        if t == "textarea" and isinstance(result, str):
            return [_region(ctl, {"text": [result]})]
        if t == "rating" and isinstance(result, int):
            return [_region(ctl, {"rating": result})]
        if t == "number" and isinstance(result, (int, float)):
            return [_region(ctl, {"number": float(result)})]
    raise InputError(f"no control of the config takes a bare {type(result).__name__} prediction")


def _region(ctl: ControlTag, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "from_name": ctl.name,
        "to_name": ctl.to_name[0] if ctl.to_name else ctl.name,
        "type": ctl.result_type,
        "value": value,
    }
