"""The sandbox back office: a legacy-looking ERP/DMS web app that the bots drive by its screens."""

from rpa.sandbox.app import create_app, serve
from rpa.sandbox.seed import SeedSummary, seed_sandbox

__all__ = ["SeedSummary", "create_app", "seed_sandbox", "serve"]
