"""The engine's verdict on a result, as messages for the screen: shape problems (results.py)
and, before submit, unanswered required controls (required.py)."""

from __future__ import annotations

from typing import Any

from lsx.engine.config import LabelConfig, parse_config, validate_result
from lsx.engine.config.required import missing_required


def config_of(xml: str) -> LabelConfig:
    return parse_config(xml, source="label_config")


def shape_problems(config: LabelConfig, result: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
    return [p.message for p in validate_result(config, result, where="", task_data=data)]


def submit_problems(config: LabelConfig, result: list[dict[str, Any]], data: dict[str, Any]) -> list[str]:
    return shape_problems(config, result, data) + [p.message for p in missing_required(config, result)]
