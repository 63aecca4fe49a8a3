"""Staff sign-in: sessions in signed HTTP-only cookies, CSRF on every state change, rate limits."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.staff.models import AuditEntry
from api.staff.sessions import SESSION_COOKIE
from tandem.db import get_engine, transaction
from tests.api.console.conftest import PASSWORDS, Staff, csrf_of
from tests.api.console.test_access import REQUIRED_ROLE, concrete

pytestmark = pytest.mark.db

STATE_CHANGING = sorted(
    (method, path) for method, path in REQUIRED_ROLE if method not in {"GET", "HEAD", "OPTIONS"}
)


def sign_in(client: TestClient, role: str, *, password: str | None = None, csrf: str | None = None) -> int:
    email, right = PASSWORDS[role]
    response = client.post(
        "/api/v1/staff/session",
        json={"email": email, "password": password or right},
        headers={"X-CSRF-Token": csrf if csrf is not None else csrf_of(client)},
    )
    return response.status_code


class TestSessions:
    def test_cookie_is_http_only_and_lax(self, client: TestClient) -> None:
        csrf = csrf_of(client)
        email, password = PASSWORDS["agent"]
        response = client.post(
            "/api/v1/staff/session",
            json={"email": email, "password": password},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
        assert "Secure" not in cookie
        assert response.json()["csrf_token"] != csrf  # a new session at sign-in

    def test_cookie_is_secure_over_https(self, app: FastAPI, client: TestClient) -> None:
        https = TestClient(app, base_url="https://testserver")
        response = https.get("/api/v1/staff/session")
        assert "Secure" in response.headers["set-cookie"]

    def test_wrong_password_is_401_and_not_signed_in(self, client: TestClient) -> None:
        assert sign_in(client, "ops", password="wrong-password") == 401
        assert client.get("/api/v1/staff/jobs").status_code == 401

    def test_tampered_cookie_is_not_a_session(self, ops: Staff) -> None:
        value = ops.client.cookies[SESSION_COOKIE]
        ops.client.cookies.clear()
        ops.client.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
        assert ops.get("/api/v1/staff/jobs").status_code == 401

    def test_sign_out_ends_the_session(self, ops: Staff) -> None:
        assert ops.get("/api/v1/staff/jobs").status_code == 200
        response = ops.client.delete("/api/v1/staff/session", headers={"X-CSRF-Token": ops.csrf})
        assert response.status_code == 204
        assert ops.get("/api/v1/staff/jobs").status_code == 401

    def test_console_form_sign_in_and_sign_out(self, client: TestClient) -> None:
        page = client.get("/console/sign-in?next=/console/ops")
        assert page.status_code == 200
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        email, password = PASSWORDS["ops"]
        response = client.post(
            "/console/sign-in",
            data={"email": email, "password": password, "csrf_token": token, "next": "/console/ops"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/console/ops"
        page = client.get("/console/ops")
        assert page.status_code == 200
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        out = client.post("/console/sign-out", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303
        assert client.get("/console/ops", follow_redirects=False).status_code == 303

    def test_sign_in_redirects_only_inside_the_console(self, client: TestClient) -> None:
        token = csrf_of(client)
        email, password = PASSWORDS["agent"]
        response = client.post(
            "/console/sign-in",
            data={"email": email, "password": password, "csrf_token": token, "next": "https://evil.example/"},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/console/agent"

    def test_sign_in_is_audited(self, agent: Staff) -> None:
        with transaction(get_engine()) as session:
            actions = session.scalars(select(AuditEntry.action).where(AuditEntry.staff_id == agent.id)).all()
        assert "staff.sign_in" in actions


class TestCsrf:
    def test_sign_in_needs_the_token(self, client: TestClient) -> None:
        csrf_of(client)
        assert sign_in(client, "agent", csrf="") == 403
        assert sign_in(client, "agent", csrf="0" * 64) == 403

    @pytest.mark.parametrize(("method", "path"), STATE_CHANGING)
    def test_missing_or_wrong_token_is_403(self, admin: Staff, method: str, path: str) -> None:
        for headers in (
            {},
            {"X-CSRF-Token": "wrong"},
            {"X-CSRF-Token": csrf_of(TestClient(admin.client.app))},
        ):
            response = admin.client.request(
                method, concrete(path), json={}, headers=headers, follow_redirects=False
            )
            assert response.status_code == 403, (method, path, headers, response.status_code)
            assert response.status_code != 200
        assert admin.get("/api/v1/staff/audit").status_code == 200  # still signed in

    def test_form_field_token_is_accepted(self, admin: Staff) -> None:
        response = admin.client.post(
            "/console/sign-out", data={"csrf_token": admin.csrf}, follow_redirects=False
        )
        assert response.status_code == 303


class TestRateLimit:
    def test_per_email(self, client: TestClient) -> None:
        statuses = [sign_in(client, "ops", password=f"wrong-{i}") for i in range(6)]
        assert statuses[:5] == [401] * 5
        assert statuses[5] == 429
        email, password = PASSWORDS["ops"]
        response = client.post(
            "/api/v1/staff/session",
            json={"email": email, "password": password},
            headers={"X-CSRF-Token": csrf_of(client)},
        )
        assert response.status_code == 429  # even the right password waits
        assert int(response.headers["Retry-After"]) >= 1
        assert response.json()["error"]["code"] == "rate_limited"

    def test_per_address(self, client: TestClient) -> None:
        csrf = csrf_of(client)
        statuses = []
        for i in range(31):
            response = client.post(
                "/api/v1/staff/session",
                json={"email": f"nobody{i}@example.com", "password": "x"},
                headers={"X-CSRF-Token": csrf},
            )
            statuses.append(response.status_code)
        assert statuses[:30] == [401] * 30
        assert statuses[30] == 429

    def test_console_form_shows_429(self, client: TestClient) -> None:
        for _ in range(5):
            sign_in(client, "agent", password="nope-nope")
        token = csrf_of(client)
        email, _ = PASSWORDS["agent"]
        response = client.post(
            "/console/sign-in",
            data={"email": email, "password": "x", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 429
        assert "Retry-After" in response.headers
        assert "too many sign-in attempts" in response.text
