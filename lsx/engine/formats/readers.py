"""Read task items from files: JSON, JSONL, CSV/TSV, TXT, and media files or folders.

Each reader yields `(where, item)`; `where` names the file and position (task index, line, row)
so a bad item's error says exactly where it is. Readers stream, except JSON (one document).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from lsx.engine.errors import InputError

UNDEFINED_KEY = "$undefined$"

MEDIA_EXTENSIONS = frozenset(
    ".jpg .jpeg .png .gif .bmp .svg .webp .tif .tiff .wav .mp3 .flac .m4a .ogg .aac .mp4 .webm .mov .avi .pdf".split()
)
TEXT_EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".txt": "txt"}
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xml"})

Item = tuple[str, Any]


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        fmt = explicit.lower()
        if fmt not in {*TEXT_EXTENSIONS.values(), "media", "html"}:
            raise InputError(f"{path}: unknown import format {explicit!r}")
        return fmt
    ext = path.suffix.lower()
    if ext in TEXT_EXTENSIONS:
        return TEXT_EXTENSIONS[ext]
    if ext in MEDIA_EXTENSIONS:
        return "media"
    if ext in HTML_EXTENSIONS:
        return "html"
    raise InputError(f"{path}: cannot import files of type {ext or '(no extension)'!r}")


def _open_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def read_json(path: Path, name: str) -> Iterator[Item]:
    raw = _open_bytes(path)
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    items = doc if isinstance(doc, list) else [doc]
    for index, item in enumerate(items):
        yield f"{name}: task {index}", item


def read_jsonl(path: Path, name: str) -> Iterator[Item]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, generator-owned
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    loads = orjson.loads
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{name}:{lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
            yield f"{name}:{lineno}", item


def read_delimited(path: Path, name: str, delimiter: str) -> Iterator[Item]:
    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    with fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{name}:1: {exc}") from None
        if not header or any(not h for h in header):
            raise InputError(f"{name}:1: the header row has an empty column name")
        width = len(header)
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) != width:
                    raise InputError(
                        f"{name}:{reader.line_num}: row has {len(row)} fields, the header has {width}"
                    )
                yield f"{name}:{reader.line_num}", {"data": dict(zip(header, row, strict=True))}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{name}:{reader.line_num}: {exc}") from None


def read_txt(path: Path, name: str) -> Iterator[Item]:
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror or exc}") from None
    with fh:
        try:
            for lineno, line in enumerate(fh, 1):
                text = line.rstrip("\r\n")
                if text.strip():
                    yield f"{name}:{lineno}", {"data": {UNDEFINED_KEY: text}}
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not UTF-8 text: {exc.reason}") from None


def read_html(path: Path, name: str) -> Iterator[Item]:
    try:
        text = _open_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text: {exc.reason}") from None
    yield name, {"data": {UNDEFINED_KEY: text}}


def iter_files(path: Path) -> Iterator[Path]:
    """A file, or every file under a folder in sorted order (hidden files skipped)."""
    if path.is_dir():
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if not f.startswith("."):
                    yield Path(root) / f
    elif path.exists():
        yield path
    else:
        raise InputError(f"{path}: no such file or folder")


def read_items(path: Path, fmt: str | None = None) -> Iterator[Item]:
    """Task items of one file (not media: those are copied by the import, see imports.py)."""
    name = str(path)
    kind = detect_format(path, fmt)
    if kind == "json":
        return read_json(path, name)
    if kind == "jsonl":
        return read_jsonl(path, name)
    if kind in ("csv", "tsv"):
        return read_delimited(path, name, "," if kind == "csv" else "\t")
    if kind == "txt":
        return read_txt(path, name)
    if kind == "html":
        return read_html(path, name)
    raise InputError(f"{name}: media files are imported one task per file")


def read_body(body: bytes | str, name: str = "request body") -> Iterator[Item]:
    """Tasks posted as a JSON document (the API's import body)."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    items = doc if isinstance(doc, list) else [doc]
    return iter([(f"task {i}", item) for i, item in enumerate(items)])

