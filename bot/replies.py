"""Reply building: catalogue texts with facts formatted from data, never from a model."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from babel.dates import format_date

from agents.schemas import OrderView, ProductView
from tandem.config import DEMO_DATA_DIR
from tandem.i18n import t


@dataclass
class Citation:
    title: str
    source: str


@dataclass
class BotReply:
    """One bot message: text, its sources and suggested answers."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    quick_replies: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "role": "bot",
            "text": self.text,
            "citations": [{"title": c.title, "source": c.source} for c in self.citations],
            "quick_replies": list(self.quick_replies),
        }


@lru_cache(maxsize=1)
def _catalog_names() -> dict[str, dict[str, str]]:
    catalog = json.loads((DEMO_DATA_DIR / "catalog.json").read_text("utf-8"))
    return {p["sku"]: {"en": p["name"], **p.get("names", {})} for p in catalog}


def product_name(sku: str, language: str) -> str:
    """The catalogue name of ``sku`` in ``language`` (English, then the SKU, when missing)."""
    names = _catalog_names().get(sku, {})
    return names.get(language) or names.get("en") or sku


def money(cents: int) -> str:
    """US dollars as the shop prints them everywhere: $48.00."""
    return f"${cents / 100:,.2f}"


def long_date(value: date, language: str) -> str:
    return format_date(value, format="long", locale=language if language != "other" else "en")


NameOf = Callable[[str, str], str]


def items_text(order: OrderView, language: str = "en", name_of: NameOf | None = None) -> str:
    """The order's lines, with product names in ``language`` when ``name_of`` knows them."""
    return ", ".join(
        f"{line.quantity} × {name_of(line.sku, language) if name_of else line.name}" for line in order.lines
    )


def order_status_text(order: OrderView, language: str, name_of: NameOf | None = None) -> str:
    """Status, tracking, contents and total of an order, in ``language``."""
    status = t(
        f"order.status.{order.status}",
        language,
        order_id=order.order_id,
        tracking=order.tracking_number or "—",
        date=long_date(order.delivered_on, language) if order.delivered_on else "—",
    )
    count = sum(line.quantity for line in order.lines)
    summary = t(
        "order.summary",
        language,
        count=count,
        items=items_text(order, language, name_of),
        total=money(order.total_cents),
    )
    return f"{status} {summary}"


def stock_text(product: ProductView, language: str) -> str:
    if product.stock <= 0:
        return t("stock.out", language, name=product.name, sku=product.sku)
    return t(
        "stock.available",
        language,
        name=product.name,
        sku=product.sku,
        stock=product.stock,
        price=money(product.price_cents),
    )


def yes_no(language: str) -> list[str]:
    return [t("confirm.yes", language), t("confirm.no", language)]
