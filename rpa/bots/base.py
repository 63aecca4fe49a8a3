"""What every bot shares, so a new target system is a matter of writing its steps.

A :class:`WebTarget` signs in through a form; a :class:`Bot` navigates with session-expiry
recovery, acknowledges the notice a page may open with, and turns what the screen says into
:class:`BusinessError` (the back office refused) or :class:`TransientError` (5xx, timeouts,
crashes). Selectors are roles, labels and test ids; waits are explicit.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response
from playwright.async_api import TimeoutError as PlaywrightTimeout

from rpa import devtools
from rpa.bots import actions
from rpa.browser_pool import BrowserPool, Lease
from rpa.errors import BusinessError, JobCancelled, SignInRejected, TransientError
from rpa.evidence import RunRecorder, TracePlan
from rpa.jobs import JobPayload

P = ParamSpec("P")
T = TypeVar("T")

MODALS_DISMISSED = "modals_dismissed"

# Text as the markup holds it (CSS such as text-transform ignored), line breaks kept.
_READ = r"""const read = (el) => {
  const walk = (node) => [...node.childNodes].map(child =>
    child.nodeType === 3 ? child.nodeValue : child.nodeName === 'BR' ? '\u001e' : walk(child)).join('');
  return walk(el).replace(/\s+/g, ' ').split('\u001e').map(line => line.trim()).join('\n').trim();
};"""
_TESTIDS_JS = (
    _READ
    + """
const found = {};
for (const el of document.querySelectorAll('[data-testid]')) {
  if (!(el.dataset.testid in found)) found[el.dataset.testid] = read(el);
}
return found;"""
)
_FACTS_JS = (
    _READ
    + """
const found = {};
for (const dt of document.querySelectorAll('dl.facts > dt')) {
  const dd = dt.nextElementSibling;
  if (dd) found[read(dt)] = read(dd);
}
return found;"""
)
_ROWS_JS = (
    _READ
    + """
return [...document.querySelectorAll(`[data-testid="${testid}"]`)].map(row => ({
  data: {...row.dataset}, cells: [...row.cells].map(read),
}));"""
)
_FORM_JS = (
    _READ
    + """
const form = document.querySelector(`[data-testid="${testid}"]`);
if (!form) return null;
const found = {};
for (const label of form.querySelectorAll('label')) {
  const control = label.control;
  const name = read(label);
  if (!control || name in found) continue;
  found[name] = {
    value: control.value,
    options: control.tagName === 'SELECT' ? [...control.options].map(option => option.value) : null,
  };
}
return found;"""
)
_SHOWN_JS = """
const el = document.querySelector(`[data-testid="${testid}"]`);
return !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';"""
_REFUSAL_JS = (
    _READ
    + """
const box = document.querySelector('[data-testid="form-error"]');
if (!box) return null;
const items = [...box.querySelectorAll('li')].map(read);
return items.length ? items.join(' ') : read(box);"""
)


# Between jobs: no content, and the site's root as the address, with no navigation.
_WIPE_JS = """() => {
  document.documentElement.replaceChildren();
  if (location.protocol.startsWith('http')) history.replaceState(null, '', '/');
}"""


def _script(body: str, *params: str) -> str:
    return f"({', '.join(params)}) => {{\n{body}\n}}"


class SessionExpired(TransientError):
    """The target sent the bot back to its sign-in page."""


class RecordNotFound(BusinessError):
    """The target has no such record."""


@dataclass(frozen=True)
class Row:
    """One table row as shown: its ``data-*`` attributes and cell texts."""

    data: dict[str, str]
    cells: list[str]


@dataclass(frozen=True)
class FormField:
    """A form control as its label names it: current value, and the option values of a select."""

    value: str
    options: tuple[str, ...] | None = None


@dataclass
class WebTarget:
    """A back-office web application signed in to through a user-name/password form."""

    name: str
    base_url: str
    user: str
    password: str
    sign_in_path: str = "/signin"
    user_label: str = "User name"
    password_label: str = "Password"
    submit_label: str = "Sign in"
    # A notice the system may open a page with (a maintenance modal, say): its test id and the
    # button that closes it. None: the system has none, and no page is looked at for one.
    notice_testid: str | None = None
    notice_button: str = "Acknowledge"

    async def sign_in(self, page: Page) -> None:
        """Fill and send the sign-in form.

        Rejected credentials (401 back on the sign-in form) are a configuration problem that no
        retry fixes, so they go to a person; any other refusal is worth retrying later.
        """
        try:
            await page.goto(self.base_url + self.sign_in_path, wait_until="domcontentloaded")
            await page.get_by_label(self.user_label).fill(self.user)
            await page.get_by_label(self.password_label).fill(self.password)
            async with page.expect_navigation(wait_until="domcontentloaded") as navigation:
                await page.get_by_role("button", name=self.submit_label).click()
            response = await navigation.value
        except PlaywrightError as exc:  # timeouts included
            raise TransientError(f"{self.name}: sign-in did not complete: {_first_line(exc)}") from exc
        if not self.is_sign_in_page(page.url):
            return
        status = response.status if response is not None else 0
        message = await page.evaluate(_script(_REFUSAL_JS)) or "no reason shown"
        if status == 401:
            raise SignInRejected(
                f"{self.name} rejected the bot's sign-in as {self.user!r} ({message}): "
                "the back-office user name or password in the settings is wrong; "
                "fix it, then approve the job to run it again"
            )
        raise TransientError(f"{self.name}: sign-in refused (HTTP {status}): {message}")

    def is_sign_in_page(self, url: str) -> bool:
        """Whether ``url`` is the sign-in screen (where an expired session lands)."""
        return urlsplit(url).path.rstrip("/") == self.sign_in_path


