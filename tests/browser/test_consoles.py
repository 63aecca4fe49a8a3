"""The staff consoles in real Chromium against a real API server process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tandem.config import Settings
from tests.conftest import save_screenshot
from tests.support.servers import RunningServer, free_port, run_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

AGENT = ("agent@baobab.example.com", "agent-demo-pass")
OPS = ("ops@baobab.example.com", "ops-demo-pass")
REPLY = "Habari! Mimi ni Amani. Nitakusaidia na agizo lako sasa hivi."


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, str, Path]]:
    """The API (``tests.browser.console_app``) on a migrated, seeded SQLite, its URL and data dir."""
    from sqlalchemy.orm import Session

    from tandem import migrate
    from tandem.db import build_engine
    from tandem.seed import seed_front_office
    from tests.support.database import fresh_sqlite_database

    root = tmp_path_factory.mktemp("consoles")
    data_dir = root / "var"
    settings = Settings(data_dir=data_dir, openai_api_key=None, openai_base_url=None)
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
            "TANDEM_LOG_JSON": "true",
            "TANDEM_PORT": str(port),
        }
        args = [
            "uvicorn",
            "tests.browser.console_app:create",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
        with run_server(args, port=port, health_path="/healthz", env=env, log_dir=root / "logs") as server:
            yield server, url, data_dir


def sign_in(page: Page, base: str, account: tuple[str, str], target: str) -> None:
    page.goto(base + target)
    expect(page).to_have_url(f"{base}/console/sign-in?next={target}")
    page.get_by_label("E-mail").fill(account[0])
    page.get_by_label("Password").fill(account[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(base + target)


def customer_says(base: str, conversation: str, text: str) -> dict[str, object]:
    response = httpx.post(
        f"{base}/api/v1/conversations/{conversation}/messages", json={"text": text}, timeout=600
    )
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


def test_agent_takes_over_replies_and_hands_back(
    page: Page, console_server: tuple[RunningServer, str, Path]
) -> None:
    server, _url, _data = console_server
    base = server.url
    conversation = httpx.post(f"{base}/api/v1/conversations", json={}, timeout=60).json()["id"]
    assert customer_says(base, conversation, "Nataka kuzungumza na mtu")["handoff"] is True
    arabic = httpx.post(f"{base}/api/v1/conversations", json={}, timeout=60).json()["id"]
    customer_says(base, arabic, "أريد التحدث إلى شخص من فضلك")

    sign_in(page, base, AGENT, "/console/agent")
    row = page.locator(f'tr[data-conversation="{conversation}"]')
    expect(row).to_contain_text("waiting_agent")
    expect(row).to_contain_text("sw")
    save_screenshot(page, "console-01-agent-queue")

    row.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name="Anonymous customer")).to_be_visible()
    expect(page.locator(".msg--customer .bubble").first).to_have_text("Nataka kuzungumza na mtu")
    page.get_by_role("button", name="Take over").click()
    expect(page.locator("[data-status]")).to_have_text("agent")

    page.get_by_label("Canned reply").select_option(label="checking")
    expect(page.locator("#reply-text")).to_have_value(
        "Asante kwa kusubiri. Ninakuangalia hili sasa hivi; itachukua dakika chache."
    )
    page.locator("#reply-text").fill(REPLY)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".msg--agent .bubble").last).to_have_text(REPLY)
    page.get_by_label("Note").fill("Mteja anasubiri tangu asubuhi — private")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("[data-notes]")).to_contain_text("private")
    save_screenshot(page, "console-02-agent-reply")

    transcript = httpx.get(f"{base}/api/v1/conversations/{conversation}", timeout=30).json()
    assert {"role": "agent", "text": REPLY} in [
        {"role": m["role"], "text": m["text"]} for m in transcript["messages"]
    ]
    assert "private" not in json.dumps(transcript, ensure_ascii=False)

    page.get_by_role("button", name="Hand back to the bot").click()
    expect(page.locator("[data-status]")).to_have_text("bot")
    result = customer_says(base, conversation, "Habari")
    assert result["handoff"] is False
    assert result["messages"]
    expect(page.locator(".msg--bot .bubble").last).to_have_text(result["messages"][-1]["text"])  # type: ignore[index]
    save_screenshot(page, "console-03-agent-handed-back")

    page.goto(f"{base}/console/agent/conversations/{arabic}")
    bubble = page.locator(".msg--customer .bubble").first
    expect(bubble).to_have_attribute("dir", "auto")
    assert bubble.evaluate("node => getComputedStyle(node).direction") == "rtl"
    save_screenshot(page, "console-04-agent-rtl")


def test_ops_opens_a_failed_run_and_approves_an_edited_payload(
    page: Page, console_server: tuple[RunningServer, str, Path]
) -> None:
    from sqlalchemy.orm import Session

    from tandem.db import build_engine

    server, url, data_dir = console_server
    base = server.url
    page.goto(base + "/?lang=sw")  # a real picture for the step's screenshot
    png = page.screenshot()
    artifacts = data_dir / "artifacts"
    engine = build_engine(url, pool_size=1, max_overflow=0)
    with Session(engine) as session, session.begin():
        job_id = _failed_run(session, artifacts, png)
    engine.dispose()

    sign_in(page, base, OPS, "/console/ops")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.get_by_label("Search").fill("SO-10012")
    page.get_by_role("button", name="Filter").click()
    page.locator(f'tr[data-run="{job_id}"] a').click()
    expect(page.get_by_role("heading", name="change_address SO-10012")).to_be_visible()
    shot = page.get_by_role("img", name="Screenshot of step 2: open order")
    expect(shot).to_be_visible()
    assert shot.evaluate("img => img.naturalWidth") > 0
    expect(page.locator("[data-trace-kind]")).to_contain_text("actions and call logs")
    source_text = page.locator("[data-page-source-text]")
    assert not [url for url in requested if url.endswith("/page")]  # fetched only when opened
    page.get_by_text("Page HTML when it failed").click()
    expect(source_text).to_have_text(PAGE_SOURCE)
    assert page.locator("[data-page-source-view] b").count() == 0  # shown as text, never rendered
    with page.expect_download() as page_source:
        page.locator("[data-page-source]").click()
    assert page_source.value.suggested_filename.endswith(".txt")
    assert "SO-10012" in Path(page_source.value.path()).read_text(encoding="utf-8")
    save_screenshot(page, "console-05-ops-run")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download trace").click()
    download = download_info.value
    assert download.suggested_filename == "trace-attempt-1.zip"
    assert Path(download.path()).read_bytes()[:2] == b"PK"

    payload = page.get_by_label("Payload")
    edited = json.loads(payload.input_value())
    assert edited["address"] == "[redacted]"
    edited["address"] = "Kenyatta Avenue 1, Nairobi, 00100, Kenya"
    payload.fill(json.dumps(edited, indent=2))
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("[data-run-status]")).to_have_text("queued")
    save_screenshot(page, "console-06-ops-approved")

    page.goto(base + "/console/ops/dashboard")
    expect(page.locator('[data-kpi="queue_depth"]')).to_have_text("1")
    page.wait_for_function("() => document.querySelectorAll('canvas').length === 4 && window.Chart")
    save_screenshot(page, "console-07-ops-dashboard")


PAGE_SOURCE = "<!doctype html>\n<html><body><b>SO-10012</b> not recognised</body></html>"


def _failed_run(session: object, artifacts: Path, png: bytes) -> str:
    """A needs_review job whose first attempt failed on step 2, with a screenshot and a trace."""
    from datetime import timedelta

    from sqlalchemy.orm import Session

    from rpa.models import Job, JobAttempt, RunStep
    from tandem.clock import utcnow

    assert isinstance(session, Session)
    now = utcnow()
    job = Job(
        kind="change_address",
        payload={"order_id": "SO-10012", "address": "Moi Avenue 12, Nairobi, 00100, Kenya"},
        idempotency_key="browser-review-1",
        status="needs_review",
        attempts=1,
        max_attempts=1,
        error_class="review",
        error_message="address not recognised by the ERP",
        review_reason="address not recognised by the ERP",
        started_at=now - timedelta(seconds=8),
    )
    session.add(job)
    session.flush()
    directory = artifacts / job.id / "attempt-1"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "step-02.png").write_bytes(png)
    (directory / "step-02.html").write_text(PAGE_SOURCE, encoding="utf-8")
    (directory / "trace.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    attempt = JobAttempt(
        job_id=job.id,
        number=1,
        worker="worker-1",
        outcome="failed",
        error_class="review",
        error_message="address not recognised by the ERP",
        trace_path=str(directory / "trace.zip"),
        trace_snapshots=False,
        started_at=now - timedelta(seconds=8),
        finished_at=now,
    )
    session.add(attempt)
    session.flush()
    session.add_all(
        [
            RunStep(
                attempt_id=attempt.id,
                seq=1,
                name="sign in",
                url="http://127.0.0.1:8100/login",
                started_at=now - timedelta(seconds=8),
                finished_at=now - timedelta(seconds=6),
            ),
            RunStep(
                attempt_id=attempt.id,
                seq=2,
                name="open order",
                outcome="failed",
                url="http://127.0.0.1:8100/orders/SO-10012",
                screenshot_path=str(directory / "step-02.png"),
                page_source_path=str(directory / "step-02.html"),
                detail="ReviewNeeded: address not recognised",
                started_at=now - timedelta(seconds=6),
                finished_at=now,
            ),
        ]
    )
    return job.id
