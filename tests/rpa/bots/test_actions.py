"""The bots' clicks, fills and selects: trusted input where Playwright would act at once, and
Playwright's own locator (which waits and explains) wherever anything is off."""

from __future__ import annotations

import asyncio
import json
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from rpa.bots import actions
from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH

pytestmark = [pytest.mark.browser]

Scenario = Callable[[Page], Awaitable[Any]]

RECORDER = """<script>
window.seen = [];
addEventListener('click', (e) => seen.push(['click', e.target.closest('[id]').id, e.isTrusted]), true);
addEventListener('input', (e) => seen.push(['input', e.target.id, e.isTrusted]), true);
addEventListener('change', (e) => seen.push(['change', e.target.id, e.isTrusted]), true);
</script>"""


@pytest.fixture(scope="module")
def run_in_page() -> Iterator[Callable[[str, Scenario], Any]]:
    """Run a scenario on a fresh page showing the given HTML, in one Chromium for the module."""
    runner = asyncio.Runner()
    playwright = runner.run(async_playwright().start())
    browser: Browser = runner.run(
        playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
    )

    def run(html: str, scenario: Scenario) -> Any:
        async def go() -> Any:
            context = await browser.new_context(viewport={"width": 800, "height": 600})
            context.set_default_timeout(1_000)
            try:
                page = await context.new_page()
                await page.set_content(RECORDER + html)
                return await scenario(page)
            finally:
                await context.close()

        return runner.run(go())

    yield run
    runner.run(browser.close())
    runner.run(playwright.stop())
    runner.close()


async def seen(page: Page) -> list[list[Any]]:
    events: list[list[Any]] = await page.evaluate("seen")
    return events


async def fast_point(page: Page, name: str) -> Any:
    """Where the fast way would click the button, or None when it leaves it to Playwright."""
    return await actions._find(page, actions._BUTTON_JS, name, False)


