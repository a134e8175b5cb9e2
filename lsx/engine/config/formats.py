"""Export formats a config allows (reference §3): the same names, order and availability rules
as Label Studio's converter, so the UI and API offer what the exporters can produce."""

from __future__ import annotations

from typing import Any

from lsx.engine.config.model import LabelConfig

# name, title, description, tags
FORMATS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("JSON", "JSON", "Every task with its data, annotations and predictions, as Label Studio writes them.", ()),
    ("JSON_MIN", "JSON-MIN", "One flat record per annotation: task data plus one key per control.", ()),
    ("CSV", "CSV", "The JSON-MIN records as comma-separated columns.", ()),
    ("TSV", "TSV", "The JSON-MIN records as tab-separated columns.", ()),
    (
        "CONLL2003",
        "CONLL2003",
        "Token-per-line BIO tags for named-entity recognition.",
        ("sequence labeling", "text tagging", "named entity recognition"),
    ),
    (
        "COCO",
        "COCO",
        "COCO JSON: boxes, polygons and keypoints in pixels.",
        ("image segmentation", "object detection", "keypoints"),
    ),
    (
        "COCO_WITH_IMAGES",
        "COCO with Images",
        "COCO JSON with the images copied alongside.",
        ("image segmentation", "object detection", "keypoints"),
    ),
    (
        "VOC",
        "Pascal VOC XML",
        "One Pascal VOC XML file per image with its boxes.",
        ("image segmentation", "object detection"),
    ),
    (
        "YOLO",
        "YOLO",
        "One text file per image with class and normalised box per line.",
        ("image segmentation", "object detection", "keypoints"),
    ),
    (
        "YOLO_WITH_IMAGES",
        "YOLO with Images",
        "YOLO labels with the images copied alongside.",
        ("image segmentation", "object detection", "keypoints"),
    ),
    (
        "YOLO_OBB",
        "YOLOv8 OBB",
        "Rotated boxes as four normalised corner points per line.",
        ("image segmentation", "object detection"),
    ),
    (
        "YOLO_OBB_WITH_IMAGES",
        "YOLOv8 OBB with Images",
        "YOLO OBB labels with the images copied alongside.",
        ("image segmentation", "object detection"),
    ),
    (
        "BRUSH_TO_NUMPY",
        "Brush labels to NumPy",
        "Each brush region decoded to a NumPy mask array.",
        ("image segmentation",),
    ),
    ("BRUSH_TO_PNG", "Brush labels to PNG", "Each brush region decoded to a PNG mask image.", ("image segmentation",)),
    (
        "ASR_MANIFEST",
        "ASR Manifest",
        "NeMo-style JSON lines pairing each audio file with its transcript.",
        ("speech recognition",),
    ),
    (
        "BRUSH_TO_COCO",
        "Brush labels to COCO",
        "Brush masks traced to COCO polygons.",
        ("image segmentation", "brush annotations"),
    ),
    ("DOCLANG", "DocLang (.dclx)", "DocLang archives built from text-area answers.", ("document", "doclang")),
)
ALWAYS = frozenset({"JSON", "JSON_MIN", "CSV", "TSV"})


def allowed_formats(config: LabelConfig) -> set[str]:
    """Names of the formats the config fits (the rules of Label Studio's converter)."""
    parsed = config.parsed_label_config()
    inputs: set[str] = set()
    outputs: set[str] = set()
    data_keys: set[str] = set()
    multi_image = False
    for info in parsed.values():
        outputs.add(info["type"])
        for inp in info["inputs"]:
            if inp["type"] == "Text" and inp.get("valueType") == "url":
                continue
            inputs.add("Audio" if inp["type"] == "AudioPlus" else inp["type"])
            data_keys.add(inp["value"])
    for obj in config.objects.values():
        if obj.value_list:
            multi_image = True
    allowed = set(ALWAYS)
    if "TextArea" in outputs:
        allowed.add("DOCLANG")
    if len(data_keys) > 1:
        return allowed
    image = "Image" in inputs and not multi_image
    if "Text" in inputs and "Labels" in outputs:
        allowed.add("CONLL2003")
    has_labels = "Labels" in outputs
    if (
        image
        and (
            outputs & {"RectangleLabels", "PolygonLabels", "KeyPointLabels"}
            or (has_labels and outputs & {"Rectangle", "Polygon", "KeyPoint"})
        )
        and not (
            "KeyPointLabels" in outputs and not outputs & {"RectangleLabels", "PolygonLabels", "Rectangle", "Polygon"}
        )
    ):
        allowed |= {"COCO", "COCO_WITH_IMAGES", "YOLO", "YOLO_WITH_IMAGES"}
        if not ("Video" in inputs and "TimelineLabels" in outputs):
            allowed |= {"YOLO_OBB", "YOLO_OBB_WITH_IMAGES"}
    if image and ("RectangleLabels" in outputs or ("Rectangle" in outputs and has_labels)):
        allowed.add("VOC")
    if "Image" in inputs and ("BrushLabels" in outputs or ("Brush" in outputs and has_labels)):
        allowed |= {"BRUSH_TO_NUMPY", "BRUSH_TO_PNG", "BRUSH_TO_COCO"}
    if "Audio" in inputs and "TextArea" in outputs:
        allowed.add("ASR_MANIFEST")
    return allowed


def export_formats(config: LabelConfig) -> list[dict[str, Any]]:
    """Every format with `disabled` set when the config does not fit; enabled ones first."""
    allowed = allowed_formats(config)
    rows = [
        {"name": name, "title": title, "description": desc, "tags": list(tags), "disabled": name not in allowed}
        for name, title, desc, tags in FORMATS
    ]
    return sorted(rows, key=lambda r: r["disabled"])
