"""Slot extractors: order ids, SKUs, quantities, contact details, addresses, tax ids, document types."""

from __future__ import annotations

import re
from typing import Any

from bot.nlu.normalize import fold, normalize
from bot.nlu.numbers import find_number_word
from bot.nlu.products import ProductMatcher

__all__ = [
    "extract_address",
    "extract_doc_type",
    "extract_email",
    "extract_order_id",
    "extract_phone",
    "extract_quantity",
    "extract_return_reason",
    "extract_sku",
    "extract_slots",
    "extract_tax_id",
]

_ORDER_ID = re.compile(r"(?<![A-Za-z0-9])SO[\s\-_#.]?(\d{4,8})(?!\d)", re.IGNORECASE)
_ORDER_CUE = re.compile(
    r"(?:order|ordr|oda|agizo|zam[oó]wieni\w*|nr|number|no\.?|namba|طلب\w*|الطلب|رقم|سفارش\w*|شماره)"
    r"\s*(?:number|no\.?|nr\.?|namba|ya|رقم|شماره|#|:)?\s*#?\s*(\d{5})(?!\d)",
    re.IGNORECASE,
)
_SKU = re.compile(r"(?<![A-Za-z0-9])BH[\s\-_]?(\d{4})(?!\d)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d[\d\s\-().]{6,18}\d|(?<![\w+])0\d[\d\s\-]{7,12}\d|\b\d{3}[ -]\d{3}[ -]\d{3}\b"
)
# Sizes and capacities in product names ("1.7 l", "28 cm", "10000 mAh", "160x230") are not quantities.
_MEASURE = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:l\b|lit\w*|cm\b|m\b|mah\b|ml\b|mita\b|metr\w*|سم|م\b|لتر|لیتر\w*|لیتری|متری|متر|"
    r"سانتی\w*|میلی\w*|مللي\w*)|\d+\s*[x×]\s*\d+",
    re.IGNORECASE,
)
_COUNT = re.compile(r"(?<![\w.,])(\d{1,3})(?![\w.,]*\d)(?!\s*%)")
_TAX_CUE = re.compile(
    r"(?:tax\s*(?:id|number|no\.?)|vat\s*(?:id|number|no\.?)?|nip|tin|trn|kra\s*pin|pin|"
    r"namba\s+ya\s+kodi|numer\s+nip|الرقم\s+الضريبي|رقم\s+ضريبي|الرقم\s+الضريبى|"
    r"کد\s+اقتصادی|شناسه\s+ملی|شماره\s+مالیاتی|کد\s+مالیاتی)\s*(?:is|ni|to|:|هو|است)?\s*[:#]?\s*"
    r"([A-Z]{0,3}[\s\-]?\d[\d\s\-/]{4,20}\d[A-Z]?)",
    re.IGNORECASE,
)
_TAX_SHAPE = re.compile(r"\b(?:PL|DE|GB|EG|AE|KE|TZ)-?\d[\d\-]{7,16}\d\b|\b(?:TIN|TRN)\s?\d[\d\-]{5,16}\d\b")
_ADDRESS_CUE = re.compile(
    r"(?:new\s+address|delivery\s+address|address|deliver(?:y)?\s+to|ship(?:ping)?\s+to|send\s+it\s+to|"
    r"anwani(?:\s+mpya)?|nyumbani\s+kwa|nowy\s+adres|adres(?:\s+dostawy)?|na\s+adres|"
    r"العنوان\s+الجديد|عنوان|إلى\s+عنوان|آدرس(?:\s+جدید)?|نشانی(?:\s+جدید)?)"
    r"\s*(?:is|to|ni|:|na|هو|إلى|الى|به|را\s+به|است|-)*\s*[:\-]?\s*(.+)$",
    re.IGNORECASE,
)
_ADDRESS_LINK = re.compile(r"\s(?:to|iwe|kuwa|hadi|na|إلى|الى|به)\s", re.IGNORECASE)
_DOC_TYPES: dict[str, str] = {
    "return_form": "return form|returns form|rma form|formularz zwrot|formularz zwrotu|fomu ya kurudisha|"
    "fomu ya marejesho|نموذج الارجاع|نموذج الإرجاع|استمارة الارجاع|فرم مرجوعی|فرم برگشت|فرم مرجوع",
    "tax_certificate": "tax certificate|vat certificate|tax exemption|zaswiadczenie|certyfikat podatkowy|"
    "cheti cha kodi|hati ya kodi|شهادة ضريبية|الشهادة الضريبية|شهادة الضريبة|گواهی مالیاتی|گواهی ارزش افزوده",
    "id_document": "passport|id card|identity card|national id|driving licence|driver's license|"
    "dowod|paszport|"
    "kitambulisho|pasipoti|هوية|الهوية|جواز|بطاقة شخصية|کارت ملی|پاسپورت|گذرنامه|شناسنامه",
    "damage_photo": "photo|photos|picture|pictures|pic|pics|image|images|zdjeci|zdjecie|fotk|foto|picha|"
    "صورة|صور|الصور|الصورة|عکس|تصویر",
    "other": "document|file|attachment|pdf|receipt|dokument|plik|zalacznik|hati|faili|risiti|"
    "مستند|ملف|وثيقة|ايصال|سند|مدرک|فایل|رسید",
}
# Return reasons of the back office, most specific first: "arrived broken" is damage, "stopped
# working" a defect, "not what I ordered" the wrong item.
_RETURN_REASONS: dict[str, str] = {
    "wrong_item": r"wrong (item|product|one|size|colou?r|model)|not what i ordered|sent me the wrong|"
    r"different item|"
    r"zł[ay] (produkt|towar|rozmiar|kolor|model)|nie to,? co zamawia|inny produkt|przysłali inn|"
    r"si (kitu|bidhaa) niliyoagiza|mmenitumia (kitu|bidhaa) (kingine|nyingine)|bidhaa (isiyo|si) sahihi|"
    r"kimekosewa|imekosewa|"
    r"غلط|خطأ|مش اللي طلبت|مو اللي طلبت|ليس ما طلبت|منتج ثاني|منتج تاني|غير اللي طلبت|"
    r"اشتباه|اشتباهی|چیزی که سفارش دادم نیست|یه چیز دیگه",
    "damaged": r"damaged|broken|cracked|dented|scratched|smashed|shattered|arrived broken|"
    r"uszkodzon|zniszczon|pęknięt|pekniet|potłuczon|rozbit|porysowan|wgniecion|"
    r"vunjika|imeharibika ikifika|imepasuka|imekwaruzwa|"
    r"مكسور|مكسوره|انكسر|مخدوش|مطعوج|متكسر|مشعور|"
    r"شکسته|ترک|خط افتاده|خط‌افتاده|قر شده|آسیب دیده|له شده",
    "defective": r"doesn['’]?t work|does not work|not working|stopped working|defective|faulty|"
    r"won['’]?t turn on|"
    r"dead on arrival|broke down|"
    r"nie działa|nie dziala|przestał działać|przestal dzialac|wadliw|zepsut|nie włącza|"
    r"haifanyi kazi|haifanyi|haiwaki|imeharibika|ina hitilafu|mbovu|"
    r"ما يشتغل|ما بيشتغل|مش شغال|مابيشتغلش|لا يعمل|خربان|خرب|معطل|عطلان|"
    r"کار نمیکنه|کار نمی‌کنه|کار نمی کند|خراب|روشن نمیشه|معیوب",
    "not_as_described": r"not as described|not like the (photo|picture|description)|doesn['’]?t match|"
    r"looks different|"
    r"not what (it|was) (said|described|shown)|nie jak na zdjęciu|nie jak na zdjeciu|inn[ey] niż na zdjęciu|"
    r"niezgodn|nie takie jak|sio? kama (kwenye|ilivyo)|tofauti na picha|haifanani|"
    r"مش زي الصورة|مو زي الصورة|مختلف عن الصورة|غير مطابق|مو مثل الوصف|"
    r"شبیه عکس نبود|شبیه عکس نیست|با توضیحات فرق|با عکس فرق|مطابق توضیحات نیست",
    "changed_mind": r"changed my mind|don['’]?t (need|want) it|no longer need|don['’]?t like|didn['’]?t like|"
    r"rozmyślił|rozmyslil|zmieniłem zdanie|zmienilam zdanie|nie podoba|już nie potrzebuj|juz nie potrzebuj|"
    r"nimebadili (mawazo|nia)|sikipendi|siipendi|sihitaji tena|"
    r"غيرت رأيي|غيرت رايي|ما عجبني|ماعجبني|مش عاجبني|ما أحتاجه|ما عدت أحتاج|"
    r"پشیمون|پشیمان|نظرم عوض شد|خوشم نیومد|دیگه لازمش ندارم",
}
_REASON_PATTERNS = {reason: re.compile(fold(pattern)) for reason, pattern in _RETURN_REASONS.items()}
_DOC_PATTERNS = {
    kind: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(fold(w)) for w in words.split("|")) + r")")
    for kind, words in _DOC_TYPES.items()
}


