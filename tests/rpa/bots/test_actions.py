"""The bots' clicks, fills and selects: trusted input where Playwright would act at once, and
Playwright's own locator (which waits and explains) wherever anything is off."""

from __future__ import annotations

import asyncio
import json
import threading
import zipfile
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from rpa.bots import actions
from tests.support.browser import CHROMIUM_ARGS, CHROMIUM_PATH

pytestmark = [pytest.mark.browser]

Scenario = Callable[[Page], Awaitable[Any]]

RECORDER = """<script>
window.seen = [];
const who = (e) => e.target.closest('[id]')?.id ?? e.target.tagName;
addEventListener('click', (e) => seen.push(['click', who(e), e.isTrusted]), true);
addEventListener('input', (e) => seen.push(['input', who(e), e.isTrusted]), true);
addEventListener('change', (e) => seen.push(['change', who(e), e.isTrusted]), true);
</script>"""


@pytest.fixture(scope="module")
def run_in_page() -> Iterator[Callable[..., Any]]:
    """Run a scenario on a fresh page showing the given HTML, in one Chromium for the module.

    The browser lives on an event loop of its own thread: the session's sync Playwright keeps a
    loop running on the main thread.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-actions-loop", daemon=True)
    thread.start()

    def on_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

    playwright = on_loop(async_playwright().start())
    browser: Browser = on_loop(
        playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
    )

    def run(html: str, scenario: Scenario, timeout_ms: float = 1_000) -> Any:
        async def go() -> Any:
            context = await browser.new_context(viewport={"width": 800, "height": 600})
            context.set_default_timeout(timeout_ms)
            try:
                page = await context.new_page()
                await page.set_content(RECORDER + html)
                return await scenario(page)
            finally:
                await context.close()

        return on_loop(go())

    try:
        yield run
    finally:
        on_loop(browser.close())
        on_loop(playwright.stop())
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Playwright locators the actions fell back to, in order (none: the fast way acted)."""
    calls: list[str] = []
    for name in ("get_by_role", "get_by_label"):
        original = getattr(Page, name)

        def spy(self: Page, *args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Page, name, spy)
    return calls


async def seen(page: Page) -> list[list[Any]]:
    events: list[list[Any]] = await page.evaluate("seen")
    return events


