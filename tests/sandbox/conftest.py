"""Fixtures for the sandbox back office: a seeded database and signed-in test clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rpa.sandbox import create_app, seed_sandbox
from tandem.config import Settings, get_settings

SEED_DAY = date(2026, 3, 2)
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def sandbox_settings(**faults: Any) -> Settings:
    """The test's settings (its own data dir) with some fault settings overridden."""
    return get_settings().model_copy(update=faults)


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a page."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client: TestClient, username: str = "", password: str = "") -> None:
    """Sign in through the form, as a person would."""
    settings = get_settings()
    page = client.get("/signin")
    response = client.post(
        "/signin",
        data={
            "csrf_token": csrf_of(page.text),
            "username": username or settings.sandbox_user,
            "password": password or settings.sandbox_password.get_secret_value(),
            "next": "/erp",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def post_form(client: TestClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST a form from ``path`` with the session's CSRF token added."""
    token = csrf_of(client.get("/erp/products?q=none").text)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def open_client(settings: Settings, *, seed: bool = True) -> TestClient:
    """A TestClient over a freshly seeded sandbox (use as a context manager)."""
    if seed:
        seed_sandbox(settings.resolved_sandbox_db_path, today=SEED_DAY)
    return TestClient(create_app(settings))


@pytest.fixture
def client() -> Iterator[TestClient]:
    """An anonymous client over a seeded sandbox."""
    with open_client(sandbox_settings()) as test_client:
        yield test_client


@pytest.fixture
def staff(client: TestClient) -> TestClient:
    """The same client, signed in as the robot user."""
    sign_in(client)
    return client
