"""The chat widget on the demo shop, in real Chromium against a real API server process."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tandem.config import Settings
from tests.conftest import save_screenshot
from tests.support.browser import ARTIFACTS_DIR
from tests.support.servers import REPO_ROOT, RunningServer, free_port, run_server

# Loading the conversation engine's models takes a while on a busy machine.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

# A slice of the help centre keeps the session quick; the payment article answers the Polish question.
KNOWLEDGE_SOURCES = [f"knowledge/helpcentre/{lang}/payment-methods.md" for lang in ("pl", "en")]
FIRST_ANSWER_MS = 60_000
WIDGET = "#tandem-chat-widget"


@pytest.fixture(scope="module")
def widget_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The API (``tests.browser.app_factory``) on a migrated, seeded SQLite and a small knowledge base."""
    from sqlalchemy.orm import Session

    from knowledge import KnowledgeBase
    from tandem import migrate
    from tandem.db import build_engine
    from tandem.seed import seed_front_office
    from tests.support.database import fresh_sqlite_database

    root = tmp_path_factory.mktemp("widget")
    data_dir = root / "var"
    settings = Settings(data_dir=data_dir, openai_api_key=None, openai_base_url=None)
    KnowledgeBase(settings).ingest([str(REPO_ROOT / source) for source in KNOWLEDGE_SOURCES])
    with fresh_sqlite_database(root / "db") as url:
        migrate.upgrade(url)
        engine = build_engine(url, pool_size=1, max_overflow=0)
        with Session(engine) as session, session.begin():
            seed_front_office(session, settings)
        engine.dispose()
        port = free_port()
        env = {
            "TANDEM_DATABASE_URL": url,
            "TANDEM_DATA_DIR": str(data_dir),
            "TANDEM_LOG_JSON": "false",
            "TANDEM_PORT": str(port),
        }
        args = [
            "uvicorn",
            "tests.browser.app_factory:create",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        with run_server(args, port=port, health_path="/healthz", env=env, log_dir=root / "logs") as server:
            _warm_up(server)
            yield server


def _warm_up(server: RunningServer) -> None:
    """Build the conversation engine (models load on first use) before the browser waits on it."""
    created = httpx.post(f"{server.url}/api/v1/conversations", json={}, timeout=600)
    assert created.status_code == 201, server.log()[-3000:]
    path = f"/api/v1/conversations/{created.json()['id']}/messages"
    answered = httpx.post(server.url + path, json={"text": "hello"}, timeout=600)
    assert answered.status_code == 200, server.log()[-3000:]


def widget_messages(page: Page, role: str) -> object:
    return page.locator(f"{WIDGET} .tandem-msg--{role}:not(.tandem-msg--welcome) .tandem-bubble")


def open_widget(page: Page, name: str) -> None:
    page.emulate_media(reduced_motion="reduce")  # no opening animation in the screenshots
    page.get_by_role("button", name=name).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(f"{WIDGET} textarea")).to_be_focused()


def send(page: Page, text: str) -> None:
    box = page.locator(f"{WIDGET} textarea")
    box.fill(text)
    box.press("Enter")