class TestClickButton:
    def test_a_plain_button_gets_one_trusted_click(self, run_in_page: Any, handed_over: list[str]) -> None:
        async def scenario(page: Page) -> Any:
            await actions.click_button(page, "Save order")
            return await seen(page)

        html = '<button id="b" style="width:100px;height:40px">Save order</button>'
        assert run_in_page(html, scenario) == [["click", "b", True]]
        assert handed_over == []

    def test_names_match_as_in_get_by_role(self, run_in_page: Any, handed_over: list[str]) -> None:
        async def scenario(page: Page) -> Any:
            await actions.click_button(page, "save")  # case-insensitive substring
            await actions.click_button(page, "Cancel", exact=True)
            await actions.click_button(page, "Send it")  # an input's value, an aria-label
            await actions.click_button(page, "reset all")
            return await seen(page)

        html = (
            '<button id="s">Save  <b>order</b></button><button id="c">Cancel</button>'
            '<input id="i" type="submit" value="Cancel the order">'
            '<button id="a" aria-label="Send it">Go</button><input id="r" type="reset" value="Reset all">'
        )
        clicked = [target for _, target, _ in run_in_page(html, scenario)]
        assert clicked == ["s", "c", "a", "r"]
        assert handed_over == []

    def test_case_folds_as_playwright_s_role_engine(self, run_in_page: Any, handed_over: list[str]) -> None:
        async def scenario(page: Page) -> Any:
            with pytest.raises(PlaywrightError, match="strict mode violation"):  # "ss" is in both names
                await actions.click_button(page, "ss")
            return await seen(page)

        assert run_in_page('<button id="a">Straße</button><button id="b">Pass</button>', scenario) == []
        assert handed_over == ["get_by_role"]

    def test_a_button_under_a_modal_is_left_to_playwright(
        self, run_in_page: Any, handed_over: list[str]
    ) -> None:
        async def scenario(page: Page) -> Any:
            with pytest.raises(PlaywrightTimeout, match="intercepts pointer events"):
                await actions.click_button(page, "Save")
            return await seen(page)

        html = '<button id="b">Save</button><div style="position:fixed;inset:0;background:#0008"></div>'
        assert run_in_page(html, scenario) == []
        assert handed_over == ["get_by_role"]

    @pytest.mark.parametrize(
        "html",
        [
            pytest.param('<button id="b" disabled>Save</button>', id="disabled"),
            pytest.param('<fieldset disabled><button id="b">Save</button></fieldset>', id="fieldset"),
            pytest.param('<button id="b" style="visibility:hidden">Save</button>', id="hidden"),
            pytest.param('<div inert><button id="b">Save</button></div>', id="inert"),
        ],
    )
    def test_a_button_that_cannot_be_clicked_is_not(
        self, run_in_page: Any, handed_over: list[str], html: str
    ) -> None:
        async def scenario(page: Page) -> Any:
            with pytest.raises(PlaywrightTimeout):
                await actions.click_button(page, "Save")
            return await seen(page)

        assert run_in_page(html, scenario) == []
        assert handed_over == ["get_by_role"]

    @pytest.mark.parametrize(
        ("html", "clicked"),
        [
            pytest.param(
                '<button id="x" style="display:none">Save</button><button id="b">Save</button>',
                "b",
                id="hidden-twin",
            ),
            pytest.param(
                "<style>@keyframes s { from { margin-left: 0 } to { margin-left: 300px } }</style>"
                '<button id="b" style="animation: s 0.8s linear 1">Save</button>',
                "b",
                id="moving",
            ),
            pytest.param('<button id="b"><img alt="">Save</button>', "b", id="image"),
            pytest.param('<button id="b" title="Store">Save</button>', "b", id="title"),
            pytest.param('<button id="b">Save<span hidden> later</span></button>', "b", id="hidden-text"),
            pytest.param('<div id="b" role="button" tabindex="0">Save</div>', "b", id="role"),
            pytest.param(
                '<button id="b">Save</button><button id="c"><img alt="Cancel"></button>',
                "b",
                id="other-image",
            ),
            pytest.param(
                '<style>#b::after { content: "!" }</style><button id="b">Save</button>', "b", id="generated"
            ),
            pytest.param(
                '<style>.icon::before { content: "\\f1f8" }</style>'
                '<button id="b"><i class="icon"></i> Save</button>',
                "b",
                id="icon-font",
            ),
            pytest.param('<button id="b"><div>Save</div></button>', "b", id="block-inside"),
            pytest.param(
                '<button id="b">Save</button><input type="submit" value="">', "b", id="blank-submit"
            ),
            pytest.param('<button id="b">Save</button><p aria-owns="b"></p>', "b", id="aria-owns"),
        ],
    )
    def test_other_markup_is_left_to_playwright(
        self, run_in_page: Any, handed_over: list[str], html: str, clicked: str
    ) -> None:
        async def scenario(page: Page) -> Any:
            await actions.click_button(page, "Save")
            return await seen(page)

        assert run_in_page(html, scenario, timeout_ms=5_000) == [["click", clicked, True]]
        assert handed_over == ["get_by_role"]

    def test_a_button_below_the_fold_is_scrolled_to_first(
        self, run_in_page: Any, handed_over: list[str]
    ) -> None:
        async def scenario(page: Page) -> Any:
            await actions.click_button(page, "Save")
            return await page.evaluate("scrollY"), await seen(page)

        html = '<div style="height:3000px"></div><button id="b">Save</button>'
        scrolled, events = run_in_page(html, scenario)
        assert scrolled > 0
        assert events == [["click", "b", True]]
        assert handed_over == []


