"""The acting user every service function takes, so access checks and auditing live in one place."""

from __future__ import annotations

from dataclasses import dataclass

from lsx.engine.errors import PermissionDenied

ROLE_RANK = {"annotator": 0, "reviewer": 1, "manager": 2, "admin": 3, "owner": 4}


@dataclass(frozen=True)
class Actor:
    id: int
    email: str
    organization_id: int
    role: str

    def require(self, role: str, what: str) -> None:
        """Refuse unless this actor's role is at least `role` in its organization."""
        if ROLE_RANK.get(self.role, -1) < ROLE_RANK[role]:
            raise PermissionDenied(f"{self.email} ({self.role}) may not {what}: needs {role} or above")
