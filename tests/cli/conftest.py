"""Run `lsx` in-process: the same entry point as the console script, output captured."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def lsx(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    from lsx.cli import common
    from lsx.cli.app import main

    def run(*args: str, input: str | None = None) -> Result:
        import io
        import sys

        common.reset_workspace()
        capsys.readouterr()
        saved = {k: os.environ.get(k) for k in ("LSX_USER", "LSX_CONFIG_FILE")}
        if input is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(input))
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            common.reset_workspace()
            for k, v in saved.items():  # --as is hoisted into the environment for one command only
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
