"""Browser bots for the back-office systems, one class per target system."""

from rpa.bots.base import Bot, RecordNotFound, SessionExpired, WebTarget
from rpa.bots.sandbox_dms import SandboxDmsBot
from rpa.bots.sandbox_erp import SandboxErpBot
from rpa.bots.targets import SANDBOX_DMS, SANDBOX_ERP, sandbox_targets

__all__ = [
    "SANDBOX_DMS",
    "SANDBOX_ERP",
    "Bot",
    "RecordNotFound",
    "SandboxDmsBot",
    "SandboxErpBot",
    "SessionExpired",
    "WebTarget",
    "sandbox_targets",
]
