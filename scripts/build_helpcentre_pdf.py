"""Build the English warranty terms PDF of the Baobab Home help centre.

Run from the repository root: ``uv run python knowledge/helpcentre/_build_pdf.py``.
The text restates policy P7 of CONTRACT.md (with P1, P3, P9, P10 and P14 where the
terms refer to them); the annex lists every product of the demo catalogue with its
warranty and return period, read from ``tandem/demo/catalog.json``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright
from pypdf import PdfReader, PdfWriter

REPO = Path(__file__).resolve().parents[1]
HERE = REPO / "knowledge" / "helpcentre"
CATALOG = REPO / "tandem" / "demo" / "catalog.json"
OUTPUT = HERE / "en" / "warranty-terms.pdf"

TITLE = "Baobab Home warranty terms"
UPDATED = "2026-11-01"
ARTICLE = "warranty-terms"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

CATEGORY_LABELS = {
    "electronics": "Electronics",
    "furniture": "Furniture",
    "homeware": "Homeware",
    "kitchen": "Kitchen",
    "lighting": "Lighting",
    "textiles": "Textiles",
}

# Ligatures off: text extracted from the PDF must read "office", not "o\ufb03ce".
STYLE = """
@page { size: A4; margin: 22mm 20mm 24mm 20mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45;
       color: #1d1d1b; font-variant-ligatures: none; font-feature-settings: "liga" 0, "clig" 0; }
h1 { font-size: 20pt; color: #5a3e1b; margin: 0 0 4mm 0; }
h2 { font-size: 13pt; color: #5a3e1b; margin: 7mm 0 2mm 0; break-after: avoid; }
p, li { margin: 0 0 2mm 0; }
.meta { color: #666; font-size: 9pt; margin-bottom: 6mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm 0; font-size: 9.5pt; }
th, td { border: 1px solid #b9a88f; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #efe6d8; }
tr { break-inside: avoid; }
.annex { break-before: page; }
"""

TERMS = """
<h1>Baobab Home warranty terms</h1>
<p class="meta">Version of 2026-11-01 · Applies to all products sold by Baobab Home ·
Summary article: "Warranty and warranty claims"</p>

<h2>1. What this warranty is</h2>
<p>Baobab Home guarantees that the products it sells are free from manufacturing defects
for the warranty period shown below. This warranty is given in addition to any rights you
have under the consumer law of your country; it does not limit those rights.</p>

<h2>2. Warranty periods</h2>
<table>
<tr><th>Product category</th><th>Warranty period</th></tr>
<tr><td>Electronics</td><td>2 years</td></tr>
<tr><td>Furniture</td><td>1 year</td></tr>
<tr><td>Homeware</td><td>1 year</td></tr>
<tr><td>Kitchen, lighting and textiles</td><td>1 year</td></tr>
</table>
<p>The warranty period runs from the date of delivery of the product. The warranty period
of each product is listed in the annex.</p>

<h2>3. What is covered</h2>
<p>The warranty covers manufacturing defects: faults in materials or workmanship that
appear during normal household use in line with the instructions supplied with the
product. Examples: an electronic device that no longer switches on or charges, a chair
mechanism or desk motor that fails, a seam in a textile product that comes apart, a lamp
switch that stops working.</p>

<h2>4. What is not covered</h2>
<ul>
<li>Normal wear and tear, such as worn non-stick coatings, faded colours or scratches from use.</li>
<li>Accidental damage: drops, knocks, spills, burns and damage caused by pets.</li>
<li>Damage caused by not following the care, assembly or safety instructions, or by
professional or commercial use.</li>
<li>Products that have been modified, or repaired by anyone other than Baobab Home or a
service partner appointed by Baobab Home.</li>
<li>Damage in transport: report it within 48 hours of delivery, with photos, under the
"Damaged on arrival" procedure. We then send a replacement or a full refund.</li>
<li>A change of mind: use a return instead, within 30 days of delivery (14 days for
electronics), with the item unused and in its original packaging.</li>
</ul>

<h2>5. How to make a claim</h2>
<p>A warranty claim needs the invoice number of the order in which the product was bought.
Every order comes with a PDF invoice; the invoice number starts with INV-. To make a
claim, contact the Baobab Home assistant (available 24/7) or our human support team
(Monday to Saturday, 08:00–20:00 East Africa Time, UTC+3) and give:</p>
<ol>
<li>the invoice number;</li>
<li>the product concerned;</li>
<li>a description of the fault and, if possible, photos or a short video.</li>
</ol>
<p>A claim without an invoice number cannot be opened. If you have lost your invoice, ask
the assistant to send it again; it is sent only to the verified customer of the order.</p>

<h2>6. What we do</h2>
<p>If we confirm a manufacturing defect, Baobab Home will, at its choice, repair the
product or replace it with the same or an equivalent product. If neither repair nor
replacement is possible, we refund the price paid, to the original payment method. Return
shipping for a defective product is free of charge. A repaired or replaced product remains
covered for the rest of the original warranty period.</p>

<h2>7. If we reject a claim</h2>
<p>If the fault is not a manufacturing defect (see section 4), we explain why. You can ask
for the decision to be reviewed by a member of our human support team.</p>

<h2>8. Personal data</h2>
<p>We use the data in your claim only to handle the claim. You may ask for an export or
deletion of your personal data at any time; this is done within 30 days.</p>
"""


def _load_catalog() -> list[dict[str, Any]]:
    with CATALOG.open(encoding="utf-8") as fh:
        products: list[dict[str, Any]] = json.load(fh)
    return products


def _years(n: int) -> str:
    return "1 year" if n == 1 else f"{n} years"


def _annex(products: list[dict[str, Any]]) -> str:
    rows = "\n".join(
        "<tr>"
        f"<td>{html.escape(p['sku'])}</td>"
        f"<td>{html.escape(p['name'])}</td>"
        f"<td>{CATEGORY_LABELS[p['category']]}</td>"
        f"<td>{_years(int(p['warranty_years']))}</td>"
        f"<td>{int(p['return_days'])} days</td>"
        "</tr>"
        for p in products
    )
    return (
        '<section class="annex"><h2>Annex: warranty and return period per product</h2>'
        "<p>Return periods count from delivery; returned items must be unused and in their "
        "original packaging.</p><table><tr><th>SKU</th><th>Product</th><th>Category</th>"
        f"<th>Warranty</th><th>Return period</th></tr>{rows}</table></section>"
    )


def build_html() -> str:
    """The complete HTML document rendered into the PDF."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{TITLE}</title><style>{STYLE}</style></head><body>"
        f"{TERMS}{_annex(_load_catalog())}</body></html>"
    )


def render_pdf(document: str, target: Path) -> None:
    """Print an HTML string to a PDF file with headless Chromium."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_content(document, wait_until="load")
            page.pdf(
                path=str(target),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=(
                    '<div style="font-size:8pt;width:100%;text-align:center;color:#666;">'
                    f'{TITLE} · page <span class="pageNumber"></span> of '
                    '<span class="totalPages"></span></div>'
                ),
                margin={"top": "22mm", "bottom": "24mm", "left": "20mm", "right": "20mm"},
            )
        finally:
            browser.close()


def stamp_metadata(target: Path) -> None:
    """Write title, language, slug and date into the PDF's document information."""
    writer = PdfWriter(clone_from=PdfReader(target))
    writer.add_metadata(
        {
            "/Title": TITLE,
            "/Subject": "Warranty against manufacturing defects (policy P7)",
            "/Keywords": "warranty, guarantee, claim, invoice number, defect",
            "/Author": "Baobab Home",
            "/Language": "en",
            "/Article": ARTICLE,
            "/Updated": UPDATED,
        }
    )
    with target.open("wb") as fh:
        writer.write(fh)


def main() -> None:
    """Regenerate ``en/warranty-terms.pdf``."""
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    render_pdf(build_html(), OUTPUT)
    stamp_metadata(OUTPUT)


if __name__ == "__main__":
    main()
