"""``python -m bench`` (``make bench``) lists the runnable benchmarks with what each measures."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.__main__ import benchmarks
from tests.support.servers import REPO_ROOT

pytestmark = pytest.mark.unit


def test_every_runnable_benchmark_is_listed_and_helpers_are_not() -> None:
    listed = dict(benchmarks())
    assert {"bench.rpa", "bench.knowledge", "bench.scaleout", "bench.turns"} <= listed.keys()
    assert not {"bench.lean_http", "bench.wrk"} & listed.keys()  # load-generator helpers
    assert listed["bench.rpa"].startswith("RPA benchmark")


def test_python_m_bench_prints_the_commands() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "bench"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert "python -m bench.rpa" in shown.stdout
