"""ERP sales-order screens: list, create, cancel, change address, invoice."""

from __future__ import annotations

import io
import re
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.sandbox.conftest import post_form

pytestmark = [pytest.mark.unit]


def order_form(**overrides: Any) -> dict[str, Any]:
    """A valid create-order submission, confirmed."""
    form: dict[str, Any] = {
        "customer_id": "C-001",
        "sku": ["BH-1001"],
        "qty": ["2"],
        "delivery": "standard",
        "payment_method": "card",
        "reference": "",
        "action": "confirm",
    }
    return {**form, **overrides}


def stock_of(client: TestClient, sku: str) -> int:
    page = client.get("/erp/products", params={"q": sku}).text
    match = re.search(r'data-testid="product-stock">(\d+)<', page)
    assert match
    return int(match.group(1))


class TestOrderList:
    def test_first_page_has_twenty_rows(self, staff: TestClient) -> None:
        page = staff.get("/erp/orders").text
        assert page.count('data-testid="order-row"') == 20
        assert "Page 1 of 3 · 60 record(s)" in page

    def test_search_by_customer_email(self, staff: TestClient) -> None:
        page = staff.get("/erp/orders", params={"q": "amina.wanjiku@"}).text
        ids = set(re.findall(r'data-order-id="(SO-\d+)"', page))
        assert "SO-10049" in ids
        assert "SO-10041" in ids

    def test_status_filter(self, staff: TestClient) -> None:
        page = staff.get("/erp/orders", params={"status": "cancelled"}).text
        assert page.count('data-testid="order-row"') == 5

    def test_search_input_is_escaped(self, staff: TestClient) -> None:
        page = staff.get("/erp/orders", params={"q": "<script>x</script>"}).text
        assert "<script>x</script>" not in page
        assert 'data-testid="no-results"' in page

    def test_unknown_order_is_a_404_page(self, staff: TestClient) -> None:
        response = staff.get("/erp/orders/SO-99999")
        assert response.status_code == 404
        assert "Order SO-99999 not found." in response.text


