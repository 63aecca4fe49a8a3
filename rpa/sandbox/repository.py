"""Every query of the sandbox: look-ups, searches and pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from rpa.sandbox.errors import RecordNotFound
from rpa.sandbox.models import (
    Customer,
    Document,
    OrderLine,
    Product,
    ReturnAuthorization,
    SalesOrder,
)

PER_PAGE = 20
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list screen."""

    items: list[T]
    page: int
    pages: int
    total: int


def paginate(db: Session, query: Select[T], page: int, per_page: int = PER_PAGE) -> Page[T]:
    """Run ``query`` for one page; out-of-range pages are clamped."""
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(db.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, pages, total)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_orders(db: Session, q: str, status: str, page: int) -> Page[SalesOrder]:
    """Orders matching id, customer name/e-mail, reference or tracking number, newest first."""
    query = (
        select(SalesOrder)
        .join(SalesOrder.customer)
        .options(selectinload(SalesOrder.customer))
        .order_by(SalesOrder.placed_on.desc(), SalesOrder.id.desc())
    )
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                SalesOrder.id.ilike(pattern, escape="\\"),
                Customer.name.ilike(pattern, escape="\\"),
                Customer.email.ilike(pattern, escape="\\"),
                SalesOrder.reference.ilike(pattern, escape="\\"),
                SalesOrder.tracking_number.ilike(pattern, escape="\\"),
                SalesOrder.customer_id.ilike(pattern, escape="\\"),
            )
        )
    if status:
        query = query.where(SalesOrder.status == status)
    return paginate(db, query, page)


def get_order(db: Session, order_id: str) -> SalesOrder:
    """An order with its customer, lines, products and history."""
    order = db.scalar(
        select(SalesOrder)
        .where(SalesOrder.id == order_id.strip().upper())
        .options(
            selectinload(SalesOrder.customer),
            selectinload(SalesOrder.lines).selectinload(OrderLine.product),
            selectinload(SalesOrder.events),
        )
    )
    if order is None:
        raise RecordNotFound(f"Order {order_id} not found.")
    return order


def order_by_reference(db: Session, reference: str) -> SalesOrder | None:
    """The order that carries ``reference``, if any."""
    return db.scalar(select(SalesOrder).where(SalesOrder.reference == reference))


def search_customers(db: Session, q: str, page: int) -> Page[Customer]:
    """Customers matching id, name, e-mail, phone or company."""
    query = select(Customer).order_by(Customer.id)
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Customer.id,
                        Customer.name,
                        Customer.email,
                        Customer.phone,
                        Customer.company,
                    )
                )
            )
        )
    return paginate(db, query, page)


def all_customers(db: Session) -> list[Customer]:
    """Every customer, by name, for pickers."""
    return list(db.scalars(select(Customer).order_by(Customer.name)))


def get_customer(db: Session, customer_id: str) -> Customer:
    """A customer or ``RecordNotFound``."""
    customer = db.get(Customer, customer_id.strip().upper())
    if customer is None:
        raise RecordNotFound(f"Customer {customer_id} not found.")
    return customer


def customer_orders(db: Session, customer_id: str) -> list[SalesOrder]:
    """A customer's orders, newest first."""
    return list(
        db.scalars(
            select(SalesOrder)
            .where(SalesOrder.customer_id == customer_id)
            .order_by(SalesOrder.placed_on.desc(), SalesOrder.id.desc())
        )
    )


def search_products(db: Session, q: str) -> list[Product]:
    """Products matching SKU, name or category."""
    query = select(Product).order_by(Product.sku)
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                Product.sku.ilike(pattern, escape="\\"),
                Product.name.ilike(pattern, escape="\\"),
                Product.category.ilike(pattern, escape="\\"),
            )
        )
    return list(db.scalars(query))


def products_by_sku(db: Session) -> dict[str, Product]:
    """The whole catalogue keyed by SKU."""
    return {product.sku: product for product in db.scalars(select(Product).order_by(Product.sku))}


