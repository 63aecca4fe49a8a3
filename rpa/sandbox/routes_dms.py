"""DMS screens: customer folders, upload with metadata, search and download."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from rpa.sandbox import repository
from rpa.sandbox.auth import CurrentUser
from rpa.sandbox.documents import MAX_UPLOAD_BYTES, UploadDraft, store_document
from rpa.sandbox.errors import DuplicateReference, FormInvalid, RecordNotFound
from rpa.sandbox.models import DOC_TYPES, Customer
from rpa.sandbox.web import DbSession, flash, read_form, redirect, render, state_of, text

router = APIRouter(prefix="/dms")


@router.get("", response_class=HTMLResponse)
def folders(request: Request, db: DbSession, user: CurrentUser) -> HTMLResponse:
    """One folder per customer, with its document count."""
    context = {"customers": repository.all_customers(db), "counts": repository.document_counts(db)}
    return render(request, "dms_folders.html", context)


def _folder_page(
    request: Request,
    db: Session,
    customer: Customer,
    draft: UploadDraft | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "customer": customer,
        "documents": repository.search_documents(db, {"customer": customer.id}),
        "orders": repository.customer_orders(db, customer.id),
        "doc_types": DOC_TYPES,
        "draft": draft or UploadDraft("", "", b""),
        "errors": errors or [],
    }
    return render(request, "dms_folder.html", context, status_code)


@router.get("/folders/{customer_id}", response_class=HTMLResponse)
def folder(request: Request, db: DbSession, user: CurrentUser, customer_id: str) -> HTMLResponse:
    """A customer's documents and the upload form."""
    return _folder_page(request, db, repository.get_customer(db, customer_id))


async def _upload_draft(form: FormData) -> UploadDraft:
    file = form.get("file")
    filename, content_type, data = "", "", b""
    if isinstance(file, UploadFile):
        filename, content_type = file.filename or "", file.content_type or ""
        data = await file.read(MAX_UPLOAD_BYTES + 1)
    return UploadDraft(
        filename=filename,
        content_type=content_type,
        data=data,
        doc_type=text(form, "doc_type"),
        order_id=text(form, "order_id"),
        notes=text(form, "notes"),
        reference=text(form, "reference"),
    )


@router.post("/folders/{customer_id}", response_model=None)
async def upload(
    request: Request, db: DbSession, user: CurrentUser, customer_id: str
) -> HTMLResponse | RedirectResponse:
    """File an uploaded document in the customer's folder."""
    form = await read_form(request)
    try:
        draft = await _upload_draft(form)
    finally:
        await form.close()
    customer = repository.get_customer(db, customer_id)
    try:
        document = store_document(db, state_of(request).files_dir, customer, draft, user.username)
        db.commit()
    except DuplicateReference as duplicate:
        flash(
            request,
            f"Reference {duplicate.reference} already used by {duplicate.record_id} "
            "— showing the existing document.",
        )
        return redirect(f"/dms/documents/{duplicate.record_id}")
    except FormInvalid as invalid:
        return _folder_page(request, db, customer, draft, invalid.errors, 422)
    flash(request, f"Document {document.id} uploaded to the folder of {customer.name}.")
    return redirect(f"/dms/documents/{document.id}")


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    customer: str = "",
    order_id: str = "",
    doc_type: str = "",
    reference: str = "",
) -> HTMLResponse:
    """Documents by customer, order id, type and reference."""
    filters = {
        "customer": customer.strip()[:200],
        "order_id": order_id.strip()[:40],
        "doc_type": doc_type if doc_type in DOC_TYPES else "",
        "reference": reference.strip()[:200],
    }
    searched = any(filters.values())
    documents = repository.search_documents(db, filters) if searched else []
    context = {"filters": filters, "documents": documents, "searched": searched, "doc_types": DOC_TYPES}
    return render(request, "dms_search.html", context)


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_detail(request: Request, db: DbSession, user: CurrentUser, document_id: str) -> HTMLResponse:
    """A document's metadata."""
    return render(request, "dms_document.html", {"document": repository.get_document(db, document_id)})


@router.get("/documents/{document_id}/download")
def download(request: Request, db: DbSession, user: CurrentUser, document_id: str) -> FileResponse:
    """The stored file, as an attachment."""
    document = repository.get_document(db, document_id)
    path = state_of(request).files_dir / document.stored_name
    if not path.is_file():
        raise RecordNotFound(f"The file of {document.id} is missing from storage.")
    return FileResponse(path, media_type=document.content_type, filename=document.filename)
