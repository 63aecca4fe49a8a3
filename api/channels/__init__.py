"""Messaging channels: inbound webhooks (Telegram, generic signed) and the outbox dispatcher."""

from api.channels.dispatcher import OutboxDispatcher, build_dispatcher, dispatcher_lifespan
from api.channels.routes import router

__all__ = ["OutboxDispatcher", "build_dispatcher", "dispatcher_lifespan", "router"]
