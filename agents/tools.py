"""Agent tools: one per intent kind, each typed, authorized and policy-checked.

A tool never trusts the conversation: the input is validated again, ownership of the
order is checked against the verified customer, and the policy is evaluated on fresh
back-office data before a job is enqueued.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from agents import policy
from agents.schemas import OrderView, ProductView
from rpa import jobs

ORDER_ID = jobs.ORDER_ID
SKU = jobs.SKU


class BackOffice(Protocol):
    """Read access to the back office (implemented by bots that read its screens)."""

    def get_order(self, order_id: str) -> OrderView | None: ...

    def get_product(self, sku: str) -> ProductView | None: ...


@dataclass(frozen=True)
class ToolContext:
    """Who is asking, verified by the conversation engine."""

    conversation_id: str
    customer_id: str | None
    language: str
    today: date


class ToolOutcome(BaseModel):
    """The answer of a tool check or run, for the conversation to phrase."""

    status: Literal["ok", "refused", "not_found", "unauthorized"]
    reason: str = ""
    policy: str = ""
    facts: dict[str, str] = Field(default_factory=dict)
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class ToolInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrderRef(ToolInput):
    order_id: str = Field(pattern=ORDER_ID, description="The order id, like SO-12345.")


class SkuRef(ToolInput):
    sku: str = Field(pattern=SKU, description="The product SKU, like BH-1001.")


class PlaceOrderInput(SkuRef):
    quantity: int = Field(1, ge=1, le=50, description="How many units (1-50).")
    payment_method: Literal["card", "mpesa", "bank_transfer", "blik", "cod"] = Field(
        "card", description="How the customer pays."
    )


class ReturnInput(OrderRef):
    sku: str | None = Field(None, pattern=SKU, description="The item to return; all items if empty.")
    reason: jobs.ReturnReason = Field("other", description="Why the item goes back.")


class AddressInput(OrderRef):
    address: str = Field(min_length=5, max_length=300, description="The new delivery address.")


class InvoiceInput(OrderRef):
    tax_id: str | None = Field(None, max_length=64, description="Tax id for a VAT invoice.")


class DocumentInput(ToolInput):
    order_id: str | None = Field(None, pattern=ORDER_ID, description="The order it concerns, if any.")
    doc_type: jobs.DocType = Field(description="What kind of document it is.")
    filename: str = Field(min_length=1, max_length=200, description="Original file name.")
    file_path: str = Field(min_length=1, max_length=500, description="Where the upload is stored.")
    notes: str = Field("", max_length=1000, description="Notes from the customer.")


class Tool(ABC):
    """A typed action on the back office."""

    name: ClassVar[str]
    input_model: ClassVar[type[ToolInput]]
    consequential: ClassVar[bool] = True
    description: ClassVar[str]

    def check(self, ctx: ToolContext, args: ToolInput, office: BackOffice) -> ToolOutcome:
        """Authorization, then policy, on fresh back-office data."""
        if ctx.customer_id is None:
            return ToolOutcome(status="unauthorized", reason="verify.required")
        return ToolOutcome(status="ok")

    def job_payload(self, ctx: ToolContext, args: ToolInput) -> jobs.JobPayload:
        raise NotImplementedError(f"{self.name} does not create jobs")

    def run(self, ctx: ToolContext, args: ToolInput, office: BackOffice) -> ToolOutcome:
        """Read-only tools answer directly; consequential ones only check."""
        return self.check(ctx, args, office)


class OrderTool(Tool):
    """A tool about one existing order of the verified customer."""

    input_model: ClassVar[type[ToolInput]] = OrderRef

    def check(self, ctx: ToolContext, args: ToolInput, office: BackOffice) -> ToolOutcome:
        assert isinstance(args, OrderRef)
        if ctx.customer_id is None:
            return ToolOutcome(status="unauthorized", reason="verify.required")
        order = office.get_order(args.order_id)
        # Someone else's order and a missing one look the same to the customer.
        if order is None or not policy.owns_order(order, ctx.customer_id):
            return ToolOutcome(
                status="not_found", reason="order.not_found", facts={"order_id": args.order_id}
            )
        decision = self.decide(ctx, args, order)
        data = {"order": order.model_dump(mode="json")}
        if not decision.allowed:
            return ToolOutcome(
                status="refused",
                reason=decision.reason,
                policy=decision.policy,
                facts=dict(decision.facts),
                data=data,
            )
        return ToolOutcome(status="ok", data=data, facts={"order_id": order.order_id})

    @abstractmethod
    def decide(self, ctx: ToolContext, args: ToolInput, order: OrderView) -> policy.PolicyDecision: ...


class OrderStatusTool(OrderTool):
    """Look up the status, tracking number and contents of one of the customer's orders."""

    name = "order_status"
    consequential = False
    description = "Look up the status, tracking number and lines of the verified customer's order."

    def decide(self, ctx: ToolContext, args: ToolInput, order: OrderView) -> policy.PolicyDecision:
        return policy.PolicyDecision.allow()


class CancelOrderTool(OrderTool):
    name = "cancel_order"
    description = "Cancel the verified customer's order; allowed only before it ships (P5)."

    def decide(self, ctx: ToolContext, args: ToolInput, order: OrderView) -> policy.PolicyDecision:
        return policy.can_cancel(order)

    def job_payload(self, ctx: ToolContext, args: ToolInput) -> jobs.JobPayload:
        assert isinstance(args, OrderRef)
        return jobs.CancelOrder(order_id=args.order_id)


