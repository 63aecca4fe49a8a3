"""What the back office answers when it says no; rendered as visible messages on the page."""

from __future__ import annotations


class SandboxError(Exception):
    """Base of the sandbox's own refusals; ``status`` is the HTTP status of the error page."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BusinessRuleError(SandboxError):
    """The ERP refuses the operation for the record's current state (e.g. already shipped)."""

    status = 409


class FormInvalid(SandboxError):
    """The submitted form has errors; the form is shown again with what the user typed."""

    status = 422

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class RecordNotFound(SandboxError):
    """No record with that id."""

    status = 404


class DuplicateReference(SandboxError):
    """A record with this reference already exists; the caller is shown that record instead."""

    status = 303

    def __init__(self, record_id: str, reference: str) -> None:
        super().__init__(f"Reference {reference} already used by {record_id}.")
        self.record_id = record_id
        self.reference = reference
