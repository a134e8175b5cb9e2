#!/usr/bin/env bash
# Install lsx into .venv from the lock file (Python 3.11+). Re-running it is safe.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r requirements.lock
# compat: a plain path entry; the default editable finder adds 50 ms to every `lsx` start.
# setuptools calls compat transitional: should a release drop it, the default mode still works.
.venv/bin/pip install -q --no-deps -e . --config-settings editable_mode=compat 2>/dev/null \
  || .venv/bin/pip install -q --no-deps -e .
.venv/bin/pip check
echo "lsx installed: .venv/bin/lsx --help"
