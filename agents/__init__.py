"""Agent tools: typed, authorized, policy-checked actions on the back office."""

from agents.policy import PolicyDecision
from agents.registry import ToolRegistry, idempotency_key
from agents.schemas import OrderLine, OrderView, ProductView
from agents.tools import BackOffice, ToolContext, ToolOutcome

__all__ = [
    "BackOffice",
    "OrderLine",
    "OrderView",
    "PolicyDecision",
    "ProductView",
    "ToolContext",
    "ToolOutcome",
    "ToolRegistry",
    "idempotency_key",
]