class Bot:
    """One piece of work on a leased, signed-in page of ``target_name``."""

    target_name: ClassVar[str]
    max_sign_ins: ClassVar[int] = 2
    read_retries: ClassVar[int] = 2

    def __init__(
        self,
        pool: BrowserPool,
        lease: Lease,
        *,
        recorder: RunRecorder | None = None,
        artifacts_dir: Path | None = None,
        should_stop: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        target = pool.target(lease.target)
        if not isinstance(target, WebTarget):
            raise TypeError(f"{lease.target} is not a web target")
        self.pool, self.lease, self.target = pool, lease, target
        self.recorder = recorder
        self.artifacts_dir = artifacts_dir or Path("var/artifacts")
        self.should_stop = should_stop

    @property
    def page(self) -> Page:
        return self.lease.page

    async def run_job(self, payload: JobPayload, key: str) -> dict[str, Any]:
        """Carry out one job whose idempotency key is ``key``; returns its result."""
        raise NotImplementedError(f"{type(self).__name__} has no jobs")

    async def perform(self, operation: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``operation`` (safe to repeat), signing in again when a submit hit an expired session."""
        try:
            for attempt in range(self.max_sign_ins + 1):
                try:
                    return await operation(*args, **kwargs)
                except SessionExpired:
                    if attempt == self.max_sign_ins:
                        raise
                    await self.pool.sign_in(self.lease)
        except PlaywrightTimeout as exc:
            raise TransientError(f"{self.target.name} timed out: {_first_line(exc)}") from exc
        except PlaywrightError as exc:
            raise TransientError(f"browser error on {self.target.name}: {_first_line(exc)}") from exc
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def step(self, name: str) -> AsyncIterator[object]:
        """A recorded step (screenshot when it ends); a job cancelled meanwhile stops before it."""
        if self.should_stop is not None and await self.should_stop():
            raise JobCancelled(f"cancelled on request before the step {name!r}")
        recording: AbstractAsyncContextManager[object] = (
            nullcontext() if self.recorder is None else self.recorder.step(name, self.page)
        )
        async with recording as record:
            yield record

    async def open(self, path: str) -> Response | None:
        """Go to ``path``; an expired session is signed in again and the page opened once more.

        Opening a page changes nothing, so a server error on the way is tried again a few
        times here rather than failing the whole attempt.
        """
        sign_ins = server_errors = 0
        while True:
            response = await self.page.goto(self.target.base_url + path)
            if self.target.is_sign_in_page(self.page.url):
                if sign_ins == self.max_sign_ins:
                    raise SessionExpired(
                        f"{self.target.name}: still signed out after {self.max_sign_ins} sign-ins"
                    )
                sign_ins += 1
                await self.pool.sign_in(self.lease)
                continue
            if response is not None and response.status >= 500 and server_errors < self.read_retries:
                server_errors += 1
                await asyncio.sleep(0.1 * 2**server_errors)
                continue
            await self._check(response)
            await self._acknowledge_notice()
            return response

    async def fill(self, label: str, value: str, *, exact: bool = False) -> None:
        """Type ``value`` over the field labelled ``label`` (see :mod:`rpa.bots.actions`)."""
        await actions.fill(self.page, label, value, exact=exact)

    async def select(self, label: str, value: str, *, exact: bool = False) -> None:
        """Choose the option ``value`` (its value or its label) in the list labelled ``label``."""
        await actions.select(self.page, label, value, exact=exact)

    async def submit(self, button: str) -> Response | None:
        """Click the button named ``button`` that sends a form, and wait for the page it leads to."""
        async with self.page.expect_navigation() as navigation:
            await actions.click_button(self.page, button)
        response = await navigation.value
        if self.target.is_sign_in_page(self.page.url):
            raise SessionExpired(f"{self.target.name}: session expired while submitting")
        await self._check(response)
        await self._acknowledge_notice()
        return response

    async def _check(self, response: Response | None) -> None:
        status = response.status if response is not None else 200
        if status < 400:
            return
        message = await self.refusal() or await self._heading() or f"HTTP {status}"
        if status >= 500:
            raise TransientError(f"{self.target.name} server error {status}: {message}")
        if status in (401, 403, 408, 429):  # an expired form token or throttling: a fresh page fixes it
            raise TransientError(f"{self.target.name} refused the request ({status}): {message}")
        if status == 404:
            raise RecordNotFound(message)
        raise BusinessError(message)

    async def read(self, script: str, arg: Any = None) -> Any:
        """What the JavaScript function ``script`` returns from the current screen.

        Reads go through the page's DevTools session: one round trip, no trace snapshots (the
        step's screenshot shows the screen that was read).
        """
        return await devtools.call(self.page, script, arg)

    async def refusal(self) -> str | None:
        """The refusal or form errors the page shows, as one line."""
        message = await self.read(_script(_REFUSAL_JS))
        return str(message) if message else None

    async def _heading(self) -> str:
        heading = self.page.get_by_role("heading", level=1)
        return (await heading.first.inner_text()).strip() if await heading.count() else ""

    async def testids(self) -> dict[str, str]:
        """The text of the first element of each ``data-testid`` on the page."""
        found: dict[str, str] = await self.read(_script(_TESTIDS_JS))
        return found

    async def facts(self) -> dict[str, str]:
        """The label → value pairs of the page's fact lists."""
        found: dict[str, str] = await self.read(_script(_FACTS_JS))
        return found

    async def form_fields(self, testid: str) -> dict[str, FormField]:
        """The controls of the form ``data-testid=testid`` by label text, read in one round trip.

        A bot reads the form once and then touches only the fields whose value must change:
        each Playwright action costs a round trip and, while a trace records, DOM snapshots.
        """
        found: dict[str, dict[str, Any]] | None = await self.read(_script(_FORM_JS, "testid"), testid)
        if found is None:  # not on the screen yet: wait for it as any locator would
            await self.page.get_by_test_id(testid).wait_for(state="attached")
            found = await self.read(_script(_FORM_JS, "testid"), testid)
        fields = {}
        for label, field in (found or {}).items():
            options = field["options"]
            fields[label] = FormField(str(field["value"]), None if options is None else tuple(options))
        return fields

    async def rows(self, testid: str) -> list[Row]:
        """The rows with ``data-testid=testid``."""
        found: list[dict[str, Any]] = await self.read(_script(_ROWS_JS, "testid"), testid)
        return [Row(data=row["data"], cells=row["cells"]) for row in found]

    async def _acknowledge_notice(self) -> None:
        """Close the notice the page just opened with, if it shows one.

        The sandbox shows its maintenance modal when a page loads, so one read after each page
        load finds it (~1 ms). Playwright's ``add_locator_handler`` looked for it before every
        action instead: ~6 % of the CPU per job (interleaved A/B). A notice that appeared later,
        over a loaded page, would hold up the next click until it timed out, and the attempt
        would be retried like any other timeout.
        """
        testid = self.target.notice_testid
        if testid is None or not await self.read(_script(_SHOWN_JS, "testid"), testid):
            return
        notice = self.page.get_by_test_id(testid)
        await notice.get_by_role("button", name=self.target.notice_button).click()
        await notice.wait_for(state="hidden")
        self.lease.cache[MODALS_DISMISSED] = self.lease.cache.get(MODALS_DISMISSED, 0) + 1


@asynccontextmanager
async def tracing(lease: Lease, path: Path, plan: TracePlan, saved: list[Path]) -> AsyncIterator[None]:
    """Trace the block as ``plan`` says; the trace goes to ``path`` (listed in ``saved``) when
    ``plan.keep(failed)``.

    Each attempt is a tracing session of its own rather than a chunk of one long session per
    context: Playwright carries a context-long session's network log and page bodies into every
    chunk it writes, so a kept trace held the pages of up to ``recycle_after`` earlier jobs
    (other customers' orders among them), which deleting those jobs' evidence left behind.
    """
    tracing_api = lease.context.tracing
    # The page still shows the previous job's last screen, which the first action's snapshot
    # would record: the trace starts on an emptied page instead. Emptied in place, not by
    # opening about:blank, which cost ~26 ms of CPU per job (a document and its scripts).
    try:
        await devtools.call(lease.page, _WIPE_JS)
    except PlaywrightError:  # a crashed page: the attempt's first step finds out
        pass
    # Each step already has its own screenshot; a screencast in the trace costs ~350 ms per job.
    try:
        await tracing_api.start(screenshots=False, snapshots=plan.snapshots)
    except PlaywrightError:  # a session an earlier attempt could not stop: end it, start afresh
        try:
            await tracing_api.stop()
            await tracing_api.start(screenshots=False, snapshots=plan.snapshots)
        except PlaywrightError as exc:  # the context itself is gone
            raise TransientError(f"tracing did not start: {_first_line(exc)}") from exc
    failed = True
    try:
        yield
        failed = False
    finally:
        wanted = plan.keep(failed)
        try:
            await tracing_api.stop(path=str(path) if wanted else None)
            if wanted:
                saved.append(path)
        except PlaywrightError:  # the context died with the attempt; there is nothing to save
            pass


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
