"""Every staff route, enumerated from the app: who may reach it and who may not."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from tandem.config import get_settings
from tandem.security import customer_token
from tests.api.console.conftest import Staff, csrf_of

pytestmark = pytest.mark.db

PUBLIC = "public"
SIGNED_IN = "signed_in"
# The role each staff route needs; admins reach everything. A new route fails
# TestRouteTable until it is classified here.
REQUIRED_ROLE: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/staff/session"): PUBLIC,
    ("POST", "/api/v1/staff/session"): PUBLIC,
    ("DELETE", "/api/v1/staff/session"): PUBLIC,
    ("GET", "/console/sign-in"): PUBLIC,
    ("POST", "/console/sign-in"): PUBLIC,
    ("GET", "/console"): SIGNED_IN,
    ("POST", "/console/sign-out"): SIGNED_IN,
    ("GET", "/api/v1/staff/audit"): "admin",
    ("GET", "/console/audit"): "admin",
    ("GET", "/api/v1/staff/conversations"): "agent",
    ("GET", "/api/v1/staff/conversations/canned-replies"): "agent",
    ("GET", "/api/v1/staff/conversations/{conversation_id}"): "agent",
    ("POST", "/api/v1/staff/conversations/{conversation_id}/take-over"): "agent",
    ("POST", "/api/v1/staff/conversations/{conversation_id}/messages"): "agent",
    ("POST", "/api/v1/staff/conversations/{conversation_id}/typing"): "agent",
    ("POST", "/api/v1/staff/conversations/{conversation_id}/notes"): "agent",
    ("POST", "/api/v1/staff/conversations/{conversation_id}/hand-back"): "agent",
    ("POST", "/api/v1/staff/conversations/{conversation_id}/close"): "agent",
    ("GET", "/console/agent"): "agent",
    ("GET", "/console/agent/conversations/{conversation_id}"): "agent",
    ("GET", "/api/v1/staff/jobs"): "ops",
    ("GET", "/api/v1/staff/jobs/{job_id}"): "ops",
    ("POST", "/api/v1/staff/jobs/{job_id}/retry"): "ops",
    ("POST", "/api/v1/staff/jobs/{job_id}/cancel"): "ops",
    ("POST", "/api/v1/staff/jobs/{job_id}/review"): "ops",
    ("GET", "/api/v1/staff/steps/{step_id}/screenshot"): "ops",
    ("GET", "/api/v1/staff/steps/{step_id}/page"): "ops",
    ("GET", "/api/v1/staff/attempts/{attempt_id}/trace"): "ops",
    ("GET", "/api/v1/staff/dashboard"): "ops",
    ("GET", "/api/v1/staff/knowledge/sources"): "ops",
    ("POST", "/api/v1/staff/knowledge/reingest"): "ops",
    ("GET", "/api/v1/staff/knowledge/unanswered"): "ops",
    ("GET", "/console/ops"): "ops",
    ("GET", "/console/ops/runs/{job_id}"): "ops",
    ("GET", "/console/ops/dashboard"): "ops",
    ("GET", "/console/knowledge"): "ops",
    ("POST", "/console/knowledge/uploads"): "ops",
}
ALLOWED = {"agent": {"agent", "admin"}, "ops": {"ops", "admin"}, "admin": {"admin"}}
ROLES = ("agent", "ops", "admin")


def staff_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, full path) of the app under /console and /api/v1/staff (included routers too)."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route, path = context.original_route, context.path or ""
        if isinstance(route, APIRoute) and path.startswith(("/console", "/api/v1/staff")):
            found.update((method, path) for method in route.methods - {"HEAD"})
    return found


def concrete(path: str) -> str:
    """Fill path parameters with ids of records that do not exist."""
    return re.sub(
        r"\{(\w+)\}", lambda m: "999999" if m.group(1) in {"step_id", "attempt_id"} else "nope", path
    )


def call(client: TestClient, method: str, path: str, csrf: str, **headers: str) -> tuple[int, str]:
    response = client.request(
        method, concrete(path), headers={"X-CSRF-Token": csrf, **headers}, json={}, follow_redirects=False
    )
    return response.status_code, response.headers.get("location", "")


def refused(status: int, location: str) -> bool:
    return status in {401, 403} or (status in {302, 303, 307} and location.startswith("/console/sign-in"))


PROTECTED = sorted(key for key, role in REQUIRED_ROLE.items() if role != PUBLIC)


class TestRouteTable:
    def test_every_staff_route_is_classified(self, app: FastAPI) -> None:
        assert staff_routes(app) == set(REQUIRED_ROLE)


class TestAnonymousAndCustomers:
    @pytest.mark.parametrize(("method", "path"), PROTECTED)
    def test_anonymous_is_refused(self, client: TestClient, method: str, path: str) -> None:
        status, location = call(client, method, path, csrf_of(client))
        assert refused(status, location), (method, path, status)

    @pytest.mark.parametrize(("method", "path"), PROTECTED)
    def test_customer_token_is_refused(self, client: TestClient, method: str, path: str) -> None:
        token = customer_token(get_settings(), "C-001")
        client.cookies.set("tandem_staff", token)
        status, location = call(client, method, path, token, **{"X-Customer-Token": token})
        assert refused(status, location), (method, path, status)

    def test_anonymous_pages_redirect_to_sign_in(self, client: TestClient) -> None:
        response = client.get("/console/ops/dashboard", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/console/sign-in?next=/console/ops/dashboard"

    def test_anonymous_api_answers_401(self, client: TestClient) -> None:
        response = client.get("/api/v1/staff/jobs")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_signed_in"


class TestRoles:
    @pytest.mark.parametrize("role", ROLES)
    def test_each_role_reaches_exactly_its_routes(self, app: FastAPI, client: TestClient, role: str) -> None:
        staff = Staff(app, role)
        wrong: list[str] = []
        for method, path in PROTECTED:
            needed = REQUIRED_ROLE[(method, path)]
            if (method, path) == ("POST", "/console/sign-out"):
                continue  # ends the session the loop uses; covered in test_auth
            status, location = call(staff.client, method, path, staff.csrf)
            may = needed == SIGNED_IN or role in ALLOWED[needed]
            if may and refused(status, location):
                wrong.append(f"{method} {path}: {role} refused with {status}")
            if not may and status != 403:
                wrong.append(f"{method} {path}: {role} got {status}, expected 403")
        assert wrong == []

    def test_agent_gets_an_html_403_on_ops_pages(self, agent: Staff) -> None:
        response = agent.get("/console/ops")
        assert response.status_code == 403
        assert "text/html" in response.headers["content-type"]
        assert "needs the ops role" in response.text