def test_polish_question_gets_a_cited_answer_and_survives_a_reload(
    page: Page, widget_server: RunningServer
) -> None:
    page.goto(widget_server.url + "/?lang=pl")
    expect(page.get_by_role("heading", name="Nasze produkty")).to_be_visible()
    expect(page.locator("[data-testid=product]")).to_have_count(12)
    save_screenshot(page, "widget-01-shop-pl")

    open_widget(page, "Napisz do nas")
    panel = page.get_by_role("dialog", name="Baobab Home — napisz do nas")
    expect(panel).to_have_attribute("dir", "ltr")
    expect(panel).to_have_attribute("lang", "pl")
    expect(panel.get_by_role("button", name="Jak działają zwroty?")).to_be_visible()
    save_screenshot(page, "widget-02-open-pl")

    send(page, "Jakie są metody płatności?")
    expect(widget_messages(page, "customer")).to_have_text(["Jakie są metody płatności?"])
    answer = widget_messages(page, "bot").first
    expect(answer).to_contain_text("BLIK", timeout=FIRST_ANSWER_MS)
    expect(panel.locator(".tandem-sources")).to_contain_text("Źródła")
    expect(panel.locator(".tandem-sources li").first).to_contain_text("Metody płatności")
    expect(page.locator(f"{WIDGET} .tandem-typing")).to_be_hidden()
    save_screenshot(page, "widget-03-answer-pl")

    conversation_id = page.evaluate("window.TandemWidget.conversationId")
    assert re.fullmatch(r"[\w-]+", conversation_id)
    bot_count = widget_messages(page, "bot").count()
    assert bot_count >= 1

    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # it was open: it opens again
    expect(widget_messages(page, "customer")).to_have_text(["Jakie są metody płatności?"])
    expect(widget_messages(page, "bot")).to_have_count(bot_count)
    assert page.evaluate("window.TandemWidget.conversationId") == conversation_id
    stored = json.loads(page.evaluate("sessionStorage.getItem('tandem.widget.v1:anon')"))
    assert stored["id"] == conversation_id
    assert stored["last"] > 0
    save_screenshot(page, "widget-04-reloaded-pl")


def test_arabic_message_turns_the_panel_right_to_left(page: Page, widget_server: RunningServer) -> None:
    page.goto(widget_server.url + "/?lang=en")
    open_widget(page, "Chat with us")
    panel = page.get_by_role("dialog")
    expect(panel).to_have_attribute("dir", "ltr")

    send(page, "مرحبا")
    expect(widget_messages(page, "bot").first).to_be_visible(timeout=FIRST_ANSWER_MS)
    expect(panel).to_have_attribute("dir", "rtl")
    expect(panel).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", name="Baobab Home — تحدث معنا")).to_be_visible()
    expect(page.locator(f"{WIDGET} textarea")).to_have_attribute("placeholder", "اكتب رسالة…")
    save_screenshot(page, "widget-05-rtl-ar")

    send(page, "What are your payment methods?")
    expect(panel).to_have_attribute("dir", "ltr", timeout=FIRST_ANSWER_MS)
    expect(page.get_by_role("heading", name="Baobab Home — chat with us")).to_be_visible()


def test_markup_is_shown_as_text(page: Page, widget_server: RunningServer) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(widget_server.url + "/")
    open_widget(page, "Chat with us")
    attack = "<img src=x onerror=alert(1)>"
    send(page, attack)
    expect(widget_messages(page, "customer")).to_have_text([attack])
    expect(widget_messages(page, "bot").first).to_be_visible(timeout=FIRST_ANSWER_MS)
    page.wait_for_timeout(500)
    assert page.locator(f"{WIDGET} img").count() == 0
    assert page.locator("img").count() == 0
    assert dialogs == []
    save_screenshot(page, "widget-06-markup-as-text")


def test_keyboard_only(page: Page, widget_server: RunningServer) -> None:
    page.goto(widget_server.url + "/?lang=sw")
    focused_launcher = (
        "(() => { const host = document.activeElement; return host && host.id === 'tandem-chat-widget'"
        " && host.shadowRoot.activeElement?.classList.contains('tandem-launcher') || false; })()"
    )
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(focused_launcher):
            break
    else:
        pytest.fail("Tab never reached the chat launcher")
    launcher = page.get_by_role("button", name="Zungumza nasi")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator(f"{WIDGET} textarea")).to_be_focused()
    expect(page.locator(f"{WIDGET} [role=log]")).to_have_attribute("aria-live", "polite")

    page.keyboard.type("Habari")
    page.keyboard.press("Enter")
    expect(widget_messages(page, "customer")).to_have_text(["Habari"])
    expect(widget_messages(page, "bot").first).to_be_visible(timeout=FIRST_ANSWER_MS)
    save_screenshot(page, "widget-07-keyboard-sw")

    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert page.evaluate(focused_launcher)


