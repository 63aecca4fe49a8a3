"""The agents' read access to the back office, answered by the ERP bot through the browser pool."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import TypeVar

from agents.schemas import OrderView, ProductView
from rpa.bots import SANDBOX_ERP, SandboxErpBot
from rpa.browser_pool import BrowserPool, Lease
from rpa.errors import TransientError

T = TypeVar("T")


class SandboxBackOffice:
    """Implements ``agents.tools.BackOffice``: read-only look-ups within a time budget."""

    def __init__(self, pool: BrowserPool, *, budget_s: float = 8.0, target: str = SANDBOX_ERP) -> None:
        self.pool = pool
        self.budget_s = budget_s
        self.target = target

    def get_order(self, order_id: str) -> OrderView | None:
        """The order as the ERP shows it now, or None if it does not exist."""
        return self._read(lambda bot: bot.lookup_order(order_id))

    def get_product(self, sku: str) -> ProductView | None:
        """The product with its current stock, or None if the catalogue has no such SKU."""
        return self._read(lambda bot: bot.lookup_product(sku))

    def _read(self, read: Callable[[SandboxErpBot], Awaitable[T]]) -> T:
        async def work(lease: Lease) -> T:
            return await read(SandboxErpBot(self.pool, lease))

        try:
            return self.pool.run(self.target, work, timeout=self.budget_s)
        except concurrent.futures.TimeoutError as exc:
            raise TransientError(f"the back office did not answer within {self.budget_s:.0f} s") from exc
