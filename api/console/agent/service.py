"""Rules of the agent console: take over (one agent only), reply, notes, hand back, close."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from agents.tools import BackOffice
from api.console.agent import repository
from api.console.agent.schemas import (
    CannedReply,
    ConversationDetail,
    ConversationState,
    CustomerCard,
    FlowCard,
    JobCard,
    NoteOut,
    OrderCard,
    QueueItem,
    StaffMessage,
)
from api.staff import repository as staff_repository
from api.staff.models import ConversationNote, StaffUser
from api.staff.service import audit
from bot.models import Conversation, Customer
from bot.schemas import RTL_LANGUAGES
from bot.transcript import append_message, touch
from rpa.models import Job
from tandem.clock import utcnow
from tandem.errors import Conflict, NotFound
from tandem.i18n import FALLBACK, LANGUAGES, keys, t
from tandem.pubsub import get_broker

QUEUE_STATUSES = ("waiting_agent", "agent")
ORDER_ID = re.compile(r"\bSO-\d{5}\b")
MAX_ORDERS = 6
CANNED_PREFIX = "canned."


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def get_conversation(session: Session, conversation_id: str, *, lock: bool = False) -> Conversation:
    conversation = session.get(
        Conversation, conversation_id[:64], with_for_update=lock, populate_existing=lock
    )
    if conversation is None:
        raise NotFound(f"no conversation {conversation_id[:64]}")
    return conversation


def waiting_queue(session: Session) -> list[QueueItem]:
    """Conversations waiting for a person or held by one, longest waiting first."""
    rows = repository.queue(session, QUEUE_STATUSES)
    last = repository.last_messages(session, [c.id for c, _ in rows])
    names = staff_repository.staff_names(
        session, {c.assigned_staff_id for c, _ in rows if c.assigned_staff_id}
    )
    now = utcnow()
    return [
        QueueItem(
            id=c.id,
            status=c.status,
            channel=c.channel,
            handoff_reason=c.handoff_reason,
            language=c.language,
            waiting_seconds=max(0, int((now - aware(c.last_message_at)).total_seconds())),
            customer_name=customer_name,
            verified=c.customer_id is not None,
            assigned_staff_id=c.assigned_staff_id,
            assigned_staff_name=names.get(c.assigned_staff_id or 0),
            last_message=(last[c.id].text[:160] if c.id in last else ""),
            last_message_at=c.last_message_at,
        )
        for c, customer_name in rows
    ]


def state_of(conversation: Conversation) -> ConversationState:
    return ConversationState(
        id=conversation.id,
        status=conversation.status,
        assigned_staff_id=conversation.assigned_staff_id,
        resolution=conversation.resolution,
    )


def take_over(session: Session, conversation_id: str, staff: StaffUser) -> ConversationState:
    """Make the conversation this agent's; a second agent gets a conflict, never a shared chat."""
    conversation = get_conversation(session, conversation_id)
    if not repository.take_over(session, conversation.id, staff.id):
        session.refresh(conversation)
        if conversation.assigned_staff_id == staff.id and conversation.status == "agent":
            return state_of(conversation)
        holder = conversation.assigned_staff_id
        raise Conflict(
            f"conversation {conversation.id} is {conversation.status}"
            + (f", taken by staff {holder}" if holder else "")
        )
    session.refresh(conversation)
    touch(session, conversation.id)
    audit(
        session,
        staff,
        "conversation.take_over",
        "conversation",
        conversation.id,
        handoff_reason=conversation.handoff_reason,
    )
    return state_of(conversation)


def _held_by(conversation: Conversation, staff: StaffUser) -> None:
    if conversation.status != "agent":
        raise Conflict(f"conversation {conversation.id} is {conversation.status}; take it over first")
    if conversation.assigned_staff_id != staff.id and staff.role != "admin":
        raise Conflict(f"conversation {conversation.id} is held by another agent")


def reply(session: Session, conversation_id: str, staff: StaffUser, text: str) -> StaffMessage:
    """Send the agent's message: stored, pushed to the widget and (outbox) to messaging channels."""
    conversation = get_conversation(session, conversation_id, lock=True)
    _held_by(conversation, staff)
    message = append_message(
        session,
        conversation.id,
        role="agent",
        text=text.strip(),
        language=conversation.language,
        staff_id=staff.id,
    )
    audit(session, staff, "conversation.reply", "conversation", conversation.id, message_id=message.id)
    return StaffMessage(
        id=message.id,
        role=message.role,
        text=message.text,
        language=message.language,
        staff_name=staff.name,
        created_at=message.created_at,
    )


def typing(session: Session, conversation_id: str, staff: StaffUser) -> None:
    """Tell the customer's open streams, on every replica, that the agent holding it is typing."""
    conversation = get_conversation(session, conversation_id)
    _held_by(conversation, staff)
    get_broker().publish(conversation.id, "typing")


def add_note(session: Session, conversation_id: str, staff: StaffUser, text: str) -> NoteOut:
    """A private note: its own table, so no public transcript or stream can show it."""
    conversation = get_conversation(session, conversation_id)
    note = ConversationNote(conversation_id=conversation.id, staff_id=staff.id, text=text.strip())
    session.add(note)
    session.flush()
    audit(session, staff, "conversation.note", "conversation", conversation.id, note_id=note.id)
    return NoteOut(id=note.id, text=note.text, staff_name=staff.name, created_at=note.created_at)


def hand_back(session: Session, conversation_id: str, staff: StaffUser) -> ConversationState:
    """Give the conversation back to the bot, which tells the customer it is back."""
    conversation = get_conversation(session, conversation_id, lock=True)
    _held_by(conversation, staff)
    conversation.status, conversation.assigned_staff_id = "bot", None
    language = conversation.language or FALLBACK
    append_message(
        session, conversation.id, role="bot", text=t("handoff.returned", language), language=language
    )
    audit(session, staff, "conversation.hand_back", "conversation", conversation.id)
    return state_of(conversation)


