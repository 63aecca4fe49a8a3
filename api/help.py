"""The public help centre: the articles the assistant cites, as pages customers can open."""

from __future__ import annotations

from functools import lru_cache
from html import escape

import frontmatter
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from markdown_it import MarkdownIt

from bot.citations import HELP_CENTRE
from knowledge.parsing import slugify
from tandem.errors import NotFound

router = APIRouter(prefix="/help", tags=["help centre"], include_in_schema=False)
LANGUAGES = ("en", "ar", "fa", "sw", "pl")
RTL = {"ar", "fa"}


def _heading_ids(md: MarkdownIt) -> MarkdownIt:
    def add_ids(state: object) -> None:
        tokens = state.tokens  # type: ignore[attr-defined]
        for index, token in enumerate(tokens):
            if token.type == "heading_open" and index + 1 < len(tokens):
                token.attrSet("id", slugify(tokens[index + 1].content))

    md.core.ruler.push("heading_ids", add_ids)
    return md


@lru_cache(maxsize=256)
def _render(language: str, slug: str) -> str:
    path = HELP_CENTRE / language / f"{slug}.md"
    if language not in LANGUAGES or not slug.replace("-", "").isalnum() or not path.is_file():
        raise NotFound("no such help article")
    article = frontmatter.loads(path.read_text("utf-8"))
    body = _heading_ids(MarkdownIt("commonmark", {"html": False})).render(article.content)
    title = escape(str(article.get("title", slug)))
    direction = "rtl" if language in RTL else "ltr"
    return f"""<!doctype html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} — Baobab Home</title>
<style>body{{font:16px/1.6 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
h1,h2{{color:#5a3a24}}a{{color:#b4532a}}:target{{background:#fdf1d8}}</style></head>
<body><p><a href="/help/{language}">Baobab Home — help</a></p>{body}</body></html>"""


@router.get("/{language}", response_class=HTMLResponse)
def help_index(language: str) -> HTMLResponse:
    if language not in LANGUAGES:
        raise NotFound("no help centre in that language")
    items = []
    for path in sorted((HELP_CENTRE / language).glob("*.md")):
        title = escape(str(frontmatter.loads(path.read_text("utf-8")).get("title", path.stem)))
        items.append(f'<li><a href="/help/{language}/{path.stem}">{title}</a></li>')
    direction = "rtl" if language in RTL else "ltr"
    return HTMLResponse(
        f'<!doctype html><html lang="{language}" dir="{direction}"><meta charset="utf-8">'
        f"<title>Baobab Home — help</title><ul>{''.join(items)}</ul></html>"
    )


@router.get("/files/{language}/{name}")
def help_file(language: str, name: str) -> FileResponse:
    path = HELP_CENTRE / language / name
    if language not in LANGUAGES or "/" in name or name.startswith(".") or not path.is_file():
        raise NotFound("no such help file")
    return FileResponse(path)


@router.get("/{language}/{slug}", response_class=HTMLResponse)
def help_article(language: str, slug: str) -> HTMLResponse:
    return HTMLResponse(_render(language, slug))
