#!/usr/bin/env bash
# Prepare a machine for Tandem: Debian Chromium, uv, the virtual environment.
# Safe to repeat; does nothing that is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# chromium for the browser tests; chromium-headless-shell (same version) for the RPA bots,
# which need half the CPU with it (TANDEM_CHROMIUM_PATH picks another); wrk, a C HTTP load
# generator, for the scale-out benchmark (its script has tests).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/lib/chromium/chromium-headless-shell ] || ! command -v wrk >/dev/null; then
  echo "==> installing Debian chromium, chromium-headless-shell (browser tests, RPA bots) and wrk (benchmarks)"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq \
    chromium chromium-headless-shell fonts-noto-core wrk >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "==> installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi

echo "==> syncing the virtual environment (.venv) from uv.lock"
uv sync --frozen --quiet
