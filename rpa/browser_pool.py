"""One Chromium per worker process, with warm, signed-in browser contexts per target system.

Playwright objects belong to the event loop that made them, so the pool owns one loop on
its own thread; any thread hands it work with :meth:`BrowserPool.run` and waits for the
result. Contexts are reused (their sign-in state travels as Playwright storage state),
recycled after ``recycle_after`` uses or when Chromium's memory grows past a limit, and
replaced together with the browser when Chromium dies. After ``relaunch_after`` jobs a fresh
Chromium takes over: the old one finishes the jobs it has in hand, then closes, and the folder
where Playwright kept its traces' working files goes with it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

import psutil
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from rpa.errors import BusinessError, JobCancelled
from tandem.config import get_settings
from tandem.logging import get_logger

log = get_logger(__name__)
T = TypeVar("T")

# Playwright launches Chromium with its own --disable-features list, and Chromium keeps only the
# last --disable-features switch; ours therefore repeats Playwright's (1.65, checked by
# tests/rpa/bots/test_pool.py) and adds to it.
PLAYWRIGHT_DISABLED_FEATURES = (
    "AvoidUnnecessaryBeforeUnloadCheckSync",
    "DestroyProfileOnBrowserClose",
    "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable",
    "LensOverlay",
    "MediaRouter",
    "PaintHolding",
    "ThirdPartyStoragePartitioning",
    "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin",
    "OptimizationHints",
    "NetworkTimeServiceQuerying",
    "AimEnabled",
    "PreconnectToSearch",
    "msForceBrowserSignIn",
    "msEdgeUpdateLaunchServicesPreferredVersion",
)
DISABLED_FEATURES = (
    *PLAYWRIGHT_DISABLED_FEATURES,
    # A same-site navigation keeps the page's renderer frame, widget and compositor instead of
    # building new ones for each document: a 3-page job took ~13 % less Chromium CPU (renderer,
    # browser and GPU process alike; interleaved A/B, 120 jobs each).
    "RenderDocument",
)

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # Bots never go back; without the back/forward cache no left page is kept alive (~8 % less PSS).
    "--disable-back-forward-cache",
    # V8 collects left pages' documents lazily, so each renderer carried ~100 MB of garbage
    # after a few dozen jobs; sized for memory it keeps ~30 MB at no measurable CPU cost.
    "--js-flags=--optimize-for-size",
    "--disable-features=" + ",".join(DISABLED_FEATURES),
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
    cache: dict[str, Any] = field(default_factory=dict)


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
    sign_in_lock: asyncio.Lock | None = None
    generation: int = 0
    created: int = 0  # contexts created for this browser generation


class BrowserPool:
    """Warm Chromium contexts for the bots; thread-safe entry through :meth:`run`."""

    def __init__(
        self,
        targets: Sequence[Target],
        *,
        executable_path: str | Path | None = None,
        contexts_per_target: int = 2,
        # Over 100 uses a context's renderer and its driver-side objects grew ~280 MB across
        # 4 contexts; after 50 the worker's PSS peaked ~1.0 GB instead of ~1.3 GB. The driver's
        # own heap still grows ~190 → ~300 MB over a run, so 1,000 jobs peaked at 1.20 GB with
        # 50 uses and 1.16 GB with 40 (CPU per job unchanged within noise).
        recycle_after: int = 40,
        # Playwright keeps each traced attempt's working files (~90 KB: the trace, its network
        # log, the pages' bodies) in the browser's traces folder until the browser closes, so a
        # Chromium that lived for ever would fill the disk: a fresh one takes over after this
        # many jobs (~45 MB of files; a launch, a context and a close cost ~170 ms of CPU,
        # ~0.3 ms per job).
        relaunch_after: int = 500,
        max_chromium_rss_mb: int = 900,
        default_timeout_ms: int = 10_000,
        memory_check_interval_s: float = 5.0,
        # Every sandbox screen fits whole (its layout narrows to the width); 1280 × 900 cost 12 %
        # more Chromium CPU per job, in compositing, the screenshot read-backs and raster.
        viewport: tuple[int, int] = (1024, 900),
    ) -> None:
        self.executable_path = str(executable_path or get_settings().resolved_chromium_path)
        self.contexts_per_target = contexts_per_target
        self.recycle_after = recycle_after
        self.relaunch_after = relaunch_after
        self.max_chromium_rss_mb = max_chromium_rss_mb
        self.default_timeout_ms = default_timeout_ms
        self.memory_check_interval_s = memory_check_interval_s
        self.viewport = viewport
        self._memory_checked_at = float("-inf")
        self._memory_mb = 0.0
        self.stats = PoolStats()
        self._slots = {t.name: _TargetSlots(t) for t in targets}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="browser-pool", daemon=True)
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._generation = 0
        self._launch_lock: asyncio.Lock | None = None
        self._driver_pids: list[int] = []
        self._browser_pids: list[int] = []
        self._traces_dir: Path | None = None
        self._browser_uses = 0
        self._leases_out: Counter[int] = Counter()  # by browser generation
        self._retired: dict[int, tuple[Browser, Path | None]] = {}  # finishing their jobs

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
            if not self._thread.is_alive():
                self._loop.close()

    def __enter__(self) -> BrowserPool:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    async def _start(self) -> None:
        self._launch_lock = asyncio.Lock()
        for slots in self._slots.values():
            slots.semaphore = asyncio.Semaphore(self.contexts_per_target)
            slots.sign_in_lock = asyncio.Lock()
        before = {child.pid for child in psutil.Process().children()}
        self._playwright = await async_playwright().start()
        # The driver is the child that just appeared; this pool's Chromium runs under it.
        self._driver_pids = [child.pid for child in psutil.Process().children() if child.pid not in before]
        await self._ensure_browser()

    async def _stop(self) -> None:
        for slots in self._slots.values():
            for lease in slots.free:
                await _close_quietly(lease.context)
            slots.free.clear()
        if self._browser is not None:
            await _close_browser(self._browser, self._traces_dir)
        for browser, traces_dir in self._retired.values():
            await _close_browser(browser, traces_dir)
        self._retired.clear()
        if self._playwright is not None:
            await self._playwright.stop()

    async def _ensure_browser(self) -> tuple[Browser, int]:
        """The live Chromium and its generation, launched first when there is none or it died."""
        assert self._launch_lock is not None
        assert self._playwright is not None
        async with self._launch_lock:
            if self._browser is None or not self._browser.is_connected() or not self._browser_alive():
                if self._browser is not None:
                    self.stats.crashes += 1
                    log.warning("chromium_replaced", generation=self._generation)
                    for slots in self._slots.values():
                        slots.free.clear()
                    await _close_browser(self._browser, self._traces_dir)
                    self._browser, self._traces_dir = None, None
                known = set(self.chromium_pids())
                traces_dir = Path(tempfile.mkdtemp(prefix="tandem-traces-"))
                try:
                    browser = await self._playwright.chromium.launch(
                        executable_path=self.executable_path,
                        args=list(CHROMIUM_ARGS),
                        headless=True,
                        traces_dir=traces_dir,
                    )
                except BaseException:
                    _remove(traces_dir)
                    raise
                self._browser, self._traces_dir, self._browser_uses = browser, traces_dir, 0
                self._browser_pids = [
                    process.pid
                    for process in _chromium_processes(self._driver_pids)
                    if process.pid not in known and process.ppid() in self._driver_pids
                ]
                self._generation += 1
                self.stats.launches += 1
            return self._browser, self._generation

    def _browser_alive(self) -> bool:
        # A killed Chromium is noticed here before its disconnect event reaches this loop.
        try:
            return all(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in self._browser_pids)
        except psutil.Error:
            return False

    # -- work --------------------------------------------------------------------------

    def run(
        self,
        target: str,
        work: Callable[[Lease], Awaitable[T]],
        timeout: float = 120.0,
        *,
        grace_s: float = 0.0,
    ) -> T:
        """Run ``work`` with a warm context of ``target`` and return its result (any thread).

        When ``timeout`` runs out the work is cancelled; ``grace_s`` is how long to wait for its
        own clean-up before raising (a bot attempt records the step it was in; a chat look-up with
        a time budget waits for nothing).
        """
        return self._call(self._with_lease(target, work), timeout=timeout, grace_s=grace_s)

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0, grace_s: float = 0.0) -> T:
        ended = threading.Event()

        async def tracked() -> T:
            try:
                return await coro
            finally:
                ended.set()

        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(tracked(), self._loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()  # the work stops at its next await and its lease is released
            if grace_s > 0:
                ended.wait(grace_s)
            raise

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
            except (BusinessError, JobCancelled):
                healthy = True  # the back office said no, or ops said stop; the context itself is fine
                raise
            finally:
                await self._release(slots, lease, healthy)

    async def _acquire(self, slots: _TargetSlots) -> Lease:
        browser, generation = await self._ensure_browser()
        # Counted before any wait, so a relaunch meanwhile keeps this browser open for the lease.
        self._leases_out[generation] += 1
        try:
            return await self._lease(slots, browser, generation)
        except BaseException:
            self._leases_out[generation] -= 1
            await self._close_retired()
            raise

    async def _lease(self, slots: _TargetSlots, browser: Browser, generation: int) -> Lease:
        while slots.free:
            lease = slots.free.pop()
            if lease.generation == generation and not lease.page.is_closed():
                return lease
            await _close_quietly(lease.context)
        assert slots.sign_in_lock is not None
        if slots.storage_state is None:
            # One context signs in; the others that start meanwhile wait and reuse its session.
            async with slots.sign_in_lock:
                if slots.storage_state is None:
                    return await self._new_lease(browser, slots, generation)
        return await self._new_lease(browser, slots, generation)

    async def _new_lease(self, browser: Browser, slots: _TargetSlots, generation: int) -> Lease:
        context = await browser.new_context(
            storage_state=slots.storage_state,
            viewport={"width": self.viewport[0], "height": self.viewport[1]},
            locale="en-US",
        )
        context.set_default_timeout(self.default_timeout_ms)
        page = await context.new_page()
        self.stats.contexts_created += 1
        lease = Lease(slots.target.name, context, page, generation, uses=self._head_start(slots, generation))
        if slots.storage_state is None:
            try:
                await self.sign_in(lease)
            except BaseException:
                self.stats.contexts_recycled += 1
                await _close_quietly(context)
                raise
        return lease

    def _head_start(self, slots: _TargetSlots, generation: int) -> int:
        """Uses counted in advance for a browser's first contexts, spreading their recycling.

        Contexts that start together and are used in turn would reach ``recycle_after`` together,
        their renderers all at their largest at once: over 1,000 jobs the worker's PSS peaked at
        1.25 GB (mean ~1.08) with 4 contexts. Started 0, 1/4, 2/4 and 3/4 of the way, they are
        recycled one at a time from then on.
        """
        if slots.generation != generation:
            slots.generation, slots.created = generation, 0
        slots.created += 1
        if slots.created > self.contexts_per_target:
            return 0
        return (slots.created - 1) * self.recycle_after // self.contexts_per_target

    async def sign_in(self, lease: Lease) -> None:
        """Sign in again on this lease (a bot calls this when the session expired)."""
        slots = self._slots[lease.target]
        await slots.target.sign_in(lease.page)
        slots.storage_state = await lease.context.storage_state()
        self.stats.sign_ins += 1

    async def _release(self, slots: _TargetSlots, lease: Lease, healthy: bool) -> None:
        lease.uses += 1
        self._leases_out[lease.generation] -= 1
        current = lease.generation == self._generation and self._browser is not None
        if current:
            self._browser_uses += 1
            if self._browser_uses >= self.relaunch_after:
                await self._retire_browser(lease.generation)
                current = False
        worn = lease.uses >= self.recycle_after or self._chromium_rss_mb() > self.max_chromium_rss_mb
        if not healthy or worn or not current:
            self.stats.contexts_recycled += 1
            await _close_quietly(lease.context)
        else:
            slots.free.append(lease)
        await self._close_retired()

    async def _retire_browser(self, generation: int) -> None:
        """Let the next lease start a fresh Chromium; this one closes once its jobs are done."""
        assert self._launch_lock is not None
        async with self._launch_lock:
            if self._browser is None or self._generation != generation:  # replaced meanwhile
                return
            self._retired[self._generation] = (self._browser, self._traces_dir)
            self._browser, self._traces_dir = None, None
            for slots in self._slots.values():
                for lease in slots.free:
                    self.stats.contexts_recycled += 1
                    await _close_quietly(lease.context)
                slots.free.clear()
        log.info("chromium_relaunching", generation=self._generation, after_jobs=self.relaunch_after)

    async def _close_retired(self) -> None:
        for generation, out in list(self._leases_out.items()):
            if out > 0 or (generation == self._generation and self._browser is not None):
                continue
            del self._leases_out[generation]
            if generation in self._retired:
                browser, traces_dir = self._retired.pop(generation)
                await _close_browser(browser, traces_dir)

    def target(self, name: str) -> Target:
        """The target registered under ``name``."""
        return self._slots[name].target

    def _chromium_rss_mb(self) -> float:
        # Reading every process's memory takes tens of ms, so it is sampled, not read per release.
        now = time.monotonic()
        if now - self._memory_checked_at >= self.memory_check_interval_s:
            self._memory_checked_at = now
            # The live Chromium only: while a retired one finishes its jobs, counting both would
            # recycle the new browser's contexts for memory that is about to be freed.
            self._memory_mb = chromium_memory_bytes(self._browser_pids, include_roots=True) / 2**20
        return self._memory_mb

    @property
    def traces_dir(self) -> Path | None:
        """Where Playwright keeps the current Chromium's trace working files (removed with it)."""
        return self._traces_dir

    def chromium_pids(self) -> list[int]:
        """The processes of this pool's Chromium (browser, renderers, helpers)."""
        return [p.pid for p in _chromium_processes(self._driver_pids)]

    def driver_pids(self) -> list[int]:
        """The Playwright driver process(es) this pool started."""
        return list(self._driver_pids)


