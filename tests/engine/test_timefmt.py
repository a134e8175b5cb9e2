"""The bulk import's timestamp shortcut stores exactly what the general path stores."""

from __future__ import annotations

import pytest

from lsx.engine.timefmt import parse_iso, sqlite_text, sqlite_text_from_iso

CASES = [
    "2024-05-01T10:00:00.123456Z", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123Z",
    "2024-05-01T10:00:00+00:00", "2024-05-01T10:00:00", "2024-05-01 10:00:00.5",
    "2024-05-01T10:00:00+02:00", "2024-05-01T10:00:00.1234567Z", "2024-12-31T23:30:00-01:00",
    # not times: the shortcut must refuse them as parse_iso does
    "2024-13-01T10:00:00Z", "2024-05-01T25:00:00Z", "2024-02-30T00:00:00Z", "x", "", None, 5,
]


@pytest.mark.parametrize("text", CASES)
def test_sqlite_text_from_iso_matches_the_general_path(text: object) -> None:
    parsed = parse_iso(text)
    assert sqlite_text_from_iso(text) == (None if parsed is None else sqlite_text(parsed))


def test_unreadable_timestamps_are_none() -> None:
    assert sqlite_text_from_iso("2024-02-30T00:00:00Z") is None
    assert sqlite_text_from_iso("2024-05-01T10:00:00Z") == "2024-05-01 10:00:00.000000"
