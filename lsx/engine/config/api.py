"""`parse_config`: parse, validate, cache. The engine re-parses per request, so results are kept
in a small LRU keyed by (hash, strict)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from types import MappingProxyType

from lsx.engine.config.model import LabelConfig, new_label_config
from lsx.engine.config.parser import MAX_BYTES, parse_xml
from lsx.engine.config.problems import ConfigError
from lsx.engine.config.validate_config import validate_tree

CACHE_SIZE = 64
_cache: OrderedDict[tuple[str, bool, str], LabelConfig] = OrderedDict()
_lock = threading.Lock()


def config_hash(xml: str) -> str:
    return hashlib.sha256(xml.encode("utf-8", "surrogatepass")).hexdigest()


def parse_config(xml: str, *, source: str = "config.xml", strict: bool = False) -> LabelConfig:
    """Parse and validate a labeling config; raise ConfigError listing every problem.

    Non-fatal findings land in `.warnings` (errors when `strict`).
    """
    if not isinstance(xml, str):
        if isinstance(xml, bytes):
            try:
                xml = xml.decode("utf-8")
            except UnicodeDecodeError as exc:
                from lsx.engine.config.problems import at

                raise ConfigError([at(source, 1, 1, "<document>", f"config is not UTF-8: {exc}")]) from None
        else:
            from lsx.engine.config.problems import at

            raise ConfigError([at(source, 1, 1, "<document>", "config must be text")])
    if len(xml) > MAX_BYTES:  # before hashing: refuse huge input in O(1)
        from lsx.engine.config.problems import at

        raise ConfigError([at(source, 1, 1, "<document>", f"config is larger than the {MAX_BYTES // 2**20} MB limit")])
    h = config_hash(xml)
    key = (h, strict, source)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    root, task, errors, warnings = parse_xml(xml, source)
    if root is None:
        raise ConfigError(errors)
    built = validate_tree(root, source)
    errors = errors + built.errors
    warnings = warnings + built.warnings
    if strict:
        errors = errors + warnings
        warnings = []
    if errors:
        errors.sort(key=lambda p: (p.extra.get("line", 0), p.extra.get("column", 0)))
        raise ConfigError(errors)
    data_types = MappingProxyType(dict(built.data_types))
    config = new_label_config(  # LabelConfig(...) without the per-field frozen __setattr__
        xml=xml,
        root=root,
        controls=MappingProxyType(built.controls),
        objects=MappingProxyType(built.objects),
        data_types=data_types,
        first_data_key=next(iter(data_types), None),
        warnings=tuple(warnings),
        hash=h,
        source=source,
        strict=strict,
        comment_task=task,
        relation_labels=built.relation_labels,
        buckets=MappingProxyType(built.buckets),
        _cache={},
    )
    with _lock:
        _cache[key] = config
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return config
