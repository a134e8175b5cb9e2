"""Each tag of the catalog: one valid config, and one invalid config breaking a rule of that tag."""

from __future__ import annotations

import re

import pytest

from lsx.engine.config import ConfigError, parse_config
from lsx.engine.config.catalog import CATALOG

IMG = '<Image name="img" value="$image"/>'
TXT = '<Text name="text" value="$text"/>'
LBL = '<Label value="A"/><Label value="B"/>'

# tag -> (valid body, invalid body, fragment of the expected error)
CASES: dict[str, tuple[str, str, str]] = {
    "View": ('<View display="inline">' + TXT + "</View>", '<View display="grid">' + TXT + "</View>", 'display="grid"'),
    "Text": (TXT, '<Text name="text" value="$text" granularity="letter"/>', "granularity"),
    "HyperText": ('<HyperText name="h" value="$html" inline="true"/>', '<HyperText name="h"/>', 'needs "value"'),
    "Paragraphs": (
        '<Paragraphs name="p" value="$dialogue" layout="dialogue"/>',
        '<Paragraphs name="p" value="$d" layout="chat"/>',
        "layout",
    ),
    "Image": (IMG, '<Image name="img" value="$a" valueList="$b"/>', "not both"),
    "Audio": (
        '<Audio name="a" value="$audio" decoder="ffmpeg"/>',
        '<Audio name="a" value="$audio" decoder="x"/>',
        "decoder",
    ),
    "AudioPlus": (
        '<AudioPlus name="a" value="$audio"/>',
        '<AudioPlus name="a" value="$audio" height="tall"/>',
        "height",
    ),
    "Video": (
        '<Video name="v" value="$video" frameRate="$fps"/>',
        '<Video name="v" value="$video" frameRate="fast"/>',
        "frameRate",
    ),
    "TimeSeries": (
        '<TimeSeries name="ts" value="$ts" valueType="json"><Channel column="x"/></TimeSeries>',
        '<TimeSeries name="ts" value="$ts" valueType="csv"><Channel column="x"/></TimeSeries>',
        "valueType",
    ),
    "Channel": (
        '<TimeSeries name="ts" value="$ts"><Channel column="x" strokeWidth="2"/></TimeSeries>',
        '<TimeSeries name="ts" value="$ts"><Channel legend="x"/></TimeSeries>',
        'missing required attribute "column"',
    ),
    "MultiChannel": (
        '<TimeSeries name="ts" value="$ts"><MultiChannel height="200">'
        '<Channel column="x"/></MultiChannel></TimeSeries>',
        '<View><MultiChannel height="200"/></View>',
        "must be inside <TimeSeries>",
    ),
    "Table": ('<Table name="tb" value="$table"/>', '<Table value="$table"/>', 'missing required attribute "name"'),
    "List": (
        '<List name="l" value="$items"/><Ranker name="r" toName="l"/>',
        '<List name="l" value="$items"/><Ranker name="r" toName="text"/>' + TXT,
        "<Ranker> can label List",
    ),
    "Pdf": ('<Pdf name="pdf" value="$pdf"/>', '<Pdf name="pdf" value="$pdf" valueType="binary"/>', "valueType"),
    "Chat": (
        '<Chat name="chat" value="$messages"/>',
        '<Chat name="chat" value="$m" minMessages="few"/>',
        "minMessages",
    ),
    "PagedView": ("<PagedView>" + TXT + "</PagedView>", "<PagedView><Bogus/></PagedView>", "unknown tag <Bogus>"),
    "Choices": (
        TXT + '<Choices name="c" toName="text" choice="multiple"><Choice value="A"/></Choices>',
        TXT + '<Choices name="c" toName="text" choice="triple"><Choice value="A"/></Choices>',
        'choice="triple"',
    ),
    "Choice": (
        TXT + '<Choices name="c" toName="text"><View><Choice value="A" hotkey="a"/></View></Choices>',
        TXT + '<Labels name="l" toName="text"><Label value="A"/><Choice value="B"/></Labels>',
        "<Choice> must be inside",
    ),
    "Labels": (
        TXT + f'<Labels name="l" toName="text">{LBL}</Labels>',
        TXT + '<Labels name="l" toName="text"></Labels>',
        "has no options",
    ),
    "Label": (
        TXT + '<Labels name="l" toName="text"><Label value="A" background="red" category="3"/></Labels>',
        TXT + '<Labels name="l" toName="text"><Label background="red"/></Labels>',
        '<Label> needs a "value"',
    ),
    "RectangleLabels": (
        IMG + f'<RectangleLabels name="r" toName="img">{LBL}</RectangleLabels>',
        TXT + f'<RectangleLabels name="r" toName="text">{LBL}</RectangleLabels>',
        "<RectangleLabels> can label Image",
    ),
    "Rectangle": (
        IMG + '<Rectangle name="r" toName="img" canRotate="false"/>',
        IMG + '<Rectangle name="r" toName="img" snap="grid"/>',
        "snap",
    ),
    "PolygonLabels": (
        IMG + f'<PolygonLabels name="p" toName="img" pointSize="large">{LBL}</PolygonLabels>',
        IMG + f'<PolygonLabels name="p" toName="img" pointSize="huge">{LBL}</PolygonLabels>',
        "pointSize",
    ),
    "Polygon": (
        IMG + '<Polygon name="p" toName="img"/>',
        IMG + '<Polygon name="p" toName="nothing"/>',
        'toName "nothing" is not a tag',
    ),
    "KeyPointLabels": (
        IMG + f'<KeyPointLabels name="k" toName="img">{LBL}</KeyPointLabels>',
        IMG + '<KeyPointLabels name="k" toName="img"/>',
        "has no options",
    ),
    "KeyPoint": (
        IMG + '<KeyPoint name="k" toName="img"/>',
        TXT + '<KeyPoint name="k" toName="text"/>',
        "can label Image",
    ),
    "EllipseLabels": (
        IMG + f'<EllipseLabels name="e" toName="img">{LBL}</EllipseLabels>',
        IMG + f'<EllipseLabels name="e" toName="img" opacity="half">{LBL}</EllipseLabels>',
        "opacity",
    ),
    "Ellipse": (
        IMG + '<Ellipse name="e" toName="img"/>',
        IMG + '<Ellipse toName="img"/>',
        'missing required attribute "name"',
    ),
    "BrushLabels": (
        IMG + f'<BrushLabels name="b" toName="img">{LBL}</BrushLabels>',
        IMG + f'<BrushLabels name="b" toName="img" choice="some">{LBL}</BrushLabels>',
        "choice",
    ),
    "Brush": (
        IMG + '<Brush name="b" toName="img" smart="true"/>',
        IMG + '<Brush name="b"/>',
        'missing required attribute "toName"',
    ),
    "MagicWand": (
        IMG + '<MagicWand name="w" toName="img" blurradius="3"/>',
        IMG + '<MagicWand name="w" toName="img" blurradius="soft"/>',
        "blurradius",
    ),
    "BitmaskLabels": (
        IMG + f'<BitmaskLabels name="b" toName="img">{LBL}</BitmaskLabels>',
        TXT + f'<BitmaskLabels name="b" toName="text">{LBL}</BitmaskLabels>',
        "can label Image",
    ),
    "Bitmask": (
        IMG + '<Bitmask name="b" toName="img"/>',
        IMG + '<Bitmask name="b" toName="img" maxUsages="x"/>',
        "unknown attribute",
    ),
    "VectorLabels": (
        IMG + f'<VectorLabels name="v" toName="img" closable="true">{LBL}</VectorLabels>',
        IMG + f'<VectorLabels name="v" toName="img" minPoints="two">{LBL}</VectorLabels>',
        "minPoints",
    ),
    "Vector": (
        IMG + '<Vector name="v" toName="img"/>',
        IMG + '<Vector name="v" toName="img" maxPoints="1.5"/>',
        "maxPoints",
    ),
    "HyperTextLabels": (
        '<HyperText name="h" value="$html"/>' + f'<HyperTextLabels name="l" toName="h">{LBL}</HyperTextLabels>',
        TXT + f'<HyperTextLabels name="l" toName="text">{LBL}</HyperTextLabels>',
        "can label HyperText",
    ),
    "ParagraphLabels": (
        '<Paragraphs name="p" value="$d"/>' + f'<ParagraphLabels name="l" toName="p">{LBL}</ParagraphLabels>',
        TXT + f'<ParagraphLabels name="l" toName="text">{LBL}</ParagraphLabels>',
        "can label Paragraphs",
    ),
    "TimeSeriesLabels": (
        '<TimeSeries name="ts" value="$ts"><Channel column="x"/></TimeSeries>'
        + f'<TimeSeriesLabels name="l" toName="ts">{LBL}</TimeSeriesLabels>',
        IMG + f'<TimeSeriesLabels name="l" toName="img">{LBL}</TimeSeriesLabels>',
        "can label TimeSeries",
    ),
    "VideoRectangle": (
        f'<Video name="v" value="$video"/><Labels name="l" toName="v">{LBL}</Labels>'
        '<VideoRectangle name="r" toName="v"/>',
        IMG + '<VideoRectangle name="r" toName="img"/>',
        "can label Video",
    ),
    "TimelineLabels": (
        f'<Video name="v" value="$video"/><TimelineLabels name="t" toName="v">{LBL}</TimelineLabels>',
        '<Video name="v" value="$video"/><TimelineLabels name="t" toName="v"/>',
        "has no options",
    ),
    "TextArea": (
        TXT + '<TextArea name="ta" toName="text" rows="3" maxSubmissions="2"/>',
        TXT + '<TextArea name="ta" toName="text" perRegion="true" perItem="true"/>',
        "perRegion and perItem",
    ),
    "Shortcut": (
        TXT + '<TextArea name="ta" toName="text"><Shortcut value="OK" hotkey="ctrl+1"/></TextArea>',
        TXT + '<Choices name="c" toName="text"><Choice value="A"/><Shortcut value="x"/></Choices>',
        "<Shortcut> must be inside <TextArea>",
    ),
    "Rating": (
        TXT + '<Rating name="r" toName="text" maxRating="10"/>',
        TXT + '<Rating name="r" toName="text" maxRating="0"/>',
        "maxRating must be at least 1",
    ),
    "Number": (
        TXT + '<Number name="n" toName="text" min="0" max="10"/>',
        TXT + '<Number name="n" toName="text" min="10" max="0"/>',
        "min 10 is greater than max 0",
    ),
    "DateTime": (
        TXT + '<DateTime name="d" toName="text" only="date,time"/>',
        TXT + '<DateTime name="d" toName="text" only="week"/>',
        'only="week"',
    ),
    "Taxonomy": (
        TXT + '<Taxonomy name="tx" toName="text"><Choice value="A"><Choice value="A1"/></Choice></Taxonomy>',
        TXT + '<Taxonomy name="tx" toName="text"/>',
        "has no options",
    ),
    "Pairwise": (
        '<Text name="a" value="$a"/><Text name="b" value="$b"/><Pairwise name="pw" toName="a,b"/>',
        '<Text name="a" value="$a"/><Pairwise name="pw" toName="a"/>',
        "two objects",
    ),
    "Ranker": (
        '<List name="l" value="$items"/><Ranker name="r" toName="l"><Bucket name="good" title="Good"/></Ranker>',
        IMG + '<Ranker name="r" toName="img"/>',
        "can label List",
    ),
    "Bucket": (
        '<List name="l" value="$items"/><Ranker name="r" toName="l"><Bucket name="good"/></Ranker>',
        '<List name="l" value="$items"/><Ranker name="r" toName="l"><Bucket title="x"/></Ranker>',
        'missing required attribute "name"',
    ),
    "Relations": (
        TXT + f'<Labels name="l" toName="text">{LBL}</Labels><Relations><Relation value="rel"/></Relations>',
        TXT
        + f'<Labels name="l" toName="text">{LBL}</Labels><Relations choice="both"><Relation value="r"/></Relations>',
        "choice",
    ),
    "Relation": (
        TXT + '<Relations><Relation value="rel" background="blue"/></Relations>',
        TXT + '<Relations><Relation background="blue"/></Relations>',
        'missing required attribute "value"',
    ),
    "Header": ('<Header value="Title: $title" size="3"/>', '<Header value="x" size="big"/>', "size"),
    "Style": (
        "<Style>.x { color: red; }</Style>" + TXT,
        "<Style><Label value='x'/></Style>" + TXT,
        "<Label> must be inside",
    ),
    "Filter": (
        TXT + f'<Filter name="f" toName="l" minlength="1"/><Labels name="l" toName="text">{LBL}</Labels>',
        TXT + '<Filter name="f" toName="missing"/>',
        'toName "missing" is not a tag',
    ),
    "Collapse": (
        '<Collapse accordion="false"><Panel value="More">' + TXT + "</Panel></Collapse>",
        "<View><Panel value='x'/></View>",
        "<Panel> must be inside <Collapse>",
    ),
    "Panel": (
        '<Collapse><Panel value="P">' + TXT + "</Panel></Collapse>",
        TXT + '<Panel value="x"/>',
        "must be inside <Collapse>",
    ),
    "Markdown": ('<Markdown value="**$title**"/>', '<Markdown value="x" visibleWhen="always"/>', "visibleWhen"),
    "Repeater": (
        '<Repeater on="$items"><Text name="t_{{idx}}" value="$items[{{idx}}].text"/></Repeater>',
        '<Repeater on="items"><Text name="t_{{idx}}" value="$items[{{idx}}].text"/></Repeater>',
        "must be one $variable",
    ),
    "Dialog": ('<Dialog name="dlg" value="$text"/>', '<Dialog name="text" value="x"/>' + TXT, "already used"),
}


