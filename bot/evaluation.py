"""End-to-end conversation tests in YAML (like Rasa's end-to-end stories) and their runner.

A file is a list of conversations::

    - name: cancel a pending order after verification
      signed_in_as: null            # or a demo customer id like C-005
      turns:
        - user: I want to cancel order SO-10049
          intent: cancel_order
          awaiting: verification
        - user: amina.wanjiku@example.com
          awaiting: confirmation
          reply_contains: [SO-10049]
        - user: yes
          job: cancel_order
      final:
        jobs: [cancel_order]

``awaiting: null`` means "nothing awaited"; an absent key is not checked. ``reply_contains``
and ``reply_not_contains`` look at all bot texts of the turn, case-insensitively.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine import ConversationEngine
from bot.models import Conversation
from bot.schemas import TurnResult
from rpa.models import Job
from tandem.config import Settings
from tandem.security import customer_token

UNSET: Any = object()


class ExpectedTurn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user: str
    intent: str | None = None
    language: str | None = None
    awaiting: str | None = Field(default=UNSET)
    job: str | None = None
    handoff: bool | None = None
    reply_contains: list[str] = Field(default_factory=list)
    reply_not_contains: list[str] = Field(default_factory=list)


class FinalState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    jobs: list[str] | None = None
    verified: bool | None = None
    status: str | None = None


class ConversationCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    signed_in_as: str | None = None
    turns: list[ExpectedTurn]
    final: FinalState = Field(default_factory=FinalState)


@dataclass
class CaseResult:
    case: ConversationCase
    failures: list[str] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load_cases(path: Path) -> list[ConversationCase]:
    """Parse and validate a YAML file of conversations."""
    data = yaml.safe_load(path.read_text("utf-8")) or []
    return [ConversationCase.model_validate(item) for item in data]


def _check_turn(number: int, expected: ExpectedTurn, result: TurnResult) -> list[str]:
    problems: list[str] = []
    texts = " ".join(m.text for m in result.messages).casefold()
    where = f"turn {number} ({expected.user[:40]!r})"
    if expected.intent is not None and (result.intent is None or result.intent.name != expected.intent):
        problems.append(
            f"{where}: intent {result.intent.name if result.intent else None}, want {expected.intent}"
        )
    if expected.language is not None and result.language != expected.language:
        problems.append(f"{where}: language {result.language}, want {expected.language}")
    if expected.awaiting is not UNSET and result.awaiting != expected.awaiting:
        problems.append(f"{where}: awaiting {result.awaiting}, want {expected.awaiting}")
    if expected.job is not None and expected.job not in [j.kind for j in result.jobs]:
        problems.append(f"{where}: no {expected.job} job")
    if expected.handoff is not None and result.handoff != expected.handoff:
        problems.append(f"{where}: handoff {result.handoff}, want {expected.handoff}")
    problems += [f"{where}: reply lacks {s!r}" for s in expected.reply_contains if s.casefold() not in texts]
    problems += [f"{where}: reply has {s!r}" for s in expected.reply_not_contains if s.casefold() in texts]
    return problems


SessionScope = Callable[[], AbstractContextManager[Session]]


def run_case(
    engine: ConversationEngine, sessions: SessionScope, settings: Settings, case: ConversationCase
) -> CaseResult:
    """Play one conversation through the engine, one transaction per turn, and check it."""
    outcome = CaseResult(case)
    token = customer_token(settings, case.signed_in_as) if case.signed_in_as else None
    with sessions() as session:
        conversation_id = engine.open(session, customer_token=token).id
    for number, expected in enumerate(case.turns, start=1):
        with sessions() as session:
            conversation = session.get(Conversation, conversation_id)
            assert conversation is not None
            result = engine.handle(session, conversation, expected.user)
        outcome.failures += _check_turn(number, expected, result)
    with sessions() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        outcome.jobs = list(session.scalars(select(Job).where(Job.conversation_id == conversation_id)))
        final = case.final
        kinds = sorted(job.kind for job in outcome.jobs)
        if final.jobs is not None and kinds != sorted(final.jobs):
            outcome.failures.append(f"final: jobs {kinds}, want {sorted(final.jobs)}")
        if final.verified is not None and (conversation.customer_id is not None) != final.verified:
            outcome.failures.append(
                f"final: verified {conversation.customer_id is not None}, want {final.verified}"
            )
        if final.status is not None and conversation.status != final.status:
            outcome.failures.append(f"final: status {conversation.status}, want {final.status}")
    return outcome


def run_cases(
    engine: ConversationEngine, sessions: SessionScope, settings: Settings, cases: list[ConversationCase]
) -> Iterator[CaseResult]:
    for case in cases:
        yield run_case(engine, sessions, settings, case)
