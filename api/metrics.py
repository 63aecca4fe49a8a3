"""Prometheus ``/metrics``: gauges computed from the database at scrape time.

Counting rows at scrape time keeps the numbers right across API and worker processes and
restarts; every query is an aggregate, and intents and durations look at the last day only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.console.ops import dashboard
from api.console.ops import repository as jobs_repository
from bot.models import Conversation, Message
from tandem.clock import utcnow
from tandem.logging import get_logger

log = get_logger(__name__)
router = APIRouter(tags=["health"])
RECENT = timedelta(hours=24)


class DatabaseCollector(Collector):
    """Turns, intents, handoffs, conversations, jobs, durations and the queue, from the database."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        try:
            with self.sessions() as session:
                yield from self._conversations(session)
                yield from self._jobs(session)
        except Exception:  # a scrape must not take the API down with it
            log.exception("metrics_failed")

    def _conversations(self, session: Session) -> Iterator[Metric]:
        turns = session.scalar(select(func.count()).select_from(Message).where(Message.role == "customer"))
        yield GaugeMetricFamily("tandem_turns", "Customer messages stored (turns).", value=turns or 0)
        conversations = GaugeMetricFamily(
            "tandem_conversations", "Conversations by status.", labels=["status"]
        )
        for status, count in session.execute(
            select(Conversation.status, func.count()).group_by(Conversation.status)
        ):
            conversations.add_metric([status], count)
        yield conversations
        handoffs = GaugeMetricFamily(
            "tandem_handoffs", "Conversations handed to a person, by reason.", labels=["reason"]
        )
        for reason, count in session.execute(
            select(Conversation.handoff_reason, func.count())
            .where(Conversation.handoff_reason.is_not(None))
            .group_by(Conversation.handoff_reason)
        ):
            handoffs.add_metric([reason or "unknown"], count)
        yield handoffs
        since = utcnow() - RECENT
        intents: Counter[str] = Counter()
        for (payload,) in session.execute(
            select(Message.payload).where(Message.role == "customer", Message.created_at >= since)
        ):
            intent = ((payload or {}).get("result") or {}).get("intent") or {}
            intents[str(intent.get("name") or "none")] += 1
        family = GaugeMetricFamily(
            "tandem_intents_24h", "Understood intents in the last 24 hours.", labels=["intent"]
        )
        for name, count in sorted(intents.items()):
            family.add_metric([name], count)
        yield family

    def _jobs(self, session: Session) -> Iterator[Metric]:
        jobs = GaugeMetricFamily("tandem_jobs", "Jobs by state and kind.", labels=["state", "kind"])
        for status, kind, count in jobs_repository.jobs_by_status_and_kind(session):
            jobs.add_metric([status, kind], count)
        yield jobs
        depth, oldest = jobs_repository.queue_depth_and_oldest(session)
        yield GaugeMetricFamily("tandem_queue_depth", "Jobs waiting in the queue.", value=depth)
        age = (utcnow() - dashboard.aware(oldest)).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily("tandem_queue_oldest_age_seconds", "Age of the oldest queued job.", value=age)
        attempts = jobs_repository.attempts_since(session, utcnow() - RECENT)
        durations = GaugeMetricFamily(
            "tandem_job_duration_seconds",
            "Attempt duration percentiles by kind over the last 24 hours.",
            labels=["kind", "quantile"],
        )
        for kind, values in sorted(dashboard.durations_by_kind(session, attempts).items()):
            for quantile in (0.5, 0.95):
                durations.add_metric([kind, str(quantile)], dashboard.percentile(values, quantile))
        yield durations
        retries = GaugeMetricFamily(
            "tandem_job_retries_24h",
            "Retried attempts by the error class before them.",
            labels=["error_class"],
        )
        for error_class, count in sorted(dashboard.retries_by_error_class(attempts).items()):
            retries.add_metric([error_class], count)
        yield retries


def metrics_registry(sessions: Callable[[], Session]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(sessions))
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """The Prometheus text exposition."""
    registry: CollectorRegistry | None = getattr(request.app.state, "metrics_registry", None)
    if registry is None:
        registry = metrics_registry(request.app.state.session_factory)
        request.app.state.metrics_registry = registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