def test_quick_reply_and_job_progress_for_a_signed_in_customer(
    page: Page, widget_server: RunningServer
) -> None:
    page.goto(widget_server.url + "/?lang=pl&customer=C-003")
    expect(page.get_by_test_id("account")).to_contain_text("Grace Achieng Otieno")
    open_widget(page, "Napisz do nas")
    send(page, "Proszę anulować zamówienie SO-10056")
    panel = page.get_by_role("dialog")
    confirm = panel.locator(".tandem-quick button").first
    expect(confirm).to_be_visible(timeout=FIRST_ANSWER_MS)
    save_screenshot(page, "widget-08-confirm-pl")
    confirm.click()
    job = panel.locator(".tandem-job")
    expect(job).to_contain_text("⏳ Anulujemy zamówienie…", timeout=FIRST_ANSWER_MS)
    expect(job).to_have_attribute("data-job-kind", "cancel_order")
    save_screenshot(page, "widget-09-job-pl")


def test_failed_send_is_retried_with_the_same_client_message_id(
    page: Page, widget_server: RunningServer
) -> None:
    bodies: list[dict[str, str]] = []

    def flaky(route: Route) -> None:
        bodies.append(json.loads(route.request.post_data or "{}"))
        if len(bodies) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/api/v1/conversations/[^/]+/messages$"), flaky)
    page.goto(widget_server.url + "/")
    open_widget(page, "Chat with us")
    send(page, "Where is my order?")
    expect(widget_messages(page, "bot").first).to_be_visible(timeout=FIRST_ANSWER_MS)
    assert len(bodies) == 2
    assert bodies[0]["client_message_id"] == bodies[1]["client_message_id"]
    assert bodies[0]["client_message_id"].startswith("w-")
    expect(widget_messages(page, "customer")).to_have_text(["Where is my order?"])


def test_attachment_error_is_localized(page: Page, widget_server: RunningServer, tmp_path: Path) -> None:
    document = tmp_path / "faktura.pdf"
    document.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.route(
        re.compile(r".*/attachments$"),
        lambda route: route.fulfill(
            status=404,
            content_type="application/json",
            body='{"error": {"code": "not_found", "message": "Not Found"}}',
        ),
    )
    page.goto(widget_server.url + "/?lang=pl")
    open_widget(page, "Napisz do nas")
    attach = page.get_by_role("button", name="Dołącz plik")
    with page.expect_file_chooser() as chooser:
        attach.click()
    chooser.value.set_files(str(document))
    expect(page.get_by_role("dialog").get_by_role("alert")).to_have_text(
        "Przepraszamy, nie udało się wysłać pliku. Proszę spróbować później."
    )
    save_screenshot(page, "widget-10-attach-error-pl")


def test_phone_viewport_is_full_screen(page: Page, widget_server: RunningServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(widget_server.url + "/?lang=fa")
    save_screenshot(page, "widget-11-phone-shop-fa")
    open_widget(page, "گفتگو با ما")
    box = page.get_by_role("dialog").bounding_box()
    assert box is not None
    assert (box["x"], box["y"]) == (0, 0)
    assert box["width"] >= 370  # the whole width (a classic scrollbar may take a few pixels)
    assert box["height"] >= 830
    send(page, "سلام")
    expect(widget_messages(page, "bot").first).to_be_visible(timeout=FIRST_ANSWER_MS)
    expect(page.get_by_role("dialog")).to_have_attribute("dir", "rtl")
    save_screenshot(page, "widget-12-phone-chat-fa")
    page.screenshot(path=str(ARTIFACTS_DIR / "widget-13-phone-chat-fa-viewport.png"))
    page.get_by_role("button", name="بستن گفتگو").click()
    expect(page.get_by_role("button", name="گفتگو با ما")).to_be_focused()
