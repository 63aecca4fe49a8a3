"""Keyword rules where they beat embeddings: explicit action words, order ids, products, quick replies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.nlu.normalize import fold
from bot.nlu.slots import extract_order_id, extract_sku
from tandem.i18n import LANGUAGES, t

__all__ = ["Evidence", "quick_reply_intent", "rule_boosts"]

# The labels of the quick-reply buttons the assistant shows: a tap sends the label back verbatim.
_QUICK_REPLIES = {"quick.human": "human_agent", "quick.order_status": "order_status", "quick.returns": "faq"}


def _words(*alternatives: str) -> re.Pattern[str]:
    """One pattern over folded alternatives (each may itself hold lower-case regex syntax)."""
    return re.compile("|".join(fold(a) for a in alternatives))


# Words that ask where an order is; decisive next to an order id.
_STATUS = _words(
    r"where|status|track|shipped|dispatch|left the|on (its|the) way|any news|update on|arriv|eta\b|"
    r"still in the warehouse",
    "وين|فين|اين|أين|وصل|انشحن|اتشحن|تتبع|طلع|حالة|وضع|اخبار|أخبار|خبر|المستودع|المخزن",
    "کجا|رسید|ارسال شد|ارسال شده|رهگیری|پیگیری|وضعیت|خبر|انبار|کی میرسه|کی میاد",
    r"wapi|lini|imefika|kufika|imetumwa|imeshatumwa|kufuatilia|ufuatiliaji|fuatilia|hali ya|habari|imetoka|"
    r"imeshatoka|ghalani|stoo",
    r"gdzie|status|wysłan|wyslan|śledz|sledz|dotarł|doszł|wyjechał|wyszł|magazyn|wiadomo|informacj",
)
# Tracking numbers are only ever asked for about an order.
_TRACKING = _words(
    r"tracking|track my|رقم التتبع|كود التتبع|رابط التتبع|رهگیری|ufuatiliaji|kufuatilia|śledzen"
)
_CANCEL = _words(
    r"cancel|call off|\bstop|anul|rezygn|odwoł|skasuj|zatrzym|wstrzym|ghairi|sitisha|simamish|futa|"
    r"الغ|ألغ|لغو|کنسل|ابطال|كنسل|توقف|وقفو|نگه دار|متوقف"
)
_INVOICE = _words(r"invoice|faktur|ankara|فاتوره|فاتورة|فاکتور|صورتحساب")
_BILL = _words(r"\bbill\b|\bbili\b|rachun")
_ADDRESS = _words(
    r"address|post ?code|zip ?code|adres|kod pocztow|anwani|postikodi|عنوان|الرمز البريدي|آدرس|نشانی|کد پستی"
)
_ELSEWHERE = _words(
    r"somewhere else|another place|different place|gdzie indziej|inne miejsce|sehemu nyingine|mahali pengine|"
    r"مكان ثاني|مكان تاني|مكان آخر|جای دیگه|جای دیگر|یه جای|محل تحویل|مكان توصيل|mahali .* inapopelekwa|"
    r"miejsce dostawy"
)
_EMAIL_ADDRESS = _words(r"e-?mail address|adres e-?mail|barua pepe|البريد الإلكتروني|آدرس ایمیل")
_REFUND = _words(
    r"refund|money back|send (it |them )?back|zwrot|zwróc|zwroc|oddać|oddac|odesłać|rudish|rejesh|"
    r"ارجع|أرجع|ارجاع|استرد|أسترد|استرجاع|رجعو|پس بد|پس بگیر|مرجوع|برگردون"
)
_POLICY = _words(
    r"policy|how long|how many days|window|fee|free|zasad|ile dni|ile jest czasu|płatn|"
    r"sera|siku ngapi|gharama|bure|"
    r"سياسة|سياسه|كم يوم|كم مدة|رسوم|مجان|شرایط|چند روز|مهلت|هزینه|رایگان"
)
_HUMAN = _words(
    r"human|real person|an agent|operator|staff|someone from|customer service|konsultant|człowiek|pracownik|"
    r"binadamu|mtu halisi|mhudumu|wakala|mfanyakazi|موظف|انسان|بني آدم|شخص حقيقي|کارشناس|اپراتور|"
    r"پشتیبان|آدم واقعی|کارمند|همکار"
)
_HOURS = _words(r"hours|what time|godzin|saa ngapi|ساعة|الساعة|ساعت|چه ساعتی")
_BUY = _words(
    r"\bbuy|order|purchase|i'll take|i will take|get me|"
    r"kupi|kupu|zamów|zamow|zamawiam|biorę|biore|wezmę|wezme|"
    r"poproszę|poprosze|nunu|agiz|agizia|oda ya|nitachukua|kubuy|"
    r"اشتري|أشتري|بشتري|اشتر|اطلب|أطلب|شراء|طلب|سجل|بآخذ|آخذ|"
    r"خرید|بخر|میخرم|سفارش|ثبت کن|میخوام"
)
_STOCK = _words(
    r"stock|available|price|cost|how much|any left|still have|na stanie|dostępn|dostepn|kosztuj|cena|zostały|"
    r"macie|bei|ngapi|ipo\b|inapatikana|imebaki|limebaki|zimebaki|bado mna|"
    r"متوفر|موجود|بكم|سعر|باقي|عندكم|قیمت|چند|چقدر|دارید|باقی"
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the message names besides words: an order id, a SKU, a catalogue product."""

    order_id: bool
    sku: bool
    product: bool

    @classmethod
    def of(cls, text: str, product: bool = False) -> Evidence:
        """The ids found in ``text``; ``product`` says whether a catalogue product name matched."""
        return cls(extract_order_id(text) is not None, extract_sku(text) is not None, product)

    @property
    def in_domain(self) -> bool:
        """The message names something of this shop."""
        return self.order_id or self.sku or self.product


