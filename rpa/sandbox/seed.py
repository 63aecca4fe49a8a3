"""Load the Baobab Home demo data into the sandbox, turning relative days into dates."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rpa.sandbox.database import files_dir_for, make_engine, make_session_factory
from rpa.sandbox.models import (
    Customer,
    OrderEvent,
    OrderLine,
    Product,
    SalesOrder,
    SandboxBase,
)
from tandem.config import DEMO_DATA_DIR


@dataclass(frozen=True)
class SeedSummary:
    """What the sandbox database holds after seeding."""

    seeded: bool
    seed_date: date | None
    products: int
    customers: int
    orders: int


def to_cents(amount_usd: float) -> int:
    """Demo prices are USD floats; the ERP stores integer cents."""
    return round(amount_usd * 100)


def _load(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((DEMO_DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def _customer(row: dict[str, Any]) -> Customer:
    address = row["address"]
    return Customer(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        phone=row["phone"],
        preferred_language=row["preferred_language"],
        street=address["street"],
        city=address["city"],
        postal_code=address["postal_code"],
        country=address["country"],
        company=row["company"],
        tax_id=row["tax_id"],
    )


def _product(row: dict[str, Any]) -> Product:
    return Product(
        sku=row["sku"],
        name=row["name"],
        category=row["category"],
        price_cents=to_cents(row["price_usd"]),
        stock=row["stock"],
        warranty_years=row["warranty_years"],
        return_days=row["return_days"],
    )


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0))


def _order(row: dict[str, Any], today: date) -> SalesOrder:
    placed_on = today - timedelta(days=row["created_days_ago"])
    delivered_ago = row["delivered_days_ago"]
    delivered_on = None if delivered_ago is None else today - timedelta(days=delivered_ago)
    address = row["shipping_address"]
    order = SalesOrder(
        id=row["id"],
        customer_id=row["customer_id"],
        status=row["status"],
        placed_on=placed_on,
        delivered_on=delivered_on,
        delivery=row["delivery"],
        payment_method=row["payment_method"],
        ship_street=address["street"],
        ship_city=address["city"],
        ship_postal_code=address["postal_code"],
        ship_country=address["country"],
        subtotal_cents=to_cents(row["subtotal_usd"]),
        shipping_cents=to_cents(row["shipping_usd"]),
        total_cents=to_cents(row["total_usd"]),
        tracking_number=row["tracking_number"],
        invoice_number=row["invoice_number"],
        reference=None,
    )
    order.lines = [
        OrderLine(
            line_no=n, sku=line["sku"], qty=line["qty"], unit_price_cents=to_cents(line["unit_price_usd"])
        )
        for n, line in enumerate(row["lines"], start=1)
    ]
    order.events = [
        OrderEvent(
            at=_at(placed_on),
            actor="legacy-import",
            action="created",
            detail="Order imported from the legacy order book.",
        )
    ]
    if delivered_on is not None:
        order.events.append(
            OrderEvent(at=_at(delivered_on), actor="carrier", action="delivered", detail="Parcel delivered.")
        )
    if row["status"] != "pending":
        order.events.append(
            OrderEvent(
                at=_at(today),
                actor="legacy-import",
                action="status",
                detail=f"Status at import: {row['status']}.",
            )
        )
    return order


def _counts(session: Session) -> tuple[int, int, int]:
    def count(model: type[SandboxBase]) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return count(Product), count(Customer), count(SalesOrder)


def seed_sandbox(db_path: Path, *, today: date | None = None, reset: bool = False) -> SeedSummary:
    """Fill an empty sandbox database with the demo data; a seeded one is left alone."""
    engine = make_engine(db_path)
    try:
        if reset:
            SandboxBase.metadata.drop_all(engine)
            SandboxBase.metadata.create_all(engine)
            shutil.rmtree(files_dir_for(db_path), ignore_errors=True)
        with make_session_factory(engine)() as session:
            products, customers, orders = _counts(session)
            if products or customers or orders:
                return SeedSummary(False, None, products, customers, orders)
            seed_date = today or datetime.now(UTC).date()
            session.add_all(_customer(row) for row in _load("customers.json"))
            session.add_all(_product(row) for row in _load("catalog.json"))
            session.flush()
            session.add_all(_order(row, seed_date) for row in _load("orders.json"))
            session.commit()
            return SeedSummary(True, seed_date, *_counts(session))
    finally:
        engine.dispose()


def is_seeded(db_path: Path) -> bool:
    """Whether the sandbox database already holds products."""
    if not Path(db_path).exists():
        return False
    engine = make_engine(db_path)
    try:
        with make_session_factory(engine)() as session:
            return _counts(session)[0] > 0
    finally:
        engine.dispose()
