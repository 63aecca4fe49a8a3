"""Agent tools: typed, authorized, policy-checked actions on the back office.

The names below are imported on first use: a worker process that only needs
``agents.schemas`` or ``agents.events`` does not pay for the tool registry's LangChain import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.policy import PolicyDecision
    from agents.registry import ToolRegistry, idempotency_key
    from agents.schemas import OrderLine, OrderView, ProductView
    from agents.tools import BackOffice, ToolContext, ToolOutcome

_HOMES = {
    "BackOffice": "agents.tools",
    "OrderLine": "agents.schemas",
    "OrderView": "agents.schemas",
    "PolicyDecision": "agents.policy",
    "ProductView": "agents.schemas",
    "ToolContext": "agents.tools",
    "ToolOutcome": "agents.tools",
    "ToolRegistry": "agents.registry",
    "idempotency_key": "agents.registry",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'agents' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