def _chromium_processes(
    roots: Sequence[int] | None = None, include_roots: bool = False
) -> list[psutil.Process]:
    found = []
    for root in roots if roots is not None else [os.getpid()]:
        try:
            process = psutil.Process(root)
            descendants = (
                [process, *process.children(recursive=True)]
                if include_roots
                else process.children(recursive=True)
            )
        except psutil.Error:
            continue
        for child in descendants:
            try:
                if "chrom" in child.name():
                    found.append(child)
            except psutil.Error:
                continue
    return found


def chromium_rss_bytes(roots: Sequence[int] | None = None) -> int:
    """Resident memory of the Chromium under ``roots`` (default: this process), shared pages per process."""
    total = 0
    for process in _chromium_processes(roots):
        try:
            total += process.memory_info().rss
        except psutil.Error:
            continue
    return total


def chromium_memory_bytes(roots: Sequence[int] | None = None, include_roots: bool = False) -> int:
    """Proportional memory (PSS) of the Chromium under ``roots`` (and of ``roots`` themselves with
    ``include_roots``): shared pages counted once overall."""
    total = 0
    for process in _chromium_processes(roots, include_roots):
        try:
            total += process.memory_full_info().pss
        except (psutil.Error, AttributeError):
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
    return total


def _remove(directory: Path | None) -> None:
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)


async def _close_browser(browser: Browser, traces_dir: Path | None) -> None:
    """Close a Chromium and remove the folder of its traces' working files."""
    await _close_quietly(browser)
    _remove(traces_dir)


async def _close_quietly(closable: BrowserContext | Browser) -> None:
    try:
        await closable.close()
    except Exception:  # already gone with a crashed browser
        log.debug("close_failed", exc_info=True)
