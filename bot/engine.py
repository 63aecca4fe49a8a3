"""The conversation engine: stores each message, runs the turn, persists state and replies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from agents import ToolRegistry
from agents.registry import BackOfficeUnavailable
from bot.citations import public_link
from bot.dialogue import DialogueState
from bot.models import Conversation, Customer, Message
from bot.replies import BotReply, Citation, product_name
from bot.schemas import BotMessageOut, TurnResult
from bot.transcript import message_event, queue_outbound, record_event
from bot.turn import POLICY_ARTICLES, Turn
from bot.understanding import Understanding
from knowledge import Answer, Retriever
from tandem.clock import today as clock_today
from tandem.clock import utcnow
from tandem.errors import NotFound
from tandem.i18n import t
from tandem.logging import get_logger
from tandem.security import token_hash

log = get_logger(__name__)


class NotLooked(Enum):
    """``handle(earlier=...)`` when the caller has not looked for an earlier send of the message."""

    NOT_LOOKED = "not looked"


NOT_LOOKED: Final = NotLooked.NOT_LOOKED


class ConversationEngine:
    """From a customer's words to replies and jobs, one transaction per turn (the caller's)."""

    def __init__(
        self,
        *,
        understanding: Understanding,
        tools: ToolRegistry,
        knowledge: Retriever | None = None,
        today: Callable[[], date] = clock_today,
        base_url: str = "",
    ) -> None:
        self.base_url = base_url
        self.understanding = understanding
        self.tools = tools
        self.knowledge = knowledge
        self.today = today

    # -- conversations -----------------------------------------------------------------

    def open(
        self,
        session: Session,
        *,
        channel: str = "web",
        locale: str | None = None,
        customer_token: str | None = None,
        channel_ref: str | None = None,
    ) -> Conversation:
        """Start a conversation; a valid customer token makes it verified from the start."""
        conversation = Conversation(channel=channel, locale=locale, language=locale, channel_ref=channel_ref)
        if customer_token:
            customer = session.scalar(
                select(Customer).where(Customer.token_hash == token_hash(customer_token))
            )
            if customer is None:
                raise NotFound("unknown customer token", code="invalid_customer_token", status=401)
            conversation.customer_id = customer.id
            conversation.session_token_hash = token_hash(customer_token)
            conversation.verified_at = utcnow()
        session.add(conversation)
        session.flush()
        return conversation

    def handle(
        self,
        session: Session,
        conversation: Conversation,
        text: str,
        *,
        client_message_id: str | None = None,
        attachment: dict[str, str] | None = None,
        earlier: dict[str, Any] | NotLooked | None = NOT_LOOKED,
    ) -> TurnResult:
        """Process one customer message; a repeated ``client_message_id`` returns the first result.

        ``earlier`` is the payload stored with this ``client_message_id`` (None: nothing is) when
        the caller has looked it up already, in the query that locked the conversation.
        """
        if client_message_id:
            if earlier is NOT_LOOKED:
                earlier = session.scalar(
                    select(Message.payload).where(
                        Message.conversation_id == conversation.id,
                        Message.client_message_id == client_message_id,
                    )
                )
            if earlier is not None and "result" in earlier:
                return TurnResult.model_validate(earlier["result"])
        state = DialogueState.model_validate(conversation.state or {})
        state.turns += 1
        previous = state.language or conversation.locale
        awaiting = state.flow.awaiting if state.flow else None
        if previous and awaiting in {"slot:address", "slot:order_id", "slot:verify_order_id", "verification"}:
            language = previous  # an address, order id or e-mail says nothing about the language
        else:
            language = self.understanding.language(text, previous)
        inbound = Message(
            conversation_id=conversation.id,
            client_message_id=client_message_id,
            role="customer",
            text=text,
            language=language,
            payload={"attachment": attachment} if attachment else {},
            created_at=utcnow(),
        )
        # Written with the replies at the end of the turn, in one statement per table (the
        # transaction makes it atomic either way); a turn that needs its id earlier flushes it.
        session.add(inbound)
        state.language = conversation.language = language
        turn = Turn(self, session, conversation, state, language, inbound)
        if conversation.status == "bot":
            try:
                turn.run(text, attachment)
            except BackOfficeUnavailable:
                log.warning("backoffice_unavailable", conversation_id=conversation.id)
                # The request stays where it was: the customer can simply try again.
                turn.replies.append(
                    BotReply(
                        t("backoffice.unavailable", language), quick_replies=[t("quick.human", language)]
                    )
                )
        result = TurnResult(
            messages=[BotMessageOut.model_validate(r.as_dict()) for r in turn.replies],
            intent=turn.intent,
            language=language,
            awaiting=state.flow.awaiting if state.flow else None,
            handoff=conversation.status != "bot",
            jobs=turn.jobs,
        )
        inbound.payload = {**inbound.payload, "result": result.model_dump(mode="json")}
        replies = [
            Message(
                conversation_id=conversation.id,
                role="bot",
                text=reply.text,
                language=language,
                payload={k: v for k, v in reply.as_dict().items() if k in {"citations", "quick_replies"}},
                created_at=utcnow(),  # as the customer message's: the same columns batch in one INSERT
            )
            for reply in turn.replies
        ]
        session.add_all(replies)
        conversation.state = state.model_dump(mode="json")
        conversation.last_message_at = inbound.created_at
        session.flush()  # the messages, in order (their ids go into the events), and the conversation
        for message in (inbound, *replies):
            record_event(session, conversation.id, "message", message_event(message))
        queue_outbound(session, conversation, replies)
        for job in turn.jobs:
            record_event(session, conversation.id, "job", job.model_dump())
        session.flush()
        log.info(
            "turn",
            conversation_id=conversation.id,
            language=language,
            intent=turn.intent.name if turn.intent else None,
            awaiting=result.awaiting,
            jobs=len(turn.jobs),
            handoff=result.handoff,
        )
        return result

    def prepare(self, text: str) -> None:
        """The costly, stateless part of a turn (embeddings, intent scores), done before the turn
        waits for the database; the turn itself then finds it remembered."""
        likely = self.understanding.prepare(text)
        prepare_question = getattr(self.knowledge, "prepare", None)
        if likely == "faq" and prepare_question is not None:
            prepare_question(text)

    # -- helpers the turn uses ---------------------------------------------------------

    def answer_question(self, text: str, language: str) -> Answer | None:
        return self.knowledge.answer(text, language) if self.knowledge is not None else None

    def note_unanswered(self, message: Message, score: float) -> None:
        """Mark the question so the knowledge admin can see what the help centre lacks."""
        message.payload = {**message.payload, "unanswered": True, "faq_score": round(score, 3)}

    def policy_citation(self, policy: str, language: str) -> Citation | None:
        article = POLICY_ARTICLES.get(policy)
        search = getattr(self.knowledge, "search", None)
        if article is None or search is None:
            return None
        for lang in (language, "en"):
            hits: list[Any] = search(article.replace("-", " "), 1, language=lang, article=article)
            if hits:
                chunk = hits[0].chunk
                from knowledge.answer import citation_for

                cited = citation_for(chunk)
                return Citation(cited.title, public_link(cited.source, cited.anchor, self.base_url))
        return None

    def product_name(self, sku: str, language: str) -> str:
        return product_name(sku, language)