def search_returns(db: Session, q: str, page: int) -> Page[ReturnAuthorization]:
    """RMAs matching their id, order id, reference or customer name, newest first."""
    query = (
        select(ReturnAuthorization)
        .join(ReturnAuthorization.order)
        .join(SalesOrder.customer)
        .options(selectinload(ReturnAuthorization.order).selectinload(SalesOrder.customer))
        .order_by(ReturnAuthorization.created_at.desc(), ReturnAuthorization.id.desc())
    )
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                ReturnAuthorization.id.ilike(pattern, escape="\\"),
                ReturnAuthorization.order_id.ilike(pattern, escape="\\"),
                ReturnAuthorization.reference.ilike(pattern, escape="\\"),
                Customer.name.ilike(pattern, escape="\\"),
            )
        )
    return paginate(db, query, page)


def get_return(db: Session, rma_id: str) -> ReturnAuthorization:
    """An RMA with its order, customer and lines."""
    rma = db.scalar(
        select(ReturnAuthorization)
        .where(ReturnAuthorization.id == rma_id.strip().upper())
        .options(
            selectinload(ReturnAuthorization.order).selectinload(SalesOrder.customer),
            selectinload(ReturnAuthorization.lines),
        )
    )
    if rma is None:
        raise RecordNotFound(f"Return {rma_id} not found.")
    return rma


def returns_for_order(db: Session, order_id: str) -> list[ReturnAuthorization]:
    """The RMAs of one order, with their lines."""
    return list(
        db.scalars(
            select(ReturnAuthorization)
            .where(ReturnAuthorization.order_id == order_id)
            .options(selectinload(ReturnAuthorization.lines))
            .order_by(ReturnAuthorization.id)
        )
    )


def return_by_reference(db: Session, reference: str) -> ReturnAuthorization | None:
    """The RMA that carries ``reference``, if any."""
    return db.scalar(select(ReturnAuthorization).where(ReturnAuthorization.reference == reference))


def document_counts(db: Session) -> dict[str, int]:
    """Number of documents per customer folder."""
    rows = db.execute(select(Document.customer_id, func.count()).group_by(Document.customer_id))
    return dict(rows.all())


def search_documents(db: Session, filters: dict[str, str]) -> list[Document]:
    """Documents matching every non-empty filter (customer, order_id, doc_type, reference)."""
    query: Select[Document] = (
        select(Document)
        .join(Document.customer)
        .options(selectinload(Document.customer))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )
    conditions: list[Any] = []
    if customer := filters.get("customer", ""):
        pattern = _like(customer)
        conditions.append(
            or_(Document.customer_id.ilike(pattern, escape="\\"), Customer.name.ilike(pattern, escape="\\"))
        )
    if order_id := filters.get("order_id", ""):
        conditions.append(Document.order_id == order_id.strip().upper())
    if doc_type := filters.get("doc_type", ""):
        conditions.append(Document.doc_type == doc_type)
    if reference := filters.get("reference", ""):
        conditions.append(Document.reference.ilike(_like(reference), escape="\\"))
    return list(db.scalars(query.where(*conditions).limit(200)))


def get_document(db: Session, document_id: str) -> Document:
    """A document or ``RecordNotFound``."""
    document = db.get(Document, document_id.strip().upper(), options=[selectinload(Document.customer)])
    if document is None:
        raise RecordNotFound(f"Document {document_id} not found.")
    return document


def document_by_reference(db: Session, reference: str) -> Document | None:
    """The document that carries ``reference``, if any."""
    return db.scalar(select(Document).where(Document.reference == reference))


def max_numeric_suffix(db: Session, column: Any, prefix: str) -> int:
    """Highest number after ``prefix`` among the ids in ``column`` (0 when none)."""
    values = db.scalars(select(column).where(column.like(f"{prefix}%")))
    numbers = [int(value[len(prefix) :]) for value in values if value[len(prefix) :].isdigit()]
    return max(numbers, default=0)
