"""Faults on demand: slow pages, random 500s and a surprise modal (session expiry is in auth)."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tandem.config import Settings

EXEMPT_PREFIXES = ("/static/", "/healthz")
SIGN_IN_PATH = "/signin"

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>500 Internal Server Error</title></head>
<body style="font-family: sans-serif; margin: 3rem">
<h1 data-testid="server-error">500 — Internal Server Error</h1>
<p>The application server encountered an unexpected condition (ERR-BH-5001).
Please try again later or contact your system administrator.</p>
</body></html>"""


@dataclass(frozen=True)
class FaultConfig:
    """Which faults an app instance injects; all off by default."""

    latency_ms: int = 0
    error_rate: float = 0.0
    session_ttl_s: int = 0
    modal_rate: float = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> FaultConfig:
        """Read the ``sandbox_fault_*`` settings."""
        return cls(
            latency_ms=settings.sandbox_fault_latency_ms,
            error_rate=settings.sandbox_fault_error_rate,
            session_ttl_s=settings.sandbox_fault_session_ttl_s,
            modal_rate=settings.sandbox_fault_modal_rate,
        )


class FaultInjection:
    """ASGI middleware that delays, fails or flags requests according to a ``FaultConfig``."""

    def __init__(self, app: ASGIApp, config: FaultConfig, rng: random.Random | None = None) -> None:
        self.app = app
        self.config = config
        self.rng = rng or random.Random()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.config.latency_ms:
            await asyncio.sleep(self.rng.uniform(0, self.config.latency_ms) / 1000)
        is_sign_in = path.startswith(SIGN_IN_PATH)
        if not is_sign_in and self.rng.random() < self.config.error_rate:
            await HTMLResponse(ERROR_PAGE, status_code=500)(scope, receive, send)
            return
        if not is_sign_in and self.rng.random() < self.config.modal_rate:
            scope.setdefault("state", {})["surprise_modal"] = True
        await self.app(scope, receive, send)
