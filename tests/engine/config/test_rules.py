"""Config-level rules, messages, strictness, caching, task data, descriptions and config changes."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from lsx.engine.config import (
    ConfigError,
    ConfigUsage,
    check_config_change,
    get_template,
    list_templates,
    parse_config,
    validate_result,
    validate_task_data,
)
from lsx.engine.errors import NotFound, ValidationFailed

from .conftest import fixture_json, fixture_text

TXT = '<Text name="text" value="$text"/>'


def errors(xml: str, strict: bool = False) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(xml, strict=strict)
    return [str(p) for p in info.value.problems]


def test_error_message_names_file_line_column_and_tag() -> None:
    xml = (
        '<View>\n  <Image name="img" value="$image"/>\n\n\n\n\n    <Choices name="x" toName="im">'
        '<Choice value="a"/></Choices>\n</View>'
    )
    assert errors(xml) == ['config.xml:7:5: <Choices name="x">: toName "im" is not a tag']


def test_config_error_is_a_validation_failure_with_all_problems() -> None:
    with pytest.raises(ValidationFailed) as info:
        parse_config('<View><Choices name="a" toName="x"/><Choices name="a" toName="y"/></View>')
    assert len(info.value.problems) >= 3


@pytest.mark.parametrize(
    ("xml", "fragment"),
    [
        ("<Text name='t' value='$t'/>", "root tag must be <View>"),
        (f"<View>{TXT}{TXT}</View>", 'name "text" is already used'),
        (
            f'<View>{TXT}<Choices name="c" toName="c2"><Choice value="a"/></Choices><Header name="c2"/></View>',
            "not an object tag",
        ),
        ('<View><Text name="t" value="$a.b[0"/></View>', "not a valid data path"),
        (f'<View>{TXT}<Choices name="c" toName="text" value="$opts and more"/></View>', "one $variable"),
        (
            f'<View>{TXT}<Choices name="c" toName="text"><Choice value="a"/></Choices>'
            '<View visibleWhen="choice-selected" whenTagName="c" whenChoiceValue="zzz"/></View>',
            'whenChoiceValue "zzz"',
        ),
        (
            f'<View>{TXT}<TextArea name="t2" toName="text" whenTagName="ghost" perRegion="true"/></View>',
            'whenTagName "ghost"',
        ),
        (
            f'<View>{TXT}<Labels name="l" toName="text"><Label value="A"/></Labels>'
            '<TextArea name="n" toName="text" perRegion="true" whenLabelValue="B"/></View>',
            'whenLabelValue "B"',
        ),
        (
            f'<View>{TXT}<Choices name="c" toName="text"><Choice value="A">'
            '<Choice value="A1"/></Choice></Choices></View>',
            "allowNested",
        ),
        ("<View><Bogus/></View>", "unknown tag <Bogus>"),
    ],
)
def test_config_rule_violations_are_errors(xml: str, fragment: str) -> None:
    assert any(fragment in m for m in errors(xml)), errors(xml)


def test_unknown_attribute_is_a_warning_and_an_error_when_strict() -> None:
    xml = (
        '<View><Text name="text" value="$text" sparkle="yes"/>'
        '<Choices name="c" toName="text"><Choice value="a"/></Choices></View>'
    )
    config = parse_config(xml)
    assert [w.field for w in config.warnings] == ["sparkle"]
    assert "unknown attribute" in str(config.warnings[0])
    assert any("sparkle" in m for m in errors(xml, strict=True))


def test_attribute_names_match_case_insensitively() -> None:
    config = parse_config(
        '<View><Image name="i" value="$img" ZOOMCONTROL="true"/><Audio name="a" value="$a" '
        'splitchannels="true"/></View>',
        strict=True,
    )
    assert config.objects["i"].node.attrs["zoomControl"] is True
    assert config.objects["a"].node.get("splitChannels") is True


def test_clashing_hotkeys_are_a_warning() -> None:
    xml = (
        f'<View>{TXT}<Choices name="c" toName="text"><Choice value="a" hotkey="1"/>'
        '<Choice value="b" hotkey="1"/></Choices></View>'
    )
    assert any("hotkey" in str(w) for w in parse_config(xml).warnings)


def test_dynamic_options_need_no_option_tags() -> None:
    config = parse_config(f'<View>{TXT}<Labels name="l" toName="text" value="$labels"/></View>')
    assert config.controls["l"].dynamic
    assert list(config.data_types) == ["text", "labels"]


def test_parsed_configs_are_cached_by_hash() -> None:
    xml = f'<View>{TXT}<Choices name="c" toName="text"><Choice value="a"/></Choices></View>'
    assert parse_config(xml) is parse_config(xml)
    assert parse_config(xml) is not parse_config(xml, strict=True)


# --- parsed_label_config and export formats match Label Studio --------------------------------

LS_TEXT = {
    "label": {
        "type": "Labels",
        "to_name": ["text"],
        "inputs": [{"type": "Text", "value": "text", "valueType": None}],
        "labels": ["PER", "ORG", "LOC"],
        "labels_attrs": {
            "PER": {"value": "PER", "background": "#FF6B6B"},
            "ORG": {"value": "ORG", "background": "#FFA94D"},
            "LOC": {"value": "LOC", "background": "#4DABF7"},
        },
    },
    "sentiment": {
        "type": "Choices",
        "to_name": ["text"],
        "inputs": [{"type": "Text", "value": "text", "valueType": None}],
        "labels": ["Positive", "Neutral", "Negative"],
        "labels_attrs": {
            "Positive": {"value": "Positive"},
            "Neutral": {"value": "Neutral"},
            "Negative": {"value": "Negative"},
        },
    },
    "comment": {
        "type": "TextArea",
        "to_name": ["text"],
        "inputs": [{"type": "Text", "value": "text", "valueType": None}],
        "labels": [],
        "labels_attrs": {},
    },
    "confidence": {
        "type": "Rating",
        "to_name": ["text"],
        "inputs": [{"type": "Text", "value": "text", "valueType": None}],
        "labels": [],
        "labels_attrs": {},
    },
}


def test_parsed_label_config_matches_label_studio_for_text_fixture() -> None:
    assert parse_config(fixture_text("ls-text.config.xml")).parsed_label_config() == LS_TEXT


def test_parsed_label_config_for_image_fixture() -> None:
    parsed = parse_config(fixture_text("ls-image.config.xml")).parsed_label_config()
    assert list(parsed) == ["bbox", "road", "keypoint", "time_of_day", "bbox_note"]
    assert parsed["keypoint"]["labels_attrs"]["face"] == {"value": "face", "background": "#F03E3E", "model_index": "0"}
    assert parsed["bbox_note"]["inputs"] == [{"type": "Image", "value": "image", "valueType": None}]
    assert "conditionals" not in parsed["bbox_note"]


def test_parsed_label_config_conditionals_dynamic_and_regex() -> None:
    xml = (
        f'<View>{TXT}<Labels name="l" toName="text" value="$labels"/>'
        '<TextArea name="n" toName="text" perRegion="true" whenTagName="l"/>'
        '<Repeater on="$qs"><Text name="q_{{idx}}" value="$qs[{{idx}}]"/>'
        '<Choices name="a_{{idx}}" toName="q_{{idx}}"><Choice value="Y"/></Choices></Repeater></View>'
    )
    parsed = parse_config(xml).parsed_label_config()
    assert parsed["l"]["dynamic_labels"] is True
    assert parsed["n"]["conditionals"] == {"type": "tag", "name": "l"}
    assert parsed["a_{{idx}}"]["regex"] == {"{{idx}}": ".*"}


@pytest.mark.parametrize("project", ["text", "image"])
def test_export_formats_match_label_studio(project: str) -> None:
    config = parse_config(fixture_text(f"ls-{project}.config.xml"))
    expected = [(f["name"], f.get("disabled", False)) for f in fixture_json(f"ls-{project}.export.formats.json")]
    assert [(f["name"], f["disabled"]) for f in config.export_formats()] == expected
    assert all(set(f) >= {"name", "title", "description", "disabled"} for f in config.export_formats())


@pytest.mark.parametrize(
    ("body", "enabled", "disabled"),
    [
        (
            '<Image name="i" value="$img"/><BrushLabels name="b" toName="i"><Label value="a"/></BrushLabels>',
            {"BRUSH_TO_NUMPY", "BRUSH_TO_PNG"},
            {"COCO", "VOC"},
        ),
        ('<Audio name="a" value="$audio"/><TextArea name="t" toName="a"/>', {"ASR_MANIFEST"}, {"CONLL2003"}),
        (
            '<Image name="i" valueList="$imgs"/><RectangleLabels name="r" toName="i">'
            '<Label value="a"/></RectangleLabels>',
            set(),
            {"COCO", "YOLO", "VOC"},
        ),
        (
            '<Image name="i" value="$img"/><KeyPointLabels name="k" toName="i"><Label value="a"/></KeyPointLabels>',
            set(),
            {"COCO", "YOLO"},
        ),
        (
            '<Image name="i" value="$img"/><Rectangle name="r" toName="i"/>'
            '<Labels name="l" toName="i"><Label value="a"/></Labels>',
            {"COCO", "YOLO", "VOC", "YOLO_OBB"},
            set(),
        ),
        (
            f'{TXT}<Text name="t2" value="$other"/><Labels name="l" toName="text,t2"><Label value="a"/></Labels>',
            {"JSON", "CSV"},
            {"CONLL2003"},
        ),
    ],
)
def test_export_format_rules(body: str, enabled: set[str], disabled: set[str]) -> None:
    formats = {f["name"]: f["disabled"] for f in parse_config(f"<View>{body}</View>").export_formats()}
    assert all(not formats[n] for n in enabled)
    assert all(formats[n] for n in disabled)


# --- interface tree, sample task --------------------------------------------------------------

SCHEMA = json.loads(resources.files("lsx.engine.config").joinpath("interface_tree.schema.json").read_text())


def test_interface_tree_follows_its_schema_and_expands_repeater() -> None:
    xml = (
        '<View><Repeater on="$qs"><Header value="$qs[{{idx}}].q"/><Text name="q_{{idx}}" value="$qs[{{idx}}].q"/>'
        '<Choices name="a_{{idx}}" toName="q_{{idx}}"><Choice value="Y"/></Choices></Repeater></View>'
    )
    config = parse_config(xml)
    data = {"qs": [{"q": "first?"}, {"q": "second?"}]}
    tree = config.interface_tree(data)
    jsonschema.validate(tree, SCHEMA)
    jsonschema.validate(config.interface_tree(), SCHEMA)
    rep = tree["root"]["children"][0]
    assert rep["expanded"] is True and len(rep["children"]) == 2
    second = rep["children"][1]["children"]
    assert [n.get("name") for n in second] == [None, "q_1", "a_1"]
    assert second[1]["data"] == "second?"
    assert second[2]["control"]["to_name"] == ["q_1"]
    assert (
        validate_result(
            config, [{"from_name": "a_1", "to_name": "q_1", "type": "choices", "value": {"choices": ["Y"]}}]
        )
        == []
    )


@pytest.mark.parametrize("template", [t.name for t in list_templates()])
def test_every_template_tree_follows_the_schema(template: str) -> None:
    t = get_template(template)
    jsonschema.validate(parse_config(t.xml).interface_tree(t.sample_task["data"]), SCHEMA)


def test_sample_task_comes_from_the_comment() -> None:
    xml = '<View>\n<!-- {"data": {"text": "hi"}, "annotations": []} -->\n' + TXT + "</View>"
    assert parse_config(xml).sample_task() == {"data": {"text": "hi"}, "annotations": []}
    bare = '<!-- {"text": "bare"} -->\n<View>' + TXT + "</View>"
    assert parse_config(bare).sample_task() == {"data": {"text": "bare"}}


def test_sample_task_is_generated_from_bindings_and_validates() -> None:
    xml = (
        '<View><Text name="t" value="$doc.body"/><Image name="i" valueList="$pics"/>'
        '<Paragraphs name="p" value="$dlg" nameKey="who" textKey="said"/>'
        '<Repeater on="$qs"><Text name="q_{{idx}}" value="$qs[{{idx}}].text"/></Repeater></View>'
    )
    config = parse_config(xml)
    task = config.sample_task()
    assert validate_task_data(config, task["data"]) == []
    assert set(task["data"]["dlg"][0]) == {"who", "said"}
    assert isinstance(task["data"]["pics"], list)
    assert isinstance(task["data"]["qs"], list)


def test_first_data_key_maps_undefined() -> None:
    config = parse_config(
        '<View><Audio name="a" value="$audio"/><Video name="v" value="$audio"/>'
        '<Header value="$title"/><Text name="t" value="Title: $caption"/></View>'
    )
    assert dict(config.data_types) == {"audio": "Video", "caption": "Text"}
    assert config.first_data_key == "audio"


# --- task data --------------------------------------------------------------------------------


def test_task_data_type_table() -> None:
    config = parse_config(
        '<View><Text name="t" value="$text"/><HyperText name="h" value="$html"/>'
        '<Image name="i" value="$image"/><Table name="tb" value="$table"/>'
        '<Taxonomy name="tx" toName="t" value="$tree"/></View>'
    )
    good = {"text": 5, "html": "<p/>", "image": ["a"], "table": {"a": 1}, "tree": None}
    assert validate_task_data(config, good) == []
    bad = {"text": {"x": 1}, "html": 3, "image": 1.5, "table": 7}
    problems = validate_task_data(config, bad, index=12)
    assert {p.field for p in problems} == {"data.text", "data.html", "data.image", "data.table", "data.tree"}
    assert all(p.index == 12 and str(p).startswith("task 12: ") for p in problems)
    assert any('no key "tree"' in p.message for p in problems)
    assert validate_task_data(config, ["not", "a", "dict"], index=0)[0].field == "data"


def test_task_data_walks_dot_paths_and_list_indexes() -> None:
    config = parse_config(
        '<View><Audio name="a" value="$media.audio"/>'
        '<Repeater on="$qs"><Text name="q_{{idx}}" value="$qs[{{idx}}].text"/></Repeater></View>'
    )
    assert validate_task_data(config, {"media": {"audio": "u"}, "qs": [{"text": "a"}]}) == []
    problems = validate_task_data(config, {"media": {}, "qs": {"text": "a"}})
    assert {p.field for p in problems} == {"data.media.audio", "data.qs[{{idx}}].text"}


# --- config changes ---------------------------------------------------------------------------


def test_config_change_that_orphans_annotations_is_refused() -> None:
    old = parse_config(fixture_text("ls-text.config.xml"))
    new = parse_config(f'<View>{TXT}<Labels name="label" toName="text"><Label value="PER"/></Labels></View>')
    usage = ConfigUsage(
        tuples={
            ("label", "text", "labels"): 9,
            ("sentiment", "text", "choices"): 4,
            ("comment", "text", "textarea"): 0,
        },
        labels={"label": {"PER": 5, "ORG": 3, "LOC": 0}, "sentiment": {"Positive": 4}},
    )
    problems = [str(p) for p in check_config_change(old, new, usage)]
    assert any('<Choices name="sentiment"> is used by 4 annotations' in m for m in problems), problems
    assert any('drops labels still in use: "ORG" (3 annotations)' in m for m in problems), problems
    assert not any("comment" in m or "LOC" in m for m in problems)
    assert check_config_change(old, old, usage) == []


def test_config_change_to_other_object_or_type_is_refused() -> None:
    new = parse_config('<View><Text name="body" value="$text"/><Rating name="sentiment" toName="body"/></View>')
    usage = ConfigUsage(tuples={("sentiment", "text", "choices"): 2})
    assert "emits" in str(check_config_change(None, new, usage)[0])


# --- templates --------------------------------------------------------------------------------

MODALITIES = {
    "text_classification",
    "named_entity_recognition",
    "relation_extraction",
    "taxonomy",
    "sentiment_rating",
    "dialogue_intent",
    "html_ner",
    "image_classification",
    "bounding_boxes",
    "polygons",
    "keypoints",
    "ellipses",
    "brush_segmentation",
    "ocr",
    "multi_image",
    "audio_classification",
    "audio_segmentation",
    "speech_transcription",
    "speaker_diarization",
    "video_classification",
    "video_object_tracking",
    "video_timeline_segmentation",
    "timeseries_segmentation",
    "multichannel_timeseries",
    "pairwise_comparison",
    "ranking",
    "table_qa",
    "pdf_classification",
    "llm_response_grading",
}


def test_templates_cover_every_modality() -> None:
    names = {t.name for t in list_templates()}
    assert len(names) >= 30
    assert names >= MODALITIES


@pytest.mark.parametrize("template", [t.name for t in list_templates()])
def test_template_and_its_sample_task_validate(template: str) -> None:
    t = get_template(template)
    config = parse_config(t.xml, source=f"{template}.xml", strict=True)
    task: dict[str, Any] = t.sample_task
    assert validate_task_data(config, task["data"]) == []
    for kind in ("annotations", "predictions"):
        for item in task.get(kind, []):
            problems = validate_result(config, item["result"], kind=kind[:-1], task_data=task["data"])
            assert problems == [], [str(p) for p in problems]


def test_unknown_template_is_not_found() -> None:
    with pytest.raises(NotFound, match="ocr"):
        get_template("oc")
