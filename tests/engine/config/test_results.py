"""Result validation: accepts what Label Studio produced, rejects each kind of malformed value."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from lsx.engine.config import normalize_prediction_result, parse_config, validate_result
from lsx.engine.errors import InputError

from .conftest import fixture_json, fixture_text


@pytest.mark.parametrize("project", ["text", "image"])
def test_label_studio_export_results_are_accepted(project: str) -> None:
    config = parse_config(fixture_text(f"ls-{project}.config.xml"))
    tasks = fixture_json(f"ls-{project}.export.JSON.snapshot.json")
    checked = 0
    for task in tasks:
        for kind in ("annotations", "predictions"):
            for item in task[kind]:
                problems = validate_result(config, item["result"], kind=kind[:-1], task_data=task["data"])
                assert problems == [], [str(p) for p in problems]
                checked += len(item["result"])
    assert checked > 50


ALL = """<View>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text" maxUsages="2"><Label value="PER"/><Label value="ORG" maxUsages="1"/></Labels>
  <Relations><Relation value="works_for"/></Relations>
  <Choices name="single" toName="text"><Choice value="A"/><Choice value="B"/></Choices>
  <Choices name="multi" toName="text" choice="multiple"><Choice value="A"/><Choice value="B"/></Choices>
  <Choices name="nested" toName="text" allowNested="true"><Choice value="A"><Choice value="A1"/></Choice></Choices>
  <Choices name="dyn" toName="text" value="$options"/>
  <TextArea name="ta" toName="text" maxSubmissions="2"/>
  <Rating name="rating" toName="text" maxRating="5"/>
  <Number name="num" toName="text" min="0" max="10"/>
  <DateTime name="dt" toName="text" only="date"/>
  <Taxonomy name="tax" toName="text" leafsOnly="true"><Choice value="X"><Choice value="X1"/></Choice></Taxonomy>
  <Image name="img" value="$image"/>
  <RectangleLabels name="rect" toName="img"><Label value="car"/></RectangleLabels>
  <PolygonLabels name="poly" toName="img"><Label value="road"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="img"><Label value="nose"/></KeyPointLabels>
  <EllipseLabels name="ell" toName="img"><Label value="cell"/></EllipseLabels>
  <BrushLabels name="brush" toName="img"><Label value="sky"/></BrushLabels>
  <BitmaskLabels name="bitmask" toName="img"><Label value="sky"/></BitmaskLabels>
  <VectorLabels name="vec" toName="img"><Label value="line"/></VectorLabels>
  <Rectangle name="bare" toName="img"/>
  <Labels name="imglabels" toName="img"><Label value="car"/></Labels>
  <TextArea name="note" toName="img" perRegion="true"/>
  <HyperText name="html" value="$html"/>
  <HyperTextLabels name="htl" toName="html"><Label value="PER"/></HyperTextLabels>
  <Paragraphs name="dialog" value="$dialog"/>
  <ParagraphLabels name="pl" toName="dialog"><Label value="Q"/></ParagraphLabels>
  <Audio name="audio" value="$audio"/>
  <Labels name="seg" toName="audio"><Label value="speech"/></Labels>
  <TimeSeries name="ts" value="$ts" valueType="json"><Channel column="v"/></TimeSeries>
  <TimeSeriesLabels name="tsl" toName="ts"><Label value="run"/></TimeSeriesLabels>
  <Video name="video" value="$video"/>
  <Labels name="vlabels" toName="video"><Label value="car"/></Labels>
  <VideoRectangle name="track" toName="video"/>
  <TimelineLabels name="timeline" toName="video"><Label value="intro"/></TimelineLabels>
  <Text name="a" value="$a"/><Text name="b" value="$b"/>
  <Pairwise name="pw" toName="a,b"/>
  <List name="list" value="$items"/>
  <Ranker name="rank" toName="list"><Bucket name="good"/><Bucket name="bad"/></Ranker>
  <Repeater on="$qs"><Text name="q_{{idx}}" value="$qs[{{idx}}].t"/>
    <Choices name="ans_{{idx}}" toName="q_{{idx}}"><Choice value="Y"/></Choices></Repeater>