def extract_order_id(text: str) -> str | None:
    """``SO-10012`` from "SO-10012", "so10012", "order 10012" or "١٠٠١٢" after an order word."""
    clean = normalize(text)
    match = _ORDER_ID.search(clean) or _ORDER_CUE.search(clean)
    if match:
        return f"SO-{match.group(1)}"
    bare = clean.strip(" .#?!")
    return f"SO-{bare}" if re.fullmatch(r"\d{5}", bare) else None


def extract_sku(text: str) -> str | None:
    """``BH-1001`` from "BH-1001", "bh1001" or "bh 1001"."""
    match = _SKU.search(normalize(text))
    return f"BH-{match.group(1)}" if match else None


def extract_email(text: str) -> str | None:
    """The first e-mail address, lower-cased."""
    match = _EMAIL.search(normalize(text))
    return match.group(0).strip(".").lower() if match else None


def extract_phone(text: str) -> str | None:
    """A phone number as ``+`` and digits (E.164) or digits only for local forms."""
    clean = _EMAIL.sub(" ", _ORDER_ID.sub(" ", normalize(text)))
    for match in _PHONE.finditer(clean):
        raw = match.group(0)
        digits = re.sub(r"\D", "", raw)
        if 9 <= len(digits) <= 15:
            if raw.startswith("00"):
                return "+" + digits[2:]
            return ("+" if raw.startswith("+") else "") + digits
    return None


