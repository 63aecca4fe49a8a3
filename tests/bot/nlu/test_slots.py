from __future__ import annotations

import pytest

from bot.nlu import ProductMatcher, extract_slots
from bot.nlu.slots import (
    extract_address,
    extract_doc_type,
    extract_email,
    extract_order_id,
    extract_phone,
    extract_quantity,
    extract_return_reason,
    extract_sku,
    extract_tax_id,
)

pytestmark = pytest.mark.unit


class TestOrderId:
    @pytest.mark.parametrize(
        "text",
        [
            "cancel SO-10012",
            "so10012 please",
            "order 10012",
            "أين طلبي رقم ١٠٠١٢",
            "سفارش ۱۰۰۱۲ کجاست",
            "10012",
        ],
    )
    def test_forms(self, text: str) -> None:
        assert extract_order_id(text) == "SO-10012"

    def test_no_order_id(self) -> None:
        assert extract_order_id("where is my parcel") is None


class TestSkuAndQuantity:
    def test_sku_forms(self) -> None:
        assert extract_sku("price of bh1005?") == "BH-1005"
        assert extract_sku("BH-1020 please") == "BH-1020"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("I want 3 kettles", 3),
            ("I want two kettles", 2),
            ("أريد اثنين من الخلاط", 2),
            ("دو تا پاتختی میخوام", 2),
            ("nataka birika mbili", 2),
            ("poproszę dwie lampki", 2),
            ("kumi na mbili", 12),
            ("۳ عدد", 3),
        ],
    )
    def test_quantities_in_five_languages(self, text: str, expected: int) -> None:
        assert extract_quantity(text) == expected

    def test_sizes_ids_and_addresses_are_not_quantities(self) -> None:
        assert extract_quantity("the 1.7 L kettle from SO-10012") is None
        assert extract_quantity("power bank 10000 mAh") is None
        assert extract_quantity("change the address to Ngong Road 45, Nairobi") is None

    def test_persian_no_is_not_nine(self) -> None:
        assert extract_quantity("نه، ممنون") is None


class TestContactDetails:
    def test_email(self) -> None:
        assert extract_email("mail: Jan.Kowalski@Example.com.") == "jan.kowalski@example.com"

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("my phone is +48 501 234 505", "+48501234505"),
            ("call 00254712345601", "+254712345601"),
            ("nipigie 0712 345 678", "0712345678"),
            ("tel. 501-234-505", "501234505"),
        ],
    )
    def test_phone(self, text: str, expected: str) -> None:
        assert extract_phone(text) == expected


class TestAddressAndTaxId:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("change the address to Ngong Road 45, Kilimani, Nairobi", "Ngong Road 45, Kilimani, Nairobi"),
            ("badilisha anwani ya oda SO-10003 iwe Mtaa wa Samora 12", "Mtaa wa Samora 12"),
            ("zmień adres na ul. Długa 17/3, Gdańsk", "ul. Długa 17/3, Gdańsk"),
            ("غير العنوان إلى شارع محمد محمود 15، القاهرة", "شارع محمد محمود 15، القاهرة"),
            ("آدرس جدید: تهران، خیابان ولیعصر، پلاک ۱۲", "تهران، خیابان ولیعصر، پلاک 12"),
        ],
    )
    def test_address_after_cue(self, text: str, expected: str) -> None:
        assert extract_address(text) == expected

    def test_address_request_without_address(self) -> None:
        assert extract_address("can you change my address") is None

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("my VAT number is PL6772104583", "PL6772104583"),
            ("NIP 677-210-45-83", "677-210-45-83"),
            ("invoice with TRN 100345678900003", "100345678900003"),
        ],
    )
    def test_tax_id(self, text: str, expected: str) -> None:
        assert extract_tax_id(text) == expected


class TestDocType:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("here are photos of the damage", "damage_photo"),
            ("nimetuma picha", "damage_photo"),
            ("zdjęcie uszkodzonej paczki", "damage_photo"),
            ("مرفق صورة المنتج التالف", "damage_photo"),
            ("فرم مرجوعی رو فرستادم", "return_form"),
            ("attached is the return form", "return_form"),
            ("przesyłam zaświadczenie podatkowe", "tax_certificate"),
            ("hii ni nakala ya kitambulisho changu", "id_document"),
            ("اینم کپی کارت ملیم", "id_document"),
            ("here is a document", "other"),
        ],
    )
    def test_doc_types_in_five_languages(self, text: str, expected: str) -> None:
        assert extract_doc_type(text) == expected


class TestExtractSlots:
    def test_product_and_quantity(self, products: ProductMatcher) -> None:
        assert extract_slots("I want two glass kettles", products) == {"quantity": 2, "sku": "BH-1012"}

    def test_ambiguous_product_gives_candidates(self, products: ProductMatcher) -> None:
        slots = extract_slots("nataka birika mbili", products)
        assert slots["quantity"] == 2
        assert set(slots["sku_candidates"]) == {"BH-1011", "BH-1012"}

    def test_street_names_are_not_products(self, products: ProductMatcher) -> None:
        slots = extract_slots("غير العنوان إلى شارع محمد محمود 15، القاهرة", products)
        assert "sku" not in slots
        assert "sku_candidates" not in slots


@pytest.mark.unit
class TestReturnReason:
    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("the lamp arrived broken", "damaged"),
            ("regał przyszedł z pękniętą półką", "damaged"),
            ("المنتج وصل مكسور", "damaged"),
            ("kabati limefika na ubao umevunjika", "damaged"),
            ("it stopped working after a day", "defective"),
            ("czajnik nie działa", "defective"),
            ("الخلاط ما يشتغل", "defective"),
            ("قهوه‌ساز کار نمیکنه", "defective"),
            ("blenda haifanyi kazi", "defective"),
            ("you sent me the wrong item", "wrong_item"),
            ("wysłaliście zły kolor", "wrong_item"),
            ("وصلني منتج غلط", "wrong_item"),
            ("not as described, the colour is off", "not_as_described"),
            ("kioo sio kama kwenye picha", "not_as_described"),
            ("آینه شبیه عکس نبود", "not_as_described"),
            ("I changed my mind", "changed_mind"),
            ("rozmyśliłam się", "changed_mind"),
            ("nimebadili mawazo", "changed_mind"),
            ("غيرت رأيي", "changed_mind"),
            ("پشیمون شدم", "changed_mind"),
            ("I want to return SO-10012", None),
        ],
    )
    def test_reason_in_five_languages(self, text: str, reason: str | None) -> None:
        assert extract_return_reason(text) == reason
