"""Clicks, fills and selects that leave Playwright's injected script out of the page.

The first time a Playwright locator acts in a new document, Playwright evaluates its ~330 KB
injected script there: ~28 ms of Chromium CPU, the largest single cost of a bot's step on a
small server-rendered form (bench/RPA.md). These actions find their element with one DevTools
call instead and check what Playwright's actionability checks check: one element of that name,
shown, enabled, editable, in the same place for two animation frames, and the one the pointer
would hit. A click is then Playwright's ``mouse.click`` at the element's centre and typing is
``keyboard.insert_text``: trusted input that the trace records as actions. A list's option is
chosen in the page as Playwright's ``selectOption`` does it (the option marked selected, then
``input`` and ``change`` sent), which the trace shows by the group each action is wrapped in.

The names are matched as Playwright's ``get_by_role``/``get_by_label`` match them (whitespace
collapsed; a case-insensitive substring unless exact), and only on markup where that is simple:
a page with shadow roots or ``aria-labelledby``, a button named through an image, a title, a
role or CSS content, a multiple select, and anything not found exactly once, are handed to the
Playwright locator, which waits for the element and says what is wrong. So is everything when
a check fails or the page does not answer within two seconds.

Between the check and the click Playwright checks the hit target once more; here a page script
that covered the button in that instant would take the click. The checks run in the page's own
JavaScript world, so a page that rewrote ``elementFromPoint`` could mislead them: this is for
the company's own back office, not for hostile pages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page

from rpa import devtools

FIND_TIMEOUT_S = 2.0

# Playwright folds case with toUpperCase() for roles and toLowerCase() for labels: FOLD is either.
_FIND = r"""
const norm = (s) => (s || '').replace(/[\u200b\u00ad]/g, '').replace(/\s+/g, ' ').trim();
const want = norm(wanted);
const matches = (text) => exact ? norm(text) === want : norm(text).FOLD().includes(want.FOLD());
const ariaLabel = (el) => {  // Playwright takes an aria-label that is not blank by trim()
  const label = el.getAttribute('aria-label');
  return label !== null && label.trim() ? label : null;
};
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE']);
const PRESSED = new Set(['submit', 'button', 'reset']);
const textOf = (node) => node.tagName === 'INPUT' && PRESSED.has(node.type) ? node.value
  : [...node.childNodes].map((child) => child.nodeType === Node.TEXT_NODE ? child.nodeValue
    : child.nodeType === Node.ELEMENT_NODE && !SKIPPED.has(child.tagName) ? textOf(child) : '').join('');
const shown = (el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && el.checkVisibility()
    && getComputedStyle(el).visibility === 'visible';
};
const usable = (el) => el.isConnected && shown(el) && !el.matches(':disabled')
  && !el.closest('[inert], [aria-disabled="true" i], [aria-hidden="true" i]');
const late = () => Date.now() > deadline;  // Python has handed over to Playwright: change nothing
const all = [...document.querySelectorAll('*')];
if (all.some((el) => el.shadowRoot)) return null;
if (document.querySelector('[aria-labelledby], [aria-owns]')) return null;
"""

# A button is named by its aria-label, else its text (an input: its value). Any other way that
# Playwright names one (images, titles, roles, CSS content, block layout inside, labels, blank
# input values) hands the whole page over.
# Inline elements whose text Playwright's name of a button takes as it is.
_PLAIN = "SPAN B I EM STRONG SMALL U S CODE KBD MARK SUB SUP BDI BDO DATA TIME WBR ABBR Q CITE DFN VAR"
_BUTTON_JS = (
    _FIND.replace("FOLD", "toUpperCase")
    + r"""
if (document.querySelector('[role*="button" i], input[type="image" i], input[type="file" i]')) return null;
const buttons = [...document.querySelectorAll('button, input[type="submit" i], input[type="button" i], '
  + 'input[type="reset" i]')];
const PLAIN = new Set(PLAIN_TAGS.split(' '));
const bare = (el) => ['::before', '::after']
  .every((part) => ['none', 'normal'].includes(getComputedStyle(el, part).content));
const plainInside = (el) => [...el.querySelectorAll('*')].every((child) => PLAIN.has(child.tagName)
  && !child.hasAttribute('role') && !child.hasAttribute('title') && !child.hasAttribute('aria-label')
  && !child.hasAttribute('hidden') && !child.hasAttribute('aria-hidden')
  && getComputedStyle(child).display === 'inline' && child.checkVisibility({visibilityProperty: true})
  && bare(child));
const odd = (el) => el.hasAttribute('role') || el.hasAttribute('title') || el.labels?.length
  || (el.hasAttribute('aria-label') && ariaLabel(el) === null)
  || (el.tagName === 'INPUT' && !el.value.trim()) || !bare(el) || !plainInside(el);
