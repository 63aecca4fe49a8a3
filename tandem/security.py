"""Customer sign-in tokens: derived for the demo, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac

from tandem.config import Settings


def customer_token(settings: Settings, customer_id: str) -> str:
    """The demo sign-in token of a customer, derived from the secret key."""
    secret = settings.secret_key.get_secret_value().encode()
    digest = hmac.new(secret, f"customer:{customer_id}".encode(), hashlib.sha256).hexdigest()
    return f"ct_{digest[:32]}"


def token_hash(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()
