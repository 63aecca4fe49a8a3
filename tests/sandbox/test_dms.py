"""DMS: folders, upload with metadata, search and download."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.sandbox.conftest import post_form

pytestmark = [pytest.mark.unit]

PHOTO = b"\x89PNG\r\n\x1a\nfake-photo-bytes"


def upload(client: TestClient, customer_id: str = "C-001", content: bytes = PHOTO, **fields: Any) -> Any:
    data = {
        "doc_type": "damage_photo",
        "order_id": "SO-10049",
        "notes": "Cracked lid",
        "reference": "",
        **fields,
    }
    files = {"file": ("lid.png", content, "image/png")}
    return post_form(client, f"/dms/folders/{customer_id}", data, files=files)


class TestUpload:
    def test_upload_then_download(self, staff: TestClient) -> None:
        response = upload(staff, reference="doc-job-1")
        assert str(response.url).endswith("/dms/documents/DOC-0001")
        assert 'data-testid="document-type">damage_photo<' in response.text
        download = staff.get("/dms/documents/DOC-0001/download")
        assert download.content == PHOTO
        assert "attachment" in download.headers["content-disposition"]

    def test_folder_lists_documents(self, staff: TestClient) -> None:
        upload(staff)
        page = staff.get("/dms/folders/C-001").text
        assert page.count('data-testid="document-row"') == 1
        assert "1 document(s)" in staff.get("/dms").text

    def test_duplicate_reference_shows_existing(self, staff: TestClient) -> None:
        upload(staff, reference="doc-job-2")
        again = upload(staff, reference="doc-job-2")
        assert str(again.url).endswith("/dms/documents/DOC-0001")

    @pytest.mark.parametrize(
        ("fields", "content", "message"),
        [
            ({"doc_type": "selfie"}, PHOTO, "Choose a document type."),
            ({}, b"", "Choose a non-empty file"),
            ({"order_id": "SO-10003"}, PHOTO, "belongs to another customer"),
            ({"order_id": "SO-77777"}, PHOTO, "Unknown order"),
        ],
    )
    def test_bad_upload_is_shown_on_the_form(
        self, staff: TestClient, fields: dict[str, str], content: bytes, message: str
    ) -> None:
        response = upload(staff, content=content, **fields)
        assert response.status_code == 422
        assert message in response.text


class TestSearch:
    def test_search_by_each_criterion(self, staff: TestClient) -> None:
        upload(staff, reference="doc-job-3")
        upload(staff, "C-005", doc_type="tax_certificate", order_id="", reference="")
        for params in (
            {"customer": "Amina"},
            {"order_id": "so-10049"},
            {"doc_type": "damage_photo"},
            {"reference": "doc-job-3"},
        ):
            page = staff.get("/dms/search", params=params).text
            assert page.count('data-testid="document-row"') == 1, params
            assert 'data-document-id="DOC-0001"' in page
        page = staff.get("/dms/search", params={"doc_type": "tax_certificate"}).text
        assert 'data-document-id="DOC-0002"' in page