if (buttons.some(odd)) return null;
const named = buttons.filter((el) => matches(ariaLabel(el) ?? textOf(el)));
if (named.length !== 1 || !usable(named[0])) return null;
const el = named[0];
el.scrollIntoView({block: 'nearest', inline: 'nearest', behavior: 'instant'});
// Stable: the same box in two animation frames in a row, as Playwright checks it.
const frame = () => new Promise((done) => {
  requestAnimationFrame(() => done(true));
  setTimeout(() => done(false), 250);  // no frame: let Playwright wait for the element
});
if (!await frame()) return null;
const before = el.getBoundingClientRect();
if (!await frame()) return null;
const box = el.getBoundingClientRect();
if (['x', 'y', 'width', 'height'].some((side) => box[side] !== before[side]) || !usable(el)) return null;
const x = box.left + box.width / 2, y = box.top + box.height / 2;
const hit = document.elementFromPoint(x, y);
return hit && (hit === el || el.contains(hit)) ? [x, y] : null;
""".replace("PLAIN_TAGS", repr(_PLAIN))
)

# A control is named by its aria-label when it has one, else by the text of each of its labels.
_CONTROL = (
    _FIND.replace("FOLD", "toLowerCase")
    + r"""
const named = all.filter((el) => {
  const label = ariaLabel(el);
  return label !== null ? matches(label) : [...(el.labels || [])].some((l) => matches(textOf(l)));
});
if (named.length !== 1 || !usable(named[0])) return null;
const el = named[0];
"""
)

_TYPED = ("text", "search", "email", "tel", "url", "password", "number")
# As Playwright's fill prepares a field: everything selected, then focused; then it types.
_FOCUS_JS = (
    _CONTROL
    + r"""
const typed = el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && TYPED.includes(el.type));
if (!typed || el.readOnly || el.matches('[aria-readonly="true" i]')) return null;
if (el.type === 'number' && (value !== value.trim() || Number.isNaN(Number(value)))) return null;
if (late()) return null;
if (el.tagName === 'TEXTAREA') {
  el.selectionStart = 0;
  el.selectionEnd = el.value.length;
} else {
  el.select();
}
el.focus();
return document.activeElement === el;
""".replace("TYPED", repr(list(_TYPED)))
)

# Playwright's selectOption, done the way it does it in the page: the first option whose value or
# label is the one asked for, marked selected, then input and change sent.
_SELECT_JS = (
    _CONTROL
    + r"""
if (el.tagName !== 'SELECT' || el.multiple) return null;
const option = [...el.options]
  .find((o) => o.value === value || o.label === value || norm(o.label) === norm(value));
if (!option || option.matches(':disabled') || option.closest('[aria-disabled="true" i]')) return null;
if (late()) return null;
option.selected = true;
el.dispatchEvent(new Event('input', {bubbles: true, composed: true}));
el.dispatchEvent(new Event('change', {bubbles: true}));
return true;
"""
)


def _function(body: str) -> str:
    return f"async ({{wanted, exact, value, deadline}}) => {{\n{body}\n}}"


_CLICK_CHECK, _FILL_CHECK, _SELECT_CHECK = map(_function, (_BUTTON_JS, _FOCUS_JS, _SELECT_JS))


async def _find(page: Page, check: str, wanted: str, exact: bool, value: str | None = None) -> Any:
    """What the page's check returns; None (Playwright's turn) when it fails or does not answer."""
    deadline = (time.time() + FIND_TIMEOUT_S - 0.2) * 1000  # epoch ms, as the page's Date.now()
    arg = {"wanted": wanted, "exact": exact, "value": value, "deadline": deadline}
    try:
        return await asyncio.wait_for(devtools.call(page, check, arg, await_promise=True), FIND_TIMEOUT_S)
    except (PlaywrightError, TimeoutError):  # a navigation under way, a busy page
        return None


@asynccontextmanager
async def _traced(page: Page, title: str) -> AsyncIterator[None]:
    """A group in the attempt's trace (a no-op when nothing traces)."""
    tracing = page.context.tracing
    await tracing.group(title)
    try:
        yield
    except BaseException:
        with suppress(PlaywrightError):  # a dead context: keep the action's own error
            await tracing.group_end()
        raise
    await tracing.group_end()


async def click_button(page: Page, name: str, *, exact: bool = False) -> None:
    """Click the button named ``name``, as ``page.get_by_role("button", name=name).click()``.

    Unlike a locator's click it does not wait for a navigation the click starts: wrap it in
    ``page.expect_navigation()`` as :meth:`rpa.bots.base.Bot.submit` does.
    """
    async with _traced(page, f"click the button {name!r}"):
        point = await _find(page, _CLICK_CHECK, name, exact)
        if point:
            await page.mouse.click(point[0], point[1])
        else:
            await page.get_by_role("button", name=name, exact=exact).click()


async def fill(page: Page, label: str, value: str, *, exact: bool = False) -> None:
    """Type ``value`` over the field labelled ``label``, as ``page.get_by_label(label).fill(value)``."""
    async with _traced(page, f"fill {label!r}"):
        if await _find(page, _FILL_CHECK, label, exact, value):
            if value:
                await page.keyboard.insert_text(value)
            else:
                await page.keyboard.press("Delete")
        else:
            await page.get_by_label(label, exact=exact).fill(value)


async def select(page: Page, label: str, value: str, *, exact: bool = False) -> None:
    """Choose the option ``value`` (its value or its label) in the list labelled ``label``, as
    ``page.get_by_label(label).select_option(value)``."""
    async with _traced(page, f"select {value!r} in {label!r}"):
        if not await _find(page, _SELECT_CHECK, label, exact, value):
            await page.get_by_label(label, exact=exact).select_option(value)
