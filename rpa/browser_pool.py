"""One Chromium per worker process, with warm, signed-in browser contexts per target system.

Playwright objects belong to the event loop that made them, so the pool owns one loop on
its own thread; any thread hands it work with :meth:`BrowserPool.run` and waits for the
result. Contexts are reused (their sign-in state travels as Playwright storage state),
recycled after ``recycle_after`` uses or when Chromium's memory grows past a limit, and
replaced together with the browser when Chromium dies.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import psutil
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from tandem.logging import get_logger

log = get_logger(__name__)
T = TypeVar("T")

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
)


class Target(Protocol):
    """A back-office system the bots sign in to."""

    name: str

    async def sign_in(self, page: Page) -> None:
        """Sign in on ``page``; the pool saves the resulting storage state for new contexts."""
        ...


@dataclass
class Lease:
    """A warm context lent to one piece of work."""

    target: str
    context: BrowserContext
    page: Page
    generation: int
    uses: int = 0


@dataclass
class PoolStats:
    launches: int = 0
    contexts_created: int = 0
    contexts_recycled: int = 0
    sign_ins: int = 0
    crashes: int = 0


@dataclass
class _TargetSlots:
    target: Target
    free: list[Lease] = field(default_factory=list)
    storage_state: Any = None
    semaphore: asyncio.Semaphore | None = None


class BrowserPool:
    """Warm Chromium contexts for the bots; thread-safe entry through :meth:`run`."""

    def __init__(
        self,
        targets: list[Target],
        *,
        executable_path: str = "/usr/bin/chromium",
        contexts_per_target: int = 2,
        recycle_after: int = 100,
        max_chromium_rss_mb: int = 900,
        default_timeout_ms: int = 10_000,
    ) -> None:
        self.executable_path = executable_path
        self.contexts_per_target = contexts_per_target
        self.recycle_after = recycle_after
        self.max_chromium_rss_mb = max_chromium_rss_mb
        self.default_timeout_ms = default_timeout_ms
        self.stats = PoolStats()
        self._slots = {t.name: _TargetSlots(t) for t in targets}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="browser-pool", daemon=True)
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._generation = 0
        self._launch_lock: asyncio.Lock | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> BrowserPool:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        """Close every context, Chromium and the driver; no Chromium process outlives this."""
        if not self._thread.is_alive():
            return
        try:
            self._call(self._stop(), timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> BrowserPool:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    async def _start(self) -> None:
        self._launch_lock = asyncio.Lock()
        for slots in self._slots.values():
            slots.semaphore = asyncio.Semaphore(self.contexts_per_target)
        self._playwright = await async_playwright().start()
        await self._ensure_browser()

    async def _stop(self) -> None:
        for slots in self._slots.values():
            for lease in slots.free:
                await _close_quietly(lease.context)
            slots.free.clear()
        if self._browser is not None:
            await _close_quietly(self._browser)
        if self._playwright is not None:
            await self._playwright.stop()

    async def _ensure_browser(self) -> Browser:
        assert self._launch_lock is not None
        assert self._playwright is not None
        async with self._launch_lock:
            if self._browser is None or not self._browser.is_connected():
                if self._browser is not None:
                    self.stats.crashes += 1
                    log.warning("chromium_replaced", generation=self._generation)
                    for slots in self._slots.values():
                        slots.free.clear()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable_path, args=list(CHROMIUM_ARGS), headless=True
                )
                self._generation += 1
                self.stats.launches += 1
            return self._browser

    # -- work --------------------------------------------------------------------------

    def run(self, target: str, work: Callable[[Lease], Awaitable[T]], timeout: float = 120.0) -> T:
        """Run ``work`` with a warm context of ``target`` and return its result (any thread)."""
        return self._call(self._with_lease(target, work), timeout=timeout)

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(timeout)

    async def _with_lease(self, target: str, work: Callable[[Lease], Awaitable[T]]) -> T:
        slots = self._slots[target]
        assert slots.semaphore is not None
        async with slots.semaphore:
            lease = await self._acquire(slots)
            healthy = False
            try:
                result = await work(lease)
                healthy = True
                return result
            finally:
                await self._release(slots, lease, healthy)

    async def _acquire(self, slots: _TargetSlots) -> Lease:
        browser = await self._ensure_browser()
        while slots.free:
            lease = slots.free.pop()
            if lease.generation == self._generation and not lease.page.is_closed():
                return lease
            await _close_quietly(lease.context)
        context = await browser.new_context(
            storage_state=slots.storage_state, viewport={"width": 1280, "height": 900}, locale="en-US"
        )
        context.set_default_timeout(self.default_timeout_ms)
        page = await context.new_page()
        self.stats.contexts_created += 1
        lease = Lease(slots.target.name, context, page, self._generation)
        if slots.storage_state is None:
            await self.sign_in(lease)
        return lease

    async def sign_in(self, lease: Lease) -> None:
        """Sign in again on this lease (a bot calls this when the session expired)."""
        slots = self._slots[lease.target]
        await slots.target.sign_in(lease.page)
        slots.storage_state = await lease.context.storage_state()
        self.stats.sign_ins += 1

    async def _release(self, slots: _TargetSlots, lease: Lease, healthy: bool) -> None:
        lease.uses += 1
        worn = lease.uses >= self.recycle_after or self._chromium_rss_mb() > self.max_chromium_rss_mb
        if not healthy or worn or lease.generation != self._generation:
            self.stats.contexts_recycled += 1
            await _close_quietly(lease.context)
            return
        slots.free.append(lease)

    def _chromium_rss_mb(self) -> float:
        return chromium_rss_bytes() / 2**20

    def chromium_pids(self) -> list[int]:
        return [p.pid for p in _chromium_processes()]


def _chromium_processes() -> list[psutil.Process]:
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" in child.name():
                found.append(child)
        except psutil.Error:
            continue
    return found


def chromium_rss_bytes() -> int:
    """Resident memory of the Chromium processes this process started."""
    total = 0
    for process in _chromium_processes():
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


async def _close_quietly(closable: BrowserContext | Browser) -> None:
    try:
        await closable.close()
    except Exception:  # already gone with a crashed browser
        log.debug("close_failed", exc_info=True)
