"""Help-centre pages that citations point to; server paths never leak into citations."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import help as help_centre
from api.errors import install_error_handlers
from bot.citations import HELP_CENTRE, public_link

pytestmark = pytest.mark.unit


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(help_centre.router)
    return TestClient(app)


def test_article_renders_with_heading_anchors_and_direction(client: TestClient) -> None:
    page = client.get("/help/fa/returns-and-refunds")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert ' id="' in page.text


def test_every_language_has_an_index(client: TestClient) -> None:
    for language in ("en", "ar", "fa", "sw", "pl"):
        assert client.get(f"/help/{language}").status_code == 200


@pytest.mark.parametrize(
    "path", ["/help/xx/returns", "/help/en/..%2F..%2Fetc", "/help/files/en/.hidden", "/help/en/nope"]
)
def test_unknown_or_traversing_paths_are_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_files_are_served(client: TestClient) -> None:
    response = client.get("/help/files/en/warranty-terms.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


class TestPublicLink:
    def test_markdown_article(self) -> None:
        source = str(HELP_CENTRE / "pl" / "payment-methods.md")
        assert public_link(source, "blik", "http://shop") == "http://shop/help/pl/payment-methods#blik"

    def test_other_files(self) -> None:
        source = str(HELP_CENTRE / "en" / "warranty-terms.pdf")
        assert public_link(source, "page=2") == "/help/files/en/warranty-terms.pdf#page=2"

    def test_urls_stay_and_local_paths_vanish(self) -> None:
        assert public_link("https://example.com/a#x", "b") == "https://example.com/a#b"
        assert public_link("/srv/uploads/secret-notes.md") == ""
