"""DMS rules: file an uploaded document in its customer's folder. Never commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from rpa.sandbox import repository
from rpa.sandbox.errors import DuplicateReference, FormInvalid
from rpa.sandbox.models import DOC_TYPES, Customer, Document, SalesOrder
from rpa.sandbox.service import MAX_NOTES, now, reference_errors

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILENAME = 200


@dataclass
class UploadDraft:
    """The upload form as submitted."""

    filename: str
    content_type: str
    data: bytes
    doc_type: str = ""
    order_id: str = ""
    notes: str = ""
    reference: str = ""


def _safe_suffix(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ".bin"


def _errors(db: Session, customer: Customer, draft: UploadDraft) -> list[str]:
    errors: list[str] = []
    if not draft.filename or not draft.data:
        errors.append("Choose a non-empty file to upload.")
    elif len(draft.data) > MAX_UPLOAD_BYTES:
        errors.append("File is too large (at most 10 MB).")
    if len(draft.filename) > MAX_FILENAME:
        errors.append(f"File name is too long (at most {MAX_FILENAME} characters).")
    if draft.doc_type not in DOC_TYPES:
        errors.append("Choose a document type.")
    if draft.order_id:
        order = db.get(SalesOrder, draft.order_id.upper())
        if order is None:
            errors.append(f"Unknown order {draft.order_id[:40]!r}.")
        elif order.customer_id != customer.id:
            errors.append(f"Order {order.id} belongs to another customer.")
    if len(draft.notes) > MAX_NOTES:
        errors.append(f"Notes are too long (at most {MAX_NOTES} characters).")
    return errors + reference_errors(draft.reference)


def store_document(
    db: Session, files_dir: Path, customer: Customer, draft: UploadDraft, actor: str
) -> Document:
    """Validate an upload, write the file beside the database and record it."""
    if draft.reference and (existing := repository.document_by_reference(db, draft.reference)):
        raise DuplicateReference(existing.id, draft.reference)
    errors = _errors(db, customer, draft)
    if errors:
        raise FormInvalid(errors)
    number = repository.max_numeric_suffix(db, Document.id, "DOC-") + 1
    document_id = f"DOC-{number:04d}"
    stored_name = f"{document_id}{_safe_suffix(draft.filename)}"
    files_dir.mkdir(parents=True, exist_ok=True)
    (files_dir / stored_name).write_bytes(draft.data)
    document = Document(
        id=document_id,
        customer_id=customer.id,
        order_id=draft.order_id.upper() or None,
        doc_type=draft.doc_type,
        filename=Path(draft.filename).name or stored_name,
        content_type=draft.content_type or "application/octet-stream",
        size_bytes=len(draft.data),
        stored_name=stored_name,
        notes=draft.notes,
        reference=draft.reference or None,
        uploaded_at=now(),
        uploaded_by=actor,
    )
    db.add(document)
    db.flush()
    return document
