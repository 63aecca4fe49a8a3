"""Turn Markdown, HTML, PDF, DOCX and plain text into titled sections."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

import frontmatter
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt
from pypdf import PdfReader

from knowledge.documents import ParsedDocument, Section
from knowledge.errors import SourceRejected

__all__ = ["PARSERS", "parse_bytes", "parser_for", "slugify"]

Parser = Callable[[str, bytes], ParsedDocument]

_md = MarkdownIt("commonmark").enable("table")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = ("p", "li", "tr", "pre", "blockquote", "dd", "dt", "figcaption")


def slugify(text: str) -> str:
    """A heading anchor the way Markdown renderers make them (unicode letters kept)."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_]+", "-", text).strip("-")


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise SourceRejected("binary content")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceRejected("not UTF-8 text (binary?)") from exc
    controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 8:
        raise SourceRejected("binary content")
    return text


def _stem_title(source: str) -> str:
    stem = PurePath(source.rstrip("/").split("?")[0]).stem or source
    return stem.replace("-", " ").replace("_", " ").strip().capitalize()


class _SectionBuilder:
    """Collects paragraphs under a stack of headings."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._stack: list[tuple[int, str]] = []
        self._paragraphs: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text.strip()))

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if text:
            self._paragraphs.append(text)

    def flush(self) -> None:
        if self._paragraphs:
            headings = tuple(h for _, h in self._stack)
            anchor = slugify(headings[-1]) if headings else ""
            self.sections.append(Section(headings, "\n\n".join(self._paragraphs), anchor))
        self._paragraphs = []


def _drop_title_heading(sections: list[Section], title: str) -> list[Section]:
    """The document title leads every path already; an identical top heading is noise."""
    key = title.strip().casefold()
    out = []
    for section in sections:
        headings = section.headings
        if headings and headings[0].strip().casefold() == key:
            headings = headings[1:]
        out.append(Section(headings, section.text, section.anchor))
    return out


def _inline_text(token: Any) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" " if child.type == "softbreak" else "\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


def parse_markdown(source: str, data: bytes) -> ParsedDocument:
    """Markdown with optional YAML front matter (title, language, tags, updated, article)."""
    text = _decode_text(data)
    try:
        post = frontmatter.loads(text)
    except Exception as exc:  # the YAML parser raises many kinds
        raise SourceRejected(f"bad front matter: {exc}") from exc
    meta = post.metadata
    builder = _SectionBuilder()
    tokens = _md.parse(post.content)
    first_h1 = ""
    list_depth = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = _inline_text(tokens[index + 1])
            if token.tag == "h1" and not first_h1:
                first_h1 = heading
            builder.heading(int(token.tag[1]), heading)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "inline" and tokens[index - 1].type != "heading_open":
            content = _inline_text(token)
            builder.paragraph(f"• {content}" if list_depth else content)
        elif token.type in ("fence", "code_block"):
            builder.paragraph(token.content)
    builder.flush()
    title = str(meta.get("title") or first_h1 or _stem_title(source))
    raw_tags = meta.get("tags") or ()
    tags: list[object] = (
        [t.strip() for t in raw_tags.split(",")]
        if isinstance(raw_tags, str)
        else list(raw_tags)
        if isinstance(raw_tags, list | tuple)
        else []
    )
    return ParsedDocument(
        source=source,
        title=title,
        sections=_drop_title_heading(builder.sections, title),
        language=str(meta["language"]) if meta.get("language") else None,
        tags=tuple(str(t) for t in tags if str(t).strip()),
        article=str(meta.get("article") or PurePath(source).stem),
        updated=str(meta.get("updated") or ""),
        kind="markdown",
    )


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"name": name})
    if isinstance(tag, Tag):
        return str(tag.get("content") or "").strip()
    return ""


def parse_html(source: str, data: bytes) -> ParsedDocument:
    """HTML: headings h1–h6 structure the text; <title>, lang and <meta> give metadata."""
    if b"\x00" in data[:8192]:
        raise SourceRejected("binary content")
    soup = BeautifulSoup(data, "html.parser")
    for junk in soup(["script", "style", "nav", "footer", "header", "noscript", "template"]):
        junk.decompose()
    builder = _SectionBuilder()
    body = soup.body or soup
    first_h1 = ""
    for element in body.find_all([*_HEADING_TAGS, *_BLOCK_TAGS]):
        if not isinstance(element, Tag):
            continue
        if element.name in _HEADING_TAGS:
            heading = element.get_text(" ", strip=True)
            if element.name == "h1" and not first_h1:
                first_h1 = heading
            builder.heading(int(element.name[1]), heading)
        elif element.name == "tr":
            cells = element.find_all(["td", "th"])
            builder.paragraph(" | ".join(c.get_text(" ", strip=True) for c in cells))
        elif not element.find_parent(_BLOCK_TAGS):
            text = element.get_text(" ", strip=True)
            builder.paragraph(f"• {text}" if element.name == "li" else text)
    builder.flush()
    sections = builder.sections
    title_tag = soup.title.get_text(strip=True) if soup.title else ""
    title = _meta(soup, "title") or title_tag or first_h1 or _stem_title(source)
    html_tag = soup.find("html")
    lang = _meta(soup, "language")
    if not lang and isinstance(html_tag, Tag):
        lang = str(html_tag.get("lang") or "")
    tags = _meta(soup, "keywords") or _meta(soup, "tags")
    return ParsedDocument(
        source=source,
        title=title,
        sections=_drop_title_heading(sections, title),
        language=lang.split("-")[0].lower() or None,
        tags=tuple(t.strip() for t in tags.split(",") if t.strip()),
        article=_meta(soup, "article") or PurePath(source.split("?")[0]).stem,
        updated=_meta(soup, "updated"),
        kind="html",
    )


def _pdf_fragments(reader: PdfReader) -> list[tuple[int, float, str]]:
    """Text fragments as ``(page, font size in points, text)``."""
    fragments: list[tuple[int, float, str]] = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, page_no: int = number) -> None:
            if text.strip():
                fragments.append((page_no, round(abs(size * tm[3] * cm[3]), 1), text))

        page.extract_text(visitor_text=visit)
    return fragments


def _pdf_meta(reader: PdfReader, key: str) -> str:
    meta = reader.metadata
    return str(meta.get(key) or "").strip() if meta else ""


def parse_pdf(source: str, data: bytes) -> ParsedDocument:
    """PDF: larger fonts are headings; anchors are ``page=N``; metadata gives title and more."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        fragments = _pdf_fragments(reader)
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise SourceRejected(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    if not fragments:
        raise SourceRejected("no text found (scanned PDF?)")
    weight: dict[float, int] = {}
    for _, size, text in fragments:
        weight[size] = weight.get(size, 0) + len(text)
    body = max(weight, key=weight.__getitem__)
    heading_sizes = sorted({s for _, s, _ in fragments if s >= body * 1.15}, reverse=True)
    title = _pdf_meta(reader, "/Title")
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    text_parts: list[str] = []
    section_page = 1
    previous: tuple[int, float] | None = None

    def flush() -> None:
        text = re.sub(r"[ \t]*\n[ \t]*", " ", "".join(text_parts))
        text = re.sub(r" {2,}", " ", text).strip()
        if text:
            headings = tuple(h for _, h in stack)
            sections.append(Section(headings, text, f"page={section_page}"))
        text_parts.clear()

    for page, size, text in fragments:
        if size in heading_sizes:
            level = heading_sizes.index(size) + 1
            if previous == (page, size) and stack and stack[-1][0] == level:
                stack[-1] = (level, f"{stack[-1][1]} {text.strip()}")
            else:
                flush()
                if not title and level == 1:
                    title = text.strip()
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, text.strip()))
                section_page = page
        else:
            if not text_parts:
                section_page = page
            text_parts.append(text if text.endswith((" ", "\n")) else text + " ")
        previous = (page, size)
    flush()
    title = title or _stem_title(source)
    keywords = _pdf_meta(reader, "/Keywords")
    return ParsedDocument(
        source=source,
        title=title,
        sections=_drop_title_heading(sections, title),
        language=_pdf_meta(reader, "/Language") or None,
        tags=tuple(t.strip() for t in keywords.split(",") if t.strip()),
        article=_pdf_meta(reader, "/Article") or PurePath(source.split("?")[0]).stem,
        updated=_pdf_meta(reader, "/Updated"),
        kind="pdf",
    )


