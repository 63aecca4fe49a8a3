"""Every read-only screen renders as escaped HTML, and bad URLs give HTML error pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.sandbox.conftest import post_form

pytestmark = [pytest.mark.unit]


class TestScreens:
    @pytest.mark.parametrize(
        "path",
        [
            "/erp",
            "/erp/orders?page=2",
            "/erp/orders/SO-10006",
            "/erp/orders/new",
            "/erp/orders/new?customer_id=C-004",
            "/erp/orders/SO-10049/cancel",
            "/erp/orders/SO-10049/address",
            "/erp/orders/SO-10003/return",
            "/erp/customers",
            "/erp/customers?q=example.org",
            "/erp/customers/C-006",
            "/erp/products?q=kettle",
            "/erp/returns",
            "/dms",
            "/dms/folders/C-002",
            "/dms/search",
            "/dms/search?doc_type=other",
        ],
    )
    def test_page_renders(self, staff: TestClient, path: str) -> None:
        response = staff.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert '<html lang="en">' in response.text

    def test_return_detail(self, staff: TestClient) -> None:
        post_form(
            staff,
            "/erp/orders/SO-10003/return",
            {"return_qty_BH-1002": "1", "reason": "defective", "resolution": "repair"},
        )
        page = staff.get("/erp/returns/RMA-0001").text
        assert 'data-testid="rma-reason">defective<' in page

    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/erp/orders?page=abc", 422),
            ("/erp/nowhere", 404),
            ("/erp/returns/RMA-9999", 404),
            ("/dms/documents/DOC-9999", 404),
            ("/erp/customers/C-999", 404),
        ],
    )
    def test_bad_urls_get_html_error_pages(self, staff: TestClient, path: str, status: int) -> None:
        response = staff.get(path)
        assert response.status_code == status
        assert 'data-testid="form-error"' in response.text

    def test_out_of_range_page_is_clamped(self, staff: TestClient) -> None:
        assert "Page 3 of 3" in staff.get("/erp/orders?page=99").text
