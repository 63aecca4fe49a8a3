"""What a failed step leaves behind: its screenshot and the page's source, also when it timed out."""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import threading
from pathlib import Path

import pytest

from rpa.browser_pool import Lease
from rpa.errors import BusinessError
from rpa.evidence import RunRecorder
from tests.rpa.bots.support import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class TestFailedStepEvidence:
    def test_the_page_source_holds_what_the_bot_typed_and_no_form_token(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        recorder = RunRecorder(tmp_path / "attempt-1")

        async def fill_then_fail(lease: Lease) -> None:
            async with recorder.step("fill the new order", lease.page):
                await lease.page.goto(
                    sandbox.settings.resolved_sandbox_url + "/erp/orders/new?customer_id=C-003"
                )
                await lease.page.get_by_label("Reference").fill("typed-by-the-bot")
                raise BusinessError("the ERP said no")

        with pytest.raises(BusinessError):
            sandbox.pool.run("sandbox_erp", fill_then_fail)
        [step] = recorder.steps
        assert (step.outcome, step.detail) == ("failed", "BusinessError: the ERP said no")
        page = Path(str(step.page_source)).read_text(encoding="utf-8")
        assert 'value="typed-by-the-bot"' in page  # outerHTML alone has the server's empty value
        assert re.search(r'name="csrf_token"[^>]*value=""', page)  # the form token is blanked
        assert Path(str(step.screenshot)).is_file()

    def test_a_step_cut_short_by_the_timeout_is_recorded_before_the_runner_saves_it(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        recorder = RunRecorder(tmp_path / "attempt-1")

        async def hang(lease: Lease) -> None:
            async with recorder.step("wait for a screen that never comes", lease.page):
                await asyncio.sleep(60)

        with pytest.raises(concurrent.futures.TimeoutError):
            sandbox.pool.run("sandbox_erp", hang, timeout=0.5, grace_s=12.0)
        # pool.run returned only after the step's own clean-up: its outcome and evidence are in
        [step] = recorder.steps
        assert step.outcome == "failed"
        assert step.finished_at is not None
        assert Path(str(step.screenshot)).is_file()
        assert Path(str(step.page_source)).is_file()


def test_without_grace_a_timed_out_call_does_not_wait_for_the_clean_up(sandbox: Sandbox) -> None:
    """A chat look-up's time budget is not stretched by the cancelled work's clean-up."""
    cleaned = threading.Event()

    async def hang(lease: Lease) -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(2)
            cleaned.set()

    with pytest.raises(concurrent.futures.TimeoutError):
        sandbox.pool.run("sandbox_erp", hang, timeout=0.5)
    assert not cleaned.is_set()
    assert cleaned.wait(10)  # the clean-up itself still runs to its end
