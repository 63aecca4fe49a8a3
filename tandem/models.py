"""Imports every model module so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from api.staff.models import AuditEntry, StaffUser
from bot.models import Conversation, ConversationEvent, Customer, Message, OutboundMessage, ProcessedWebhook
from rpa.models import Job, JobAttempt, RunStep
from tandem.db import Base

__all__ = [
    "AuditEntry",
    "Base",
    "Conversation",
    "ConversationEvent",
    "Customer",
    "Job",
    "JobAttempt",
    "Message",
    "OutboundMessage",
    "ProcessedWebhook",
    "RunStep",
    "StaffUser",
]