</View>"""

DATA = {"text": "Tim Cook works for Apple."}


def R(
    from_name: str, to_name: str, typ: str, value: dict[str, Any], id: str | None = None, **kw: Any
) -> dict[str, Any]:
    d: dict[str, Any] = {"from_name": from_name, "to_name": to_name, "type": typ, "value": value, **kw}
    if id:
        d["id"] = id
    return d


RECT = {"x": 10, "y": 10, "width": 20, "height": 20, "rotation": 0}
GOOD: dict[str, list[dict[str, Any]]] = {
    "labels": [R("ner", "text", "labels", {"start": 0, "end": 8, "text": "Tim Cook", "labels": ["PER"]}, "r1")],
    "relation": [
        R("ner", "text", "labels", {"start": 0, "end": 8, "labels": ["PER"]}, "r1"),
        R("ner", "text", "labels", {"start": 19, "end": 24, "labels": ["ORG"]}, "r2"),
        {"type": "relation", "from_id": "r1", "to_id": "r2", "direction": "bi", "labels": ["works_for"]},
    ],
    "choices": [R("single", "text", "choices", {"choices": ["A"]})],
    "multi": [R("multi", "text", "choices", {"choices": ["A", "B"]})],
    "nested": [R("nested", "text", "choices", {"choices": [["A", "A1"]]})],
    "dynamic": [R("dyn", "text", "choices", {"choices": ["anything"]})],
    "textarea": [R("ta", "text", "textarea", {"text": ["one", "two"]})],
    "rating": [R("rating", "text", "rating", {"rating": 5})],
    "number": [R("num", "text", "number", {"number": 2.5})],
    "datetime": [R("dt", "text", "datetime", {"datetime": "2024-01-02"})],
    "taxonomy": [R("tax", "text", "taxonomy", {"taxonomy": [["X", "X1"]]})],
    "rect": [
        R(
            "rect",
            "img",
            "rectanglelabels",
            {**RECT, "rectanglelabels": ["car"]},
            "g1",
            original_width=10,
            original_height=10,
        )
    ],
    "poly": [R("poly", "img", "polygonlabels", {"points": [[0, 0], [50, 50], [100, 0]], "polygonlabels": ["road"]})],
    "kp": [R("kp", "img", "keypointlabels", {"x": 5, "y": 5, "width": 1, "keypointlabels": ["nose"]})],
    "ellipse": [
        R("ell", "img", "ellipselabels", {"x": 5, "y": 5, "radiusX": 2, "radiusY": 3, "ellipselabels": ["cell"]})
    ],
    "brush": [R("brush", "img", "brushlabels", {"format": "rle", "rle": [0, 1, 255], "brushlabels": ["sky"]})],
    "bitmask": [
        R("bitmask", "img", "bitmasklabels", {"imageDataURL": "data:image/png;base64,AA==", "bitmasklabels": ["sky"]})
    ],
    "vector": [
        R(
            "vec",
            "img",
            "vectorlabels",
            {"vertices": [{"id": "a", "x": 1, "y": 2}], "closed": False, "vectorlabels": ["line"]},
        )
    ],
    "bare_plus_labels": [
        R("bare", "img", "rectangle", RECT, "z1"),
        R("imglabels", "img", "labels", {**RECT, "labels": ["car"]}, "z1"),
        R("note", "img", "textarea", {**RECT, "text": ["red car"]}, "z1"),
    ],
    "htl": [
        R(
            "htl",
            "html",
            "hypertextlabels",
            {
                "start": "/p[1]",
                "end": "/p[1]",
                "startOffset": 0,
                "endOffset": 3,
                "globalOffsets": {"start": 0, "end": 3},
                "hypertextlabels": ["PER"],
            },
        )
    ],
    "paragraph": [
        R(
            "pl",
            "dialog",
            "paragraphlabels",
            {"start": "0", "end": "1", "startOffset": 0, "endOffset": 4, "paragraphlabels": ["Q"]},
        )
    ],
    "audio": [R("seg", "audio", "labels", {"start": 0.5, "end": 1.5, "channel": 0, "labels": ["speech"]})],
    "timeseries": [
        R("tsl", "ts", "timeserieslabels", {"start": 1, "end": 2, "instant": False, "timeserieslabels": ["run"]})
    ],
    "videorect": [
        R(
            "track",
            "video",
            "videorectangle",
            {
                "framesCount": 10,
                "duration": 1.0,
                "labels": ["car"],
                "sequence": [{"frame": 1, "enabled": True, **RECT}],
            },
        )
    ],
    "timeline": [
        R("timeline", "video", "timelinelabels", {"ranges": [{"start": 1, "end": 5}], "timelinelabels": ["intro"]})
    ],
    "pairwise": [R("pw", "pw", "pairwise", {"selected": "right"})],
    "ranker": [R("rank", "list", "ranker", {"ranker": {"good": ["1"], "bad": ["2"]}})],
    "repeater": [R("ans_3", "q_3", "choices", {"choices": ["Y"]})],
}


@pytest.fixture(scope="module")
def config() -> Any:
    return parse_config(ALL)


@pytest.mark.parametrize("case", sorted(GOOD))
def test_valid_result_for_every_control_is_accepted(config: Any, case: str) -> None:
    problems = validate_result(config, GOOD[case], task_data=DATA)
    assert problems == [], [str(p) for p in problems]


def _bad(case: str, path: str, value: Any) -> list[dict[str, Any]]:
    result = copy.deepcopy(GOOD[case])
    target: Any = result
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]
    last = keys[-1]
    if value is DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return result


DELETE = object()
BAD = [
    ("labels", "0.value.labels", ["NOPE"], "result[0].value.labels", "not a label"),
    ("labels", "0.value.labels", ["PER", "ORG"], "result[0].value.labels", "allows one"),
    ("labels", "0.value.start", 9, "result[0].value.end", "after value.end"),
    ("labels", "0.value.end", 500, "result[0].value.end", "past the end of the text"),
    ("labels", "0.value.start", -1, "result[0].value.start", ">= 0"),
    ("labels", "0.from_name", "nope", "result[0].from_name", "not a control"),
    ("labels", "0.to_name", "img", "result[0].to_name", "not one of"),
    ("labels", "0.type", "choices", "result[0].type", "does not match"),
    ("labels", "0.value", "x", "result[0].value", "must be an object"),
    ("labels", "0", "not a dict", "result[0]", "must be an object"),
    ("relation", "2.direction", "up", "result[2].direction", "right"),
    ("relation", "2.to_id", "ghost", "result[2].to_id", "not a region id"),
    ("relation", "2.labels", ["hates"], "result[2].labels", "not a <Relation>"),
    # Lists and objects where a string belongs are not even hashable: reported, never a TypeError.
    ("labels", "0.type", {"t": "labels"}, "result[0].type", "does not match"),
    ("labels", "0.type", ["labels"], "result[0].type", "does not match"),
    ("relation", "2.from_id", {"id": "a"}, "result[2].from_id", "region id string"),
    ("relation", "2.to_id", ["b"], "result[2].to_id", "region id string"),
    ("relation", "2.direction", ["right"], "result[2].direction", "right"),
    ("choices", "0.value.choices", ["A", "B"], "result[0].value.choices", "single"),
    ("choices", "0.value.choices", ["Z"], "result[0].value.choices", "not a choice"),
    ("choices", "0.value.choices", "A", "result[0].value.choices", "must be a list"),
    ("nested", "0.value.choices", [["A", "A2"]], "result[0].value.choices", "not in the choice tree"),
    ("textarea", "0.value.text", ["1", "2", "3"], "result[0].value.text", "maxSubmissions"),
    ("textarea", "0.value.text", [1], "result[0].value.text", "strings"),
    ("rating", "0.value.rating", 6, "result[0].value.rating", "maxRating"),
    ("rating", "0.value.rating", "5", "result[0].value.rating", "integer"),
    ("number", "0.value.number", 11, "result[0].value.number", "above max"),
    ("number", "0.value.number", -1, "result[0].value.number", "below min"),
    ("number", "0.value.number", True, "result[0].value.number", "must be a number"),
    ("datetime", "0.value.datetime", 20240102, "result[0].value.datetime", "string"),
    ("taxonomy", "0.value.taxonomy", [["X", "X9"]], "result[0].value.taxonomy", "not in the taxonomy"),
    ("taxonomy", "0.value.taxonomy", [["X"]], "result[0].value.taxonomy", "not a leaf"),
    ("taxonomy", "0.value.taxonomy", ["X"], "result[0].value.taxonomy", "lists of strings"),
    ("rect", "0.value.x", 120, "result[0].value.x", "outside 0-100"),
    ("rect", "0.value.width", "wide", "result[0].value.width", "must be a number"),
    ("rect", "0.value.rotation", 720, "result[0].value.rotation", "degrees"),
    ("rect", "0.original_width", -5, "result[0].original_width", "positive"),
    ("rect", "0.value.rectanglelabels", DELETE, "result[0].value.rectanglelabels", "missing"),
    ("poly", "0.value.points", [[0, 0], [150, 0], [1, 1]], "result[0].value.points[1]", "0-100"),
    ("poly", "0.value.points", [[0, 0]], "result[0].value.points", "at least"),
    ("kp", "0.value.y", -3, "result[0].value.y", "outside"),
    ("ellipse", "0.value.radiusX", 101, "result[0].value.radiusX", "outside"),
    ("brush", "0.value.rle", [0, 256], "result[0].value.rle", "0-255"),
    ("brush", "0.value.rle", [0, 1.5], "result[0].value.rle", "0-255"),
    ("brush", "0.value.format", "png", "result[0].value.format", "rle"),
    ("bitmask", "0.value.imageDataURL", "http://x/y.png", "result[0].value.imageDataURL", "data:image"),
    ("vector", "0.value.vertices", [{"x": 500, "y": 1}], "result[0].value.vertices[0].x", "outside"),
    ("bare_plus_labels", "2.id", "elsewhere", "result[2].id", "not a region"),
    ("htl", "0.value.startOffset", -1, "result[0].value.startOffset", ">= 0"),
    ("htl", "0.value.start", 3, "result[0].value.start", "XPath"),
    ("paragraph", "0.value.start", "2", "result[0].value.end", "after"),
    ("audio", "0.value.end", 0.1, "result[0].value.end", "after"),
    ("timeseries", "0.value.end", 0, "result[0].value.end", "after"),
    ("videorect", "0.value.sequence", [{"frame": -1}], "result[0].value.sequence[0].frame", "integer"),
    ("videorect", "0.value.labels", ["bike"], "result[0].value.labels", "not a label"),
    ("timeline", "0.value.ranges", [{"start": 5, "end": 1}], "result[0].value.ranges[0]", "after"),
    ("pairwise", "0.value.selected", "middle", "result[0].value.selected", "left"),
    ("ranker", "0.value.ranker", {"ugly": ["1"]}, "result[0].value.ranker", "not a bucket"),
    ("repeater", "0.from_name", "other_1", "result[0].from_name", "not a control"),
]


@pytest.mark.parametrize(
    ("case", "path", "value", "field", "fragment"), BAD, ids=[f"{b[0]}-{b[2]!r}"[:60] for b in BAD]
)
def test_malformed_result_is_rejected_with_item_and_field(
    config: Any, case: str, path: str, value: Any, field: str, fragment: str
) -> None:
    problems = validate_result(config, _bad(case, path, value), index=7, task_data=DATA)
    assert problems, "expected a problem"
    assert any(p.field == field and fragment in p.message for p in problems), [(p.field, str(p)) for p in problems]
    assert all(p.index == 7 and str(p).startswith("task 7 annotation: result") for p in problems)


def test_max_usages_counts_labels_across_the_result(config: Any) -> None:
    span = {"start": 0, "end": 3, "labels": ["ORG"]}
    result = [R("ner", "text", "labels", span), R("ner", "text", "labels", span)]
    problems = validate_result(config, result)
    assert any("maxUsages is 1" in p.message for p in problems)
    per = {"start": 0, "end": 3, "labels": ["PER"]}
    assert validate_result(config, [R("ner", "text", "labels", per)] * 2) == []
    assert any("maxUsages is 2" in p.message for p in validate_result(config, [R("ner", "text", "labels", per)] * 3))


def test_result_must_be_a_list(config: Any) -> None:
    problems = validate_result(config, {"choices": ["A"]}, kind="prediction")
    assert problems and problems[0].field == "result"


def test_simplified_prediction_forms_are_normalized() -> None:
    cfg = parse_config(
        '<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="A"/></Choices>'
        '<Rating name="r" toName="t"/></View>'
    )
    assert normalize_prediction_result(cfg, "A") == [
        {"from_name": "c", "to_name": "t", "type": "choices", "value": {"choices": ["A"]}}
    ]
    assert normalize_prediction_result(cfg, 4)[0]["value"] == {"rating": 4}
    assert normalize_prediction_result(cfg, {"rating": 3})[0]["from_name"] == "r"
    regions = [{"from_name": "c"}]
    assert normalize_prediction_result(cfg, regions) is regions
    with pytest.raises(InputError):
        normalize_prediction_result(cfg, 2.5)
    with pytest.raises(InputError):
        normalize_prediction_result(cfg, {"zzz": 1})
