"""Errors that carry a stable code and the HTTP status they map to."""

from __future__ import annotations


class TandemError(Exception):
    """Base of every expected error; rendered as ``{"error": {"code", "message"}}``."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class ConfigurationError(TandemError):
    """A setting is missing or wrong; the message names the setting."""

    code = "configuration"
    status = 500


class NotFound(TandemError):
    code = "not_found"
    status = 404


class Forbidden(TandemError):
    code = "forbidden"
    status = 403


class Conflict(TandemError):
    code = "conflict"
    status = 409
