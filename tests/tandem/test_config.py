"""The settings and the README's configuration table stay in step."""

from __future__ import annotations

import re

import pytest

from tandem.config import Settings
from tests.support.servers import REPO_ROOT

pytestmark = pytest.mark.unit


def readme_table_variables() -> set[str]:
    """Every `TANDEM_…` variable named in a row of the README's configuration table."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`(TANDEM_[A-Z0-9_]+)`", row.split(" | ")[0])}


def test_every_setting_has_a_row_in_the_readme() -> None:
    settings = {f"TANDEM_{name.upper()}" for name in Settings.model_fields}
    documented = readme_table_variables()
    assert not settings - documented, "settings missing from the README's configuration table"
    assert not documented - settings, "README rows for settings that do not exist"
