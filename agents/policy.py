"""The business's rules as code: what may be done to an order, and why not.

Every refusal names the policy fact it rests on (CONTRACT.md section 1), so the
conversation can explain it with a citation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from agents.schemas import OrderView, ProductView

OPEN_STATUSES = frozenset({"pending", "processing"})
RETURN_DAYS_BY_CATEGORY = {"electronics": 14}
DEFAULT_RETURN_DAYS = 30
COD_LIMIT_CENTS = 200_00


@dataclass(frozen=True)
class PolicyDecision:
    """Allowed, or refused with a reason key, the policy id and facts for the reply."""

    allowed: bool
    reason: str = ""
    policy: str = ""
    facts: tuple[tuple[str, str], ...] = ()

    @classmethod
    def allow(cls) -> PolicyDecision:
        return cls(True)

    @classmethod
    def refuse(cls, reason: str, policy: str, **facts: object) -> PolicyDecision:
        return cls(False, reason, policy, tuple((k, str(v)) for k, v in facts.items()))


def can_cancel(order: OrderView) -> PolicyDecision:
    """P5: free cancellation until the order ships."""
    if order.status in OPEN_STATUSES:
        return PolicyDecision.allow()
    if order.status in {"shipped", "delivered"}:
        return PolicyDecision.refuse("policy.cancel_after_shipping", "P5", order_id=order.order_id)
    return PolicyDecision.refuse("policy.order_closed", "P5", order_id=order.order_id, status=order.status)


def can_change_address(order: OrderView) -> PolicyDecision:
    """P6: the delivery address can change until the order ships."""
    if order.status in OPEN_STATUSES:
        return PolicyDecision.allow()
    return PolicyDecision.refuse("policy.address_after_shipping", "P6", order_id=order.order_id)


def return_days(category: str) -> int:
    """P1: 14 days for electronics, 30 for everything else."""
    return RETURN_DAYS_BY_CATEGORY.get(category, DEFAULT_RETURN_DAYS)


def can_return(order: OrderView, sku: str | None, today: date) -> PolicyDecision:
    """P1: returns within the category's window from delivery, for delivered orders."""
    if order.status != "delivered" or order.delivered_on is None:
        return PolicyDecision.refuse(
            "policy.return_not_delivered", "P1", order_id=order.order_id, status=order.status
        )
    lines = [line for line in order.lines if sku is None or line.sku == sku]
    if not lines:
        return PolicyDecision.refuse("policy.return_unknown_item", "P1", order_id=order.order_id, sku=sku)
    days_since = (today - order.delivered_on).days
    window = min(return_days(line.category) for line in lines)
    if days_since > window:
        return PolicyDecision.refuse(
            "policy.return_window_passed", "P1", order_id=order.order_id, days=window, since=days_since
        )
    return PolicyDecision.allow()


def can_order(product: ProductView, quantity: int, payment_method: str | None = None) -> PolicyDecision:
    """Stock must cover the quantity; cash on delivery only up to $200 (P8)."""
    if quantity < 1:
        return PolicyDecision.refuse("policy.quantity_invalid", "", quantity=quantity)
    if product.stock < quantity:
        return PolicyDecision.refuse(
            "policy.out_of_stock", "", sku=product.sku, name=product.name, stock=product.stock
        )
    if payment_method == "cod" and product.price_cents * quantity > COD_LIMIT_CENTS:
        return PolicyDecision.refuse("policy.cod_limit", "P8")
    return PolicyDecision.allow()


def owns_order(order: OrderView, customer_id: str | None) -> bool:
    """Authorization: only the verified owner of an order may see it or act on it."""
    return customer_id is not None and order.customer_id == customer_id
