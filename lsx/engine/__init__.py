"""The engine: every rule of lsx. Front ends (cli, tui, web) call into it, never the reverse."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lsx.engine.workspace import Workspace


def open_workspace(*args: object, **kwargs: object) -> Workspace:
    """Open the database named by the settings (migrating it on first use); see Workspace."""
    from lsx.engine.workspace import open_workspace as _open

    return _open(*args, **kwargs)  # type: ignore[arg-type]


__all__ = ["open_workspace"]
