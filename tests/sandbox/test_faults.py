"""Fault injection, each switched on through the app's own settings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.sandbox.conftest import csrf_of, open_client, sandbox_settings, sign_in

pytestmark = [pytest.mark.unit]


def faulty_client(**settings: Any) -> Iterator[TestClient]:
    with open_client(sandbox_settings(**settings)) as client:
        yield client


class TestFaultsOffByDefault:
    def test_no_modal_no_error(self, staff: TestClient) -> None:
        for _ in range(20):
            response = staff.get("/erp")
            assert response.status_code == 200
            assert "surprise-modal" not in response.text


class TestLatency:
    @pytest.fixture
    def client(self) -> Iterator[TestClient]:
        yield from faulty_client(sandbox_fault_latency_ms=300)

    def test_pages_are_delayed_up_to_the_limit(self, client: TestClient) -> None:
        timings = []
        for _ in range(8):
            started = time.perf_counter()
            client.get("/signin")
            timings.append(time.perf_counter() - started)
        # Eight uniform delays in [0, 0.3 s] all but surely add up to more than 0.3 s.
        assert sum(timings) > 0.3
        assert max(timings) < 0.3 + 0.5

    def test_health_is_not_delayed(self, client: TestClient) -> None:
        started = time.perf_counter()
        for _ in range(8):
            client.get("/healthz")
        assert time.perf_counter() - started < 0.3


class TestRandomErrors:
    @pytest.fixture
    def client(self) -> Iterator[TestClient]:
        yield from faulty_client(sandbox_fault_error_rate=1.0)

    def test_pages_fail_but_sign_in_static_and_health_do_not(self, client: TestClient) -> None:
        sign_in(client)
        response = client.get("/erp/orders")
        assert response.status_code == 500
        assert "Internal Server Error" in response.text
        assert client.get("/signin").status_code == 200
        assert client.get("/static/app.css").status_code == 200
        assert client.get("/healthz").text == "ok"


class TestSessionExpiry:
    @pytest.fixture
    def client(self) -> Iterator[TestClient]:
        yield from faulty_client(sandbox_fault_session_ttl_s=60)

    def test_expired_session_signs_in_again_and_returns(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        sign_in(client)
        assert client.get("/erp/orders/SO-10007", follow_redirects=False).status_code == 200
        later = time.time() + 61
        monkeypatch.setattr(time, "time", lambda: later)
        response = client.get("/erp/orders/SO-10007", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/signin?next=%2Ferp%2Forders%2FSO-10007&expired=1"
        page = client.get(response.headers["location"])
        assert "Your session has expired." in page.text
        back = client.post(
            "/signin",
            data={
                "csrf_token": csrf_of(page.text),
                "username": "robot",
                "password": "robot-pass",
                "next": "/erp/orders/SO-10007",
            },
        )
        assert 'data-testid="order-id">SO-10007<' in back.text


class TestSurpriseModal:
    @pytest.fixture
    def client(self) -> Iterator[TestClient]:
        yield from faulty_client(sandbox_fault_modal_rate=1.0)

    def test_modal_is_injected_after_sign_in(self, client: TestClient) -> None:
        assert "surprise-modal" not in client.get("/signin").text
        sign_in(client)
        page = client.get("/erp").text
        assert 'data-testid="surprise-modal"' in page
        assert "System maintenance notice" in page
        assert ">Acknowledge</button>" in page
