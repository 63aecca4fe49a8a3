"""English source of the message catalogue; `python scripts/i18n_messages_en.py` writes tandem/locales/en.po.

Other languages are edited directly in their .po files; `tests/tandem/test_i18n.py` checks that every
language has every key with the same placeholders.
"""

from __future__ import annotations

MESSAGES: dict[str, str | tuple[str, str]] = {
    "greeting.reply": (
        "Hello! I'm the Baobab Home assistant. I can answer questions about delivery, returns, payments "
        "and more, check an order, or help you cancel, return or change it. How can I help?"
    ),
    "goodbye.reply": "Thank you for writing to Baobab Home. Have a good day!",
    "out_of_scope.reply": (
        "I'm sorry, I can't help with that. I can answer questions about our shop and its policies, "
        "check your orders, and help with cancellations, returns, address changes, invoices and new orders."
    ),
    "not_understood.reply": "Sorry, I didn't quite understand. Could you say it in other words?",
    "handoff.offer": "Would you like me to connect you with a person from our support team?",
    "handoff.started": (
        "I'm connecting you with a member of our support team; they will see our whole conversation. "
        "The team works Monday to Saturday, 08:00–20:00 East Africa Time."
    ),
    "handoff.waiting": "A member of our support team will answer you here shortly.",
    "backoffice.unavailable": (
        "Sorry, I can't reach our order system right now. Please try again in a few minutes, "
        "or I can connect you with a person."
    ),
    "handoff.returned": "I'm back. How else can I help you?",
    "ask.order_id": "What is your order number? It looks like SO-12345.",
    "ask.order_id_again": "That doesn't look like an order number. It looks like SO-12345 — could you check it?",
    "ask.address": "What is the new delivery address (street, city, postal code, country)?",
    "ask.sku": "Which product would you like? You can write its name or its code, like BH-1001.",
    "ask.product_choice": "Which one do you mean?",
    "ask.quantity": "How many would you like?",
    "ask.doc_type": "What kind of document is it?",
    "ask.document": "Please attach the document with the paperclip button, and tell me which order it is about.",
    "verify.ask": (
        "To protect your privacy, please tell me the e-mail address or phone number used for order {order_id}."
    ),
    "verify.ask_order": (
        "First I need to confirm who you are: what is the number of one of your orders? It looks like SO-12345."
    ),
    "verify.ok": "Thank you, {name} — you're verified.",
    "verify.failed": "Sorry, that doesn't match our records for this order. Please check and try again.",
    "verify.locked": "I couldn't verify who you are, so for your security I'll pass you to a person.",
    "order.not_found": "I couldn't find order {order_id} among your orders. Please check the number.",
    "order.status.pending": "Order {order_id} is received and waiting to be processed.",
    "order.status.processing": "Order {order_id} is being prepared in our warehouse.",
    "order.status.shipped": "Order {order_id} is on its way. Tracking number: {tracking}.",
    "order.status.delivered": "Order {order_id} was delivered on {date}.",
    "order.status.cancelled": "Order {order_id} was cancelled.",
    "order.status.returned": "Order {order_id} was returned.",
    "order.summary": ("{count} item: {items}. Total: {total}.", "{count} items: {items}. Total: {total}."),
    "stock.available": "{name} ({sku}) is in stock: {stock} available at {price} each.",
    "stock.out": "{name} ({sku}) is out of stock at the moment.",
    "product.not_found": "I couldn't find that product. Could you write its name or its code, like BH-1001?",
    "confirm.cancel_order": (
        "Please confirm: cancel order {order_id} ({items}, total {total}). Cancelling is free and the refund "
        "goes to your original payment method. Shall I go ahead?"
    ),
    "confirm.return_item": "Please confirm: open a return for {item} from order {order_id}. Shall I go ahead?",
    "confirm.change_address": (
        "Please confirm: change the delivery address of order {order_id} to “{address}”. Shall I go ahead?"
    ),
    "confirm.place_order": (
        "Please confirm: order {quantity} × {name} ({sku}) at {price} each, {total} plus delivery. Shall I go ahead?"
    ),
    "confirm.yes": "Yes, go ahead",
    "confirm.no": "No",
    "confirm.declined": "All right, I haven't changed anything. Is there anything else I can do for you?",
    "confirm.ask_again": "Please answer yes or no: shall I go ahead?",
    "flow.dropped": "No problem, I've dropped that request. How else can I help?",
    "job.queued.cancel_order": "Thank you! I'm cancelling order {order_id} now and will tell you here when it's done.",
    "job.queued.return_item": "Thank you! I'm opening the return for order {order_id} now and will tell you here.",
    "job.queued.change_address": "Thank you! I'm changing the address of order {order_id} now and will tell you here.",
    "job.queued.place_order": "Thank you! I'm placing your order now and will tell you here when it's done.",
    "job.queued.request_invoice": "I'm fetching the invoice for order {order_id}; it will appear here in a moment.",
    "job.queued.file_document": "Thank you, I'm filing your document now.",
    "job.succeeded.cancel_order": (
        "Order {order_id} is cancelled. The refund of {total} goes back to your original payment method "
        "within 5 business days."
    ),
    "job.succeeded.return_item": (
        "Your return {rma} for order {order_id} is open. Pack the item unused in its original packaging; "
        "the refund follows within 5 business days after it reaches our warehouse."
    ),
    "job.succeeded.change_address": "The delivery address of order {order_id} is now: {address}.",
    "job.succeeded.place_order": "Your order {order_id} is placed: {quantity} × {name}, total {total}.",
    "job.succeeded.request_invoice": "Here is invoice {invoice} for order {order_id}: {link}",
    "job.succeeded.file_document": "Your document is filed in your customer folder (reference {reference}).",
    "job.failed": (
        "I'm sorry, I couldn't complete that in our system: {reason}. "
        "Would you like me to connect you with a person?"
    ),
    "job.needs_review": "This needs a quick check by our team. I'll let you know here as soon as it's done.",
    "policy.cancel_after_shipping": (
        "Order {order_id} has already shipped, so it can no longer be cancelled. "
        "When it arrives you can return it within the return window."
    ),
    "policy.address_after_shipping": (
        "Order {order_id} has already shipped, so its delivery address can no longer be changed."
    ),
    "policy.return_window_passed": (
        "The return window for this item is {days} days from delivery, and it was delivered {since} days ago, "
        "so it can no longer be returned. If it is faulty, the warranty may cover it."
    ),
    "policy.return_not_delivered": "Order {order_id} hasn't been delivered yet, so there is nothing to return.",
    "policy.return_unknown_item": "Product {sku} is not part of order {order_id}.",
    "policy.order_closed": "That isn't possible: the order is {status}.",
    "policy.out_of_stock": "Sorry, {name} is out of stock right now, so I can't order it.",
    "policy.cod_limit": "Cash on delivery is available only for orders up to $200.",
    "policy.quantity_invalid": "The quantity must be at least 1.",
    "policy.see": "Policy: {title}",
    "status.pending": "pending",
    "status.processing": "being prepared",
    "status.shipped": "shipped",
    "status.delivered": "delivered",
    "status.cancelled": "cancelled",
    "status.returned": "returned",
    "doc.damage_photo": "Photos of damage",
    "doc.return_form": "Return form",
    "doc.tax_certificate": "Tax certificate",
    "doc.id_document": "ID document",
    "doc.other": "Other document",
    "quick.human": "Talk to a person",
    "quick.order_status": "Where is my order?",
    "quick.returns": "How do returns work?",
    "widget.title": "Baobab Home — chat with us",
    "widget.placeholder": "Write a message…",
    "widget.send": "Send",
    "widget.attach": "Attach a file",
    "widget.open": "Chat with us",
    "widget.close": "Close chat",
    "widget.typing": "The assistant is typing…",
    "widget.agent_joined": "{name} from our support team joined the chat.",
    "widget.sources": "Sources",
    "widget.error": "Sorry, something went wrong. Please try again.",
    "widget.welcome": "Hello! Ask us anything about Baobab Home, or pick a topic below.",
    "widget.bot_name": "Baobab Home assistant",
    "widget.agent_name": "Support team · a person is answering",
    "widget.you": "You",
    "widget.messages": "Conversation",
    "widget.quick_replies": "Suggested replies",
    "widget.job_running": "⏳ {job}…",
    "widget.job.cancel_order": "Cancelling your order",
    "widget.job.return_item": "Opening your return",
    "widget.job.change_address": "Changing the delivery address",
    "widget.job.place_order": "Placing your order",
    "widget.job.request_invoice": "Fetching your invoice",
    "widget.job.file_document": "Filing your document",
    "widget.job.other": "Working on your request",
    "widget.uploading": "Sending {name}…",
    "widget.attached": "File sent: {name}",
    "widget.attach_failed": "Sorry, the file could not be sent. Please try again later.",
    "widget.attach_too_large": "The file is too large; the limit is {size} MB.",
    "widget.not_sent": "Not sent.",
    "widget.retry": "Retry",
    "widget.offline": "Connection lost — reconnecting…",
    "shop.title": "Baobab Home",
    "shop.tagline": "Home goods and small electronics for every day.",
    "shop.products": "Our products",
    "shop.language": "Language",
    "shop.in_stock": "In stock",
    "shop.out_of_stock": "Out of stock",
    "shop.signed_in": "Signed in as demo customer {name}",
    "shop.sign_in": "Sign in as a demo customer",
    "shop.sign_out": "Sign out",
    "shop.unknown_customer": "There is no demo customer {customer}.",
    "shop.category.electronics": "Electronics",
    "shop.category.furniture": "Furniture",
    "shop.category.homeware": "Homeware",
    "shop.category.kitchen": "Kitchen",
    "shop.category.lighting": "Lighting",
    "shop.category.textiles": "Textiles",
    "canned.greeting": "Hello, this is {agent} from Baobab Home support. I have read our conversation and I'm here to help.",
    "canned.checking": "Thank you for waiting. I'm checking this for you now; it will take a few minutes.",
    "canned.order_update": "I have updated your order. You will see the change in your order details shortly.",
    "canned.anything_else": "Is there anything else I can help you with?",
    "canned.goodbye": "Thank you for contacting Baobab Home. Have a good day!",
}


def write_po() -> None:
    from pathlib import Path

    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po as babel_write_po

    catalog = Catalog(
        locale="en", project="Tandem", domain="tandem", copyright_holder="Tandem contributors", fuzzy=False
    )
    for key, text in MESSAGES.items():
        if isinstance(text, tuple):
            catalog.add((key, key), string=text)
        else:
            catalog.add(key, string=text)
    target = Path(__file__).resolve().parents[1] / "tandem" / "locales" / "en.po"
    with target.open("wb") as handle:
        babel_write_po(handle, catalog, width=0, omit_header=False)


if __name__ == "__main__":
    write_po()
