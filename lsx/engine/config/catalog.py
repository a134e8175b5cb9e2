"""The tag catalog: every tag of Label Studio's config language with its typed attributes,
its family, what a control labels, the result `type` it emits and the key holding its answer.

Plain HTML layout tags (`HTML_TAGS`) are allowed anywhere inside a `<View>`; their attributes
are not checked (they are rendered as-is by the web UI).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lsx.engine.config.attributes import AttrSpec, parse_specs

OBJECT = "object"
CONTROL = "control"
OPTION = "option"
VISUAL = "visual"
HTML = "html"

# Plain HTML layout tags allowed inside a View (rendered as-is; attributes not checked).
HTML_TAGS: frozenset[str] = frozenset(
    [
        "div",
        "span",
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "b",
        "i",
        "u",
        "s",
        "em",
        "strong",
        "small",
        "mark",
        "sub",
        "sup",
        "br",
        "hr",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "colgroup",
        "col",
        "a",
        "img",
        "pre",
        "code",
        "blockquote",
        "label",
        "center",
        "font",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "figcaption",
        "details",
        "summary",
        "abbr",
        "cite",
        "q",
        "kbd",
        "del",
        "ins",
    ]
)

_VISIBLE = (
    " visibleWhen:enum(region-selected|no-region-selected|choice-selected|choice-unselected)"
    " whenTagName:names whenLabelValue:list whenChoiceValue:list"
)
_STYLE = " style:css className idAttr"
_CONTROL = " name! toName:names! required:bool=false requiredMessage perRegion:bool=false perItem:bool=false"
_CONTROL += _VISIBLE + _STYLE
_SHAPE = " opacity:float fillColor:colour strokeColor:colour strokeWidth:num fillOpacity:float"
_LABELS = (
    " choice:enum(single|multiple)=single maxUsages:int showInline:bool=true value:var allowEmpty:bool groupDepth:int"
)
_SMART = " smart:bool=false smartOnly:bool=false"
_IMAGE_TOOL = _SHAPE + _SMART + " snap:enum(pixel|none)=none"
_POINTS = " pointSize:enum(small|medium|large)=small pointStyle:enum(rectangle|circle)=circle"
_OBJECT = " name! value:var valueType:enum(text|url|json)"
_SPAN_OBJECT = (
    " saveTextResult:enum(yes|no) encoding:enum(none|base64|base64unicode)=none selectionEnabled:bool=true"
    " highlightColor:colour showLabels:bool granularity:enum(symbol|word|sentence|paragraph)=symbol"
)
_VECTOR = (
    " closable:bool curves:bool skeleton:bool minPoints:int maxPoints:int constrainToBounds:bool pointSizeEnabled:bool"
)

ANY_OBJECT = "*"
IMAGE_ONLY = frozenset({"Image"})


@dataclass(frozen=True, slots=True)
class TagSpec:
    """One tag of the language."""

    name: str
    kind: str
    attrs: dict[str, AttrSpec]
    result_type: str | None = None  # result `type` a control emits
    value_key: str | None = None  # key of the answer inside `value`
    targets: frozenset[str] | str = frozenset()  # object tags a control can label
    options: tuple[str, ...] = ()  # option tags it holds
    parents: tuple[str, ...] = ()  # for option tags: allowed parent tags
    needs_options: bool = False  # a control that must have options (or dynamic ones)
    geometry: str | None = None  # region shape its results carry
    alias_of: str | None = None
    doc: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def _tag(name: str, kind: str, attrs: str, **kw: object) -> TagSpec:
    return TagSpec(name=name, kind=kind, attrs=parse_specs(attrs), **kw)  # type: ignore[arg-type]


_LABEL_OPTION = ("Label",)
_SPAN_TARGETS = frozenset({"Text", "HyperText", "Audio", "Video", "Image", "Paragraphs", "TimeSeries", "Pdf"})

_SPECS: list[TagSpec] = [
    # --- object tags -------------------------------------------------------------------
    _tag("Text", OBJECT, _OBJECT + _SPAN_OBJECT + " clickableLinks:bool inline:bool", doc="text span labeling"),
    _tag(
        "HyperText",
        OBJECT,
        _OBJECT + _SPAN_OBJECT + " inline:bool=false clickableLinks:bool=false",
        doc="HTML document",
    ),
    _tag(
        "Paragraphs",
        OBJECT,
        " name! value:var valueType:enum(json|url)=json nameKey=author textKey=text"
        " layout:enum(none|dialogue)=none audioUrl:var sync showPlayer:bool saveTextResult:enum(yes|no)=yes"
        " contextScroll:bool granularity:enum(symbol|word|sentence|paragraph)",
        doc="dialogue or list of paragraphs",
    ),
    _tag(
        "Image",
        OBJECT,
        " name! value:var valueList:var width=100% height maxWidth=750px maxHeight zoom:bool=true"
        " negativeZoom:bool=false zoomBy:float=1.1 grid:bool=false gridSize:int=30 gridColor:colour"
        " zoomControl:bool=false brightnessControl:bool=false contrastControl:bool=false"
        " rotateControl:bool=false crosshair:bool=false horizontalAlignment:enum(left|center|right)=left"
        " verticalAlignment:enum(top|center|bottom)=top defaultZoom:enum(fit|auto|original)=fit"
        " crossOrigin:enum(none|anonymous|use-credentials)=none smoothing:bool valueType:enum(url|text)"
        " imageRendering",
        doc="image or list of images (valueList)",
    ),
    _tag(
        "Audio",
        OBJECT,
        " name! value:var hotkey:hotkey sync defaultSpeed:float=1 defaultScale:float=1 defaultZoom:float=1"
        " defaultVolume:float=1 height:int=96 waveHeight:int=32 spectrogram:bool=false splitChannels:bool=false"
        " decoder:enum(webaudio|ffmpeg)=webaudio player:enum(html5|webaudio)=html5 volume:bool speed:bool"
        " zoom:bool cursorWidth:num cursorColor:colour crossOrigin:enum(none|anonymous|use-credentials)"
        " valueType:enum(url)",
        doc="audio file",
    ),
    _tag(
        "Video",
        OBJECT,
        " name! value:var frameRate:numvar=24 sync muted:bool=false height:int=600 timelineHeight:int=64"
        " defaultPlaybackSpeed:float=1 minPlaybackSpeed:float=1 crossOrigin:enum(none|anonymous|use-credentials)"
        " valueType:enum(url)",
        doc="video file",
    ),
    _tag(
        "TimeSeries",
        OBJECT,
        " name! value:var valueType:enum(url|json)=url timeColumn timeFormat timeDisplayFormat"
        " durationDisplayFormat sep=, overviewChannels overviewWidth=25% fixedScale:bool sync cursorColor:colour",
        doc="time series from CSV/TSV or JSON columns",
    ),
    _tag("Table", OBJECT, _OBJECT, doc="key/value table"),
    _tag("List", OBJECT, _OBJECT + " title", doc="list of items ranked by Ranker"),
    _tag("Pdf", OBJECT, _OBJECT, doc="PDF document"),
    _tag(
        "Chat",
        OBJECT,
        _OBJECT + " messageroles:list editable:bool minMessages:int maxMessages:int llm",
        doc="chat transcript (Label Studio Enterprise)",
    ),
    # --- control tags ------------------------------------------------------------------
    _tag(
        "Choices",
        CONTROL,
        _CONTROL + " choice:enum(single|single-radio|multiple)=single showInline:bool=false"
        " layout:enum(select|inline|vertical) value:var allowNested:bool=false",
        result_type="choices",
        value_key="choices",
        targets=ANY_OBJECT,
        options=("Choice",),
        needs_options=True,
        doc="classification",
    ),
    _tag(
        "Labels",
        CONTROL,
        _CONTROL + _LABELS + _SHAPE,
        result_type="labels",
        value_key="labels",
        targets=_SPAN_TARGETS | {"Chat"},
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="by-object",
        doc="labels for spans, audio segments or companion of a bare geometry tool",
    ),
    _tag(
        "RectangleLabels",
        CONTROL,
        _CONTROL + _LABELS + _IMAGE_TOOL + " canRotate:bool=true",
        result_type="rectanglelabels",
        value_key="rectanglelabels",
        targets=IMAGE_ONLY,
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="rect",
    ),
    _tag(
        "Rectangle",
        CONTROL,
        _CONTROL + _IMAGE_TOOL + " canRotate:bool=true",
        result_type="rectangle",
        targets=IMAGE_ONLY,
        geometry="rect",
    ),
    _tag(
        "PolygonLabels",
        CONTROL,
        _CONTROL + _LABELS + _IMAGE_TOOL + _POINTS,
        result_type="polygonlabels",
        value_key="polygonlabels",
        targets=IMAGE_ONLY,
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="polygon",
    ),
    _tag(
        "Polygon",
        CONTROL,
        _CONTROL + _IMAGE_TOOL + _POINTS,
        result_type="polygon",
        targets=IMAGE_ONLY,
        geometry="polygon",
    ),
    _tag(
        "KeyPointLabels",
        CONTROL,
        _CONTROL + _LABELS + _IMAGE_TOOL,
        result_type="keypointlabels",
        value_key="keypointlabels",
        targets=IMAGE_ONLY,
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="keypoint",
    ),
    _tag(
        "KeyPoint",
        CONTROL,
        _CONTROL + _IMAGE_TOOL,
        result_type="keypoint",
        targets=IMAGE_ONLY,
        geometry="keypoint",
    ),
    _tag(
        "EllipseLabels",
        CONTROL,
        _CONTROL + _LABELS + _IMAGE_TOOL + " canRotate:bool=true",
        result_type="ellipselabels",
        value_key="ellipselabels",
        targets=IMAGE_ONLY,
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="ellipse",
    ),
    _tag(
        "Ellipse",
        CONTROL,
        _CONTROL + _IMAGE_TOOL + " canRotate:bool=true",
        result_type="ellipse",
        targets=IMAGE_ONLY,
        geometry="ellipse",
    ),
    _tag(
        "BrushLabels",
        CONTROL,
        _CONTROL + _LABELS + _SHAPE + _SMART,
        result_type="brushlabels",
        value_key="brushlabels",
        targets=IMAGE_ONLY,
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="brush",
    ),
    _tag(
        "Brush",
        CONTROL,
        _CONTROL + _SHAPE + _SMART,
        result_type="brush",
        targets=IMAGE_ONLY,
        geometry="brush",
    ),
    _tag(
        "MagicWand",
        CONTROL,
        _CONTROL + " opacity:float blurradius:int=5 defaultthreshold:int=15",
        result_type="magicwand",
        targets=IMAGE_ONLY,
        geometry="brush",
        extra={"also_types": ("brushlabels", "brush")},
    ),
    _tag(
        "BitmaskLabels",
        CONTROL,
        _CONTROL + _LABELS + _SHAPE + _SMART,
        result_type="bitmasklabels",
        value_key="bitmasklabels",
        targets=IMAGE_ONLY,
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="bitmask",
    ),
    _tag(
        "Bitmask",
        CONTROL,
        _CONTROL + _SHAPE + _SMART,
        result_type="bitmask",
        targets=IMAGE_ONLY,
        geometry="bitmask",
    ),
    _tag(
        "VectorLabels",
        CONTROL,
        _CONTROL + _LABELS + _IMAGE_TOOL + _POINTS + _VECTOR,
        result_type="vectorlabels",
        value_key="vectorlabels",
        targets=IMAGE_ONLY,
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="vector",
    ),
    _tag(
        "Vector",
        CONTROL,
        _CONTROL + _IMAGE_TOOL + _POINTS + _VECTOR,
        result_type="vector",
        targets=IMAGE_ONLY,
        geometry="vector",
    ),
    _tag(
        "HyperTextLabels",
        CONTROL,
        _CONTROL + _LABELS + _SHAPE,
        result_type="hypertextlabels",
        value_key="hypertextlabels",
        targets=frozenset({"HyperText"}),
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="htspan",
    ),
    _tag(
        "ParagraphLabels",
        CONTROL,
        _CONTROL + _LABELS + _SHAPE,
        result_type="paragraphlabels",
        value_key="paragraphlabels",
        targets=frozenset({"Paragraphs"}),
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="paraspan",
    ),
    _tag(
        "TimeSeriesLabels",
        CONTROL,
        _CONTROL + _LABELS + _SHAPE,
        result_type="timeserieslabels",
        value_key="timeserieslabels",
        targets=frozenset({"TimeSeries"}),
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="tsrange",
    ),
    _tag(
        "VideoRectangle",
        CONTROL,
        _CONTROL + _SHAPE,
        result_type="videorectangle",
        value_key="labels",
        targets=frozenset({"Video"}),
        geometry="videoseq",
    ),
    _tag(
        "TimelineLabels",
        CONTROL,
        _CONTROL + _LABELS,
        result_type="timelinelabels",
        value_key="timelinelabels",
        targets=frozenset({"Video"}),
        options=_LABEL_OPTION,
        needs_options=True,
        geometry="ranges",
    ),
    _tag(
        "TextArea",
        CONTROL,
        _CONTROL + " value:var placeholder maxSubmissions:int editable:bool=false transcription:bool=false"
        " skipDuplicates:bool=false displayMode:enum(tag|region-list)=tag rows:int showSubmitButton:bool"
        " maxLength:int",
        result_type="textarea",
        value_key="text",
        targets=ANY_OBJECT,
        options=("Shortcut",),
    ),
    _tag(
        "Rating",
        CONTROL,
        _CONTROL + " maxRating:int=5 defaultValue:int=0 size:enum(small|medium|large)=medium icon hotkey:hotkey",
        result_type="rating",
        value_key="rating",
        targets=ANY_OBJECT,
    ),
    _tag(
        "Number",
        CONTROL,
        _CONTROL + " min:num max:num step:num=1 defaultValue:num slider:bool=false hotkey:hotkey",
        result_type="number",
        value_key="number",
        targets=ANY_OBJECT,
    ),
    _tag(
        "DateTime",
        CONTROL,
        _CONTROL + " only:list format min max",
        result_type="datetime",
        value_key="datetime",
        targets=ANY_OBJECT,
    ),
    _tag(
        "Taxonomy",
        CONTROL,
        _CONTROL + " apiUrl value:var leafsOnly:bool=false showFullPath:bool=false pathSeparator=/"
        " maxUsages:int maxWidth minWidth dropdownWidth placeholder labeling:bool=false legacy:bool=false"
        " isEditable:bool",
        result_type="taxonomy",
        value_key="taxonomy",
        targets=ANY_OBJECT,
        options=("Choice",),
        needs_options=True,
    ),
    _tag(
        "Pairwise",
        CONTROL,
        _CONTROL + " selectionStyle:css leftClass rightClass",
        result_type="pairwise",
        value_key="selected",
        targets=ANY_OBJECT,
    ),
    _tag(
        "Ranker",
        CONTROL,
        _CONTROL,
        result_type="ranker",
        value_key="ranker",
        targets=frozenset({"List"}),
        options=("Bucket",),
    ),
    _tag(
        "Relations",
        CONTROL,
        " name choice:enum(single|multiple)=single",
        result_type="relation",
        value_key="labels",
        options=("Relation",),
    ),
    # --- option tags -------------------------------------------------------------------
    _tag(
        "Label",
        OPTION,
        " value alias selected:bool=false maxUsages:int hint hotkey:hotkey showAlias:bool=false aliasStyle:css"
        " size:enum(small|medium|large) background:colour=#36B37E selectedColor:colour"
        " granularity:enum(symbol|word|sentence|paragraph) html category:int model_index:int style:css",
        parents=(
            "Labels",
            "RectangleLabels",
            "PolygonLabels",
            "KeyPointLabels",
            "EllipseLabels",
            "BrushLabels",
            "BitmaskLabels",
            "VectorLabels",
            "HyperTextLabels",
            "ParagraphLabels",
            "TimeSeriesLabels",
            "TimelineLabels",
        ),
    ),
    _tag(
        "Choice",
        OPTION,
        " value alias selected:bool=false style:css hotkey:hotkey html hint color:colour",
        parents=("Choices", "Taxonomy", "Choice"),
    ),
    _tag("Relation", OPTION, " value! background:colour", parents=("Relations",)),
    _tag("Shortcut", OPTION, " value! alias hotkey:hotkey background:colour", parents=("TextArea",)),
    _tag("Bucket", OPTION, " name! title value default:bool=false style:css", parents=("Ranker",)),
    _tag("Panel", OPTION, " value", parents=("Collapse",)),
    _tag(
        "Channel",
        OPTION,
        " column! legend units displayFormat height:int strokeColor:colour strokeWidth:num markerColor:colour"
        " markerSize:num markerSymbol timeRange dataRange showAxis:bool=true fixedScale:bool",
        parents=("TimeSeries", "MultiChannel"),
    ),
    _tag(
        "MultiChannel",
        OPTION,
        " height:int showAxis:bool=true showYAxis:bool=true fixedScale:bool",
        parents=("TimeSeries",),
    ),
    # --- visual tags -------------------------------------------------------------------
    _tag("View", VISUAL, " display:enum(block|inline)=block" + _STYLE + _VISIBLE),
    _tag("Header", VISUAL, " value:var size:int=4 underline:bool=false name" + _STYLE),
    _tag("Style", VISUAL, ""),
    _tag("Filter", VISUAL, " name toName:names placeholder minlength:int=3 hotkey:hotkey caseSensitive:bool" + _STYLE),
    _tag("Collapse", VISUAL, " accordion:bool=true bordered:bool=false open:bool" + _STYLE),
    _tag("Markdown", VISUAL, " value:var name" + _STYLE + _VISIBLE),
    _tag(
        "Repeater",
        VISUAL,
        " on:var! indexFlag={{idx}} mode:enum(list|pagination)=list",
        doc="repeats its children once per item of a task array",
    ),
    _tag("Dialog", VISUAL, " name value:var"),
    _tag("PagedView", VISUAL, _STYLE, doc="container for multi-page content"),
]

CATALOG: dict[str, TagSpec] = {s.name: s for s in _SPECS}
# AudioPlus is an old name of Audio
CATALOG["AudioPlus"] = TagSpec(
    name="AudioPlus", kind=OBJECT, attrs=CATALOG["Audio"].attrs, alias_of="Audio", doc="alias of Audio"
)

OBJECT_TAGS: frozenset[str] = frozenset(n for n, s in CATALOG.items() if s.kind == OBJECT)
CONTROL_TAGS: frozenset[str] = frozenset(n for n, s in CATALOG.items() if s.kind == CONTROL)
OPTION_TAGS: frozenset[str] = frozenset(n for n, s in CATALOG.items() if s.kind == OPTION)


def targets_of(spec: TagSpec) -> frozenset[str]:
    """Object tags a control can label (AudioPlus labelled like Audio)."""
    if spec.targets == ANY_OBJECT:
        return OBJECT_TAGS
    t = frozenset(spec.targets)
    return t | {"AudioPlus"} if "Audio" in t else t


def lookup(tag: str) -> TagSpec | None:
    """Catalog entry of a tag name; HTML tags return None (check `HTML_TAGS`)."""
    return CATALOG.get(tag)
