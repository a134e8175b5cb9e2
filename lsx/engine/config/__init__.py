"""The labeling-config language: parse, validate, describe, and check task data and results.

Public API (other parts of lsx code against exactly these names).
"""

from lsx.engine.config.api import parse_config
from lsx.engine.config.changes import ConfigUsage, check_config_change
from lsx.engine.config.model import ControlTag, LabelConfig, ObjectTag, Tag
from lsx.engine.config.problems import ConfigError
from lsx.engine.config.results import normalize_prediction_result, validate_result
from lsx.engine.config.task_data import validate_task_data
from lsx.engine.config.templates import Template, get_template, list_templates

__all__ = [
    "ConfigError",
    "ConfigUsage",
    "ControlTag",
    "LabelConfig",
    "ObjectTag",
    "Tag",
    "Template",
    "check_config_change",
    "get_template",
    "list_templates",
    "normalize_prediction_result",
    "parse_config",
    "validate_result",
    "validate_task_data",
]
