"""The speed-ups of the config language answer exactly what the plain code answers.

Result validation first asks "clean or not" and words problems only through the full pass, so the
two must agree on every result; the parser's one-sweep positions and plain start-tag scan must
agree with the per-offset lookup and the full scanner.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsx.engine.config import parse_config, validate_result
from lsx.engine.config.parser import _SCAN, Positions, scan
from lsx.engine.config.results import validator_for

from .test_property import CONFIGS, JSONISH, result_item
from .test_results import ALL, BAD, DATA, GOOD, _bad


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except Exception as exc:  # e.g. an unhashable "type" (both passes raise alike)
        return type(exc), str(exc)


def _same(config: Any, result: Any, data: Any = None, index: int | None = 7) -> None:
    fast = _outcome(lambda: validate_result(config, result, index=index, task_data=data))
    full = _outcome(lambda: validator_for(config).run_full(result, index, "", "annotation", data))
    assert fast == full


@pytest.fixture(scope="module")
def all_config() -> Any:
    return parse_config(ALL)


@pytest.mark.parametrize("case", sorted(GOOD))
def test_clean_pass_agrees_on_good_results(all_config: Any, case: str) -> None:
    _same(all_config, GOOD[case], DATA)
    _same(all_config, GOOD[case], None)


@pytest.mark.parametrize(
    ("case", "path", "value", "field", "fragment"), BAD, ids=[f"{b[0]}-{b[2]!r}"[:60] for b in BAD]
)
def test_clean_pass_agrees_on_bad_results(
    all_config: Any, case: str, path: str, value: Any, field: str, fragment: str
) -> None:
    _same(all_config, _bad(case, path, value), DATA)


MUTATIONS: list[Any] = [None, True, -1, 0, 0.5, 101, float("nan"), float("inf"), "x", "", [], ["A"], [["A"]], {}, 2**70]


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def test_clean_pass_agrees_on_every_single_field_mutation(all_config: Any) -> None:
    """Each value of each good result replaced (or removed) in turn: fast and full agree."""
    rnd = random.Random(3)
    for case in sorted(GOOD):
        for path in _paths(GOOD[case]):
            for new in [*rnd.sample(MUTATIONS, 5), KeyError]:
                result = copy.deepcopy(GOOD[case])
                target = result
                for k in path[:-1]:
                    target = target[k]
                if new is KeyError:
                    del target[path[-1]]
                else:
                    target[path[-1]] = new
                _same(all_config, result, DATA)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CONFIGS), st.lists(result_item(), max_size=5) | JSONISH, JSONISH)
def test_clean_pass_agrees_on_random_results(config: Any, result: Any, data: Any) -> None:
    _same(config, result, data if isinstance(data, dict) else None, index=3)


TEXTS = [
    "<View>\n  <Text name='t' value='$t'/>\n\n<Choices name='c'\n toName='t'><Choice value='a'/></Choices></View>",
    "<View>\r\n<a/><b/>\r\n<c>\n</c></View>",
    "<View><_x/><x.y/></View>\n",
    "\n\n<View/>",
]


@pytest.mark.parametrize("text", TEXTS)
def test_scan_and_positions_agree_with_the_full_scanner(text: str) -> None:
    pos, problems = scan(text, "c.xml")
    assert problems == []
    assert pos.starts == [m.start() for m in _SCAN.finditer(text) if m.group(2) is not None]
    slow = Positions(text, pos.starts)
    assert pos.all_line_cols() == [slow.line_col(s) for s in pos.starts]


def test_reused_parser_after_errors_and_across_threads() -> None:
    """The parser is kept per thread: a syntax error or a refused DOCTYPE leaves it usable, and
    threads parsing at once get the same trees as one thread."""
    from concurrent.futures import ThreadPoolExecutor

    from lsx.engine.config import ConfigError, list_templates
    from lsx.engine.config import api as config_api

    good = [t.xml for t in list_templates()[:12]]
    bad = ["<View><Text name='t' value='$t'></View>", '<!DOCTYPE v [<!ENTITY x "y">]><View/>', "<View>&x;</View>"]

    def parse_all() -> list[Any]:
        out: list[Any] = []
        for xml in [*bad, *good]:
            with config_api._lock:  # parse for real every time
                config_api._cache.clear()
            try:
                config = parse_config(xml)
            except ConfigError as exc:
                out.append([str(p) for p in exc.problems])
            else:
                out.append((config.root, sorted(config.controls), config.warnings))
        return out

    serial = parse_all()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: parse_all(), range(8)))
    assert all(r == serial for r in results)
