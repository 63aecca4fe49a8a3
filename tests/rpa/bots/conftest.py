"""One sandbox server and one browser pool per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.rpa.bots.support import Sandbox, running_sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """A fault-free sandbox with a warm pool, shared by the module's tests."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox")) as running:
        yield running
