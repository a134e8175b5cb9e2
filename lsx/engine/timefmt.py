"""Timestamps the way Label Studio writes them: ISO 8601 in UTC with a trailing Z."""

from __future__ import annotations

import re
from datetime import UTC, datetime


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def sqlite_text(value: datetime) -> str:
    """The text SQLAlchemy stores for a DateTime on SQLite (bulk paths write it directly)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def iso_from_sqlite(text: str | None) -> str | None:
    """Turn SQLite's stored text into Label Studio's ISO form without building a datetime."""
    if text is None:
        return None
    return text.replace(" ", "T", 1) + ("Z" if "." in text else ".000000Z")


def parse_iso(text: object) -> datetime | None:
    """Accept Label Studio's timestamps (with Z or an offset); None when absent or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# UTC timestamps (Z, +00:00 or no zone) with up to 6 fractional digits: the common case of files.
_ISO_UTC = re.compile(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(?:Z|\+00:00)?")


def sqlite_text_from_iso(text: object) -> str | None:
    """sqlite_text(parse_iso(text)) without building a datetime for UTC input (bulk imports)."""
    if isinstance(text, str):
        m = _ISO_UTC.fullmatch(text)
        if m is not None:
            day, clock, frac = m.groups()
            try:
                datetime.fromisoformat(f"{day}T{clock}")  # ranges: month 13 or 25:00 are not times
            except ValueError:
                return None
            return f"{day} {clock}.{(frac or '').ljust(6, '0')}"
    parsed = parse_iso(text)
    return None if parsed is None else sqlite_text(parsed)