def wrap(body: str) -> str:
    return (
        body
        if body.startswith("<View") and body.endswith("</View>") and body.count("<View") > 1
        else f"<View>{body}</View>"
    )


def test_every_catalog_tag_has_cases() -> None:
    assert set(CATALOG) <= set(CASES), sorted(set(CATALOG) - set(CASES))


@pytest.mark.parametrize("tag", sorted(CASES))
def test_tag_valid_config_parses_without_problems(tag: str) -> None:
    valid, _, _ = CASES[tag]
    config = parse_config(wrap(valid), strict=tag not in ("VideoRectangle",))
    assert any(node.tag == tag for node in config.root.walk())


@pytest.mark.parametrize("tag", sorted(CASES))
def test_tag_invalid_config_names_the_broken_rule(tag: str) -> None:
    _, invalid, fragment = CASES[tag]
    with pytest.raises(ConfigError) as info:
        parse_config(wrap(invalid), strict=True)
    messages = [str(p) for p in info.value.problems]
    assert any(fragment in m for m in messages), messages
    assert all(re.match(r"^config\.xml:\d+:\d+: <[^>]+>: ", m) for m in messages), messages


def test_html_layout_tags_are_allowed_inside_view() -> None:
    xml = "<View><div class='x'><h2>Title</h2><p>Read <b>this</b><br/></p><ul><li>one</li></ul></div>" + TXT + "</View>"
    config = parse_config(xml, strict=True)
    assert {"div", "h2", "p", "b", "br", "ul", "li"} <= {n.tag for n in config.root.walk()}
