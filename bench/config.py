"""Benchmark of the labeling-config language; prints one JSON line.

    .venv/bin/python bench/config.py

parse+validate of a 300-tag config (median ms, target <= 5), result items/s (target >= 200k),
task-data validations/s, and the rejection time of each hostile config (target <= 50 ms).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from lsx.engine.config import ConfigError, parse_config, validate_result, validate_task_data
from lsx.engine.config import api as config_api


def config_300() -> str:
    """A realistic config of ~300 tags: texts, choices with options, labels, ratings, layout."""
    parts = ["<View>"]
    n = 1
    for i in range(20):
        parts.append(f'<View><Header value="Item {i}"/><Text name="t{i}" value="$text{i}"/>')
        parts.append(f'<Choices name="c{i}" toName="t{i}" choice="single">')
        parts += [f'<Choice value="opt{j}"/>' for j in range(6)]
        parts.append(f'</Choices><Labels name="l{i}" toName="t{i}">')
        parts += [f'<Label value="L{j}" background="#FF0000"/>' for j in range(4)]
        parts.append(f'</Labels><Rating name="r{i}" toName="t{i}"/></View>')
        n += 15
    parts.append("</View>")
    return "".join(parts)


def median_ms(fn: Callable[[], Any], repeat: int = 30) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def hostile() -> dict[str, str]:
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return {
        "xxe": '<!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]><View><Text name="t" value="&x;"/></View>',
        "parameter_entity": '<!DOCTYPE v [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><View/>',
        "billion_laughs": f'<!DOCTYPE v [<!ENTITY l0 "lol">{laughs}]><View><Text name="t" value="&l9;"/></View>',
        "external_dtd": '<!DOCTYPE View SYSTEM "http://127.0.0.1:9/x.dtd"><View/>',
        "50mb": "<View>" + "<Header value='x'/>" * (50 * 1024 * 1024 // 18) + "</View>",
        "deep_10000": "<View>" * 10_000 + "</View>" * 10_000,
    }


def main() -> None:
    xml = config_300()
    tags = xml.count("<") - xml.count("</")

    def parse_fresh() -> None:
        config_api._cache.clear()
        parse_config(xml)

    parse_ms = median_ms(parse_fresh)

    image = parse_config(
        '<View><Image name="image" value="$image"/>'
        '<RectangleLabels name="bbox" toName="image"><Label value="car"/><Label value="person"/></RectangleLabels>'
        '<Choices name="tod" toName="image"><Choice value="day"/><Choice value="night"/></Choices></View>'
    )
    rect = {
        "id": "a1",
        "from_name": "bbox",
        "to_name": "image",
        "type": "rectanglelabels",
        "origin": "manual",
        "original_width": 1280,
        "original_height": 720,
        "image_rotation": 0,
        "value": {"x": 10.5, "y": 20.25, "width": 30, "height": 15, "rotation": 0, "rectanglelabels": ["car"]},
    }
    choice = {"id": "c1", "from_name": "tod", "to_name": "image", "type": "choices", "value": {"choices": ["day"]}}
    result = [rect, dict(rect, id="a2"), dict(rect, id="a3"), choice]
    rounds = 50_000
    start = time.perf_counter()
    for _ in range(rounds):
        validate_result(image, result)
    items_per_s = int(rounds * len(result) / (time.perf_counter() - start))

    text = parse_config(
        '<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="A"/></Choices></View>'
    )
    tasks = [{"text": f"task number {i}"} for i in range(200_000)]
    start = time.perf_counter()
    for t in tasks:
        validate_task_data(text, t)
    tasks_per_s = int(len(tasks) / (time.perf_counter() - start))

    # Import-shaped: each task's data plus one annotation of one choice.
    ann = [{"id": "x", "from_name": "c", "to_name": "text", "type": "choices", "value": {"choices": ["A"]}}]
    start = time.perf_counter()
    for i, t in enumerate(tasks):
        validate_task_data(text, t, index=i)
        validate_result(text, ann, index=i)
    import_per_s = int(len(tasks) / (time.perf_counter() - start))

    rejections: dict[str, float] = {}
    for name, bad in hostile().items():

        def reject(bad: str = bad, name: str = name) -> None:
            try:
                parse_config(bad)
            except ConfigError:
                return
            raise AssertionError(f"{name} was accepted")

        rejections[name] = median_ms(reject, repeat=5)

    print(
        json.dumps(
            {
                "bench": "config",
                "parse_validate_ms": parse_ms,
                "config_tags": tags,
                "result_items_per_s": items_per_s,
                "task_data_per_s": tasks_per_s,
                "tasks_with_annotation_per_s": import_per_s,
                "reject_ms": rejections,
                "targets": {"parse_validate_ms": 5, "result_items_per_s": 200_000, "reject_ms": 50},
            }
        )
    )


if __name__ == "__main__":
    main()
