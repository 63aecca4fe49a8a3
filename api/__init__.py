"""HTTP surface of Tandem: public chat API, webhooks, staff consoles, health."""

from api.app import create_app

__all__ = ["create_app"]
