"""Liveness and readiness answer truthfully."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from tandem.db import get_engine

pytestmark = pytest.mark.db


def test_liveness(use_database: str) -> None:
    assert TestClient(create_app()).get("/healthz").json() == {"status": "ok"}


def test_ready_when_migrated(use_database: str) -> None:
    response = TestClient(create_app()).get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_not_ready_before_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tandem.config import get_settings

    monkeypatch.setenv("TANDEM_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    response = TestClient(create_app()).get("/readyz")
    get_engine.cache_clear()
    assert response.status_code == 503
    assert "head is" in response.json()["migrations"]


def test_unknown_route_has_the_error_shape(use_database: str) -> None:
    response = TestClient(create_app()).get("/no/such/page")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
