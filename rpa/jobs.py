"""The payload of each job kind the back office accepts, validated before enqueue and run."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReturnReason = Literal["defective", "wrong_item", "damaged", "not_as_described", "changed_mind", "other"]
DocType = Literal["damage_photo", "return_form", "tax_certificate", "id_document", "other"]
ORDER_ID = r"^SO-\d{5}$"
SKU = r"^BH-\d{4}$"


class JobPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CancelOrder(JobPayload):
    order_id: str = Field(pattern=ORDER_ID)


class ReturnItem(JobPayload):
    order_id: str = Field(pattern=ORDER_ID)
    sku: str | None = Field(None, pattern=SKU)
    reason: ReturnReason = "other"


class ChangeAddress(JobPayload):
    order_id: str = Field(pattern=ORDER_ID)
    address: str = Field(min_length=5, max_length=300)


class PlaceOrder(JobPayload):
    customer_id: str = Field(pattern=r"^C-\d{3}$")
    sku: str = Field(pattern=SKU)
    quantity: int = Field(ge=1, le=50)
    delivery: Literal["standard", "express"] = "standard"
    payment_method: Literal["card", "mpesa", "bank_transfer", "blik", "cod"] = "card"


class RequestInvoice(JobPayload):
    order_id: str = Field(pattern=ORDER_ID)
    tax_id: str | None = Field(None, max_length=64)


class FileDocument(JobPayload):
    customer_id: str = Field(pattern=r"^C-\d{3}$")
    order_id: str | None = Field(None, pattern=ORDER_ID)
    doc_type: DocType
    filename: str = Field(min_length=1, max_length=200)
    file_path: str = Field(min_length=1, max_length=500)
    notes: str = Field("", max_length=1000)


PAYLOADS: dict[str, type[JobPayload]] = {
    "cancel_order": CancelOrder,
    "return_item": ReturnItem,
    "change_address": ChangeAddress,
    "place_order": PlaceOrder,
    "request_invoice": RequestInvoice,
    "file_document": FileDocument,
}