@cache
def _quick_labels() -> dict[str, str]:
    labels = ((fold(t(key, lang)), intent) for key, intent in _QUICK_REPLIES.items() for lang in LANGUAGES)
    return {label.strip(" .!?؟"): intent for label, intent in labels}


def quick_reply_intent(text: str) -> str | None:
    """The intent of a quick-reply label sent back verbatim (in any language), else None."""
    return _quick_labels().get(fold(text).strip(" .!?؟"))


def rule_boosts(text: str, evidence: Evidence | None = None) -> dict[str, float]:
    """Intent → multiplier for the cues found (empty when no rule fires)."""
    folded = fold(text)
    evidence = evidence or Evidence.of(text)
    boosts: dict[str, float] = {}

    def boost(intent: str, factor: float) -> None:
        boosts[intent] = boosts.get(intent, 1.0) * factor

    has_order = evidence.order_id
    if _CANCEL.search(folded):
        boost("cancel_order", 4.0 if has_order else 1.5)
        if not (evidence.product or evidence.sku):
            boost("place_order", 0.5)  # "cancel my order" names an order, not something to buy
    if _INVOICE.search(folded):
        boost("request_invoice", 4.0)
    elif _BILL.search(folded):
        boost("request_invoice", 2.0)
    address_text = _EMAIL_ADDRESS.sub(" ", folded)
    if _ADDRESS.search(address_text) or _ELSEWHERE.search(address_text):
        boost("change_address", 4.0 if has_order else 2.5)
    if has_order and _STATUS.search(folded):
        boost("order_status", 3.0)
    elif _TRACKING.search(folded):
        boost("order_status", 2.0)
    if _REFUND.search(folded) and not _POLICY.search(folded):
        boost("return_item", 2.0 if has_order or evidence.product else 1.5)
    if _HUMAN.search(folded) and not _HOURS.search(folded):
        boost("human_agent", 2.0)
    if (evidence.product or evidence.sku) and not has_order:
        if _STOCK.search(folded):
            boost("check_stock", 2.0)
        elif _BUY.search(folded):
            boost("place_order", 2.0)
    if evidence.in_domain:
        # Messages about an order or a catalogue product are this shop's business.
        boost("out_of_scope", 0.3)
    return boosts
