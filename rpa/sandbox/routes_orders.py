"""ERP sales-order screens: list, detail, create (with confirmation), cancel, address, return."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rpa.sandbox import repository, service
from rpa.sandbox.auth import CurrentUser
from rpa.sandbox.errors import BusinessRuleError, DuplicateReference, FormInvalid
from rpa.sandbox.models import (
    CANCEL_REASONS,
    DELIVERY_METHODS,
    ORDER_STATUSES,
    PAYMENT_METHODS,
    RETURN_REASONS,
    RETURN_RESOLUTIONS,
    SalesOrder,
)
from rpa.sandbox.pdf import invoice_pdf
from rpa.sandbox.web import DbSession, flash, read_form, redirect, render, text, texts

router = APIRouter(prefix="/erp/orders")
Page = HTMLResponse | RedirectResponse


@router.get("", response_class=HTMLResponse)
def order_list(
    request: Request, db: DbSession, user: CurrentUser, q: str = "", status: str = "", page: int = 1
) -> HTMLResponse:
    """Sales orders with search, status filter and pagination."""
    status = status if status in ORDER_STATUSES else ""
    result = repository.search_orders(db, q.strip()[:200], status, page)
    context = {"result": result, "q": q[:200], "status": status, "statuses": ORDER_STATUSES}
    return render(request, "orders.html", context)


def _order_page(
    request: Request, db: Session, order: SalesOrder, error: str = "", status_code: int = 200
) -> HTMLResponse:
    context = {
        "order": order,
        "returns": repository.returns_for_order(db, order.id),
        "error": error,
        "can_change": order.status in service.OPEN_STATUSES,
    }
    return render(request, "order_detail.html", context, status_code)


def _draft(form: FormData) -> service.OrderDraft:
    return service.OrderDraft(
        customer_id=text(form, "customer_id"),
        skus=texts(form, "sku"),
        qtys=texts(form, "qty"),
        delivery=text(form, "delivery"),
        payment_method=text(form, "payment_method"),
        reference=text(form, "reference"),
        ship_to=_address(form, "ship_"),
    )


def _address(form: FormData, prefix: str = "") -> service.AddressInput:
    return service.AddressInput(
        street=text(form, f"{prefix}street"),
        city=text(form, f"{prefix}city"),
        postal_code=text(form, f"{prefix}postal_code"),
        country=text(form, f"{prefix}country"),
    )


def _order_form(
    request: Request,
    db: Session,
    draft: service.OrderDraft,
    errors: list[str] | None = None,
    status_code: int = 200,
    extra_line: bool = False,
) -> HTMLResponse:
    lines = list(zip(draft.skus, draft.qtys, strict=False)) or [("", "1")]
    if extra_line:
        lines.append(("", "1"))
    context: dict[str, Any] = {
        "draft": draft,
        "lines": lines,
        "errors": errors or [],
        "customers": repository.all_customers(db),
        "products": repository.search_products(db, ""),
        "deliveries": DELIVERY_METHODS,
        "payments": PAYMENT_METHODS,
    }
    return render(request, "order_form.html", context, status_code)


def _show_existing(request: Request, duplicate: DuplicateReference) -> RedirectResponse:
    flash(
        request,
        f"Reference {duplicate.reference} already used by {duplicate.record_id} "
        "— showing the existing record.",
    )
    prefix = "/erp/returns/" if duplicate.record_id.startswith("RMA-") else "/erp/orders/"
    return redirect(prefix + duplicate.record_id)


@router.get("/new", response_class=HTMLResponse)
def new_order(request: Request, db: DbSession, user: CurrentUser, customer_id: str = "") -> HTMLResponse:
    """The empty create-order form."""
    return _order_form(request, db, service.OrderDraft(customer_id=customer_id[:20]))


@router.post("/new", response_model=None)
async def submit_order(request: Request, db: DbSession, user: CurrentUser) -> Page:
    """Add a line, review, go back to edit, or confirm and create the order."""
    form = await read_form(request)
    action, draft = text(form, "action"), _draft(form)
    if action == "add_line":
        return _order_form(request, db, draft, extra_line=True)
    if action == "edit":
        return _order_form(request, db, draft)
    try:
        if action != "confirm":
            service.check_order_reference(db, draft.reference)
            quote = service.quote_order(db, draft)
            return render(request, "order_confirm.html", {"quote": quote, "draft": draft})
        order = service.place_order(db, draft, user.username)
        db.commit()
    except DuplicateReference as duplicate:
        return _show_existing(request, duplicate)
    except FormInvalid as invalid:
        return _order_form(request, db, draft, invalid.errors, status_code=422)
    except IntegrityError:
        # A concurrent double submit won the race on the unique reference.
        db.rollback()
        existing = repository.order_by_reference(db, draft.reference)
        if existing is None:
            raise
        return _show_existing(request, DuplicateReference(existing.id, draft.reference))
    flash(request, f"Order {order.id} created.")
    return redirect(f"/erp/orders/{order.id}")


@router.get("/{order_id}", response_class=HTMLResponse)
def order_detail(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> HTMLResponse:
    """One order with lines, totals, delivery, references and history."""
    return _order_page(request, db, repository.get_order(db, order_id))


@router.get("/{order_id}/invoice.pdf")
def order_invoice(db: DbSession, user: CurrentUser, order_id: str) -> Response:
    """The order's invoice as a PDF download."""
    order = repository.get_order(db, order_id)
    headers = {"Content-Disposition": f'attachment; filename="{order.invoice_number}.pdf"'}
    return Response(invoice_pdf(order), media_type="application/pdf", headers=headers)


