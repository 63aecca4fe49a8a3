"""Tools authorize, apply the policy facts of the demo business, and enqueue once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agents import ToolContext, ToolRegistry
from agents.demo import DemoBackOffice
from agents.registry import InvalidToolInput
from agents.schemas import OrderView
from rpa.models import Job

TODAY = date(2026, 11, 25)


def order_of(office: DemoBackOffice, status: str) -> tuple[str, str]:
    order = next(o for o in office.orders.values() if o.status == status)
    return order.order_id, order.customer_id


@pytest.fixture
def office() -> DemoBackOffice:
    return DemoBackOffice(TODAY)


@pytest.fixture
def registry(office: DemoBackOffice) -> ToolRegistry:
    return ToolRegistry(office)


def context(customer_id: str | None) -> ToolContext:
    return ToolContext(conversation_id="conv-1", customer_id=customer_id, language="en", today=TODAY)


@pytest.mark.unit
class TestAuthorization:
    def test_unverified_customer_is_asked_to_verify(
        self, registry: ToolRegistry, office: DemoBackOffice
    ) -> None:
        order_id, _ = order_of(office, "pending")
        outcome = registry.check("order_status", context(None), {"order_id": order_id})
        assert (outcome.status, outcome.reason) == ("unauthorized", "verify.required")

    def test_another_customers_order_looks_missing(
        self, registry: ToolRegistry, office: DemoBackOffice
    ) -> None:
        order_id, owner = order_of(office, "pending")
        stranger = "C-016" if owner != "C-016" else "C-001"
        outcome = registry.check("cancel_order", context(stranger), {"order_id": order_id})
        assert outcome.status == "not_found"
        assert outcome.data == {}

    def test_owner_sees_the_order(self, registry: ToolRegistry, office: DemoBackOffice) -> None:
        order_id, owner = order_of(office, "shipped")
        outcome = registry.check("order_status", context(owner), {"order_id": order_id})
        assert outcome.ok
        assert outcome.data["order"]["tracking_number"].startswith("BHX")

    def test_input_is_validated(self, registry: ToolRegistry) -> None:
        with pytest.raises(InvalidToolInput):
            registry.check("cancel_order", context("C-001"), {"order_id": "DROP TABLE"})
        with pytest.raises(InvalidToolInput):
            registry.check("cancel_order", context("C-001"), {"order_id": "SO-10001", "force": True})


@pytest.mark.unit
class TestPolicy:
    @pytest.mark.parametrize(
        ("status", "allowed"), [("pending", True), ("processing", True), ("shipped", False)]
    )
    def test_cancel_only_before_shipping(
        self, registry: ToolRegistry, office: DemoBackOffice, status: str, allowed: bool
    ) -> None:
        order_id, owner = order_of(office, status)
        outcome = registry.check("cancel_order", context(owner), {"order_id": order_id})
        assert outcome.ok is allowed
        if not allowed:
            assert (outcome.reason, outcome.policy) == ("policy.cancel_after_shipping", "P5")

    def test_address_change_after_shipping_is_refused(
        self, registry: ToolRegistry, office: DemoBackOffice
    ) -> None:
        order_id, owner = order_of(office, "shipped")
        outcome = registry.check(
            "change_address", context(owner), {"order_id": order_id, "address": "12 Moi Avenue, Nairobi"}
        )
        assert outcome.policy == "P6"

    def test_return_windows_from_demo_orders(self, registry: ToolRegistry, office: DemoBackOffice) -> None:
        electronics = office.orders["SO-10018"]
        furniture = office.orders["SO-10019"]
        late = registry.check("return_item", context(electronics.customer_id), {"order_id": "SO-10018"})
        assert (late.status, late.reason, late.policy) == ("refused", "policy.return_window_passed", "P1")
        assert late.facts["days"] == "14"
        inside = registry.check("return_item", context(furniture.customer_id), {"order_id": "SO-10019"})
        assert inside.ok

    def test_out_of_stock_and_cod_limit(self, registry: ToolRegistry) -> None:
        empty = registry.check("place_order", context("C-001"), {"sku": "BH-1004", "quantity": 1})
        assert empty.reason == "policy.out_of_stock"
        cheapest_in_stock = registry.check("check_stock", context(None), {"sku": "BH-1001"})
        assert cheapest_in_stock.ok
        assert cheapest_in_stock.data["product"]["sku"] == "BH-1001"


@pytest.mark.db
class TestSubmit:
    def test_confirmed_action_enqueues_once(
        self, db: Session, registry: ToolRegistry, office: DemoBackOffice
    ) -> None:
        order_id, owner = order_of(office, "pending")
        for _ in range(3):  # double click, network retry
            outcome, job = registry.submit(
                db, "cancel_order", context(owner), {"order_id": order_id}, turn="m-7"
            )
            assert outcome.ok
            assert job is not None
        assert db.scalar(select(func.count()).select_from(Job)) == 1
        assert job.payload == {"order_id": order_id}
        assert job.conversation_id == "conv-1"

    def test_refused_action_enqueues_nothing(
        self, db: Session, registry: ToolRegistry, office: DemoBackOffice
    ) -> None:
        order_id, owner = order_of(office, "shipped")
        outcome, job = registry.submit(db, "cancel_order", context(owner), {"order_id": order_id}, turn="m-1")
        assert job is None
        assert outcome.status == "refused"
        assert db.scalar(select(func.count()).select_from(Job)) == 0


@pytest.mark.unit
def test_langchain_view_never_enqueues(registry: ToolRegistry, office: DemoBackOffice) -> None:
    order_id, owner = order_of(office, "pending")
    tools = {tool.name: tool for tool in registry.langchain_tools(context(owner))}
    assert set(tools) == {
        "order_status",
        "check_stock",
        "place_order",
        "cancel_order",
        "return_item",
        "change_address",
        "request_invoice",
        "file_document",
    }
    result = tools["cancel_order"].invoke({"order_id": order_id})
    assert result["status"] == "ok"
    assert "order_id" in tools["cancel_order"].args


class BrokenBackOffice(DemoBackOffice):
    """A back office whose screens time out."""

    def get_order(self, order_id: str) -> OrderView | None:
        raise TimeoutError("ERP did not answer")


@pytest.mark.db
def test_an_unreachable_back_office_is_an_apology_not_an_error(db: Session, demo_chat_engine: object) -> None:
    from bot.engine import ConversationEngine
    from tandem.config import get_settings
    from tandem.seed import seed_front_office

    assert isinstance(demo_chat_engine, ConversationEngine)
    seed_front_office(db, get_settings())
    engine = ConversationEngine(
        understanding=demo_chat_engine.understanding,
        tools=ToolRegistry(BrokenBackOffice(TODAY)),
        knowledge=None,
    )
    conversation = engine.open(db)
    engine.handle(db, conversation, "I want to cancel order SO-10049")
    result = engine.handle(db, conversation, "amina.wanjiku@example.com")
    assert "can't reach our order system" in result.messages[-1].text
    assert result.awaiting == "verification"  # nothing lost: the customer can try again
    assert db.scalar(select(func.count()).select_from(Job)) == 0
