"""One DevTools session per page, for the step screenshots and the bots' reads of a screen.

A call through the session is one protocol round trip with nothing around it. Playwright's own
``page.evaluate`` or ``page.screenshot`` also go through its driver and, while a trace records,
take a DOM snapshot before and after each call. Actions (navigations, clicks, typing) still go
through Playwright, so the trace lists every change the bot made; :mod:`rpa.bots.actions` finds
their elements through here (and chooses a list's option here, as Playwright's own selectOption
does in the page).
"""

from __future__ import annotations

import base64
import json
import weakref
from typing import Any

from playwright.async_api import CDPSession, Page
from playwright.async_api import Error as PlaywrightError

# None: no DevTools for this page (not Chromium); callers use Playwright's own calls.
_SESSIONS: weakref.WeakKeyDictionary[Page, CDPSession | None] = weakref.WeakKeyDictionary()

# A raw capture of what the viewport shows, PNG encoded for speed. Playwright's page.screenshot()
# also injects and removes a caret-hiding style, waits for web fonts, reads the layout metrics
# and, while a trace records, takes a DOM snapshot before and after: about 30 ms of Chromium CPU
# per screenshot against 18 ms for this (A/B on the order form).
_CAPTURE = {"format": "png", "optimizeForSpeed": True, "captureBeyondViewport": False, "fromSurface": True}


async def session_for(page: Page) -> CDPSession | None:
    """The page's DevTools session, opened on first use; None when the browser has none."""
    if page not in _SESSIONS:
        try:
            _SESSIONS[page] = await page.context.new_cdp_session(page)
        except PlaywrightError:  # not Chromium
            _SESSIONS[page] = None
    return _SESSIONS[page]


async def _send(page: Page, session: CDPSession, method: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return await session.send(method, params)
    except PlaywrightError:
        _SESSIONS.pop(page, None)  # a detached session (crashed renderer): the next call opens a new one
        raise


async def capture_png(page: Page) -> bytes:
    """A PNG of the page's viewport as shown."""
    session = await session_for(page)
    if session is None:
        return await page.screenshot(timeout=5_000)
    result = await _send(page, session, "Page.captureScreenshot", _CAPTURE)
    return base64.b64decode(result["data"])


async def call(page: Page, function: str, arg: Any = None, *, await_promise: bool = False) -> Any:
    """The JSON value of the JavaScript ``function`` called with ``arg`` in the page's document.

    Nothing here appears in a trace, so it serves the bots' reads, the search for an action's
    element and the emptying of a page between jobs (before a trace starts), never an action
    itself. With ``await_promise`` a promise returned is awaited (give it a timeout of its own:
    the call has none). A script error raises Playwright's ``Error``, as ``page.evaluate`` would.
    """
    session = await session_for(page)
    if session is None:
        return await page.evaluate(function, arg)
    expression = f"({function})({json.dumps(arg)})"
    params = {"expression": expression, "returnByValue": True, "awaitPromise": await_promise}
    result = await _send(page, session, "Runtime.evaluate", params)
    if "exceptionDetails" in result:
        details = result["exceptionDetails"]
        raise PlaywrightError(str(details.get("exception", {}).get("description") or details.get("text")))
    return result["result"].get("value")