class TestFill:
    def test_typing_replaces_the_value_with_trusted_input(
        self, run_in_page: Any, handed_over: list[str]
    ) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Reference", "REF-1")
            await actions.fill(page, "Notes", "two\nlines")
            await actions.fill(page, "Quantity", "3")
            await actions.fill(page, "Street", "Uhuru Hwy 1")
            return await page.evaluate("[r.value, n.value, q.value, s.value]"), await seen(page)

        html = (
            '<label for="r">Reference</label><input id="r" value="old">'
            '<label>Notes <textarea id="n"></textarea></label>'
            '<label for="q">Quantity</label><input id="q" type="number" value="1">'
            '<input id="s" aria-label="Street">'
        )
        values, events = run_in_page(html, scenario)
        assert values == ["REF-1", "two\nlines", "3", "Uhuru Hwy 1"]
        assert {(target, trusted) for kind, target, trusted in events if kind == "input"} == {
            ("r", True),
            ("n", True),
            ("q", True),
            ("s", True),
        }
        assert handed_over == []

    def test_the_field_is_selected_then_focused_as_by_playwright(
        self, run_in_page: Any, handed_over: list[str]
    ) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Reference", "new")
            return await page.evaluate("r.value")

        # A page that puts the caret at the end on focus keeps the old text, with Playwright too.
        html = '<label for="r">Reference</label><input id="r" value="old" onfocus="setSelectionRange(3, 3)">'
        assert run_in_page(html, scenario) == "oldnew"
        assert handed_over == []

    def test_an_empty_value_clears_the_field(self, run_in_page: Any, handed_over: list[str]) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Order id", "")
            return await page.evaluate("o.value")

        assert run_in_page('<label for="o">Order id</label><input id="o" value="SO-1">', scenario) == ""
        assert handed_over == []

    def test_exact_labels(self, run_in_page: Any, handed_over: list[str]) -> None:
        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Note", "mine", exact=True)
            return await page.evaluate("[a.value, b.value]")

        html = '<label for="a">Note</label><input id="a"><label for="b">Notes</label><input id="b">'
        assert run_in_page(html, scenario) == ["mine", ""]
        assert handed_over == []

    def test_a_read_only_field_is_refused(self, run_in_page: Any, handed_over: list[str]) -> None:
        async def scenario(page: Page) -> Any:
            with pytest.raises(PlaywrightTimeout, match="not editable"):
                await actions.fill(page, "Reference", "REF-1")
            return await page.evaluate("r.value")

        html = '<label for="r">Reference</label><input id="r" value="x" readonly>'
        assert run_in_page(html, scenario) == "x"
        assert handed_over == ["get_by_label"]

    @pytest.mark.parametrize(
        ("html", "filled"),
        [
            pytest.param(
                '<span id="l">Reference</span><input id="r" aria-labelledby="l">', "r", id="labelledby"
            ),
            pytest.param('<label for="r">Reference</label><input id="r" type="date">', "r", id="date"),
            # Playwright names a control by its aria-label alone when it has one.
            pytest.param(
                '<label for="x">Reference</label><input id="x" aria-label="Customer number">'
                '<input id="r" aria-label="Reference">',
                "r",
                id="aria-label-wins",
            ),
            # The label's text includes what is nested in it; "Reference" (exact) is then no match.
            pytest.param(
                '<label>Reference <select id="x"><option>A</option></select></label>'
                '<label for="r">Reference</label><input id="r">',
                "r",
                id="nested-text",
            ),
        ],
    )
    def test_markup_playwright_names_otherwise(self, run_in_page: Any, html: str, filled: str) -> None:
        value = "2026-12-24" if 'type="date"' in html else "REF-1"

        async def scenario(page: Page) -> Any:
            await actions.fill(page, "Reference", value, exact=True)
            expected = await page.get_by_label("Reference", exact=True).evaluate("el => el.id")
            return expected, await page.evaluate(f"{filled}.value")

        expected, got = run_in_page(html, scenario)
        assert (expected, got) == (filled, value)


