"""Returns (RMA) against delivered orders."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.sandbox.conftest import post_form

pytestmark = [pytest.mark.unit]


def return_form(**overrides: Any) -> dict[str, Any]:
    """A valid return of one unit of SO-10003's BH-1015."""
    form = {
        "return_qty_BH-1015": "1",
        "return_qty_BH-1002": "0",
        "reason": "damaged",
        "resolution": "refund",
        "notes": "Box crushed",
        "reference": "",
    }
    return {**form, **overrides}


class TestCreateReturn:
    def test_delivered_order_gets_an_rma(self, staff: TestClient) -> None:
        response = post_form(staff, "/erp/orders/SO-10003/return", return_form(reference="rma-job-1"))
        assert str(response.url).endswith("/erp/returns/RMA-0001")
        assert 'data-testid="rma-reference">rma-job-1<' in response.text
        assert 'data-testid="rma-status">open<' in response.text
        listed = staff.get("/erp/returns", params={"q": "rma-job-1"}).text
        assert 'data-rma-id="RMA-0001"' in listed
        assert "RMA-0001 opened" in staff.get("/erp/orders/SO-10003").text

    def test_duplicate_reference_shows_existing_rma(self, staff: TestClient) -> None:
        post_form(staff, "/erp/orders/SO-10003/return", return_form(reference="rma-job-2"))
        again = post_form(staff, "/erp/orders/SO-10003/return", return_form(reference="rma-job-2"))
        assert str(again.url).endswith("/erp/returns/RMA-0001")
        assert "RMA-0002" not in staff.get("/erp/returns").text

    def test_cannot_return_more_than_delivered(self, staff: TestClient) -> None:
        post_form(staff, "/erp/orders/SO-10003/return", return_form())
        again = post_form(staff, "/erp/orders/SO-10003/return", return_form())
        assert again.status_code == 422
        assert "BH-1015: only 0 unit(s) can still be returned." in again.text

    @pytest.mark.parametrize("order_id", ["SO-10031", "SO-10049", "SO-10004"])
    def test_undelivered_order_is_refused(self, staff: TestClient, order_id: str) -> None:
        response = post_form(staff, f"/erp/orders/{order_id}/return", return_form())
        assert response.status_code == 409
        assert "only delivered orders can be returned" in response.text
        assert staff.get(f"/erp/orders/{order_id}/return").status_code == 409

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"reason": ""}, "Choose a return reason."),
            ({"return_qty_BH-1015": "0"}, "Enter a quantity to return"),
            ({"return_qty_BH-1015": "abc"}, "quantity must be a whole number"),
            ({"notes": "n" * 10_000}, "Notes are too long"),
        ],
    )
    def test_bad_input_is_shown_on_the_form(
        self, staff: TestClient, overrides: dict[str, Any], message: str
    ) -> None:
        response = post_form(staff, "/erp/orders/SO-10003/return", return_form(**overrides))
        assert response.status_code == 422
        assert message in response.text
        assert "Create return (RMA) for SO-10003" in response.text
