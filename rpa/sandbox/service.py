"""ERP business rules: place, cancel, re-address, fulfil and return orders. Never commits."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from rpa.sandbox import repository
from rpa.sandbox.errors import BusinessRuleError, DuplicateReference, FormInvalid
from rpa.sandbox.models import (
    CANCEL_REASONS,
    DELIVERY_METHODS,
    PAYMENT_METHODS,
    RETURN_REASONS,
    RETURN_RESOLUTIONS,
    Customer,
    OrderEvent,
    OrderLine,
    Product,
    ReturnAuthorization,
    ReturnLine,
    SalesOrder,
)

OPEN_STATUSES = ("pending", "processing")
MAX_QTY = 999
MAX_REFERENCE = 120
MAX_NOTES = 2000
ADDRESS_LIMITS = {"street": 200, "city": 100, "postal_code": 20, "country": 100}
STANDARD_SHIPPING_CENTS = 500
FREE_SHIPPING_OVER_CENTS = 5000
EXPRESS_SHIPPING_CENTS = 1500


def now() -> datetime:
    """Naive UTC timestamp, as the legacy system stores them."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """The business day in UTC."""
    return datetime.now(UTC).date()


@dataclass
class AddressInput:
    """A postal address as typed into a form."""

    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""

    def is_blank(self) -> bool:
        return not any((self.street, self.city, self.postal_code, self.country))


@dataclass
class OrderDraft:
    """The create-order form as submitted, unvalidated."""

    customer_id: str = ""
    skus: list[str] = field(default_factory=list)
    qtys: list[str] = field(default_factory=list)
    delivery: str = "standard"
    payment_method: str = "card"
    reference: str = ""
    ship_to: AddressInput = field(default_factory=AddressInput)


@dataclass(frozen=True)
class QuotedLine:
    product: Product
    qty: int

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.qty


@dataclass(frozen=True)
class OrderQuote:
    """A validated draft with prices, ready to confirm."""

    customer: Customer
    lines: list[QuotedLine]
    address: AddressInput
    delivery: str
    payment_method: str
    reference: str
    subtotal_cents: int
    shipping_cents: int

    @property
    def total_cents(self) -> int:
        return self.subtotal_cents + self.shipping_cents


def shipping_cents(delivery: str, subtotal_cents: int) -> int:
    """Standard $5, free over $50; express $15."""
    if delivery == "express":
        return EXPRESS_SHIPPING_CENTS
    return 0 if subtotal_cents > FREE_SHIPPING_OVER_CENTS else STANDARD_SHIPPING_CENTS


def address_errors(address: AddressInput) -> list[str]:
    """Missing or over-long address fields, as messages."""
    errors = []
    for name, limit in ADDRESS_LIMITS.items():
        label = name.replace("_", " ").capitalize()
        value: str = getattr(address, name)
        if len(value) > limit:
            errors.append(f"{label} is too long (at most {limit} characters).")
        elif not value and name != "postal_code":
            errors.append(f"{label} is required.")
    return errors


def reference_errors(reference: str) -> list[str]:
    """A reference must fit the field."""
    if len(reference) > MAX_REFERENCE:
        return [f"Reference is too long (at most {MAX_REFERENCE} characters)."]
    return []


def _parse_qty(raw: str, label: str, errors: list[str], *, allow_zero: bool = False) -> int | None:
    try:
        qty = int(raw.strip())
    except ValueError:
        errors.append(f"{label}: quantity must be a whole number.")
        return None
    if qty < 0 or (qty == 0 and not allow_zero):
        errors.append(f"{label}: quantity must be at least {0 if allow_zero else 1}.")
        return None
    if qty > MAX_QTY:
        errors.append(f"{label}: quantity must be at most {MAX_QTY}.")
        return None
    return qty


def _quote_lines(db: Session, draft: OrderDraft, errors: list[str]) -> list[QuotedLine]:
    catalogue = repository.products_by_sku(db)
    errors_before = len(errors)
    wanted: dict[str, int] = {}
    for index, (raw_sku, raw_qty) in enumerate(zip(draft.skus, draft.qtys, strict=False), start=1):
        sku, label = raw_sku.strip().upper(), f"Line {index}"
        if not sku and not raw_qty.strip():
            continue
        if not sku:
            errors.append(f"{label}: choose a product.")
            continue
        if sku not in catalogue:
            errors.append(f"{label}: unknown product SKU {raw_sku.strip()[:40]!r}.")
            continue
        qty = _parse_qty(raw_qty, label, errors)
        if qty is not None:
            wanted[sku] = wanted.get(sku, 0) + qty
    if not wanted and len(errors) == errors_before:
        errors.append("Add at least one product line with a quantity.")
    lines = []
    for sku, qty in wanted.items():
        product = catalogue[sku]
        if product.stock <= 0:
            errors.append(f"{sku} {product.name} is out of stock.")
        elif qty > product.stock:
            errors.append(f"Only {product.stock} of {sku} {product.name} in stock (ordered {qty}).")
        lines.append(QuotedLine(product, qty))
    return lines


def quote_order(db: Session, draft: OrderDraft) -> OrderQuote:
    """Validate a draft and price it, or raise ``FormInvalid`` listing every problem."""
    errors: list[str] = []
    customer = None
    if not draft.customer_id.strip():
        errors.append("Choose a customer.")
    else:
        customer = db.get(Customer, draft.customer_id.strip().upper())
        if customer is None:
            errors.append(f"Unknown customer {draft.customer_id.strip()[:40]!r}.")
    lines = _quote_lines(db, draft, errors)
    if draft.delivery not in DELIVERY_METHODS:
        errors.append("Choose a delivery method.")
    if draft.payment_method not in PAYMENT_METHODS:
        errors.append("Choose a payment method.")
    errors += reference_errors(draft.reference)
    address = draft.ship_to
    if not address.is_blank():
        errors += [f"Shipping address: {message}" for message in address_errors(address)]
    if errors or customer is None:
        raise FormInvalid(errors)
    if address.is_blank():
        address = AddressInput(customer.street, customer.city, customer.postal_code, customer.country)
    subtotal = sum(line.total_cents for line in lines)
    return OrderQuote(
        customer,
        lines,
        address,
        draft.delivery,
        draft.payment_method,
        draft.reference,
        subtotal,
        shipping_cents(draft.delivery, subtotal),
    )


def _event(order: SalesOrder, actor: str, action: str, detail: str) -> None:
    order.events.append(OrderEvent(at=now(), actor=actor, action=action, detail=detail))


def check_order_reference(db: Session, reference: str) -> None:
    """Raise ``DuplicateReference`` when an order already carries ``reference``."""
    if reference and (existing := repository.order_by_reference(db, reference)) is not None:
        raise DuplicateReference(existing.id, reference)


def place_order(db: Session, draft: OrderDraft, actor: str) -> SalesOrder:
    """Create a pending order from a draft and take its units out of stock."""
    check_order_reference(db, draft.reference)
    quote = quote_order(db, draft)
    number = repository.max_numeric_suffix(db, SalesOrder.id, "SO-") + 1
    year = today().year
    invoice_no = repository.max_numeric_suffix(db, SalesOrder.invoice_number, f"INV-{year}-") + 1
    order = SalesOrder(
        id=f"SO-{number}",
        customer_id=quote.customer.id,
        status="pending",
        placed_on=today(),
        delivered_on=None,
        delivery=quote.delivery,
        payment_method=quote.payment_method,
        ship_street=quote.address.street,
        ship_city=quote.address.city,
        ship_postal_code=quote.address.postal_code,
        ship_country=quote.address.country,
        subtotal_cents=quote.subtotal_cents,
        shipping_cents=quote.shipping_cents,
        total_cents=quote.total_cents,
        tracking_number=None,
        invoice_number=f"INV-{year}-{invoice_no:04d}",
        reference=quote.reference or None,
    )
    order.lines = [
        OrderLine(line_no=n, sku=line.product.sku, qty=line.qty, unit_price_cents=line.product.price_cents)
        for n, line in enumerate(quote.lines, start=1)
    ]
    order.events = []
    for line in quote.lines:
        line.product.stock -= line.qty
    _event(order, actor, "created", f"Order entered with {len(order.lines)} line(s).")
    db.add(order)
    db.flush()
    return order


def _refuse_unless_open(order: SalesOrder, what: str) -> None:
    if order.status in OPEN_STATUSES:
        return
    if order.status == "cancelled":
        raise BusinessRuleError(f"Order already cancelled — {what}")
    raise BusinessRuleError(f"Order already {order.status} — {what}")


def cancel_order(db: Session, order: SalesOrder, reason: str, note: str, actor: str) -> None:
    """Cancel a pending or processing order and put its units back in stock."""
    if order.status == "cancelled":
        raise BusinessRuleError("Order already cancelled.")
    _refuse_unless_open(order, "cannot cancel")
    errors = [] if reason in CANCEL_REASONS else ["Choose a cancellation reason."]
    if len(note) > MAX_NOTES:
        errors.append(f"Note is too long (at most {MAX_NOTES} characters).")
    if errors:
        raise FormInvalid(errors)
    catalogue = repository.products_by_sku(db)
    for line in order.lines:
        catalogue[line.sku].stock += line.qty
    order.status = "cancelled"
    _event(order, actor, "cancelled", f"Reason: {reason}. {note}".strip())


def change_address(order: SalesOrder, address: AddressInput, actor: str) -> None:
    """Change where an order ships, as long as it has not shipped."""
    _refuse_unless_open(order, "the shipping address can no longer be changed")
    errors = address_errors(address)
    if errors:
        raise FormInvalid(errors)
    old = f"{order.ship_street}, {order.ship_postal_code} {order.ship_city}, {order.ship_country}"
    order.ship_street, order.ship_city = address.street, address.city
    order.ship_postal_code, order.ship_country = address.postal_code, address.country
    new = f"{address.street}, {address.postal_code} {address.city}, {address.country}"
    _event(order, actor, "address_changed", f"From: {old} To: {new}")


def advance_order(order: SalesOrder, actor: str) -> None:
    """Move an order one fulfilment step on: pending → processing → shipped → delivered."""
    if order.status == "pending":
        order.status = "processing"
    elif order.status == "processing":
        order.status = "shipped"
        digits = zlib.crc32(order.id.encode()) % 1_000_000_000
        order.tracking_number = f"BHX{digits:09d}"
    elif order.status == "shipped":
        order.status = "delivered"
        order.delivered_on = today()
    else:
        raise BusinessRuleError(f"Order is {order.status} — no further fulfilment step.")
    _event(order, actor, "status", f"Status set to {order.status}.")


@dataclass
class ReturnDraft:
    """The return form as submitted: quantity per SKU, reason, resolution, notes, reference."""

    qtys: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    resolution: str = "refund"
    notes: str = ""
    reference: str = ""


def returnable_quantities(db: Session, order: SalesOrder) -> dict[str, int]:
    """Units per SKU that are not yet on an RMA."""
    left = {line.sku: line.qty for line in order.lines}
    for rma in repository.returns_for_order(db, order.id):
        for line in rma.lines:
            left[line.sku] = left.get(line.sku, 0) - line.qty
    return left


def check_returnable(order: SalesOrder) -> None:
    """Only delivered orders can be returned."""
    if order.status != "delivered":
        raise BusinessRuleError(
            f"Order {order.id} is {order.status} — only delivered orders can be returned."
        )


def create_return(db: Session, order: SalesOrder, draft: ReturnDraft, actor: str) -> ReturnAuthorization:
    """Open an RMA for some units of a delivered order."""
    if draft.reference and (existing := repository.return_by_reference(db, draft.reference)):
        raise DuplicateReference(existing.id, draft.reference)
    check_returnable(order)
    errors: list[str] = []
    if draft.reason not in RETURN_REASONS:
        errors.append("Choose a return reason.")
    if draft.resolution not in RETURN_RESOLUTIONS:
        errors.append("Choose a resolution.")
    if len(draft.notes) > MAX_NOTES:
        errors.append(f"Notes are too long (at most {MAX_NOTES} characters).")
    errors += reference_errors(draft.reference)
    left = returnable_quantities(db, order)
    prices = {line.sku: line.unit_price_cents for line in order.lines}
    chosen: dict[str, int] = {}
    for sku, raw in draft.qtys.items():
        qty = _parse_qty(raw or "0", sku, errors, allow_zero=True) if sku in left else None
        if qty and qty > left[sku]:
            errors.append(f"{sku}: only {left[sku]} unit(s) can still be returned.")
        elif qty:
            chosen[sku] = qty
    if not chosen and not errors:
        errors.append("Enter a quantity to return for at least one line.")
    if errors:
        raise FormInvalid(errors)
    number = repository.max_numeric_suffix(db, ReturnAuthorization.id, "RMA-") + 1
    rma = ReturnAuthorization(
        id=f"RMA-{number:04d}",
        order_id=order.id,
        status="open",
        reason=draft.reason,
        resolution=draft.resolution,
        notes=draft.notes,
        reference=draft.reference or None,
        created_at=now(),
        created_by=actor,
        refund_cents=sum(prices[sku] * qty for sku, qty in chosen.items()),
    )
    rma.lines = [ReturnLine(sku=sku, qty=qty, unit_price_cents=prices[sku]) for sku, qty in chosen.items()]
    db.add(rma)
    _event(order, actor, "return_opened", f"{rma.id} opened ({draft.reason}).")
    db.flush()
    return rma