def parse_docx(source: str, data: bytes) -> ParsedDocument:
    """DOCX: ``Title`` and ``Heading N`` paragraph styles structure the text."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile/KeyError/ValueError variants
        raise SourceRejected(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    builder = _SectionBuilder()
    title = str(document.core_properties.title or "").strip()
    for paragraph in document.paragraphs:
        style = paragraph.style.name if paragraph.style is not None else ""
        text = paragraph.text.strip()
        if not text:
            continue
        if style == "Title":
            title = title or text
        elif style and style.startswith("Heading"):
            level = int(style.split()[-1]) if style.split()[-1].isdigit() else 1
            builder.heading(level, text)
        else:
            bullet = "• " if "List" in (style or "") else ""
            builder.paragraph(bullet + text)
    for table in document.tables:
        for row in table.rows:
            builder.paragraph(" | ".join(cell.text.strip() for cell in row.cells))
    builder.flush()
    title = title or _stem_title(source)
    return ParsedDocument(
        source=source,
        title=title,
        sections=_drop_title_heading(builder.sections, title),
        article=PurePath(source).stem,
        kind="docx",
    )


def parse_text(source: str, data: bytes) -> ParsedDocument:
    """Plain text: paragraphs separated by blank lines; the first short line is the title."""
    text = _decode_text(data)
    lines = text.strip().splitlines()
    title = _stem_title(source)
    if lines and len(lines[0]) <= 100 and len(lines) > 1 and not lines[1].strip():
        title = lines[0].strip()
        text = "\n".join(lines[2:])
    paragraphs = [re.sub(r"\s*\n\s*", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    body = "\n\n".join(p for p in paragraphs if p)
    sections = [Section((), body, "")] if body else []
    return ParsedDocument(
        source=source,
        title=title,
        sections=sections,
        article=PurePath(source).stem,
        kind="text",
    )


PARSERS: dict[str, Parser] = {
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".html": parse_html,
    ".htm": parse_html,
    ".pdf": parse_pdf,
    ".docx": parse_docx,
    ".txt": parse_text,
    ".text": parse_text,
}

_CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


def parser_for(name: str, content_type: str = "") -> Parser | None:
    """The parser for a file name (by suffix) or, failing that, an HTTP content type."""
    suffix = PurePath(name.split("?")[0].split("#")[0]).suffix.lower()
    if suffix in PARSERS:
        return PARSERS[suffix]
    mapped = _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())
    return PARSERS[mapped] if mapped else None


def parse_bytes(source: str, data: bytes, content_type: str = "") -> ParsedDocument:
    """Parse one source, or raise :class:`SourceRejected` saying why not."""
    if not data.strip():
        raise SourceRejected("empty")
    parser = parser_for(source, content_type)
    if parser is None:
        raise SourceRejected("unsupported file type")
    document = parser(source, data)
    if not any(section.text.strip() for section in document.sections):
        raise SourceRejected("no text found")
    return document
