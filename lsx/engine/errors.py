"""Errors a user can cause. Front ends print the message (CLI) or answer 4xx (API); never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any


class LsxError(Exception):
    """Base of every user-facing error. `status` is the HTTP status the API answers with."""

    status: int = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotFound(LsxError):
    status = 404


class PermissionDenied(LsxError):
    status = 403


class AuthenticationFailed(LsxError):
    status = 401


class Conflict(LsxError):
    status = 409


class InputError(LsxError):
    """Bad input data: a file, a task, a field. The message names where."""


@dataclass
class Problem:
    """One problem found while validating: where (file/line/task index/field) and what."""

    message: str
    where: str = ""
    field: str = ""
    index: int | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ValidationFailed(InputError):
    """Several problems at once; the message holds the first, `problems` all of them."""

    def __init__(self, problems: list[Problem], *, summary: str | None = None) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "validation failed"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(summary or f"{first}{more}", details=problems)


class Canceled(LsxError):
    """Raised from a progress callback when the job running the work was canceled."""

    status = 409
