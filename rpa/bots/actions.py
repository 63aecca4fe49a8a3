"""Clicks, fills and selects that leave Playwright's injected script out of the page.

The first time a Playwright locator acts in a new document, Playwright evaluates its ~330 KB
injected script there: ~28 ms of Chromium CPU, the largest single cost of a bot's step on a
small server-rendered form (bench/RPA.md). These actions find their element with one DevTools
call instead, check what Playwright's actionability checks check, and act through Playwright's
mouse and keyboard, that is with trusted input events that the trace records, inside a trace
group named after the action.

When a check fails (no such element or several, hidden, disabled, read-only, still moving,
covered by something else such as a modal) they hand over to the Playwright locator, which
waits for the element and says what is wrong; so the fast way only ever acts where
Playwright's own action would have acted at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from playwright.async_api import Page

from rpa import devtools

# Elements named like Playwright's getByRole/getByLabel name them: whitespace collapsed, a
# case-insensitive substring unless exact. Only markup whose names this computes the way
# Playwright does is handled here; aria-labelledby anywhere hands over to Playwright.
_FIND = r"""
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const matches = (text) =>
  exact ? norm(text) === wanted : norm(text).toLowerCase().includes(wanted.toLowerCase());
const textOf = (el) => {
  const walk = (node) => [...node.childNodes].map((child) => child.nodeType === 3 ? child.nodeValue
    : child.nodeType === 1 && !child.matches('input, select, textarea, button') ? walk(child) : '').join('');
  return walk(el);
};
const shown = (el) => {
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility === 'visible';
};
const usable = (el) =>
  !el.matches(':disabled') && !el.closest('[inert], [aria-disabled="true"]') && shown(el);
if (document.querySelector('[aria-labelledby]')) return null;
"""

_BUTTON_JS = (
    _FIND
    + r"""
const buttons = [...document.querySelectorAll(
  'button, input[type="submit"], input[type="button"], input[type="reset"], [role="button"]')]
  .filter((el) => matches(el.getAttribute('aria-label') ?? (el.tagName === 'INPUT' ? el.value : textOf(el))));
if (buttons.length !== 1 || !usable(buttons[0])) return null;
const el = buttons[0];
el.scrollIntoView({block: 'nearest', inline: 'nearest'});
// Stable: the same box in two animation frames in a row, as Playwright checks it.
const frame = () => new Promise((done) => {
  requestAnimationFrame(() => done(true));
  setTimeout(() => done(false), 250);  // no frame: let Playwright wait for the element
});
if (!await frame()) return null;
const before = el.getBoundingClientRect();
if (!await frame()) return null;
const box = el.getBoundingClientRect();
if (['x', 'y', 'width', 'height'].some((side) => box[side] !== before[side])) return null;
const x = box.left + box.width / 2, y = box.top + box.height / 2;
const hit = document.elementFromPoint(x, y);
return hit && (hit === el || el.contains(hit)) ? [x, y] : null;
"""
)

_CONTROL = (
    _FIND
    + r"""
const controls = new Set();
for (const label of document.querySelectorAll('label')) {
  if (label.control && matches(textOf(label))) controls.add(label.control);
}
for (const el of document.querySelectorAll('[aria-label]')) {
  if (matches(el.getAttribute('aria-label'))) controls.add(el);
}
if (controls.size !== 1) return null;
const [el] = controls;
if (!usable(el)) return null;
"""
)

_TYPED = ("text", "search", "email", "tel", "url", "password", "number")
_FOCUS_JS = (
    _CONTROL
    + r"""
const typed = el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && TYPED.includes(el.type));
if (!typed || el.readOnly || el.getAttribute('aria-readonly') === 'true') return null;
el.focus();
el.select();
return document.activeElement === el;
""".replace("TYPED", repr(list(_TYPED)))
)

# As Playwright's selectOption does it in the page: choose the option, then send input and change.
_SELECT_JS = (
    _CONTROL
    + r"""
if (el.tagName !== 'SELECT') return null;
const options = [...el.options].filter((option) => option.value === value);
if (options.length !== 1 || options[0].disabled) return null;
options[0].selected = true;
el.dispatchEvent(new Event('input', {bubbles: true, composed: true}));
el.dispatchEvent(new Event('change', {bubbles: true}));
return true;
"""
)


def _function(body: str) -> str:
    return f"async ({{wanted, exact, value}}) => {{\n{body}\n}}"


async def _find(page: Page, body: str, wanted: str, exact: bool, value: str | None = None) -> Any:
    arg = {"wanted": " ".join(wanted.split()), "exact": exact, "value": value}
    return await devtools.call(page, _function(body), arg, await_promise=True)


@asynccontextmanager
async def _traced(page: Page, title: str) -> AsyncIterator[None]:
    """A group in the attempt's trace (a no-op when nothing traces)."""
    tracing = page.context.tracing
    await tracing.group(title)
    try:
        yield
    finally:
        await tracing.group_end()


async def click_button(page: Page, name: str, *, exact: bool = False) -> None:
    """Click the button named ``name``, as ``page.get_by_role("button", name=name).click()``."""
    async with _traced(page, f"click the button {name!r}"):
        point = await _find(page, _BUTTON_JS, name, exact)
        if point:
            await page.mouse.click(point[0], point[1])
        else:
            await page.get_by_role("button", name=name, exact=exact).click()


async def fill(page: Page, label: str, value: str, *, exact: bool = False) -> None:
    """Type ``value`` over the field labelled ``label``, as ``page.get_by_label(label).fill(value)``."""
    async with _traced(page, f"fill {label!r}"):
        if await _find(page, _FOCUS_JS, label, exact):
            if value:
                await page.keyboard.insert_text(value)
            else:
                await page.keyboard.press("Delete")
        else:
            await page.get_by_label(label, exact=exact).fill(value)


async def select(page: Page, label: str, value: str, *, exact: bool = False) -> None:
    """Choose the option whose value is ``value`` in the list labelled ``label``, as
    ``page.get_by_label(label).select_option(value)``."""
    async with _traced(page, f"select {value!r} in {label!r}"):
        if not await _find(page, _SELECT_JS, label, exact, value):
            await page.get_by_label(label, exact=exact).select_option(value)