class TestSelect:
    def test_choosing_an_option_sends_input_and_change(
        self, run_in_page: Any, handed_over: list[str]
    ) -> None:
        async def scenario(page: Page) -> Any:
            await actions.select(page, "Product (line 1)", "BH-1003")
            await actions.select(page, "Delivery", "Express")  # by its label, as select_option
            return await page.evaluate("[p.value, d.value]"), await seen(page)

        html = (
            '<label for="p">Product (line 1)</label><select id="p">'
            '<option value="BH-1001">Lamp</option><option value="BH-1003">Rug</option></select>'
            '<label for="d">Delivery</label><select id="d">'
            '<option value="standard">Standard</option><option value="express">Express</option></select>'
        )
        values, events = run_in_page(html, scenario)
        assert values == ["BH-1003", "express"]
        # Untrusted events, as Playwright's own selectOption sends them.
        assert events == [
            ["input", "p", False],
            ["change", "p", False],
            ["input", "d", False],
            ["change", "d", False],
        ]
        assert handed_over == []

    @pytest.mark.parametrize(
        ("html", "value"),
        [
            pytest.param(
                '<label for="p">Product</label><select id="p"><option value="BH-1001">Lamp</option></select>',
                "BH-1001",
                id="unknown",
            ),
            pytest.param(
                '<label for="p">Product</label><select id="p"><option value="BH-1001">Lamp</option>'
                '<optgroup disabled><option value="BH-9999">Gone</option></optgroup></select>',
                "BH-1001",
                id="disabled-group",
            ),
            pytest.param(
                '<label for="p">Product</label><select id="p"><option value="BH-1001">Lamp</option>'
                '<option value="BH-9999" aria-disabled="true">Gone</option></select>',
                "BH-1001",
                id="aria-disabled",
            ),
            pytest.param(
                '<div style="content-visibility:hidden"><label for="p">Product</label><select id="p">'
                '<option value="BH-1001">Lamp</option><option value="BH-9999">Gone</option></select></div>',
                "BH-1001",
                id="content-hidden",
            ),
        ],
    )
    def test_an_option_that_cannot_be_chosen_is_not(
        self, run_in_page: Any, handed_over: list[str], html: str, value: str
    ) -> None:
        async def scenario(page: Page) -> Any:
            with pytest.raises(PlaywrightTimeout):
                await actions.select(page, "Product", "BH-9999")
            return await page.evaluate("p.value")

        assert run_in_page(html, scenario) == value
        assert handed_over == ["get_by_label"]

    def test_an_option_label_matches_as_in_select_option(
        self, run_in_page: Any, handed_over: list[str]
    ) -> None:
        async def scenario(page: Page) -> Any:
            await actions.select(page, "Size", "A B")
            return await page.evaluate("z.selectedIndex")

        html = (
            '<label for="z">Size</label>'
            '<select id="z"><option value="1" label="A  B"></option><option>A B</option></select>'
        )
        assert run_in_page(html, scenario) == 0  # the first option whose value or label matches
        assert handed_over == []

    def test_a_multiple_select_is_left_to_playwright(self, run_in_page: Any, handed_over: list[str]) -> None:
        async def scenario(page: Page) -> Any:
            await actions.select(page, "Colours", "red")
            return await page.evaluate("[...c.selectedOptions].map(o => o.value)")

        html = (
            '<label for="c">Colours</label><select id="c" multiple>'
            '<option value="red">Red</option><option value="blue" selected>Blue</option></select>'
        )
        assert run_in_page(html, scenario) == ["red"]  # Playwright's select_option replaces the choice
        assert handed_over == ["get_by_label"]


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
