"""The demo business's back office as seeded, in memory: for dialogue evaluation and tests.

Production reads the back office through bots (``rpa.backoffice.SandboxBackOffice``); this
read model lets ``tandem eval conversations`` and the policy tests run on exact dates
without a browser. It never changes: jobs are recorded, not carried out.
"""

from __future__ import annotations

from datetime import date, timedelta

from agents.schemas import OrderLine, OrderView, ProductView
from tandem.seed import load_demo


class DemoBackOffice:
    """Orders and products of ``tandem/demo`` with dates relative to ``today``."""

    def __init__(self, today: date):
        self.products = {
            p["sku"]: ProductView(
                sku=p["sku"],
                name=p["name"],
                category=p["category"],
                price_cents=round(p["price_usd"] * 100),
                stock=p["stock"],
            )
            for p in load_demo("catalog")
        }
        customers = {c["id"]: c for c in load_demo("customers")}
        self.orders: dict[str, OrderView] = {}
        for order in load_demo("orders"):
            customer = customers[order["customer_id"]]
            delivered = order.get("delivered_days_ago")
            self.orders[order["id"]] = OrderView(
                order_id=order["id"],
                customer_id=customer["id"],
                customer_email=customer["email"],
                customer_phone=customer["phone"],
                status=order["status"],
                lines=[
                    OrderLine(
                        sku=line["sku"],
                        name=self.products[line["sku"]].name,
                        quantity=line["qty"],
                        unit_price_cents=round(line["unit_price_usd"] * 100),
                        category=self.products[line["sku"]].category,
                    )
                    for line in order["lines"]
                ],
                total_cents=round(order["total_usd"] * 100),
                delivered_on=None if delivered is None else today - timedelta(days=delivered),
                tracking_number=order["tracking_number"],
                invoice_number=order["invoice_number"],
            )

    def get_order(self, order_id: str) -> OrderView | None:
        return self.orders.get(order_id)

    def get_product(self, sku: str) -> ProductView | None:
        return self.products.get(sku)
