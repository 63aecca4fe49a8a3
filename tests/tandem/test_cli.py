"""The command line is understandable and fails with one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from tandem.cli import app

runner = CliRunner()


@pytest.mark.unit
class TestHelp:
    @pytest.mark.parametrize(
        "command",
        [
            [],
            ["up"],
            ["serve"],
            ["worker"],
            ["sandbox"],
            ["seed"],
            ["db"],
            ["db", "upgrade"],
            ["staff", "create"],
        ],
    )
    def test_every_command_explains_itself(self, command: list[str]) -> None:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output

    def test_top_level_lists_the_demo_command(self) -> None:
        result = runner.invoke(app, ["--help"])
        for name in ("up", "serve", "worker", "sandbox", "seed", "db"):
            assert name in result.output


@pytest.mark.unit
class TestErrors:
    def _run(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run(
            [sys.executable, "-m", "tandem", *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def test_invalid_database_url_names_the_setting(self) -> None:
        result = self._run("db", "upgrade", env={"TANDEM_DATABASE_URL": "not a url"})
        assert result.returncode == 1
        assert "TANDEM_DATABASE_URL" in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    def test_unreachable_database_is_one_line(self) -> None:
        result = self._run(
            "db", "upgrade", env={"TANDEM_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
        )
        assert result.returncode == 1
        assert "TANDEM_DATABASE_URL" in result.stderr
        assert "Traceback" not in result.stderr

    def test_invalid_setting_value_is_reported(self) -> None:
        result = self._run("db", "current", env={"TANDEM_PORT": "not-a-port"})
        assert result.returncode == 1
        assert "TANDEM_PORT" in result.stderr
        assert "Traceback" not in result.stderr

    def test_a_bad_entry_of_a_json_setting_names_the_setting_and_the_entry(self) -> None:
        result = self._run("db", "current", env={"TANDEM_TARGET_CONCURRENCY": '{"sandbox_erp": 0}'})
        assert result.returncode == 1
        assert "TANDEM_TARGET_CONCURRENCY (sandbox_erp): Input should be greater than 0" in result.stderr
        assert "Traceback" not in result.stderr
