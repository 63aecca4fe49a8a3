"""Real Chromium (Debian's build) driven by Playwright, with screenshots kept as artifacts."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM_PATH = os.environ.get("TANDEM_CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / ".ci" / "artifacts"