@router.get("/{order_id}/cancel", response_class=HTMLResponse)
def cancel_form(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> HTMLResponse:
    """Ask for a reason before cancelling; refuse at once when it can no longer be cancelled."""
    order = repository.get_order(db, order_id)
    if order.status not in service.OPEN_STATUSES:
        message = (
            "Order already cancelled."
            if order.status == "cancelled"
            else f"Order already {order.status} — cannot cancel"
        )
        return _order_page(request, db, order, message, 409)
    context = {"order": order, "reasons": CANCEL_REASONS, "reason": "", "note": ""}
    return render(request, "order_cancel.html", context)


@router.post("/{order_id}/cancel", response_model=None)
async def cancel(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> Page:
    """Cancel the order."""
    form = await read_form(request)
    order = repository.get_order(db, order_id)
    reason, note = text(form, "reason"), text(form, "note")
    try:
        service.cancel_order(db, order, reason, note, user.username)
    except BusinessRuleError as refused:
        return _order_page(request, db, order, refused.message, 409)
    except FormInvalid as invalid:
        context = {
            "order": order,
            "reasons": CANCEL_REASONS,
            "reason": reason,
            "note": note,
            "errors": invalid.errors,
        }
        return render(request, "order_cancel.html", context, 422)
    db.commit()
    flash(request, f"Order {order.id} cancelled.")
    return redirect(f"/erp/orders/{order.id}")


@router.get("/{order_id}/address", response_class=HTMLResponse)
def address_form(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> HTMLResponse:
    """The shipping address form, filled with the current address."""
    order = repository.get_order(db, order_id)
    if order.status not in service.OPEN_STATUSES:
        message = f"Order already {order.status} — the shipping address can no longer be changed"
        return _order_page(request, db, order, message, 409)
    address = service.AddressInput(
        order.ship_street, order.ship_city, order.ship_postal_code, order.ship_country
    )
    return render(request, "order_address.html", {"order": order, "address": address})


@router.post("/{order_id}/address", response_model=None)
async def change_address(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> Page:
    """Save a new shipping address."""
    form = await read_form(request)
    order = repository.get_order(db, order_id)
    address = _address(form)
    try:
        service.change_address(order, address, user.username)
    except BusinessRuleError as refused:
        return _order_page(request, db, order, refused.message, 409)
    except FormInvalid as invalid:
        context = {"order": order, "address": address, "errors": invalid.errors}
        return render(request, "order_address.html", context, 422)
    db.commit()
    flash(request, f"Shipping address of {order.id} updated.")
    return redirect(f"/erp/orders/{order.id}")


@router.post("/{order_id}/advance", response_model=None)
async def advance(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> Page:
    """Move the order one fulfilment step on."""
    await read_form(request)
    order = repository.get_order(db, order_id)
    try:
        service.advance_order(order, user.username)
    except BusinessRuleError as refused:
        return _order_page(request, db, order, refused.message, 409)
    db.commit()
    flash(request, f"Order {order.id} is now {order.status}.")
    return redirect(f"/erp/orders/{order.id}")


def _return_form(
    request: Request,
    db: Session,
    order: SalesOrder,
    draft: service.ReturnDraft,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "order": order,
        "draft": draft,
        "errors": errors or [],
        "left": service.returnable_quantities(db, order),
        "reasons": RETURN_REASONS,
        "resolutions": RETURN_RESOLUTIONS,
    }
    return render(request, "return_form.html", context, status_code)


@router.get("/{order_id}/return", response_class=HTMLResponse)
def return_form(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> HTMLResponse:
    """The RMA form for a delivered order."""
    order = repository.get_order(db, order_id)
    try:
        service.check_returnable(order)
    except BusinessRuleError as refused:
        return _order_page(request, db, order, refused.message, 409)
    return _return_form(request, db, order, service.ReturnDraft())


@router.post("/{order_id}/return", response_model=None)
async def create_return(request: Request, db: DbSession, user: CurrentUser, order_id: str) -> Page:
    """Open an RMA."""
    form = await read_form(request)
    order = repository.get_order(db, order_id)
    draft = service.ReturnDraft(
        qtys={line.sku: text(form, f"return_qty_{line.sku}") for line in order.lines},
        reason=text(form, "reason"),
        resolution=text(form, "resolution"),
        notes=text(form, "notes"),
        reference=text(form, "reference"),
    )
    try:
        rma = service.create_return(db, order, draft, user.username)
        db.commit()
    except DuplicateReference as duplicate:
        return _show_existing(request, duplicate)
    except BusinessRuleError as refused:
        return _order_page(request, db, order, refused.message, 409)
    except FormInvalid as invalid:
        return _return_form(request, db, order, draft, invalid.errors, 422)
    flash(request, f"Return {rma.id} created for order {order.id}.")
    return redirect(f"/erp/returns/{rma.id}")
