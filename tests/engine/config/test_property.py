"""Random and mutated configs and results: only ConfigError escapes, and every error is located."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lsx.engine.config import ConfigError, list_templates, parse_config, validate_result, validate_task_data

TEMPLATES = [t.xml for t in list_templates()]
LOCATED = re.compile(r"^[^:]+:\d+:\d+: <.*?>: ")  # a name may hold ">" (tag labels quote it)
TAGS = [
    "View",
    "Text",
    "Image",
    "Choices",
    "Choice",
    "Labels",
    "Label",
    "Header",
    "Repeater",
    "TextArea",
    "RectangleLabels",
    "Relations",
    "Relation",
    "Taxonomy",
    "div",
    "Bogus",
    "Pairwise",
    "List",
    "Ranker",
]
ATTRS = [
    "name",
    "toName",
    "value",
    "valueList",
    "choice",
    "perRegion",
    "perItem",
    "maxRating",
    "whenTagName",
    "hotkey",
    "on",
    "min",
    "max",
    "alias",
    "ZOOM",
    "x",
]
VALUES = ["text", "$text", "img", "true", "single", "triple", "5", "-1", "$a.b[0]", "{{idx}}", "", "&amp;", "a,b"]


@st.composite
def element(draw: Any, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = draw(st.dictionaries(st.sampled_from(ATTRS), st.sampled_from(VALUES), max_size=4))
    text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    children = draw(st.lists(element(depth + 1), max_size=3)) if depth < 3 else []
    return f"<{tag} {text}>{''.join(children)}</{tag}>"


def mutate(xml: str, data: Any) -> str:
    ops = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, max(len(xml) - 1, 0)),
                st.sampled_from(
                    ["", "<", ">", '"', "/", "&", "<!DOCTYPE x>", "<View>", "$", " name='text'", "\x00", "é"]
                ),
            ),
            max_size=4,
        )
    )
    for pos, s in ops:
        xml = xml[:pos] + s + xml[pos + 1 :]
    return xml


def check_config(xml: str) -> Any:
    try:
        return parse_config(xml)
    except ConfigError as exc:
        assert exc.problems
        for p in exc.problems:
            assert LOCATED.match(str(p)), str(p)
        return None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(element())
def test_random_configs_only_raise_located_config_errors(xml: str) -> None:
    check_config(f"<View>{xml}</View>")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEMPLATES), st.data())
def test_mutated_templates_only_raise_located_config_errors(xml: str, data: Any) -> None:
    check_config(mutate(xml, data))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 300) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "x",
                    "y",
                    "width",
                    "height",
                    "points",
                    "labels",
                    "choices",
                    "start",
                    "end",
                    "rle",
                    "text",
                    "rating",
                    "taxonomy",
                    "ranker",
                    "selected",
                    "sequence",
                    "ranges",
                    "rectanglelabels",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@st.composite
def result_item(draw: Any) -> Any:
    item = {
        "id": draw(st.sampled_from(["a", "b", 1, None])),
        "from_name": draw(st.sampled_from(["bbox", "label", "sentiment", "comment", "confidence", "x", 3])),
        "to_name": draw(st.sampled_from(["image", "text", "bbox", None])),
        "type": draw(st.sampled_from(["rectanglelabels", "labels", "choices", "textarea", "rating", "relation", 5])),
        "value": draw(JSONISH),
    }
    if draw(st.booleans()):
        item.update(
            from_id=draw(st.sampled_from(["a", "b", "zz"])), to_id="a", direction=draw(JSONISH), labels=draw(JSONISH)
        )
    return item if draw(st.integers(0, 9)) else draw(JSONISH)


CONFIGS = [parse_config(t.xml) for t in list_templates()[:6]]
from tests.engine.config.conftest import fixture_text  # noqa: E402

CONFIGS += [parse_config(fixture_text("ls-image.config.xml")), parse_config(fixture_text("ls-text.config.xml"))]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(CONFIGS), st.lists(result_item(), max_size=5) | JSONISH, JSONISH)
def test_random_results_give_problems_with_index_and_field(config: Any, result: Any, data: Any) -> None:
    problems = validate_result(config, result, index=3, task_data=data if isinstance(data, dict) else None)
    for p in problems:
        assert p.index == 3
        assert re.match(r"^result(\[\d+\])?", p.field), p.field
    for p in validate_task_data(config, data, index=3):
        assert p.index == 3 and p.field.startswith("data")
