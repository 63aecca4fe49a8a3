"""The composition root: builds the conversation engine and its parts from settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from tandem.config import Settings

if TYPE_CHECKING:
    from agents import BackOffice
    from bot.engine import ConversationEngine
    from bot.understanding import IntentModel
    from knowledge import KnowledgeBase
    from rpa.browser_pool import BrowserPool
    from rpa.worker import Worker


def build_knowledge(settings: Settings) -> KnowledgeBase:
    from knowledge import KnowledgeBase

    return KnowledgeBase(settings)


def build_chat_engine(
    settings: Settings, office: BackOffice, *, knowledge: KnowledgeBase | None = None
) -> ConversationEngine:
    """The engine with the offline router (and the LLM when configured) over ``office``."""
    from agents import ToolRegistry
    from bot.engine import ConversationEngine
    from bot.nlu import IntentRouter, ProductMatcher
    from bot.understanding import Understanding

    products = ProductMatcher.from_catalog()
    router = IntentRouter(products=products)
    understanding = Understanding(
        router, products, llm=_llm(settings), llm_always=settings.llm_mode == "always"
    )
    return ConversationEngine(
        understanding=understanding,
        tools=ToolRegistry(office),
        knowledge=knowledge if knowledge is not None else build_knowledge(settings),
        base_url=settings.resolved_public_url,
    )


def _llm(settings: Settings) -> IntentModel | None:
    if not settings.llm_configured:
        return None
    from bot.llm import LLMIntentModel

    return LLMIntentModel.from_settings(settings)


_pool_lock = threading.Lock()
_pool: BrowserPool | None = None


def shared_pool(settings: Settings) -> BrowserPool:
    """This process's browser pool for the back-office targets, started on first use."""
    global _pool
    from rpa.bots import sandbox_targets
    from rpa.browser_pool import BrowserPool

    with _pool_lock:
        if _pool is None:
            _pool = BrowserPool(
                sandbox_targets(settings),
                executable_path=settings.resolved_chromium_path,
                contexts_per_target=settings.worker_concurrency,
            ).start()
        return _pool


def stop_shared_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.stop()
            _pool = None


def sandbox_backoffice(settings: Settings) -> BackOffice:
    from rpa.backoffice import SandboxBackOffice

    return SandboxBackOffice(shared_pool(settings))


def job_worker(settings: Settings) -> Worker:
    """A worker whose bots use the shared pool and whose results go back into conversations."""
    from agents.events import JobEvents
    from rpa.worker import Worker, default_handlers, retry_policy
    from tandem.db import get_engine

    events = JobEvents(get_engine())
    return Worker(
        handlers=default_handlers(shared_pool(settings), settings),
        lease_seconds=settings.worker_lease_seconds,
        retry=retry_policy(settings),
        on_claimed=[events.claimed],
        on_settled=[events.settled],
        target_limits=dict(settings.target_concurrency),
    )


def start_worker_threads(settings: Settings) -> Callable[[], None]:
    """Run ``worker_concurrency`` job threads in this process (``tandem up``); returns a stopper."""
    worker = job_worker(settings)
    threads = [
        threading.Thread(target=worker.run_forever, name=f"worker-{n}", daemon=True)
        for n in range(settings.worker_concurrency)
    ]
    for thread in threads:
        thread.start()

    def stop() -> None:
        worker.stop_event.set()
        for thread in threads:
            thread.join(timeout=30)

    return stop


def run_worker_process(settings: Settings) -> None:
    """``tandem worker``: database-queue job threads until SIGINT/SIGTERM."""
    from agents.events import JobEvents
    from rpa.worker import run_worker
    from tandem.db import get_engine

    events = JobEvents(get_engine())
    run_worker(settings, on_claimed=[events.claimed], on_settled=[events.settled])


def run_celery_worker(settings: Settings) -> None:
    """``tandem worker --celery``: consume job tasks from the broker with a thread pool."""
    from rpa.celery_app import QUEUE, make_celery, register_job_task

    app = make_celery(settings)
    worker = job_worker(settings)
    register_job_task(app, worker.run_job)
    try:
        app.worker_main(
            [
                "worker",
                "--pool=threads",
                f"--concurrency={settings.worker_concurrency}",
                f"--queues={QUEUE}",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ]
        )
    finally:
        stop_shared_pool()


def start_job_relay(settings: Settings) -> Callable[[], None]:
    """In Celery mode, the API process relays runnable jobs to the broker; returns a stopper."""
    from rpa.celery_app import JobRelay, make_celery
    from tandem.db import get_engine

    relay = JobRelay(make_celery(settings), get_engine(), target_limits=dict(settings.target_concurrency))
    thread = relay.start()

    def stop() -> None:
        relay.stop_event.set()
        thread.join(timeout=10)

    return stop
