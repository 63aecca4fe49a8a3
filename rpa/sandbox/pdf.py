"""A one-page invoice PDF written by hand (standard Courier font, no dependency)."""

from __future__ import annotations

import unicodedata

from rpa.sandbox.models import SalesOrder
from rpa.sandbox.web import money, when

# Letters that NFKD does not decompose into an ASCII base letter.
_LATIN_FALLBACK = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "—": "-"})


def _pdf_text(value: str) -> str:
    ascii_ish = unicodedata.normalize("NFKD", value.translate(_LATIN_FALLBACK))
    plain = ascii_ish.encode("ascii", "ignore").decode("ascii")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _invoice_lines(order: SalesOrder) -> list[tuple[int, str]]:
    customer = order.customer
    lines = [
        (16, "Baobab Home - Tax invoice"),
        (10, f"Invoice number: {order.invoice_number}"),
        (10, f"Order: {order.id}    Date: {when(order.placed_on)}    Status: {order.status}"),
        (10, f"Bill to: {customer.name} ({customer.id}) {customer.company or ''}".rstrip()),
        (10, f"Tax id: {customer.tax_id}" if customer.tax_id else ""),
        (
            10,
            f"Ship to: {order.ship_street}, {order.ship_postal_code} {order.ship_city}, {order.ship_country}",
        ),
        (10, ""),
        (10, "SKU        Product                                  Qty     Unit      Amount"),
    ]
    for line in order.lines:
        unit, amount = money(line.unit_price_cents), money(line.qty * line.unit_price_cents)
        name = line.product.name[:38]
        lines.append((10, f"{line.sku}    {name:<38}  {line.qty:>4}  {unit:>9}  {amount:>10}"))
    lines += [
        (10, ""),
        (10, f"Subtotal: {money(order.subtotal_cents)}"),
        (10, f"Shipping ({order.delivery}): {money(order.shipping_cents)}"),
        (12, f"Total: {money(order.total_cents)}"),
        (10, f"Payment method: {order.payment_method}"),
    ]
    return [(size, line) for size, line in lines if line or size == 10]


def invoice_pdf(order: SalesOrder) -> bytes:
    """The order's invoice as PDF bytes (order loaded with customer, lines and products)."""
    commands = ["BT", "/F1 10 Tf", "50 790 Td", "14 TL"]
    for size, line in _invoice_lines(order):
        commands += [f"/F1 {size} Tf", f"({_pdf_text(line)}) Tj", "T*"]
    commands.append("ET")
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)
