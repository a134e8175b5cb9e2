"""JSON_MIN, CSV and TSV: one flat record per (task, non-skipped annotation), as Label Studio writes.

A record holds the task's data keys, `id`, one key per control `from_name` (its values with the
type key dropped; a single choice or a single text line becomes a plain string), then `annotator`,
`annotation_id`, `created_at`, `updated_at` and `lead_time`. A task without annotations gives one
record with empty annotation fields; one whose annotations were all skipped gives none.
CSV/TSV sort the columns and JSON-encode non-string values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

import orjson

from lsx.engine.formats.registry import ExportContext, TaskRecord, json_value, register_exporter, timestamp

_ORIGINAL_KEYS = ("original_width", "original_height")
_TAIL = ("annotator", "annotation_id", "created_at", "updated_at", "lead_time")


def _flatten_item(item: dict[str, Any]) -> Any:
    kind = item.get("type")
    value = item.get("value") or {}
    if kind == "choices" and isinstance(value.get("choices"), list):
        choices = value["choices"]
        return choices[0] if len(choices) == 1 else {"choices": choices}
    if kind == "textarea" and isinstance(value.get("text"), list):
        text = value["text"]
        return text[0] if len(text) == 1 else text
    out = dict(value)
    for key in _ORIGINAL_KEYS:
        if key in item:
            out[key] = item[key]
    return out


def controls_of(result: list[Any]) -> dict[str, Any]:
    """from_name -> flattened value(s), in the order controls first appear in the result."""
    grouped: dict[str, list[Any]] = {}
    for item in result:
        if isinstance(item, dict) and "from_name" in item and item.get("type") != "relation":
            grouped.setdefault(item["from_name"], []).append((item.get("type"), _flatten_item(item)))
    out: dict[str, Any] = {}
    for name, values in grouped.items():
        scalar = len(values) == 1 and values[0][0] in ("choices", "textarea") and not isinstance(values[0][1], dict)
        out[name] = values[0][1] if scalar else [v for _, v in values]
    return out


def min_records(records: Iterator[TaskRecord]) -> Iterator[dict[str, Any]]:
    for rec in records:
        data = json_value(rec.task[1]) or {}
        base = dict(data) if isinstance(data, dict) else {"data": data}
        base["id"] = rec.task[0]
        for ann in reversed(rec.annotations):  # Label Studio lists a task's newest annotation first
            if ann[4]:  # was_cancelled: skipped annotations are left out
                continue
            record = dict(base)
            controls = controls_of(json_value(ann[3]) or [])
            for name, value in controls.items():
                if name in data:
                    record[f"_data_{name}"] = record.pop(name)
                record[name] = value
            record.update(
                annotator=ann[2],
                annotation_id=ann[1],
                created_at=timestamp(ann[6]),
                updated_at=timestamp(ann[7]),
                lead_time=ann[9],
            )
            yield record
        if not rec.annotations:  # a task whose only annotation was skipped yields nothing
            yield {**base, **dict.fromkeys(_TAIL)}


class JsonMinExporter:
    name = "JSON_MIN"
    title = "JSON-MIN"
    description = "One flat object per annotation: task data and each control's values."
    extension = "json"

    def check(self, ctx: ExportContext) -> None:
        return None

    def write(self, ctx: ExportContext, records: Iterator[TaskRecord], fh: IO[bytes]) -> None:
        first = True
        fh.write(b"[")
        for record in min_records(records):
            body = orjson.dumps(record, option=orjson.OPT_INDENT_2).decode()
            body = "\n".join("  " + line for line in body.split("\n"))
            fh.write((("\n" if first else ",\n") + body).encode())
            first = False
        fh.write(b"\n]" if not first else b"]")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    return orjson.dumps(value).decode()


class DelimitedExporter:
    """CSV/TSV. Columns are only known after all records: records spill to a temporary file."""

    def __init__(self, name: str, delimiter: str, extension: str) -> None:
        self.name = name
        self.title = name
        self.delimiter = delimiter
        self.extension = extension
        self.description = f"One row per annotation, {'comma' if delimiter == ',' else 'tab'}-separated columns."

    def check(self, ctx: ExportContext) -> None:
        return None

    def write(self, ctx: ExportContext, records: Iterator[TaskRecord], fh: IO[bytes]) -> None:
        import tempfile

        columns: set[str] = set()
        with tempfile.TemporaryFile() as spill:
            for record in min_records(records):
                if record.get("annotator") is not None:
                    record["annotator"] = str(record["annotator"])
                columns.update(record)
                spill.write(orjson.dumps(record))
                spill.write(b"\n")
            spill.seek(0)
            header = sorted(columns)
            text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text, delimiter=self.delimiter, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
            writer.writerow(header)
            for line in spill:
                record = orjson.loads(line)
                writer.writerow([_cell(record.get(col)) for col in header])
            text.flush()
            text.detach()


register_exporter(JsonMinExporter())
register_exporter(DelimitedExporter("CSV", ",", "csv"))
register_exporter(DelimitedExporter("TSV", "\t", "tsv"))
