"""Rate limits: a sliding window per key, answered with 429 and ``Retry-After``."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

from tandem.errors import TandemError


class RateLimited(TandemError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class SlidingWindow:
    """At most ``limit`` hits per ``seconds`` for each key (in this process)."""

    limit: int
    seconds: float
    _hits: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str, what: str = "requests") -> None:
        """Count one hit for ``key``, or raise :class:`RateLimited` with the wait in seconds."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = max(1, math.ceil(hits[0] + self.seconds - now))
                raise RateLimited(f"too many {what}; try again in {retry} s", retry)
            hits.append(now)
            if len(self._hits) > 50_000:  # forget idle keys so memory stays bounded
                for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.seconds]:
                    del self._hits[stale]

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)