def close(session: Session, conversation_id: str, staff: StaffUser, resolution: str) -> ConversationState:
    """Close with a resolution tag; a conversation another agent holds stays theirs."""
    conversation = get_conversation(session, conversation_id, lock=True)
    if conversation.status == "closed":
        raise Conflict(f"conversation {conversation.id} is already closed")
    if conversation.status == "agent":
        _held_by(conversation, staff)
    previous = conversation.status
    conversation.status, conversation.resolution = "closed", resolution
    touch(session, conversation.id)
    audit(
        session,
        staff,
        "conversation.close",
        "conversation",
        conversation.id,
        resolution=resolution,
        previous_status=previous,
    )
    return state_of(conversation)


def canned_replies(language: str | None, agent_name: str) -> list[CannedReply]:
    """The canned replies in the conversation's language, signed with the agent's first name."""
    lang = language if language in LANGUAGES else FALLBACK
    first_name = (agent_name.split() or [agent_name])[0]
    return [
        CannedReply(key=k, text=t(k, lang, agent=first_name))
        for k in sorted(keys(FALLBACK))
        if k.startswith(CANNED_PREFIX)
    ]


def _job_card(job: Job) -> JobCard:
    return JobCard(
        id=job.id,
        kind=job.kind,
        status=job.status,
        conversation_id=job.conversation_id,
        payload=job.payload,
        error_class=job.error_class,
        error_message=job.error_message,
        result=job.result,
        created_at=job.created_at,
    )


def _order_ids(texts: Sequence[str], flow: FlowCard | None, jobs: Sequence[Job]) -> list[str]:
    found: dict[str, None] = {}
    for text in texts:
        found.update(dict.fromkeys(ORDER_ID.findall(text)))
    if flow is not None and isinstance(flow.slots.get("order_id"), str):
        found[flow.slots["order_id"]] = None
    for job in jobs:
        if isinstance(job.payload.get("order_id"), str):
            found[job.payload["order_id"]] = None
    return list(found)[:MAX_ORDERS]


def _order_card(office: BackOffice, order_id: str) -> OrderCard:
    try:
        order = office.get_order(order_id)
    except Exception as exc:  # the back office is a web app: it may be down or slow
        return OrderCard(order_id=order_id, error=f"back office unavailable: {type(exc).__name__}")
    if order is None:
        return OrderCard(order_id=order_id, error="not found in the back office")
    return OrderCard(
        order_id=order.order_id,
        status=order.status,
        customer_id=order.customer_id,
        total=f"${order.total_cents / 100:,.2f}",
        lines=[f"{line.quantity} × {line.name} ({line.sku})" for line in order.lines],
        tracking_number=order.tracking_number,
        delivered_on=order.delivered_on,
        shipping_address=order.shipping_address or None,
    )


def _flow(state: dict[str, Any]) -> FlowCard | None:
    flow = state.get("flow") if isinstance(state, dict) else None
    if not isinstance(flow, dict) or not flow.get("intent"):
        return None
    return FlowCard(
        intent=str(flow["intent"]), slots=dict(flow.get("slots") or {}), awaiting=flow.get("awaiting")
    )


def detail(session: Session, conversation_id: str, office: BackOffice | None) -> ConversationDetail:
    """Transcript, notes, identity, pending request, jobs and orders of one conversation."""
    conversation = get_conversation(session, conversation_id)
    messages = repository.messages(session, conversation.id)
    notes = repository.notes(session, conversation.id)
    jobs = repository.conversation_jobs(session, conversation.id)
    customer = session.get(Customer, conversation.customer_id) if conversation.customer_id else None
    other_jobs = repository.customer_jobs(session, customer.id, conversation.id) if customer else []
    staff_ids = {m.staff_id for m in messages if m.staff_id} | {n.staff_id for n in notes}
    if conversation.assigned_staff_id:
        staff_ids.add(conversation.assigned_staff_id)
    names = staff_repository.staff_names(session, staff_ids)
    flow = _flow(conversation.state)
    order_ids = _order_ids([m.text for m in messages], flow, [*jobs, *other_jobs])
    return ConversationDetail(
        id=conversation.id,
        status=conversation.status,
        channel=conversation.channel,
        language=conversation.language,
        dir="rtl" if conversation.language in RTL_LANGUAGES else "ltr",
        handoff_reason=conversation.handoff_reason,
        resolution=conversation.resolution,
        assigned_staff_id=conversation.assigned_staff_id,
        assigned_staff_name=names.get(conversation.assigned_staff_id or 0),
        created_at=conversation.created_at,
        customer=None
        if customer is None
        else CustomerCard(
            id=customer.id,
            name=customer.name,
            email=customer.email,
            phone=customer.phone,
            preferred_language=customer.preferred_language,
            company=customer.company,
            verified_at=conversation.verified_at,
        ),
        flow=flow,
        messages=[
            StaffMessage(
                id=m.id,
                role=m.role,
                text=m.text,
                language=m.language,
                staff_name=names.get(m.staff_id) if m.staff_id else None,
                unanswered=bool(m.payload.get("unanswered")),
                created_at=m.created_at,
            )
            for m in messages
        ],
        notes=[
            NoteOut(id=n.id, text=n.text, staff_name=names.get(n.staff_id), created_at=n.created_at)
            for n in notes
        ],
        jobs=[_job_card(j) for j in jobs],
        customer_jobs=[_job_card(j) for j in other_jobs],
        orders=[_order_card(office, order_id) for order_id in order_ids] if office else [],
    )
