"""Strategy names both ways, and a third-party strategy installed from a throw-away package."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from lsx.engine import sampling
from lsx.engine.access.actor import Actor
from lsx.engine.errors import InputError
from lsx.engine.sampling import strategies
from tests.engine.sampling.helpers import add_tasks, annotators, make_project

NAMES = [
    ("sequential", "sequential", "Sequential sampling"),
    ("Sequential sampling", "sequential", "Sequential sampling"),
    ("Uniform sampling", "uniform", "Uniform sampling"),
    ("uniform", "uniform", "Uniform sampling"),
    ("Uncertainty sampling", "uncertainty", "Uncertainty sampling"),
    ("uncertainty sampling", "uncertainty", "Uncertainty sampling"),
    ("confidence", "confidence", "confidence"),
]


@pytest.mark.parametrize(("given", "name", "label"), NAMES)
def test_names_and_label_studio_strings_map_both_ways(given: str, name: str, label: str) -> None:
    assert sampling.normalize_sampling(given) == name
    assert sampling.sampling_label(given) == label


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(InputError, match=r"valid: .*'sequential'.*'Uniform sampling'"):
        sampling.normalize_sampling("clever")


PLUGIN = '''
from lsx.engine.sampling import Sampler
from lsx.engine.sampling.pool import T


class Newest(Sampler):
    name = "newest"
    queue = "Newest first queue"

    def candidates(self, pool):
        """The highest task ids first."""
        return pool.ordered(T.id.desc())
'''


def _install(tmp_path: Path) -> Path:
    """A throw-away distribution on sys.path declaring an `lsx.samplers` entry point."""
    site = tmp_path / "site"
    (site / "lsx_newest_sampler").mkdir(parents=True)
    (site / "lsx_newest_sampler" / "__init__.py").write_text(PLUGIN)
    dist = site / "lsx_newest_sampler-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: lsx-newest-sampler\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[lsx.samplers]\nnewest = lsx_newest_sampler:Newest\n")
    return site


def test_third_party_strategy_from_an_entry_point(ws: Any, owner: Actor, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(_install(tmp_path)))
    importlib.invalidate_caches()
    monkeypatch.setattr(strategies, "_REGISTRY", dict(strategies._REGISTRY))
    strategies.load_entry_points(force=True)
    assert sampling.normalize_sampling("newest") == "newest"
    pid = make_project(ws, owner, sampling="newest")
    ids = add_tasks(ws, pid, 3)
    (a,) = annotators(ws, owner, 1)
    nt = sampling.next_task(ws, pid, a)
    assert nt is not None and nt.task_id == ids[-1] and nt.queue == "Newest first queue"


def test_register_decorator_adds_a_strategy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strategies, "_REGISTRY", dict(strategies._REGISTRY))

    @sampling.register
    class Oldest(sampling.Sampler):
        name = "oldest"

        def candidates(self, pool: Any) -> list[int]:
            return pool.ordered()

    assert isinstance(sampling.get_sampler("oldest"), Oldest)
