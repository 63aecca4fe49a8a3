"""Sign-in, sessions and CSRF protection."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.sandbox.conftest import csrf_of, sign_in

pytestmark = [pytest.mark.unit]


class TestSignIn:
    @pytest.mark.parametrize(
        "path", ["/erp", "/erp/orders", "/erp/orders/SO-10001", "/erp/customers", "/dms"]
    )
    def test_screens_require_sign_in(self, client: TestClient, path: str) -> None:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/signin?next=")

    def test_sign_in_returns_to_requested_page(self, client: TestClient) -> None:
        page = client.get("/erp/orders/SO-10005")
        assert 'lang="en"' in page.text
        response = client.post(
            "/signin",
            data={
                "csrf_token": csrf_of(page.text),
                "username": "robot",
                "password": "robot-pass",
                "next": "/erp/orders/SO-10005",
            },
        )
        assert response.status_code == 200
        assert 'data-testid="order-id">SO-10005<' in response.text

    def test_wrong_password_is_refused_visibly(self, client: TestClient) -> None:
        page = client.get("/signin")
        response = client.post(
            "/signin",
            data={"csrf_token": csrf_of(page.text), "username": "robot", "password": "nope"},
        )
        assert response.status_code == 401
        assert "Invalid user name or password." in response.text

    def test_demo_clerk_can_sign_in(self, client: TestClient) -> None:
        sign_in(client, "clerk", "clerk-pass")
        assert "Signed in as <strong>clerk</strong>" in client.get("/erp").text

    def test_open_redirect_is_ignored(self, client: TestClient) -> None:
        page = client.get("/signin")
        response = client.post(
            "/signin",
            data={
                "csrf_token": csrf_of(page.text),
                "username": "robot",
                "password": "robot-pass",
                "next": "//evil.example.com/",
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == "/erp"

    def test_sign_out(self, staff: TestClient) -> None:
        token = csrf_of(staff.get("/erp").text)
        staff.post("/signout", data={"csrf_token": token})
        assert staff.get("/erp", follow_redirects=False).status_code == 303


class TestCsrf:
    def test_sign_in_without_token_is_rejected(self, client: TestClient) -> None:
        client.get("/signin")
        response = client.post("/signin", data={"username": "robot", "password": "robot-pass"})
        assert response.status_code == 403
        assert 'data-testid="form-error"' in response.text
        assert client.get("/erp", follow_redirects=False).status_code == 303

    def test_form_with_wrong_token_is_rejected(self, staff: TestClient) -> None:
        response = staff.post("/erp/orders/SO-10060/cancel", data={"csrf_token": "forged", "reason": "other"})
        assert response.status_code == 403
        assert "security token" in response.text


class TestHealth:
    def test_healthz_is_plain_ok(self, client: TestClient) -> None:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.text == "ok"

    def test_no_api_docs(self, client: TestClient) -> None:
        assert client.get("/openapi.json").status_code == 404
