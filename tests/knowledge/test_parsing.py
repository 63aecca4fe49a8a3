"""Parsers and heading-aware chunking."""

from __future__ import annotations

import io

import pytest

from knowledge.chunking import TITLE_SEPARATOR, chunk_document
from knowledge.errors import SourceRejected
from knowledge.parsing import parse_bytes, slugify
from tests.knowledge.conftest import RETURNS_EN, RETURNS_PL
from tests.knowledge.pdf_fixture import make_pdf

pytestmark = pytest.mark.unit


class TestMarkdown:
    def test_front_matter_and_title_paths(self) -> None:
        document = parse_bytes("returns-and-refunds.md", RETURNS_EN.encode())
        chunks = chunk_document(document)

        assert document.title == "Returns and refunds"
        assert document.tags == ("returns", "refunds")
        assert document.article == "returns-and-refunds"
        assert [c.title_path for c in chunks] == [
            "Returns and refunds",
            "Returns and refunds › How long do I have to return a product?",
            "Returns and refunds › When do I get my refund?",
        ]
        assert chunks[1].anchor == "how-long-do-i-have-to-return-a-product"
        assert "30 days" in chunks[1].text
        assert {c.language for c in chunks} == {"en"}

    def test_front_matter_language_wins_over_detection(self) -> None:
        text = RETURNS_EN.replace("language: en", "language: sw")
        chunks = chunk_document(parse_bytes("x.md", text.encode()))
        assert {c.language for c in chunks} == {"sw"}

    def test_language_detected_per_chunk_without_front_matter(self) -> None:
        text = (
            "# Help\n\n## Returns\n\nYou can return most products within thirty days of delivery.\n\n"
            "## Zwroty\n\nWiększość produktów możesz zwrócić w ciągu trzydziestu dni od dostawy.\n"
        )
        chunks = chunk_document(parse_bytes("help.md", text.encode()))
        assert [c.language for c in chunks] == ["en", "pl"]
        assert chunks[1].title_path == f"Help{TITLE_SEPARATOR}Zwroty"

    def test_nested_headings_keep_the_whole_path(self) -> None:
        text = "# Guide\n\n## Chairs\n\n### Office chair\n\nTighten the bolts.\n\n## Tables\n\nOil it.\n"
        chunks = chunk_document(parse_bytes("guide.md", text.encode()))
        assert [c.title_path for c in chunks] == [
            "Guide › Chairs › Office chair",
            "Guide › Tables",
        ]

    def test_long_sections_are_split_and_keep_their_path(self) -> None:
        body = " ".join(f"Sentence number {n} says something useful." for n in range(80))
        chunks = chunk_document(parse_bytes("long.md", f"# Long\n\n## Part\n\n{body}\n".encode()))
        assert len(chunks) > 2
        assert all(c.title_path == "Long › Part" for c in chunks)
        assert all(len(c.text) <= 900 for c in chunks)
        assert len({c.id for c in chunks}) == len(chunks)


class TestOtherFormats:
    def test_html_headings_meta_and_tables(self) -> None:
        html = """<html lang="pl"><head><title>Rozmiary</title>
        <meta name="keywords" content="size, furniture"><meta name="article" content="sizes">
        </head><body><nav>menu</nav><h1>Rozmiary</h1><p>Wstęp do przewodnika.</p>
        <h2 id="szafy">Jak zmierzyć szafę?</h2><p>Zmierz wysokość i szerokość.</p>
        <table><tr><th>Produkt</th><th>Wymiary</th></tr><tr><td>Szafa</td><td>200 cm</td></tr>
        </table><script>var x = 1;</script></body></html>"""
        document = parse_bytes("sizes.html", html.encode())
        chunks = chunk_document(document)

        assert document.language == "pl"
        assert document.tags == ("size", "furniture")
        assert document.article == "sizes"
        assert chunks[1].title_path == "Rozmiary › Jak zmierzyć szafę?"
        assert "Szafa | 200 cm" in chunks[1].text
        assert "menu" not in " ".join(c.text for c in chunks)
        assert "var x" not in " ".join(c.text for c in chunks)

    def test_pdf_large_fonts_become_headings(self) -> None:
        data = make_pdf(
            [
                (20, "Warranty terms"),
                (14, "What is covered"),
                (10, "Manufacturing defects are covered for two years."),
                (14, "How to claim"),
                (10, "Send us the invoice number and a photo."),
            ],
            title="Warranty terms",
        )
        chunks = chunk_document(parse_bytes("warranty.pdf", data))
        assert [c.title_path for c in chunks] == [
            "Warranty terms › What is covered",
            "Warranty terms › How to claim",
        ]
        assert chunks[0].anchor == "page=1"
        assert "two years" in chunks[0].text

    def test_docx_styles_become_headings(self) -> None:
        import docx

        document = docx.Document()
        document.add_paragraph("Gift cards", style="Title")
        document.add_paragraph("Gift cards are valid for two years.")
        document.add_heading("Can I top up a gift card?", level=1)
        document.add_paragraph("No, but you can buy a new one.")
        buffer = io.BytesIO()
        document.save(buffer)

        chunks = chunk_document(parse_bytes("gift-cards.docx", buffer.getvalue()))
        assert [c.title_path for c in chunks] == [
            "Gift cards",
            "Gift cards › Can I top up a gift card?",
        ]
        assert chunks[1].text == "No, but you can buy a new one."

    def test_plain_text_first_line_is_the_title(self) -> None:
        text = "Opening hours\n\nWe answer every day\nfrom 8 to 20.\n\nOn holidays we rest."
        chunks = chunk_document(parse_bytes("hours.txt", text.encode()))
        assert chunks[0].title_path == "Opening hours"
        assert chunks[0].text == "We answer every day from 8 to 20.\n\nOn holidays we rest."

    def test_polish_markdown_title_path(self) -> None:
        chunks = chunk_document(parse_bytes("zwroty.md", RETURNS_PL.encode()))
        assert chunks[0].title_path == "Zwroty i zwrot pieniędzy › Ile mam czasu na zwrot produktu?"
        assert chunks[0].language == "pl"


class TestRejections:
    @pytest.mark.parametrize(
        ("name", "data", "reason"),
        [
            ("empty.md", b"  \n\n", "empty"),
            ("blob.txt", b"\x00\x01\x02binary\x00" * 20, "binary"),
            ("broken.pdf", b"%PDF-1.4\n this is not really a pdf", "PDF"),
            ("broken.docx", b"PK\x03\x04 not a zip at all", "DOCX"),
            ("picture.png", b"\x89PNG\r\n", "unsupported"),
            ("only-front-matter.md", b"---\ntitle: x\n---\n", "no text"),
        ],
    )
    def test_bad_sources_are_rejected_with_a_reason(self, name: str, data: bytes, reason: str) -> None:
        with pytest.raises(SourceRejected, match=reason):
            parse_bytes(name, data)


def test_slugify_keeps_unicode_letters() -> None:
    assert slugify("Ile mam czasu na zwrot?") == "ile-mam-czasu-na-zwrot"
    assert slugify("چگونه کالا را برگردانم؟") == "چگونه-کالا-را-برگردانم"
