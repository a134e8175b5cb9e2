#!/usr/bin/env bash
# Install lsx into .venv from the lock file (Python 3.11+). Re-running it is safe.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -r requirements.lock
.venv/bin/pip install -q --no-deps -e .
.venv/bin/pip check
echo "lsx installed: .venv/bin/lsx --help"
