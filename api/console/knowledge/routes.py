"""Knowledge admin API (ops and admins): sources, re-ingestion, unanswered questions.

Uploads go through the console form (``POST /console/knowledge/uploads``): documents are larger
than the JSON API's body limit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.console.knowledge import service
from api.console.knowledge.schemas import IngestOut, ReingestIn, Sources, UnansweredQuestion
from api.deps import DbSession
from api.staff.deps import CsrfProtected, OpsStaff
from api.staff.errors import ERRORS
from api.staff.service import audit
from knowledge import KnowledgeBase

router = APIRouter(
    prefix="/api/v1/staff/knowledge", tags=["knowledge admin"], dependencies=[CsrfProtected], responses=ERRORS
)


def knowledge_base(request: Request) -> KnowledgeBase:
    """The engine's knowledge base, or one built from settings (kept on the app)."""
    state = request.app.state
    kb = getattr(state, "knowledge_base", None)
    if isinstance(kb, KnowledgeBase):
        return kb
    engine_kb = getattr(state.chat_engine(), "knowledge", None)
    kb = engine_kb if isinstance(engine_kb, KnowledgeBase) else KnowledgeBase(state.settings)
    state.knowledge_base = kb
    return kb


@router.get("/sources", response_model=Sources)
def list_sources(request: Request, _staff: OpsStaff) -> Sources:
    """The indexed sources, from the knowledge manifest."""
    return service.list_sources(knowledge_base(request))


@router.post("/reingest", response_model=IngestOut)
def reingest(body: ReingestIn, request: Request, db: DbSession, staff: OpsStaff) -> IngestOut:
    """Ingest one source again (or all); unchanged content is not embedded again."""
    report = service.reingest(knowledge_base(request), body.source)
    audit(db, staff, "knowledge.reingest", "knowledge", (body.source or "*")[-64:], **report.model_dump())
    return report


@router.get("/unanswered", response_model=list[UnansweredQuestion])
def unanswered(
    db: DbSession, _staff: OpsStaff, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[UnansweredQuestion]:
    """Customer questions the help centre did not answer well enough."""
    return service.unanswered(db, limit)
