"""The ERP bot against the real sandbox screens in real Chromium."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from rpa.backoffice import SandboxBackOffice
from rpa.bots import SandboxErpBot
from rpa.errors import BusinessError
from rpa.evidence import RunRecorder
from rpa.jobs import CancelOrder, ChangeAddress, PlaceOrder, RequestInvoice, ReturnItem
from tests.rpa.bots.support import Sandbox

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def new_key() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


class TestLookups:
    def test_order_is_read_from_the_order_and_customer_screens(self, sandbox: Sandbox) -> None:
        order = SandboxBackOffice(sandbox.pool).get_order("SO-10001")
        assert order is not None
        assert (order.customer_id, order.customer_email) == ("C-013", "dariush.karimi@example.net")
        assert order.customer_phone == "+971552345613"
        assert order.status == "delivered"
        assert [(line.sku, line.quantity, line.unit_price_cents, line.category) for line in order.lines] == [
            ("BH-1014", 1, 3200, "kitchen"),
            ("BH-1004", 1, 12900, "electronics"),
        ]
        assert order.total_cents == 16100
        assert (order.tracking_number, order.invoice_number) == ("BHX293428393", "INV-2026-0001")
        assert order.payment_method == "bank_transfer"
        assert order.shipping_address == "Corniche Road, Office 1204, Abu Dhabi, United Arab Emirates"
        placed, delivered = sandbox.query(
            "SELECT placed_on, delivered_on FROM sales_orders WHERE id = 'SO-10001'"
        )[0]
        assert (str(order.created_on), str(order.delivered_on)) == (placed, delivered)

    def test_unknown_order_is_none(self, sandbox: Sandbox) -> None:
        assert SandboxBackOffice(sandbox.pool).get_order("SO-99999") is None

    def test_product_with_current_stock(self, sandbox: Sandbox) -> None:
        product = SandboxBackOffice(sandbox.pool).get_product("BH-1007")
        assert product is not None
        stock = sandbox.query("SELECT stock FROM products WHERE sku = 'BH-1007'")[0][0]
        assert (product.price_cents > 0, product.stock) == (True, stock)

    def test_unknown_product_is_none(self, sandbox: Sandbox) -> None:
        assert SandboxBackOffice(sandbox.pool).get_product("BH-9999") is None


class TestPlaceOrder:
    def test_order_is_created_with_the_key_as_reference(self, sandbox: Sandbox, tmp_path: Path) -> None:
        key = new_key()
        recorder = RunRecorder(tmp_path / "evidence")
        result = sandbox.run(
            SandboxErpBot, PlaceOrder(customer_id="C-001", sku="BH-1001", quantity=2), key, recorder
        )
        rows = sandbox.query(
            "SELECT o.id, o.customer_id, o.status, o.total_cents, l.sku, l.qty FROM sales_orders o "
            "JOIN order_lines l ON l.order_id = o.id WHERE o.reference = ?",
            key,
        )
        assert rows == [(result["order_id"], "C-001", "pending", result["total_cents"], "BH-1001", 2)]
        assert result["existing"] is False
        assert [step.name for step in recorder.steps] == [
            "fill the new order",
            "review the order",
            "confirm the order",
        ]
        assert all(step.screenshot for step in recorder.steps)
        for step in recorder.steps:  # a PNG of the whole 1024 × 900 viewport, as ops see it
            head = Path(str(step.screenshot)).read_bytes()[:24]
            assert head[:8] == b"\x89PNG\r\n\x1a\n"
            assert (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")) == (1024, 900)

    def test_fields_other_than_the_form_defaults_are_set(self, sandbox: Sandbox) -> None:
        key = new_key()
        payload = PlaceOrder(
            customer_id="C-004", sku="BH-1003", quantity=3, delivery="express", payment_method="mpesa"
        )
        sandbox.run(SandboxErpBot, payload, key)
        rows = sandbox.query(
            "SELECT o.delivery, o.payment_method, l.qty FROM sales_orders o "
            "JOIN order_lines l ON l.order_id = o.id WHERE o.reference = ?",
            key,
        )
        assert rows == [("express", "mpesa", 3)]

    def test_the_same_key_twice_leaves_one_order(self, sandbox: Sandbox) -> None:
        key, payload = new_key(), PlaceOrder(customer_id="C-002", sku="BH-1003", quantity=1)
        first = sandbox.run(SandboxErpBot, payload, key)
        second = sandbox.run(SandboxErpBot, payload, key)
        assert second == {**first, "existing": True}
        assert sandbox.count_by_reference("order", key) == 1

    def test_unknown_sku_is_a_business_error(self, sandbox: Sandbox) -> None:
        with pytest.raises(BusinessError, match="Unknown product SKU BH-9999"):
            sandbox.run(SandboxErpBot, PlaceOrder(customer_id="C-001", sku="BH-9999", quantity=1), new_key())

    def test_out_of_stock_is_a_business_error_with_the_erp_message(self, sandbox: Sandbox) -> None:
        key = new_key()
        with pytest.raises(BusinessError, match=r"BH-1004 .* is out of stock"):
            sandbox.run(SandboxErpBot, PlaceOrder(customer_id="C-001", sku="BH-1004", quantity=1), key)
        assert sandbox.count_by_reference("order", key) == 0

    def test_unknown_customer_is_a_business_error(self, sandbox: Sandbox) -> None:
        with pytest.raises(BusinessError, match="Unknown customer C-999"):
            sandbox.run(SandboxErpBot, PlaceOrder(customer_id="C-999", sku="BH-1001", quantity=1), new_key())


class TestCancel:
    def test_pending_order_is_cancelled_once(self, sandbox: Sandbox) -> None:
        key = new_key()
        first = sandbox.run(SandboxErpBot, CancelOrder(order_id="SO-10049"), key)
        again = sandbox.run(SandboxErpBot, CancelOrder(order_id="SO-10049"), key)
        assert (first["existing"], again["existing"]) == (False, True)
        assert sandbox.order_status("SO-10049") == "cancelled"
        events = sandbox.query(
            "SELECT count(*) FROM order_events WHERE order_id = 'SO-10049' AND action = 'cancelled'"
        )
        assert events == [(1,)]

    def test_shipped_order_cannot_be_cancelled(self, sandbox: Sandbox) -> None:
        with pytest.raises(BusinessError, match="Order already shipped — cannot cancel"):
            sandbox.run(SandboxErpBot, CancelOrder(order_id="SO-10031"), new_key())
        assert sandbox.order_status("SO-10031") == "shipped"


class TestReturn:
    def test_rma_is_opened_once_per_key(self, sandbox: Sandbox) -> None:
        key, payload = new_key(), ReturnItem(order_id="SO-10003", sku="BH-1015", reason="defective")
        first = sandbox.run(SandboxErpBot, payload, key)
        second = sandbox.run(SandboxErpBot, payload, key)
        assert first["rma"] == second["rma"]
        assert second["existing"] is True
        assert sandbox.count_by_reference("rma", key) == 1
        assert sandbox.query("SELECT sku, qty FROM return_lines WHERE rma_id = ?", first["rma"]) == [
            ("BH-1015", 1)
        ]

    def test_undelivered_order_cannot_be_returned(self, sandbox: Sandbox) -> None:
        with pytest.raises(BusinessError, match="only delivered orders can be returned"):
            sandbox.run(SandboxErpBot, ReturnItem(order_id="SO-10035"), new_key())

    def test_sku_not_on_the_order(self, sandbox: Sandbox) -> None:
        with pytest.raises(BusinessError, match="BH-1001 is not on order SO-10007"):
            sandbox.run(SandboxErpBot, ReturnItem(order_id="SO-10007", sku="BH-1001"), new_key())


class TestChangeAddress:
    def test_open_order_ships_to_the_new_address(self, sandbox: Sandbox) -> None:
        payload = ChangeAddress(order_id="SO-10050", address="Moi Avenue 12, 00200 Nairobi, Kenya")
        result = sandbox.run(SandboxErpBot, payload, new_key())
        assert result["address"] == "Moi Avenue 12, 00200 Nairobi, Kenya"
        assert sandbox.query(
            "SELECT ship_street, ship_postal_code, ship_city, ship_country FROM sales_orders "
            "WHERE id = 'SO-10050'"
        ) == [("Moi Avenue 12", "00200", "Nairobi", "Kenya")]
        assert sandbox.run(SandboxErpBot, payload, new_key())["existing"] is True

    def test_shipped_order_keeps_its_address(self, sandbox: Sandbox) -> None:
        with pytest.raises(BusinessError, match="can no longer be changed"):
            sandbox.run(
                SandboxErpBot, ChangeAddress(order_id="SO-10033", address="Moi Avenue 1, Nairobi"), new_key()
            )


class TestInvoice:
    def test_invoice_pdf_is_saved_under_the_artifacts_dir(self, sandbox: Sandbox) -> None:
        result = sandbox.run(SandboxErpBot, RequestInvoice(order_id="SO-10002"), new_key())
        assert result["invoice_number"] == "INV-2026-0002"
        path = sandbox.settings.resolved_artifacts_dir / "invoices" / "SO-10002-INV-2026-0002.pdf"
        assert result["invoice_path"] == str(path)
        assert path.read_bytes().startswith(b"%PDF")

    def test_unknown_order_has_no_invoice(self, sandbox: Sandbox) -> None:
        with pytest.raises(BusinessError, match="SO-99999 not found"):
            sandbox.run(SandboxErpBot, RequestInvoice(order_id="SO-99999"), new_key())
