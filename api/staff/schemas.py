"""Request and response bodies of the staff API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SignIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=500)


class StaffOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: str


class SessionState(BaseModel):
    """Who is signed in (if anyone) and the CSRF token to send with state-changing requests."""

    signed_in: bool
    staff: StaffOut | None = None
    csrf_token: str


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    staff_id: int | None
    staff_name: str | None = None
    action: str
    subject_type: str
    subject_id: str
    detail: dict[str, Any]
    created_at: datetime
