"""Where sources come from: files, directories, URL lists; read with a size limit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from knowledge.errors import SourceRejected
from knowledge.parsing import parser_for

__all__ = ["DEFAULT_MAX_BYTES", "SourceRef", "content_hash", "expand", "is_url", "read_url_list"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SourceRef:
    """A source to ingest: its key (path or URL), what listed it, and how to read it."""

    key: str
    origin: str
    read: Callable[[], tuple[bytes, str]]


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def content_hash(data: bytes, salt: str) -> str:
    """Hash of the bytes and of everything that shapes chunks (parser/chunker version)."""
    return hashlib.sha256(salt.encode() + b"\x00" + data).hexdigest()


def _file_reader(path: Path, max_bytes: int) -> Callable[[], tuple[bytes, str]]:
    def read() -> tuple[bytes, str]:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceRejected(f"too large ({size} bytes > {max_bytes})")
        return path.read_bytes(), ""

    return read


def _url_reader(url: str, client: httpx.Client, max_bytes: int) -> Callable[[], tuple[bytes, str]]:
    def read() -> tuple[bytes, str]:
        try:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise SourceRejected(f"HTTP {response.status_code}")
                body = bytearray()
                for part in response.iter_bytes():
                    body.extend(part)
                    if len(body) > max_bytes:
                        raise SourceRejected(f"too large (> {max_bytes} bytes)")
                return bytes(body), response.headers.get("content-type", "")
        except httpx.HTTPError as exc:
            raise SourceRejected(f"fetch failed: {type(exc).__name__}: {exc}") from exc

    return read


def read_url_list(path: Path) -> list[str] | None:
    """The URLs of a URL-list file (one per line, ``#`` comments), or ``None`` if it is not one."""
    if path.suffix.lower() not in (".txt", ".urls", ".list") or path.stat().st_size > 1_000_000:
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError):
        return None
    entries = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    if not entries or not all(is_url(e) and " " not in e for e in entries):
        return None
    return entries


def expand(
    inputs: list[str], client: httpx.Client, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[SourceRef | tuple[str, str]]:
    """Sources named by ``inputs``; yields ``(name, reason)`` for what cannot be a source."""
    for item in inputs:
        if is_url(item):
            yield SourceRef(item, "", _url_reader(item, client, max_bytes))
            continue
        path = Path(item).expanduser().resolve()
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in file.relative_to(path).parts):
                    continue
                if parser_for(file.name) is None:
                    yield str(file), "unsupported file type"
                    continue
                yield SourceRef(str(file), str(path), _file_reader(file, max_bytes))
        elif path.is_file():
            urls = read_url_list(path)
            if urls is not None:
                for url in urls:
                    yield SourceRef(url, str(path), _url_reader(url, client, max_bytes))
            elif parser_for(path.name) is None:
                yield str(path), "unsupported file type"
            else:
                yield SourceRef(str(path), "", _file_reader(path, max_bytes))
        else:
            yield item, "not found"
