"""Users, organizations, roles, API tokens and the audit trail."""

from lsx.engine.access.actor import Actor

__all__ = ["Actor"]
