"""One registry of settings: each has a name, type, default and help. Env > lsx.toml > default.

Settings are data (as Datasette's are), so `lsx settings` can print them with their source and a
test can check that every one is documented in the README.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsx.engine.errors import InputError


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    secret: bool = False
    # A default that depends on other settings (e.g. the database in LSX_HOME).
    compute_default: Callable[[Settings], Any] | None = None


def _default_database_url(s: Settings) -> str:
    return f"sqlite:///{Path(s.home) / 'lsx.db'}"


def _default_secret_key(s: Settings) -> str:
    """Generated once into LSX_HOME/secret_key so tokens and sessions survive restarts."""
    path = Path(s.home) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SETTINGS: tuple[Setting, ...] = (
    Setting("LSX_HOME", str, "~/.lsx", "Folder for the embedded database, uploaded media, exports and the secret key."),
    Setting(
        "LSX_DATABASE_URL",
        str,
        None,
        "SQLAlchemy URL of the database; default a SQLite file `lsx.db` in LSX_HOME. "
        "PostgreSQL: `postgresql+psycopg://user@host/db`.",
        secret=True,
        compute_default=_default_database_url,
    ),
    Setting("LSX_USER", str, "admin@localhost", "Email of the user the CLI acts as (`--as` overrides it)."),
    Setting(
        "LSX_SECRET_KEY",
        str,
        None,
        "Key that signs tokens and session cookies; generated into LSX_HOME/secret_key on first use.",
        secret=True,
        compute_default=_default_secret_key,
    ),
    Setting("LSX_REDIS_URL", str, "", "Redis URL for background jobs on RQ; empty runs jobs in-process."),
    Setting("LSX_TASK_LOCK_TTL", int, 3600, "Default task lock time-to-live in seconds for new projects."),
    Setting(
        "LSX_JOB_HEARTBEAT_TIMEOUT",
        int,
        60,
        "Seconds without a heartbeat after which a started job is taken as dead and retried.",
    ),
    Setting("LSX_MAX_BODY_MB", int, 250, "Largest request body the API accepts, in MB (413 above)."),
    Setting(
        "LSX_LOCAL_FILES_ROOT",
        str,
        "",
        "The one folder local-files storages may read under; empty turns local storage off.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _toml_key(name: str) -> str:
    return name.removeprefix("LSX_").lower()


@dataclass
class Settings:
    """The effective settings and where each value came from (`env`, a file path, or `default`)."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, attr: str) -> Any:
        name = "LSX_" + attr.upper()
        if name not in _BY_NAME:
            raise AttributeError(attr)
        if name not in self.values:
            spec = _BY_NAME[name]
            assert spec.compute_default is not None
            self.values[name] = spec.compute_default(self)
            self.sources[name] = "default"
        return self.values[name]

    def get(self, name: str) -> Any:
        return getattr(self, name.removeprefix("LSX_").lower())

    def items(self) -> list[tuple[Setting, Any, str]]:
        return [(s, self.get(s.name), self.sources[s.name]) for s in SETTINGS]


def _coerce(spec: Setting, raw: Any, where: str) -> Any:
    if spec.type is int:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise InputError(f"{where}: {spec.name} must be an integer, got {raw!r}") from None
    if spec.type is bool:
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on"}
    return str(raw)


def load_settings(
    config_file: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve every setting: overrides > environment > lsx.toml > default."""
    env = os.environ if env is None else env
    s = Settings()
    home_raw = (overrides or {}).get("LSX_HOME") or env.get("LSX_HOME")
    home = Path(os.path.expanduser(home_raw or "~/.lsx"))
    file_values: dict[str, Any] = {}
    file_path = Path(config_file) if config_file else home / "lsx.toml"
    if config_file and not file_path.exists():
        raise InputError(f"{file_path}: settings file not found")
    if file_path.exists():
        try:
            raw = tomllib.loads(file_path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{file_path}: {exc}") from None
        known = {_toml_key(n): n for n in _BY_NAME} | {n: n for n in _BY_NAME}
        for key, value in raw.items():
            if key not in known:
                raise InputError(
                    f"{file_path}: unknown setting {key!r}; known: {', '.join(sorted(_toml_key(n) for n in _BY_NAME))}"
                )
            file_values[known[key]] = value
    for spec in SETTINGS:
        if overrides and spec.name in overrides and overrides[spec.name] is not None:
            s.values[spec.name], s.sources[spec.name] = _coerce(spec, overrides[spec.name], "override"), "override"
        elif env.get(spec.name) not in (None, ""):
            s.values[spec.name], s.sources[spec.name] = _coerce(spec, env[spec.name], "environment"), "env"
        elif spec.name in file_values:
            s.values[spec.name] = _coerce(spec, file_values[spec.name], str(file_path))
            s.sources[spec.name] = str(file_path)
        elif spec.compute_default is None:
            s.values[spec.name], s.sources[spec.name] = spec.default, "default"
    s.values["LSX_HOME"] = str(Path(os.path.expanduser(str(s.values["LSX_HOME"]))))
    return s


def mask(value: Any) -> str:
    """Show that a secret is set without showing it; URLs keep everything but the password."""
    text = str(value)
    if "://" in text and "@" in text:
        scheme, rest = text.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else text
    if "://" in text:
        return text
    return "***" if text else ""
