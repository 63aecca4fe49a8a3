"""Job lifecycle → conversation: status events and a result message in the customer's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from bot.models import Conversation
from bot.replies import money, product_name
from bot.transcript import append_message, record_event
from rpa.models import Job
from tandem.db import transaction
from tandem.i18n import t
from tandem.pubsub import get_broker

_REASONS_NOT_SHOWN = "system"


def result_text(job: Job, language: str) -> str:
    """What the customer reads when ``job`` ends (facts from the job's payload and result)."""
    result: dict[str, Any] = job.result or {}
    facts: dict[str, Any] = {**job.payload, **result}
    if job.status == "succeeded":
        return t(
            f"job.succeeded.{job.kind}",
            language,
            order_id=facts.get("order_id", ""),
            total=money(int(facts.get("total_cents") or 0)),
            rma=facts.get("rma", ""),
            address=facts.get("address", ""),
            quantity=facts.get("quantity", ""),
            name=product_name(str(facts.get("sku", "")), language) if facts.get("sku") else "",
            invoice=facts.get("invoice_number", ""),
            link=facts.get("invoice_url", ""),
            reference=facts.get("document_id", facts.get("reference", "")),
        )
    if job.status == "needs_review":
        return t("job.needs_review", language)
    reason = job.error_message if job.error_class == "business" and job.error_message else "—"
    return t("job.failed", language, reason=reason)


class JobEvents:
    """Worker listener that reports job progress and outcomes into conversations."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claimed(self, job: Job) -> None:
        self._status(job)

    def settled(self, job: Job) -> None:
        if job.conversation_id is None:
            return
        with transaction(self.engine) as session:
            conversation = session.get(Conversation, job.conversation_id)
            if conversation is None:
                return
            record_event(session, job.conversation_id, "job", _job_event(job))
            if job.status in {"succeeded", "failed", "needs_review"}:
                language = conversation.language or conversation.locale or "en"
                quick = [t("quick.human", language)] if job.status == "failed" else []
                append_message(
                    session,
                    job.conversation_id,
                    role="bot",
                    text=result_text(job, language),
                    language=language,
                    payload={"job_id": job.id, "quick_replies": quick},
                )
        get_broker().publish(job.conversation_id)

    def _status(self, job: Job) -> None:
        if job.conversation_id is None:
            return
        with transaction(self.engine) as session:
            record_event(session, job.conversation_id, "job", _job_event(job))
        get_broker().publish(job.conversation_id)


def _job_event(job: Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "status": job.status}
