"""Agent console API: the live queue, a conversation with its context, and the agent's actions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.console.agent import service
from api.console.agent.schemas import (
    CannedReply,
    CloseIn,
    ConversationDetail,
    ConversationState,
    NoteOut,
    QueueItem,
    StaffMessage,
    TextIn,
)
from api.deps import ChatEngine, DbSession
from api.staff.deps import AgentStaff, CsrfProtected
from api.staff.errors import ERRORS

router = APIRouter(
    prefix="/api/v1/staff/conversations",
    tags=["agent console"],
    dependencies=[CsrfProtected],
    responses={
        **ERRORS,
        404: {"description": "No such conversation"},
        409: {"description": "Held by another agent"},
    },
)


@router.get("", response_model=list[QueueItem])
def conversation_queue(db: DbSession, _staff: AgentStaff) -> list[QueueItem]:
    """Conversations waiting for a person (and those people hold), longest waiting first."""
    return service.waiting_queue(db)


@router.get("/canned-replies", response_model=list[CannedReply])
def canned_replies(
    staff: AgentStaff, language: Annotated[str | None, Query(max_length=8)] = None
) -> list[CannedReply]:
    """Canned replies in one of the five languages."""
    return service.canned_replies(language, staff.name)


@router.get("/{conversation_id}", response_model=ConversationDetail)
def conversation_detail(
    conversation_id: str, db: DbSession, engine: ChatEngine, _staff: AgentStaff
) -> ConversationDetail:
    """The full transcript with private notes, identity, pending request, jobs and orders."""
    return service.detail(db, conversation_id, engine.tools.office)


@router.post("/{conversation_id}/take-over", response_model=ConversationState)
def take_over(conversation_id: str, db: DbSession, staff: AgentStaff) -> ConversationState:
    """Take the conversation: the bot stops answering; a second agent gets 409."""
    return service.take_over(db, conversation_id, staff)


@router.post("/{conversation_id}/messages", response_model=StaffMessage, status_code=201)
def reply(conversation_id: str, body: TextIn, db: DbSession, staff: AgentStaff) -> StaffMessage:
    """Reply to the customer (pushed live to the widget and to messaging channels)."""
    return service.reply(db, conversation_id, staff, body.text)


@router.post("/{conversation_id}/typing", status_code=204)
def typing(conversation_id: str, db: DbSession, staff: AgentStaff) -> None:
    """The agent is typing: the customer's widget shows it (live only, never stored)."""
    service.typing(db, conversation_id, staff)


@router.post("/{conversation_id}/notes", response_model=NoteOut, status_code=201)
def add_note(conversation_id: str, body: TextIn, db: DbSession, staff: AgentStaff) -> NoteOut:
    """A private note for colleagues; never shown to the customer."""
    return service.add_note(db, conversation_id, staff, body.text)


@router.post("/{conversation_id}/hand-back", response_model=ConversationState)
def hand_back(conversation_id: str, db: DbSession, staff: AgentStaff) -> ConversationState:
    """Give the conversation back to the bot."""
    return service.hand_back(db, conversation_id, staff)


@router.post("/{conversation_id}/close", response_model=ConversationState)
def close(conversation_id: str, body: CloseIn, db: DbSession, staff: AgentStaff) -> ConversationState:
    """Close the conversation with a resolution tag."""
    return service.close(db, conversation_id, staff, body.resolution)
