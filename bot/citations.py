"""Citations customers can open: help-centre files become public /help links; paths never leak."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

HELP_CENTRE = Path(__file__).resolve().parents[1] / "knowledge" / "helpcentre"


@lru_cache(maxsize=1)
def _help_root() -> Path:
    return HELP_CENTRE.resolve()


def public_link(source: str, anchor: str = "", base_url: str = "") -> str:
    """The customer-facing link of a knowledge source, or "" when it has none."""
    fragment = f"#{anchor}" if anchor else ""
    if source.startswith(("https://", "http://")):
        return source.split("#")[0] + fragment
    try:
        relative = Path(source).resolve().relative_to(_help_root())
    except (ValueError, OSError):
        return ""  # an uploaded or local file: show the title, not a server path
    if relative.suffix == ".md":
        return f"{base_url}/help/{relative.parent.as_posix()}/{relative.stem}{fragment}"
    return f"{base_url}/help/files/{relative.as_posix()}{fragment}"
