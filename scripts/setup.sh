#!/usr/bin/env bash
# Sets up a fresh machine: a virtual environment with the project and its test tools, and
# Debian's Chromium for the browser test (needs root; skipped with a warning otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
if [ "${SKIP_BROWSER:-0}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = "0" ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "warning: not root, Chromium not installed; the browser test will be skipped" >&2
    fi
fi