class ReturnItemTool(OrderTool):
    name = "return_item"
    input_model = ReturnInput
    description = "Open a return (RMA) for a delivered item within its return window (P1)."

    def decide(self, ctx: ToolContext, args: ToolInput, order: OrderView) -> policy.PolicyDecision:
        assert isinstance(args, ReturnInput)
        return policy.can_return(order, args.sku, ctx.today)

    def job_payload(self, ctx: ToolContext, args: ToolInput) -> jobs.JobPayload:
        assert isinstance(args, ReturnInput)
        return jobs.ReturnItem(order_id=args.order_id, sku=args.sku, reason=args.reason)


class ChangeAddressTool(OrderTool):
    name = "change_address"
    input_model = AddressInput
    description = "Change the delivery address of an order that has not shipped yet (P6)."

    def decide(self, ctx: ToolContext, args: ToolInput, order: OrderView) -> policy.PolicyDecision:
        return policy.can_change_address(order)

    def job_payload(self, ctx: ToolContext, args: ToolInput) -> jobs.JobPayload:
        assert isinstance(args, AddressInput)
        return jobs.ChangeAddress(order_id=args.order_id, address=args.address)


class RequestInvoiceTool(OrderTool):
    name = "request_invoice"
    input_model = InvoiceInput
    description = "Send the order's invoice; with a tax id, request a VAT invoice (P10)."

    def decide(self, ctx: ToolContext, args: ToolInput, order: OrderView) -> policy.PolicyDecision:
        if order.status == "cancelled":
            return policy.PolicyDecision.refuse("policy.order_closed", "P10", status=order.status)
        return policy.PolicyDecision.allow()

    def job_payload(self, ctx: ToolContext, args: ToolInput) -> jobs.JobPayload:
        assert isinstance(args, InvoiceInput)
        return jobs.RequestInvoice(order_id=args.order_id, tax_id=args.tax_id)


class CheckStockTool(Tool):
    """Anyone may ask whether a product is available and what it costs."""

    name = "check_stock"
    input_model = SkuRef
    consequential = False
    description = "Tell whether a product is in stock and its price."

    def check(self, ctx: ToolContext, args: ToolInput, office: BackOffice) -> ToolOutcome:
        assert isinstance(args, SkuRef)
        product = office.get_product(args.sku)
        if product is None:
            return ToolOutcome(status="not_found", reason="product.not_found", facts={"sku": args.sku})
        return ToolOutcome(status="ok", data={"product": product.model_dump(mode="json")})


class PlaceOrderTool(Tool):
    name = "place_order"
    input_model = PlaceOrderInput
    description = "Order a product for the verified customer, if enough is in stock (COD up to $200, P8)."

    def check(self, ctx: ToolContext, args: ToolInput, office: BackOffice) -> ToolOutcome:
        assert isinstance(args, PlaceOrderInput)
        if ctx.customer_id is None:
            return ToolOutcome(status="unauthorized", reason="verify.required")
        product = office.get_product(args.sku)
        if product is None:
            return ToolOutcome(status="not_found", reason="product.not_found", facts={"sku": args.sku})
        decision = policy.can_order(product, args.quantity, args.payment_method)
        data = {"product": product.model_dump(mode="json")}
        if not decision.allowed:
            return ToolOutcome(
                status="refused",
                reason=decision.reason,
                policy=decision.policy,
                facts=dict(decision.facts),
                data=data,
            )
        return ToolOutcome(status="ok", data=data)

    def job_payload(self, ctx: ToolContext, args: ToolInput) -> jobs.JobPayload:
        assert isinstance(args, PlaceOrderInput)
        assert ctx.customer_id is not None
        return jobs.PlaceOrder(
            customer_id=ctx.customer_id,
            sku=args.sku,
            quantity=args.quantity,
            payment_method=args.payment_method,
        )


class FileDocumentTool(Tool):
    name = "file_document"
    input_model = DocumentInput
    description = "File a document the customer sent (damage photos, forms, certificates) in their folder."

    def check(self, ctx: ToolContext, args: ToolInput, office: BackOffice) -> ToolOutcome:
        assert isinstance(args, DocumentInput)
        if ctx.customer_id is None:
            return ToolOutcome(status="unauthorized", reason="verify.required")
        if args.order_id is not None:
            order = office.get_order(args.order_id)
            if order is None or not policy.owns_order(order, ctx.customer_id):
                return ToolOutcome(
                    status="not_found", reason="order.not_found", facts={"order_id": args.order_id}
                )
        return ToolOutcome(status="ok")

    def job_payload(self, ctx: ToolContext, args: ToolInput) -> jobs.JobPayload:
        assert isinstance(args, DocumentInput)
        assert ctx.customer_id is not None
        return jobs.FileDocument(customer_id=ctx.customer_id, **args.model_dump())


ALL_TOOLS: tuple[type[Tool], ...] = (
    OrderStatusTool,
    CheckStockTool,
    PlaceOrderTool,
    CancelOrderTool,
    ReturnItemTool,
    ChangeAddressTool,
    RequestInvoiceTool,
    FileDocumentTool,
)
