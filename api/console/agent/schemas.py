"""Bodies of the agent console API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api.limits import NoNul

RESOLUTIONS = ("resolved", "order_changed", "refund_issued", "no_response", "duplicate", "spam", "other")
Resolution = Literal[
    "resolved", "order_changed", "refund_issued", "no_response", "duplicate", "spam", "other"
]


class QueueItem(BaseModel):
    """A conversation waiting for (or held by) a person."""

    id: str
    status: str
    channel: str
    handoff_reason: str | None
    language: str | None
    waiting_seconds: int
    customer_name: str | None
    verified: bool
    assigned_staff_id: int | None
    assigned_staff_name: str | None
    last_message: str
    last_message_at: datetime


class StaffMessage(BaseModel):
    id: int
    role: str
    text: str
    language: str | None
    staff_name: str | None = None
    unanswered: bool = False
    created_at: datetime


class NoteOut(BaseModel):
    id: int
    text: str
    staff_name: str | None
    created_at: datetime


class CustomerCard(BaseModel):
    id: str
    name: str
    email: str
    phone: str
    preferred_language: str
    company: str | None = None
    verified_at: datetime | None = None


class FlowCard(BaseModel):
    """The request in progress from ``conversation.state``."""

    intent: str
    slots: dict[str, Any]
    awaiting: str | None


class JobCard(BaseModel):
    id: str
    kind: str
    status: str
    conversation_id: str | None
    payload: dict[str, Any]
    error_class: str | None
    error_message: str | None
    result: dict[str, Any] | None
    created_at: datetime


class OrderCard(BaseModel):
    order_id: str
    status: str | None = None
    customer_id: str | None = None
    total: str | None = None
    lines: list[str] = Field(default_factory=list)
    tracking_number: str | None = None
    delivered_on: date | None = None
    shipping_address: str | None = None
    error: str | None = None


class ConversationDetail(BaseModel):
    """The transcript with the customer 360 context an agent needs."""

    id: str
    status: str
    channel: str
    language: str | None
    dir: str
    handoff_reason: str | None
    resolution: str | None
    assigned_staff_id: int | None
    assigned_staff_name: str | None
    created_at: datetime
    customer: CustomerCard | None
    flow: FlowCard | None
    messages: list[StaffMessage]
    notes: list[NoteOut]
    jobs: list[JobCard]
    customer_jobs: list[JobCard]
    orders: list[OrderCard]


class CannedReply(BaseModel):
    key: str
    text: str


class TextIn(BaseModel):
    text: Annotated[str, NoNul] = Field(min_length=1, max_length=4000)


class CloseIn(BaseModel):
    resolution: Resolution


class ConversationState(BaseModel):
    """What an action left the conversation as."""

    id: str
    status: str
    assigned_staff_id: int | None
    resolution: str | None
