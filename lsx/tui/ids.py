"""Region ids like Label Studio's editor makes: 10 random characters from [A-Za-z0-9]."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def region_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))
