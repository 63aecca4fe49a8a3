"""What the tools read from the back office and what they hand over as jobs."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

OrderStatus = Literal["pending", "processing", "shipped", "delivered", "cancelled", "returned"]
DocType = Literal["damage_photo", "return_form", "tax_certificate", "id_document", "other"]


class OrderLine(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price_cents: int
    category: str = ""


class Address(BaseModel):
    street: str
    city: str
    postal_code: str = ""
    country: str


class OrderView(BaseModel):
    """An order as read from the back office's screens."""

    order_id: str
    customer_id: str
    customer_email: str
    customer_phone: str
    status: OrderStatus
    lines: list[OrderLine]
    total_cents: int
    created_on: date | None = None
    delivered_on: date | None = None
    tracking_number: str | None = None
    invoice_number: str | None = None
    payment_method: str = ""
    shipping_address: str = ""


class ProductView(BaseModel):
    """A catalogue product with its current stock."""

    sku: str
    name: str
    category: str
    price_cents: int
    stock: int = Field(ge=0)
