"""Settings: precedence, sources, masking, and documentation of every setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lsx.engine.errors import InputError
from lsx.engine.settings import SETTINGS, load_settings, mask

README = Path(__file__).parent.parent.parent / "README.md"


def test_every_setting_has_help_text() -> None:
    for spec in SETTINGS:
        assert spec.help and len(spec.help) > 10, spec.name


def test_every_setting_is_in_the_readme_table() -> None:
    documented = set(re.findall(r"^\| `(LSX_[A-Z_]+)` \|", README.read_text(), re.MULTILINE))
    assert {s.name for s in SETTINGS} <= documented, {s.name for s in SETTINGS} - documented


def test_env_beats_file_beats_default(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "lsx.toml").write_text('task_lock_ttl = 10\nuser = "file@example.com"\n')
    s = load_settings(env={"LSX_HOME": str(home), "LSX_USER": "env@example.com"})
    assert s.user == "env@example.com" and s.sources["LSX_USER"] == "env"
    assert s.task_lock_ttl == 10 and s.sources["LSX_TASK_LOCK_TTL"].endswith("lsx.toml")
    assert s.max_body_mb == 250 and s.sources["LSX_MAX_BODY_MB"] == "default"


def test_explicit_config_file(tmp_path: Path) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text("LSX_MAX_BODY_MB = 5\n")
    s = load_settings(config_file=cfg, env={"LSX_HOME": str(tmp_path)})
    assert s.max_body_mb == 5


def test_unknown_key_in_lsx_toml_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "lsx.toml").write_text("colour = 'red'\n")
    with pytest.raises(InputError, match="unknown setting 'colour'"):
        load_settings(env={"LSX_HOME": str(tmp_path)})


def test_bad_integer_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="LSX_TASK_LOCK_TTL must be an integer"):
        load_settings(env={"LSX_HOME": str(tmp_path), "LSX_TASK_LOCK_TTL": "soon"})


def test_secret_key_is_generated_once(tmp_path: Path) -> None:
    a = load_settings(env={"LSX_HOME": str(tmp_path)}).secret_key
    b = load_settings(env={"LSX_HOME": str(tmp_path)}).secret_key
    assert a == b and len(a) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_mask_hides_secrets() -> None:
    assert mask("postgresql+psycopg://bob:hunter2@db/lsx") == "postgresql+psycopg://bob:***@db/lsx"
    assert mask("abc") == "***"