def extract_quantity(text: str) -> int | None:
    """A count of items, from digits ("3", "x2") or number words in the five languages (1–20)."""
    clean = normalize(text)
    for pattern in (_ADDRESS_CUE, _TAX_CUE, _TAX_SHAPE, _ORDER_ID, _SKU, _EMAIL, _PHONE, _MEASURE):
        clean = pattern.sub(" ", clean)
    clean = re.sub(r"(?i)\bx\s*(\d)|(\d)\s*x\b", r" \1\2 ", clean)
    match = _COUNT.search(clean)
    if match and 0 < int(match.group(1)) <= 999:
        return int(match.group(1))
    return find_number_word(fold(clean))


def extract_tax_id(text: str) -> str | None:
    """A tax / VAT id after a cue word ("NIP", "VAT", "TIN", "الرقم الضريبي") or by its shape."""
    clean = normalize(text)
    match = _TAX_CUE.search(clean)
    if match:
        return re.sub(r"\s+", " ", match.group(1)).strip(" -")
    shaped = _TAX_SHAPE.search(clean)
    return shaped.group(0) if shaped else None


_FA_TRAILING_VERB = re.compile(
    r"\s*(?:را\s+)?(?:تغییر\s*(?:ب?دهید|ب?دید|ب?ده|ب?دهم|ب?دم|کنید|کن|کنم)|عوض\s*(?:کنید|کن|کنم)|بشه|باشه)$"
)


def extract_address(text: str) -> str | None:
    """Free text after an address cue ("address", "anwani", "adres", "عنوان", "آدرس"); None if too short."""
    clean = normalize(text)
    clean = _EMAIL.sub(" ", _ORDER_ID.sub(" ", clean))
    match = _ADDRESS_CUE.search(clean)
    if not match:
        return None
    value = re.sub(r"\s+", " ", match.group(1))
    # "address of my order to X", "anwani ya oda iwe X": the address follows the last linking word.
    parts = _ADDRESS_LINK.split(value)
    if len(parts) > 1 and len(parts[-1].split()) >= 2:
        value = parts[-1]
    # Persian puts the verb last: "… را به خیابان ولیعصر ۱۲، تهران تغییر دهید".
    value = _FA_TRAILING_VERB.sub("", value.strip(" .,:;-!?؟،"))
    value = re.sub(r"\s+را$", "", value).strip(" .,:;-!?؟،")
    # "change my address please" names no address; a real one has a number or several words.
    words = value.split()
    if len(words) < 2 or (len(words) < 3 and not re.search(r"\d", value)):
        return None
    return value


def extract_doc_type(text: str) -> str | None:
    """``damage_photo``, ``return_form``, ``tax_certificate``, ``id_document`` or ``other`` from its words."""
    folded = fold(text)
    for kind, pattern in _DOC_PATTERNS.items():
        if pattern.search(folded):
            return kind
    return None


def extract_return_reason(text: str) -> str | None:
    """``damaged``, ``defective``, ``wrong_item``, ``not_as_described`` or ``changed_mind`` from its words."""
    folded = fold(text)
    for reason, pattern in _REASON_PATTERNS.items():
        if pattern.search(folded):
            return reason
    return None


def extract_slots(text: str, products: ProductMatcher | None = None) -> dict[str, Any]:
    """Every slot value found in ``text``; product names resolve to ``sku`` or ``sku_candidates``."""
    slots: dict[str, Any] = {}
    extractors = {
        "order_id": extract_order_id,
        "sku": extract_sku,
        "quantity": extract_quantity,
        "email": extract_email,
        "phone": extract_phone,
        "address": extract_address,
        "tax_id": extract_tax_id,
        "doc_type": extract_doc_type,
        "reason": extract_return_reason,
    }
    for name, extractor in extractors.items():
        value = extractor(text)
        if value is not None:
            slots[name] = value
    if "sku" not in slots and products is not None:
        # Street names must not be read as products.
        match = products.match(text.replace(slots["address"], " ") if "address" in slots else text)
        if match.sku is not None:
            slots["sku"] = match.sku
        elif match.candidates:
            slots["sku_candidates"] = [c.sku for c in match.candidates]
    return slots
