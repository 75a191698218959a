#!/usr/bin/env bash
# Sets up (scripts/setup.sh), lints (ruff), type-checks (mypy) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
