"""Web pages and assets: the Baobab Home demo shop, the embeddable chat widget, its UI strings.

Any page embeds the widget with one tag::

    <script src="https://HOST/widget.js" data-locale="pl" data-customer-token="ct_…" async></script>

``/widget.js`` builds its launcher and panel in a shadow DOM (styles from ``/widget.css``)
and reads its UI strings from ``/api/v1/i18n/{lang}``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.schemas import RTL_LANGUAGES
from tandem.config import DEMO_DATA_DIR, Settings
from tandem.errors import NotFound
from tandem.i18n import FALLBACK, LANGUAGES, catalogue, keys, t
from tandem.security import customer_token

STATIC_DIR = Path(__file__).parent / "static"
WIDGET_KEY_PREFIXES = ("widget.", "quick.")
LANGUAGE_NAMES = {"en": "English", "ar": "العربية", "fa": "فارسی", "sw": "Kiswahili", "pl": "Polski"}
SHOP_PRODUCTS_PER_CATEGORY = 2
ASSET_CACHE = "public, max-age=300"
SHOP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

router = APIRouter(tags=["web"])


def mount_web(app: FastAPI) -> None:
    """Serve the demo shop, the widget's script and styles, and its UI strings."""
    app.include_router(router)


def text_direction(language: str) -> str:
    return "rtl" if language in RTL_LANGUAGES else "ltr"


@cache
def widget_strings(language: str) -> dict[str, str]:
    """The widget's UI strings in ``language``, with their ``{placeholders}`` unformatted."""
    translations = catalogue(language)
    return {
        key: translations.gettext(key)
        for key in sorted(keys(FALLBACK))
        if key.startswith(WIDGET_KEY_PREFIXES)
    }


@router.get("/api/v1/i18n/{lang}", summary="The chat widget's UI strings in one language")
def widget_i18n(lang: str) -> JSONResponse:
    """``{"language", "dir", "messages": {key: text}}``; unknown languages are a 404."""
    if lang not in LANGUAGES:
        raise NotFound(f"no UI strings for language {lang[:20]!r}; try one of {', '.join(LANGUAGES)}")
    return JSONResponse(
        {"language": lang, "dir": text_direction(lang), "messages": widget_strings(lang)},
        headers={"Cache-Control": ASSET_CACHE},
    )


@router.get("/widget.js", include_in_schema=False)
def widget_js() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": ASSET_CACHE},
    )


@router.get("/widget.css", include_in_schema=False)
def widget_css() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "widget.css",
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": ASSET_CACHE},
    )


@router.get("/static/shop.css", include_in_schema=False)
def shop_css() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "shop.css", media_type="text/css; charset=utf-8", headers={"Cache-Control": ASSET_CACHE}
    )


def _demo(name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((DEMO_DATA_DIR / f"{name}.json").read_text("utf-8"))
    return records


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(STATIC_DIR / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _shop_products() -> tuple[dict[str, Any], ...]:
    """A dozen products: the first two of each category, in catalogue order."""
    taken: dict[str, int] = {}
    chosen = []
    for product in _demo("catalog"):
        category = str(product["category"])
        if taken.get(category, 0) < SHOP_PRODUCTS_PER_CATEGORY:
            taken[category] = taken.get(category, 0) + 1
            chosen.append(product)
    return tuple(chosen)


@cache
def _demo_customers() -> dict[str, dict[str, Any]]:
    return {str(c["id"]): c for c in _demo("customers")}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def shop_page(request: Request, lang: str = "", customer: str = "") -> HTMLResponse:
    """The Baobab Home demo shop with the chat widget embedded by one script tag."""
    language = lang if lang in LANGUAGES else FALLBACK
    settings: Settings = request.app.state.settings
    known = _demo_customers().get(customer)
    products = [
        {
            "sku": p["sku"],
            "name": p.get("names", {}).get(language) or p["name"],
            "category": p["category"],
            "category_label": t(f"shop.category.{p['category']}", language),
            "price": f"${p['price_usd']:,.2f}",
            "in_stock": p["stock"] > 0,
        }
        for p in _shop_products()
    ]
    template = _templates().get_template("shop.html")
    html = template.render(
        lang=language,
        dir=text_direction(language),
        t=lambda key, **params: t(key, language, **params),
        languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        products=products,
        customer_id=known["id"] if known else "",
        customer_name=known["name"] if known else "",
        customer_token=customer_token(settings, str(known["id"])) if known else "",
        unknown_customer=customer[:40] if customer and not known else "",
        customers=[(c["id"], c["name"]) for c in _demo_customers().values()],
        widget_src=str(request.url_for("widget_js")),
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": SHOP_CSP, "Cache-Control": "no-store"})
