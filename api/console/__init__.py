"""Staff consoles: the agent console, the ops console, knowledge admin, and their JSON APIs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import metrics
from api.console import pages
from api.console.agent import routes as agent_routes
from api.console.knowledge import routes as knowledge_routes
from api.console.ops import routes as ops_routes
from api.staff import routes as staff_routes

STATIC_DIR = Path(__file__).parent / "static"

__all__ = ["mount_consoles"]


def mount_consoles(app: FastAPI) -> None:
    """Include the staff and console routers, their static files, page error rendering and /metrics."""
    app.state.staff_sign_in_limits = staff_routes.SignInLimits.default()
    for router in (
        staff_routes.router,
        agent_routes.router,
        ops_routes.router,
        knowledge_routes.router,
        pages.router,
        metrics.router,
    ):
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    pages.install_page_errors(app)
