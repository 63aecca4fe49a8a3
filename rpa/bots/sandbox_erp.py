"""The sandbox ERP bot: read orders and stock, place, cancel, return, re-address, invoice.

Every job that changes the ERP first searches it for the job's idempotency key (the
``reference`` field of orders and RMAs, the cancellation note of an order) and reports the
record it finds instead of submitting again; when it submits, it writes the key there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from agents.schemas import OrderLine, OrderView, ProductView
from rpa.bots.base import Bot, FormField, RecordNotFound, Row
from rpa.bots.parsing import PostalAddress, cents, day, shown_address, trailing_id, typed_address
from rpa.errors import BusinessError, TransientError
from rpa.jobs import CancelOrder, ChangeAddress, JobPayload, PlaceOrder, RequestInvoice, ReturnItem

CATALOGUE = "catalogue"
CANCEL_REASON = "customer_request"
PDF_MAGIC = b"%PDF"


def _note(key: str) -> str:
    return f"Tandem job {key}"


class SandboxErpBot(Bot):
    """Works the ERP screens of the sandbox back office."""

    target_name = "sandbox_erp"

    async def run_job(self, payload: JobPayload, key: str) -> dict[str, Any]:
        """Dispatch a job payload to the screens that carry it out."""
        if isinstance(payload, PlaceOrder):
            return await self.perform(self.place_order, payload, key)
        if isinstance(payload, CancelOrder):
            return await self.perform(self.cancel_order, payload, key)
        if isinstance(payload, ReturnItem):
            return await self.perform(self.return_item, payload, key)
        if isinstance(payload, ChangeAddress):
            return await self.perform(self.change_address, payload, key)
        if isinstance(payload, RequestInvoice):
            return await self.perform(self.fetch_invoice, payload, key)
        raise BusinessError(f"the ERP bot cannot do {type(payload).__name__}")

    # -- reading ----------------------------------------------------------------------

    async def lookup_order(self, order_id: str) -> OrderView | None:
        """The order as its screens show it, or None when the ERP has no such order."""
        return await self.perform(self._read_order, order_id)

    async def lookup_product(self, sku: str) -> ProductView | None:
        """A product with its current stock from the products screen search."""
        return await self.perform(self._read_product, sku)

    async def _read_order(self, order_id: str) -> OrderView | None:
        catalogue = await self.catalogue()
        try:
            await self.open(f"/erp/orders/{quote(order_id)}")
        except RecordNotFound:
            return None
        shown, facts, lines = await self.testids(), await self.facts(), await self.rows("order-line")
        if any(line.data.get("sku") not in catalogue for line in lines):
            catalogue = await self.catalogue(refresh=True)  # a product added since the first read
        customer_id = trailing_id(shown["order-customer"])
        return OrderView.model_validate(
            {
                "order_id": shown["order-id"],
                "customer_id": customer_id,
                "customer_email": facts.get("E-mail", ""),
                "customer_phone": await self._customer_phone(customer_id),
                "status": shown["order-status"],
                "lines": [_order_line(line, catalogue) for line in lines],
                "total_cents": cents(shown["order-total"]),
                "created_on": day(shown.get("order-date", "")),
                "delivered_on": day(shown.get("delivered-on", "")),
                "tracking_number": shown.get("tracking-number") or None,
                "invoice_number": shown.get("invoice-number") or None,
                "payment_method": shown.get("payment-method", ""),
                "shipping_address": shown_address(shown.get("shipping-address", "")).one_line(),
            }
        )

    async def _customer_phone(self, customer_id: str) -> str:
        await self.open(f"/erp/customers/{quote(customer_id)}")
        return (await self.facts()).get("Phone", "")

    async def _read_product(self, sku: str) -> ProductView | None:
        await self.open("/erp/products?" + urlencode({"q": sku}))
        for row in await self.rows("product-row"):
            if row.data.get("sku") == sku:
                return _product(row)
        return None

    async def catalogue(self, *, refresh: bool = False) -> dict[str, ProductView]:
        """Every product by SKU, read once per browser context (names and categories)."""
        cached = self.lease.cache.get(CATALOGUE)
        if cached is not None and not refresh:
            assert isinstance(cached, dict)
            return cached
        await self.open("/erp/products")
        products = {product.sku: product for product in map(_product, await self.rows("product-row"))}
        self.lease.cache[CATALOGUE] = products
        return products

    async def _return_by_reference(self, key: str) -> str | None:
        await self.open("/erp/returns?" + urlencode({"q": key}))
        for row in await self.rows("rma-row"):
            if len(row.cells) > 5 and row.cells[5] == key:
                return row.data["rmaId"]
        return None

    # -- place an order -----------------------------------------------------------------

    async def place_order(self, job: PlaceOrder, key: str) -> dict[str, Any]:
        """Enter and confirm a sales order whose reference is ``key``.

        The ERP checks the reference when the order is reviewed and shows the order that
        already carries it instead of the review, so a retry never places a second order and
        needs no search of its own first.
        """
        async with self.step("fill the new order"):
            await self.open("/erp/orders/new?" + urlencode({"customer_id": job.customer_id}))
            fields = await self.form_fields("order-form")
            customer = fields.get("Customer")
            if customer is None or customer.value != job.customer_id:
                raise BusinessError(f"Unknown customer {job.customer_id}.")
            product = fields.get("Product (line 1)")
            if product is not None and job.sku not in (product.options or ()):
                raise BusinessError(f"Unknown product SKU {job.sku}.")
            await self.select("Product (line 1)", job.sku)
            # Fields already showing the wanted value (the form's defaults) are left as they are.
            if _differs(fields, "Quantity (line 1)", str(job.quantity)):
                await self.fill("Quantity (line 1)", str(job.quantity))
            if _differs(fields, "Delivery", job.delivery):
                await self.select("Delivery", job.delivery)
            if _differs(fields, "Payment method", job.payment_method):
                await self.select("Payment method", job.payment_method)
            await self.fill("Reference", key)
        async with self.step("review the order"):
            await self.submit("Review order")
            if (shown := await self.testids()).get("order-id"):  # an earlier attempt placed it
                return _placed_result(shown, key, existing=True)
        async with self.step("confirm the order"):
            await self.submit("Confirm order")
            shown = await self.testids()
        return _placed_result(shown, key, existing=False)

    # -- cancel -------------------------------------------------------------------------

    async def cancel_order(self, job: CancelOrder, key: str) -> dict[str, Any]:
        """Cancel an open order, noting ``key`` in the cancellation."""
        async with self.step("open the order"):
            await self.open(f"/erp/orders/{quote(job.order_id)}")
            shown = await self.testids()
            status = shown["order-status"]
            history = await self.rows("history-row")
        # The refund is the order's total (P2): the customer's message states it.
        result = {
            "order_id": job.order_id,
            "status": "cancelled",
            "reference": key,
            "total_cents": cents(shown["order-total"]),
        }
        if status == "cancelled" and any(_note(key) in " ".join(row.cells) for row in history):
            return {**result, "existing": True}
        async with self.step("cancel the order"):
            await self.open(f"/erp/orders/{quote(job.order_id)}/cancel")
            await self.select("Cancellation reason", CANCEL_REASON)
            await self.fill("Note", _note(key), exact=True)
            await self.submit("Confirm cancellation")
            status = (await self.testids())["order-status"]
        if status != "cancelled":
            raise TransientError(f"{job.order_id} shows {status} after cancelling")
        return {**result, "existing": False}

    # -- return (RMA) -------------------------------------------------------------------

    async def return_item(self, job: ReturnItem, key: str) -> dict[str, Any]:
        """Open an RMA for the delivered order (one SKU or every line) with reference ``key``."""
        async with self.step("look for the reference"):
            existing = await self._return_by_reference(key)
        if existing is not None:
            return await self._returned(existing, key, existing=True)
        async with self.step("fill the return"):
            await self.open(f"/erp/orders/{quote(job.order_id)}/return")
            chosen = _returnable(await self.rows("return-line"), job)
            for sku, quantity in chosen.items():
                await self.fill(f"Quantity to return of {sku}", str(quantity))
            await self.select("Return reason", job.reason)
            await self.fill("Reference", key)
            await self.fill("Notes", f"Requested through Tandem ({key}).")
        async with self.step("create the return"):
            await self.submit("Create return")
            return _return_result(await self.testids(), key, existing=False)

    async def _returned(self, rma_id: str, key: str, *, existing: bool) -> dict[str, Any]:
        async with self.step("open the existing return"):
            await self.open(f"/erp/returns/{quote(rma_id)}")
            return _return_result(await self.testids(), key, existing=existing)

    # -- change the shipping address ----------------------------------------------------

    async def change_address(self, job: ChangeAddress, key: str) -> dict[str, Any]:
        """Change where an open order ships; an order already going there is left alone."""
        async with self.step("open the order"):
            await self.open(f"/erp/orders/{quote(job.order_id)}")
            current = shown_address((await self.testids())["shipping-address"])
        wanted = typed_address(job.address, current.country)
        if current.same_as(wanted):
            return _address_result(job.order_id, current, key, existing=True)
        async with self.step("change the address"):
            await self.open(f"/erp/orders/{quote(job.order_id)}/address")
            await self.fill("Street", wanted.street, exact=True)
            await self.fill("City", wanted.city, exact=True)
            await self.fill("Postal code", wanted.postal_code, exact=True)
            await self.fill("Country", wanted.country, exact=True)
            await self.submit("Save address")
            saved = shown_address((await self.testids())["shipping-address"])
        if not saved.same_as(wanted):
            raise TransientError(f"{job.order_id} shows {saved.one_line()!r} after saving the address")
        return _address_result(job.order_id, saved, key, existing=False)

    # -- invoice ------------------------------------------------------------------------

    async def fetch_invoice(self, job: RequestInvoice, key: str) -> dict[str, Any]:
        """Download the order's invoice PDF into the artifacts directory."""
        async with self.step("open the order"):
            await self.open(f"/erp/orders/{quote(job.order_id)}")
            invoice_number = (await self.testids()).get("invoice-number") or job.order_id
        directory = self.artifacts_dir / "invoices"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{job.order_id}-{invoice_number}.pdf"
        async with self.step("download the invoice"):
            async with self.page.expect_download() as download_info:
                await self.page.get_by_role("link", name="Download invoice (PDF)").click()
            download = await download_info.value
            await download.save_as(path)
        if not path.read_bytes().startswith(PDF_MAGIC):
            raise TransientError(f"the invoice of {job.order_id} did not download as a PDF")
        return {
            "order_id": job.order_id,
            "invoice_number": invoice_number,
            "invoice_path": str(path),
            "reference": key,
            "tax_id": job.tax_id,
        }


