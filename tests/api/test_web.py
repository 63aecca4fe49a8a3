"""The demo shop page, the widget's assets and its UI strings."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.web import STATIC_DIR
from tandem.config import get_settings
from tandem.db import get_engine
from tandem.i18n import LANGUAGES, keys
from tandem.security import customer_token

pytestmark = pytest.mark.unit

WIDGET_KEYS = {key for key in keys("en") if key.startswith(("widget.", "quick."))}


@pytest.fixture
def client() -> Iterator[TestClient]:
    get_engine.cache_clear()
    with TestClient(create_app()) as client:
        yield client
    get_engine.cache_clear()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html"),
        ("/widget.js", "text/javascript"),
        ("/widget.css", "text/css"),
        ("/static/shop.css", "text/css"),
        ("/api/v1/i18n/en", "application/json"),
    ],
)
def test_pages_and_assets_have_their_content_types(client: TestClient, path: str, content_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)


def test_templates_are_not_served(client: TestClient) -> None:
    assert client.get("/static/templates/shop.html").status_code == 404


@pytest.mark.parametrize("lang", LANGUAGES)
def test_i18n_has_every_widget_string(client: TestClient, lang: str) -> None:
    body = client.get(f"/api/v1/i18n/{lang}").json()
    assert body["language"] == lang
    assert body["dir"] == ("rtl" if lang in {"ar", "fa"} else "ltr")
    assert set(body["messages"]) == WIDGET_KEYS
    assert all(text.strip() for text in body["messages"].values())
    english = client.get("/api/v1/i18n/en").json()["messages"]
    for key, text in body["messages"].items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", english[key])), key


def test_i18n_is_translated(client: TestClient) -> None:
    polish = client.get("/api/v1/i18n/pl").json()["messages"]
    assert polish["widget.send"] == "Wyślij"
    assert polish["widget.job_running"].count("{job}") == 1
    assert {"widget.job_running", "widget.sources", "widget.attach_failed", "quick.human"} <= WIDGET_KEYS


@pytest.mark.parametrize("lang", ["xx", "EN", "en-US", "..", "de", "other"])
def test_i18n_unknown_language_is_404(client: TestClient, lang: str) -> None:
    response = client.get(f"/api/v1/i18n/{lang}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_shop_embeds_the_widget_with_one_script_tag(client: TestClient) -> None:
    html = client.get("/?lang=pl").text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) == 1
    assert 'src="http://testserver/widget.js"' in scripts[0]
    assert 'data-locale="pl"' in scripts[0]
    assert "data-customer-token" not in scripts[0]
    assert '<html lang="pl" dir="ltr">' in html


def test_shop_lists_a_dozen_products_with_prices(client: TestClient) -> None:
    html = client.get("/").text
    assert html.count('data-testid="product"') == 12
    assert "$39.90" in html
    assert "Bluetooth Speaker Mini" in html


def test_shop_in_arabic_is_right_to_left_with_localized_names(client: TestClient) -> None:
    html = client.get("/?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in html
    assert "سماعة بلوتوث صغيرة" in html
    assert 'data-locale="ar"' in html


def test_signed_in_demo_customer_passes_the_token(client: TestClient) -> None:
    html = client.get("/?lang=sw&customer=C-003").text
    token = customer_token(get_settings(), "C-003")
    assert f'data-customer-token="{token}"' in html
    assert "Grace Achieng Otieno" in html
    assert "lang=fa&amp;customer=C-003" in html


def test_shop_escapes_query_parameters(client: TestClient) -> None:
    attack = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    response = client.get("/", params={"lang": attack, "customer": attack})
    assert response.status_code == 200
    html = response.text
    assert "<img" not in html
    assert "alert(2)</script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'data-testid="unknown-customer"' in html
    assert '<html lang="en" dir="ltr">' in html
    assert "data-customer-token" not in html
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_widget_never_parses_text_as_html() -> None:
    source = (STATIC_DIR / "widget.js").read_text("utf-8")
    assert "innerHTML" not in source
    assert "outerHTML" not in source
    assert "insertAdjacentHTML" not in source
    assert "document.write" not in source
