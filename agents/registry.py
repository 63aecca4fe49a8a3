"""The tool registry the conversation engine (and the LLM mode) calls."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from langchain_core.tools import StructuredTool
from pydantic import ValidationError
from sqlalchemy.orm import Session

from agents.schemas import OrderView
from agents.tools import ALL_TOOLS, BackOffice, Tool, ToolContext, ToolOutcome
from rpa import queue
from rpa.models import Job
from tandem.errors import TandemError

T = TypeVar("T")


class UnknownTool(TandemError):
    code = "unknown_tool"


class InvalidToolInput(TandemError):
    code = "invalid_tool_input"
    status = 422


class BackOfficeUnavailable(TandemError):
    """The back office could not be read in time (down, slow, or its session broke)."""

    code = "backoffice_unavailable"
    status = 503


class PolicyRefused(TandemError):
    """Raised when a job is submitted that the policy does not allow (never reached by design)."""

    code = "policy_refused"
    status = 409


def idempotency_key(conversation_id: str, tool: str, payload: dict[str, Any], turn: str) -> str:
    """One key per (conversation, confirmed turn, action): a repeated confirmation maps to it."""
    material = json.dumps([conversation_id, tool, payload, turn], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:40]


class ToolRegistry:
    """Tools by name, bound to one back office."""

    def __init__(self, office: BackOffice, tools: Iterable[type[Tool]] = ALL_TOOLS):
        self.office = office
        self.tools: dict[str, Tool] = {tool.name: tool() for tool in tools}

    def get(self, name: str) -> Tool:
        try:
            return self.tools[name]
        except KeyError:
            raise UnknownTool(f"no tool named {name!r}") from None

    def parse(self, name: str, raw: dict[str, Any]) -> Any:
        tool = self.get(name)
        try:
            return tool.input_model.model_validate(raw)
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
            raise InvalidToolInput(f"invalid input for {name}: {fields}") from None

    def check(self, name: str, ctx: ToolContext, raw: dict[str, Any]) -> ToolOutcome:
        """Authorization and policy for ``name`` with ``raw`` input; read-only tools answer."""
        tool = self.get(name)
        args = self.parse(name, raw)
        return self._reading(lambda: tool.run(ctx, args, self.office))

    def order(self, order_id: str) -> OrderView | None:
        """One order straight from the back office (verification compares its contact details)."""
        return self._reading(lambda: self.office.get_order(order_id))

    def _reading(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except TandemError:
            raise
        except Exception as exc:  # any failure behind this boundary means "cannot check now"
            raise BackOfficeUnavailable(f"the back office could not be read: {type(exc).__name__}") from exc

    def precheck(self, name: str, ctx: ToolContext, order_id: str) -> ToolOutcome:
        """Authorization and policy on the order alone, before asking for the other slots."""
        tool = self.get(name)
        args = tool.input_model.model_construct(None, order_id=order_id)  # type: ignore[call-arg]
        return self._reading(lambda: tool.check(ctx, args, self.office))

    def submit(
        self, session: Session, name: str, ctx: ToolContext, raw: dict[str, Any], *, turn: str
    ) -> tuple[ToolOutcome, Job | None]:
        """Check again on fresh data, then enqueue the job in the caller's transaction."""
        tool = self.get(name)
        if not tool.consequential:
            raise UnknownTool(f"{name} does not change the back office")
        args = self.parse(name, raw)
        outcome = self._reading(lambda: tool.check(ctx, args, self.office))
        if not outcome.ok:
            return outcome, None
        payload = tool.job_payload(ctx, args).model_dump(mode="json")
        job = queue.enqueue(
            session,
            kind=name,
            payload=payload,
            idempotency_key=idempotency_key(ctx.conversation_id, name, payload, turn),
            target="sandbox_dms" if name == "file_document" else "sandbox_erp",
            conversation_id=ctx.conversation_id,
        )
        return outcome, job

    def langchain_tools(self, ctx: ToolContext) -> list[StructuredTool]:
        """The same tools for an LLM: read-only ones answer, consequential ones only check.

        The model can never enqueue a job: that happens after the customer confirms.
        """

        def bind(tool: Tool) -> StructuredTool:
            def call(**kwargs: Any) -> dict[str, Any]:
                return tool.run(ctx, tool.input_model.model_validate(kwargs), self.office).model_dump()

            return StructuredTool.from_function(
                func=call, name=tool.name, description=tool.description, args_schema=tool.input_model
            )

        return [bind(tool) for tool in self.tools.values()]
