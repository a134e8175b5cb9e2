"""The one error the config language raises, and helpers that format every finding the same way:
`config.xml:7:5: <Choices name="x">: toName "img" is not a tag`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsx.engine.errors import Problem, ValidationFailed

if TYPE_CHECKING:
    from lsx.engine.config.model import Tag


class ConfigError(ValidationFailed):
    """A labeling config that cannot be used; `.problems` lists every error with line and column."""


def tag_label(tag: str, name: str | None = None) -> str:
    """How messages name a tag: `<Choices name="x">` or `<View>`."""
    return f'<{tag} name="{name}">' if name else f"<{tag}>"


def at(source: str, line: int, column: int, tag: str, message: str, *, field: str = "") -> Problem:
    """A problem located at line:column of the config, naming the tag."""
    return Problem(
        message=f"{tag}: {message}",
        where=f"{source}:{line}:{column}",
        field=field,
        extra={"line": line, "column": column, "tag": tag},
    )


def on_tag(source: str, node: Tag, message: str, *, field: str = "") -> Problem:
    """A problem about one tag of the parsed tree."""
    return at(source, node.line, node.column, node.label, message, field=field)
