"""A person's path through the real sandbox server in real Chromium: sign in, order, find it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tandem.config import get_settings
from tests.conftest import save_screenshot
from tests.support.servers import RunningServer, free_port, run_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def sandbox_server(tmp_path: Path) -> Iterator[RunningServer]:
    """``python -m rpa.sandbox`` on a free port with its own data dir."""
    port = free_port()
    env = {"TANDEM_SANDBOX_PORT": str(port), "TANDEM_DATA_DIR": str(tmp_path / "var")}
    with run_server(
        ["rpa.sandbox"], port=port, health_path="/healthz", env=env, log_dir=tmp_path / "logs"
    ) as server:
        yield server


def test_create_order_through_the_screens(page: Page, sandbox_server: RunningServer) -> None:
    settings = get_settings()
    reference = "browser-test-0001"

    page.goto(sandbox_server.url + "/erp/orders")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill(settings.sandbox_user)
    page.get_by_label("Password").fill(settings.sandbox_password.get_secret_value())
    save_screenshot(page, "sandbox-01-sign-in")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Sales orders")).to_be_visible()
    expect(page.get_by_test_id("order-row")).to_have_count(20)
    save_screenshot(page, "sandbox-02-order-list")

    page.get_by_role("link", name="New order", exact=True).click()
    expect(page.get_by_role("heading", name="New sales order")).to_be_visible()
    page.get_by_label("Customer", exact=True).select_option("C-001")
    page.get_by_label("Product (line 1)").select_option("BH-1001")
    page.get_by_label("Quantity (line 1)").fill("2")
    page.get_by_role("button", name="Add line").click()
    page.get_by_label("Product (line 2)").select_option("BH-1005")
    page.get_by_label("Quantity (line 2)").fill("1")
    page.get_by_label("Delivery").select_option("express")
    page.get_by_label("Payment method").select_option("mpesa")
    page.get_by_label("Reference").fill(reference)
    save_screenshot(page, "sandbox-03-create-order")
    page.get_by_role("button", name="Review order").click()

    expect(page.get_by_role("heading", name="Confirm new sales order")).to_be_visible()
    expect(page.get_by_test_id("confirm-line")).to_have_count(2)
    expect(page.get_by_test_id("confirm-total")).to_have_text("$119.30")
    save_screenshot(page, "sandbox-04-confirm-order")
    page.get_by_role("button", name="Confirm order").click()

    expect(page.get_by_test_id("order-status")).to_have_text("pending")
    expect(page.get_by_test_id("order-reference")).to_have_text(reference)
    expect(page.get_by_test_id("flash-message")).to_contain_text("created")
    order_id = page.get_by_test_id("order-id").inner_text()
    assert re.fullmatch(r"SO-1006\d", order_id)
    save_screenshot(page, "sandbox-05-order-detail")

    page.get_by_role("link", name="Sales orders").click()
    page.get_by_label("Search").fill(reference)
    page.get_by_role("button", name="Search").click()
    rows = page.get_by_test_id("order-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(order_id)
    save_screenshot(page, "sandbox-06-order-search")