class TestClickButton:
    def test_a_plain_button_gets_one_trusted_click_at_its_centre(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            point = await fast_point(page, "Save order")
            await actions.click_button(page, "Save order")
            return point, await seen(page)

        html = '<button id="b" style="width:100px;height:40px">Save order</button>'
        point, events = run_in_page(html, scenario)
        assert point is not None
        assert events == [["click", "b", True]]

    def test_the_name_matches_as_playwright_s_does(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            await actions.click_button(page, "save")  # case-insensitive substring, as get_by_role
            await actions.click_button(page, "Cancel", exact=True)
            return await seen(page)

        html = (
            '<button id="s">Save  <b>order</b></button><button id="c">Cancel</button>'
            '<input id="i" type="submit" value="Cancel the order">'
        )
        assert run_in_page(html, scenario) == [["click", "s", True], ["click", "c", True]]

    def test_a_button_under_a_modal_is_left_to_playwright_which_refuses(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            point = await fast_point(page, "Save")
            with pytest.raises(PlaywrightTimeout, match="intercepts pointer events"):
                await actions.click_button(page, "Save")
            return point, await seen(page)

        html = '<button id="b">Save</button><div style="position:fixed;inset:0;background:#0008"></div>'
        point, events = run_in_page(html, scenario)
        assert point is None
        assert events == []

    @pytest.mark.parametrize(
        "html",
        [
            pytest.param('<button id="b" disabled>Save</button>', id="disabled"),
            pytest.param('<fieldset disabled><button id="b">Save</button></fieldset>', id="fieldset"),
            pytest.param('<button id="b" style="visibility:hidden">Save</button>', id="hidden"),
            pytest.param('<div inert><button id="b">Save</button></div>', id="inert"),
        ],
    )
    def test_a_button_that_cannot_be_clicked_is_not_clicked(self, run_in_page: Any, html: str) -> None:
        async def scenario(page: Page) -> Any:
            point = await fast_point(page, "Save")
            with pytest.raises(PlaywrightTimeout):
                await actions.click_button(page, "Save")
            return point, await seen(page)

        point, events = run_in_page(html, scenario)
        assert point is None
        assert events == []

    def test_a_hidden_twin_is_left_to_playwright_which_clicks_the_shown_one(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            point = await fast_point(page, "Save")
            await actions.click_button(page, "Save")
            return point, await seen(page)

        html = '<button id="hidden" style="display:none">Save</button><button id="shown">Save</button>'
        point, events = run_in_page(html, scenario)
        assert point is None
        assert events == [["click", "shown", True]]

    def test_a_moving_button_is_left_to_playwright(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            return await fast_point(page, "Save")

        html = (
            "<style>@keyframes slide { from { margin-left: 0 } to { margin-left: 300px } }</style>"
            '<button id="b" style="animation: slide 5s linear infinite">Save</button>'
        )
        assert run_in_page(html, scenario) is None

    def test_a_button_below_the_fold_is_scrolled_to_first(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            await actions.click_button(page, "Save")
            return await page.evaluate("scrollY"), await seen(page)

        html = '<div style="height:3000px"></div><button id="b">Save</button>'
        scrolled, events = run_in_page(html, scenario)
        assert scrolled > 0
        assert events == [["click", "b", True]]


class TestFill:
    def test_typing_replaces_the_value_with_trusted_input(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Reference", "REF-1")
            await actions.fill(page, "Notes", "two\nlines")
            return await page.evaluate("[r.value, n.value]"), await seen(page)

        html = (
            '<label for="r">Reference</label><input id="r" value="old">'
            '<label>Notes <textarea id="n">was here</textarea></label>'
        )
        values, events = run_in_page(html, scenario)
        assert values == ["REF-1", "two\nlines"]
        assert ["input", "r", True] in events
        assert ["input", "n", True] in events

    def test_an_empty_value_clears_the_field(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Order id", "")
            return await page.evaluate("o.value")

        assert run_in_page('<label for="o">Order id</label><input id="o" value="SO-1">', scenario) == ""

    def test_exact_labels(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Note", "mine", exact=True)
            return await page.evaluate("[a.value, b.value]")

        html = '<label for="a">Note</label><input id="a"><label for="b">Notes</label><input id="b">'
        assert run_in_page(html, scenario) == ["mine", ""]

    def test_a_read_only_field_is_refused(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            with pytest.raises(PlaywrightTimeout, match="not editable"):
                await actions.fill(page, "Reference", "REF-1")
            return await page.evaluate("r.value")

        html = '<label for="r">Reference</label><input id="r" value="x" readonly>'
        assert run_in_page(html, scenario) == "x"

    def test_other_markup_is_filled_by_playwright(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Reference", "REF-1")
            await actions.fill(page, "Due", "2026-12-24")
            return await page.evaluate("[r.value, d.value]")

        html = (
            '<span id="l">Reference</span><input id="r" aria-labelledby="l">'
            '<label for="d">Due</label><input id="d" type="date">'
        )
        assert run_in_page(html, scenario) == ["REF-1", "2026-12-24"]


class TestSelect:
    def test_choosing_an_option_sends_input_and_change(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            await actions.select(page, "Product (line 1)", "BH-1003")
            return await page.evaluate("p.value"), await seen(page)

        html = (
            '<label for="p">Product (line 1)</label><select id="p">'
            '<option value="BH-1001">Lamp</option><option value="BH-1003">Rug</option></select>'
        )
        value, events = run_in_page(html, scenario)
        assert value == "BH-1003"
        assert events == [["input", "p", False], ["change", "p", False]]  # as Playwright's own

    def test_an_unknown_option_is_refused(self, run_in_page: Any) -> None:
        async def scenario(page: Page) -> Any:
            with pytest.raises(PlaywrightTimeout):
                await actions.select(page, "Product", "BH-9999")
            return await page.evaluate("p.value")

        html = '<label for="p">Product</label><select id="p"><option value="BH-1001">Lamp</option></select>'
        assert run_in_page(html, scenario) == "BH-1001"


def test_the_trace_names_each_action_and_records_its_input(run_in_page: Any, tmp_path: Path) -> None:
    trace = tmp_path / "trace.zip"

    async def scenario(page: Page) -> None:
        await page.context.tracing.start(snapshots=False)
        await actions.select(page, "Product", "BH-1003")
        await actions.fill(page, "Reference", "REF-1")
        await actions.click_button(page, "Save")
        await page.context.tracing.stop(path=str(trace))

    html = (
        '<label for="p">Product</label>'
        '<select id="p"><option>BH-1001</option><option>BH-1003</option></select>'
        '<label for="r">Reference</label><input id="r"><button id="b">Save</button>'
    )
    run_in_page(html, scenario)
    with zipfile.ZipFile(trace) as archive:
        events = [json.loads(line) for line in archive.read("trace.trace").decode().splitlines()]
    calls = [
        (e.get("title") or e["method"], e.get("params", {}).get("text"))
        for e in events
        if e.get("type") == "before" and e["method"] != "newCDPSession"  # the page's first DevTools call
    ]
    assert calls == [
        ("select 'BH-1003' in 'Product'", None),
        ("fill 'Reference'", None),
        ("keyboardInsertText", "REF-1"),
        ("click the button 'Save'", None),
        ("mouseClick", None),
    ]
