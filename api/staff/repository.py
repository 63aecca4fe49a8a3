"""All SQL of staff accounts and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.staff.models import AuditEntry, StaffUser


def staff_by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def staff_by_id(session: Session, staff_id: int) -> StaffUser | None:
    return session.get(StaffUser, staff_id)


def staff_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids))).all()
    return dict(rows)


def add_audit(
    session: Session,
    *,
    staff_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str,
    detail: dict[str, Any],
) -> AuditEntry:
    entry = AuditEntry(
        staff_id=staff_id, action=action, subject_type=subject_type, subject_id=subject_id, detail=detail
    )
    session.add(entry)
    session.flush()
    return entry


def list_audit(
    session: Session,
    *,
    subject_type: str | None = None,
    subject_id: str | None = None,
    action: str | None = None,
    limit: int = 200,
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if subject_type:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id:
        query = query.where(AuditEntry.subject_id == subject_id)
    if action:
        query = query.where(AuditEntry.action == action)
    return session.scalars(query).all()
