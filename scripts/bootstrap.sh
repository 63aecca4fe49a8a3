#!/usr/bin/env bash
# Prepare a machine for Tandem: Debian Chromium, uv, the virtual environment.
# Safe to repeat; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian chromium (for the RPA bots and browser tests)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-noto-core >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi

echo "==> syncing the virtual environment (.venv) from uv.lock"
uv sync --frozen --quiet
