"""The demo as a customer meets it: ``tandem up`` (API, worker threads, sandbox ERP), the widget
in real Chromium, a cancellation carried out by the bot in the ERP screens, the result pushed live.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tandem.config import Settings
from tandem.security import customer_token
from tests.conftest import save_screenshot
from tests.support.servers import RunningServer, free_port, run_server

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]
WIDGET = "#tandem-chat-widget"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("demo")
    port, sandbox_port = free_port(), free_port()
    env = {
        "TANDEM_DATA_DIR": str(data_dir),
        "TANDEM_DATABASE_URL": f"sqlite:///{data_dir / 'tandem.db'}",
        "TANDEM_PORT": str(port),
        "TANDEM_SANDBOX_PORT": str(sandbox_port),
        "TANDEM_WORKER_CONCURRENCY": "1",
    }
    # The help centre is not ingested here (40 s); knowledge answers have their own tests.
    with run_server(
        ["tandem", "up", "--no-ingest"],
        port=port,
        health_path="/readyz",
        env=env,
        log_dir=data_dir / "logs",
        timeout=240,
    ) as server:
        yield server


def test_customer_cancels_an_order_and_sees_the_result_arrive(page: Page, demo: RunningServer) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{demo.url}/?customer=C-001&lang=en")
    page.get_by_role("button", name="Chat with us").click()
    box = page.locator(f"{WIDGET} textarea")
    box.fill("I want to cancel order SO-10049")
    box.press("Enter")
    panel = page.get_by_role("dialog")
    expect(panel).to_contain_text("Please confirm: cancel order SO-10049", timeout=90_000)
    save_screenshot(page, "e2e-01-confirm")
    panel.get_by_role("button", name="Yes, go ahead").click()
    expect(panel).to_contain_text("Order SO-10049 is cancelled", timeout=90_000)
    expect(panel).to_contain_text("$204.00")
    save_screenshot(page, "e2e-02-cancelled-live")

    conversation_id = page.evaluate("window.TandemWidget.conversationId")
    token = customer_token(Settings(), "C-001")
    transcript = httpx.get(
        f"{demo.url}/api/v1/conversations/{conversation_id}", headers={"X-Customer-Token": token}
    ).json()
    assert [(job["kind"], job["status"]) for job in transcript["jobs"]] == [("cancel_order", "succeeded")]


def test_the_same_confirmation_twice_creates_one_job(demo: RunningServer) -> None:
    token = customer_token(Settings(), "C-005")
    api = f"{demo.url}/api/v1"
    headers = {"X-Customer-Token": token}
    conversation = httpx.post(f"{api}/conversations", json={"customer_token": token}).json()["id"]
    asked = httpx.post(
        f"{api}/conversations/{conversation}/messages",
        json={"text": "please cancel order SO-10050"},
        headers=headers,
        timeout=60,
    ).json()
    assert asked["awaiting"] == "confirmation"
    for _ in range(2):  # a double click sends the same message id twice
        httpx.post(
            f"{api}/conversations/{conversation}/messages",
            json={"text": "yes", "client_message_id": "confirm-1"},
            headers=headers,
            timeout=60,
        )
    httpx.post(
        f"{api}/conversations/{conversation}/messages", json={"text": "yes"}, headers=headers, timeout=60
    )
    jobs = httpx.get(f"{api}/conversations/{conversation}", headers=headers).json()["jobs"]
    assert [job["kind"] for job in jobs] == ["cancel_order"]