class TestCreateOrder:
    def test_review_shows_confirmation_step(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/new", order_form(action="review"))
        assert response.status_code == 200
        assert "Confirm new sales order" in response.text
        assert 'data-testid="confirm-total">$79.80<' in response.text

    def test_add_line_keeps_what_was_typed(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/new", order_form(action="add_line", reference="keep-me"))
        assert response.text.count('data-testid="line-row"') == 2
        assert 'value="keep-me"' in response.text

    def test_confirm_creates_order_and_takes_stock(self, staff: TestClient) -> None:
        before = stock_of(staff, "BH-1001")
        response = post_form(staff, "/erp/orders/new", order_form(reference="job-123"))
        assert response.status_code == 200
        assert str(response.url).endswith("/erp/orders/SO-10061")
        assert 'data-testid="order-status">pending<' in response.text
        assert 'data-testid="order-reference">job-123<' in response.text
        assert "Order SO-10061 created." in response.text
        assert stock_of(staff, "BH-1001") == before - 2
        listed = staff.get("/erp/orders", params={"q": "job-123"}).text
        assert re.findall(r'data-order-id="(SO-\d+)"', listed) == ["SO-10061"]

    def test_duplicate_reference_shows_existing_order(self, staff: TestClient) -> None:
        post_form(staff, "/erp/orders/new", order_form(reference="idem-1"))
        before = stock_of(staff, "BH-1001")
        again = post_form(staff, "/erp/orders/new", order_form(reference="idem-1"))
        assert str(again.url).endswith("/erp/orders/SO-10061")
        assert "already used by SO-10061" in again.text
        assert stock_of(staff, "BH-1001") == before
        assert "SO-10062" not in staff.get("/erp/orders").text

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"sku": ["BH-9999"]}, "unknown product SKU"),
            ({"sku": ["BH-1004"], "qty": ["1"]}, "Over-Ear Headphones is out of stock."),
            ({"sku": ["BH-1009"], "qty": ["5"]}, "Only 2 of BH-1009"),
            ({"qty": ["0"]}, "quantity must be at least 1"),
            ({"qty": ["-3"]}, "quantity must be at least 1"),
            ({"qty": ["two"]}, "quantity must be a whole number"),
            ({"customer_id": ""}, "Choose a customer."),
            ({"customer_id": "C-999"}, "Unknown customer"),
            ({"delivery": "drone"}, "Choose a delivery method."),
            (
                {"ship_street": "x" * 10_000, "ship_city": "Nairobi", "ship_country": "Kenya"},
                "Street is too long",
            ),
            ({"ship_street": "Somewhere 1"}, "City is required."),
            ({"reference": "r" * 500}, "Reference is too long"),
        ],
    )
    def test_bad_input_is_shown_on_the_form(
        self, staff: TestClient, overrides: dict[str, Any], message: str
    ) -> None:
        response = post_form(staff, "/erp/orders/new", order_form(**overrides))
        assert response.status_code == 422
        assert 'data-testid="form-error"' in response.text
        assert message in response.text
        assert "<h1>New sales order</h1>" in response.text

    def test_empty_form_is_a_visible_error(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/new", {})
        assert response.status_code == 422
        assert "Choose a customer." in response.text
        assert "Add at least one product line" in response.text

    def test_error_keeps_typed_values(self, staff: TestClient) -> None:
        response = post_form(
            staff, "/erp/orders/new", order_form(qty=["0"], reference="<b>mine</b>", customer_id="C-003")
        )
        assert 'value="&lt;b&gt;mine&lt;/b&gt;"' in response.text
        assert 'value="C-003" selected' in response.text

    def test_other_address_and_express(self, staff: TestClient) -> None:
        form = order_form(
            delivery="express",
            ship_street="Moi Avenue 1",
            ship_city="Nairobi",
            ship_postal_code="00100",
            ship_country="Kenya",
        )
        page = post_form(staff, "/erp/orders/new", form).text
        assert "Moi Avenue 1" in page
        assert 'data-testid="order-shipping">$15.00<' in page


class TestCancelOrder:
    def test_pending_order_can_be_cancelled_and_restocks(self, staff: TestClient) -> None:
        before = stock_of(staff, "BH-1026")
        response = post_form(staff, "/erp/orders/SO-10049/cancel", {"reason": "customer_request"})
        assert 'data-testid="order-status">cancelled<' in response.text
        assert stock_of(staff, "BH-1026") == before + 1
        assert "Reason: customer_request." in response.text

    def test_shipped_order_is_refused(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/SO-10031/cancel", {"reason": "customer_request"})
        assert response.status_code == 409
        assert "Order already shipped — cannot cancel" in response.text
        assert 'data-testid="order-status">shipped<' in response.text

    def test_cancel_page_of_delivered_order_explains(self, staff: TestClient) -> None:
        response = staff.get("/erp/orders/SO-10001/cancel")
        assert response.status_code == 409
        assert "Order already delivered — cannot cancel" in response.text

    def test_reason_is_required(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/SO-10049/cancel", {"reason": ""})
        assert response.status_code == 422
        assert "Choose a cancellation reason." in response.text


class TestChangeAddress:
    address: ClassVar[dict[str, str]] = {
        "street": "Kenyatta Ave 9",
        "city": "Nairobi",
        "postal_code": "00200",
        "country": "Kenya",
    }

    def test_processing_order_address_changes(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/SO-10041/address", self.address)
        assert "Kenyatta Ave 9" in response.text
        assert "Shipping address of SO-10041 updated." in response.text
        assert "Address changed" in response.text

    def test_shipped_order_is_refused(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/SO-10031/address", self.address)
        assert response.status_code == 409
        assert "the shipping address can no longer be changed" in response.text

    def test_huge_address_is_a_form_error(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/SO-10041/address", {**self.address, "street": "y" * 10_000})
        assert response.status_code == 422
        assert "Street is too long" in response.text


class TestFulfilmentAndInvoice:
    def test_advance_to_shipped_sets_tracking(self, staff: TestClient) -> None:
        post_form(staff, "/erp/orders/SO-10041/advance", {})
        page = staff.get("/erp/orders/SO-10041").text
        assert 'data-testid="order-status">shipped<' in page
        assert re.search(r'data-testid="tracking-number">BHX\d{9}<', page)

    def test_invoice_pdf_download(self, staff: TestClient) -> None:
        response = staff.get("/erp/orders/SO-10001/invoice.pdf")
        assert response.headers["content-type"] == "application/pdf"
        assert 'attachment; filename="INV-2026-0001.pdf"' == response.headers["content-disposition"]
        text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
        assert "INV-2026-0001" in text
        assert "SO-10001" in text