def _differs(fields: dict[str, FormField], label: str, value: str) -> bool:
    """Whether the field labelled ``label`` must be set (it shows another value, or was not read)."""
    field = fields.get(label)
    return field is None or field.value != value


def _product(row: Row) -> ProductView:
    sku, name, category, price, stock = row.cells[:5]
    return ProductView(sku=sku, name=name, category=category, price_cents=cents(price), stock=int(stock))


def _order_line(row: Row, catalogue: dict[str, ProductView]) -> OrderLine:
    _, sku, name, quantity, unit_price = row.cells[:5]
    product = catalogue.get(sku)
    return OrderLine(
        sku=sku,
        name=name,
        quantity=int(quantity),
        unit_price_cents=cents(unit_price),
        category=product.category if product else "",
    )


def _returnable(lines: list[Row], job: ReturnItem) -> dict[str, int]:
    left = {row.data["sku"]: int(row.cells[3]) for row in lines}
    if job.sku is not None and job.sku not in left:
        raise BusinessError(f"{job.sku} is not on order {job.order_id}.")
    chosen = {sku: qty for sku, qty in left.items() if qty > 0 and job.sku in (None, sku)}
    if not chosen:
        what = job.sku or "its items"
        raise BusinessError(f"{what} of order {job.order_id} already returned.")
    return chosen


def _placed_result(shown: dict[str, str], key: str, *, existing: bool) -> dict[str, Any]:
    return {
        "order_id": shown["order-id"],
        "status": shown["order-status"],
        "total_cents": cents(shown["order-total"]),
        "reference": key,
        "existing": existing,
    }


def _return_result(shown: dict[str, str], key: str, *, existing: bool) -> dict[str, Any]:
    return {
        "rma": shown["rma-id"],
        "order_id": shown["rma-order"],
        "status": shown["rma-status"],
        "refund_cents": cents(shown["rma-refund"]),
        "reference": key,
        "existing": existing,
    }


def _address_result(order_id: str, address: PostalAddress, key: str, *, existing: bool) -> dict[str, Any]:
    return {"order_id": order_id, "address": address.one_line(), "reference": key, "existing": existing}
