"""A small sliding-window rate limiter for public forms that take a secret (references, codes).

It lives in process memory: with several workers each keeps its own count, so the effective limit
is the limit times the number of workers, which still makes guessing a 58-bit reference hopeless.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque

from litestar import Request


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float):
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        if len(self._hits) > 50_000:  # forget idle clients so memory stays bounded
            for stale in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                del self._hits[stale]
        return True

    def reset(self) -> None:
        self._hits.clear()


def client_key(request: Request) -> str:
    # uvicorn's proxy_headers has already replaced this with X-Forwarded-For from trusted proxies.
    return request.client.host if request.client else "unknown"
