"""The systems the bots work in, with the sign-in they need."""

from __future__ import annotations

from rpa.bots.base import WebTarget
from tandem.config import Settings

SANDBOX_ERP = "sandbox_erp"
SANDBOX_DMS = "sandbox_dms"


def sandbox_targets(settings: Settings) -> list[WebTarget]:
    """The sandbox ERP and DMS (one web app, signed in to separately so their contexts stay apart)."""
    password = settings.sandbox_password.get_secret_value()
    return [
        WebTarget(
            name,
            settings.resolved_sandbox_url,
            settings.sandbox_user,
            password,
            notice_testid="surprise-modal",  # the maintenance notice of its fault injection
        )
        for name in (SANDBOX_ERP, SANDBOX_DMS)
    ]
