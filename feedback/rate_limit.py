"""A small sliding-window rate limiter for public forms that take a secret (references, codes).

It lives in process memory: with several workers each keeps its own count, so the effective limit
is the limit times the number of workers, which still makes guessing a 58-bit reference hopeless.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict, deque

from litestar import Request, Response


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


# Every public form post, per client address: far above what a person (or a family sharing a
# council wifi) can type, low enough to blunt a script hammering the service. 0 turns it off.
_PUBLIC_POSTS_PER_MINUTE = int(os.environ.get("FEEDBACK_PUBLIC_POSTS_PER_MINUTE", "600"))
public_posts = RateLimiter(limit=max(_PUBLIC_POSTS_PER_MINUTE, 1), window_seconds=60)


async def public_post_limit(request: Request) -> Response | None:
    """A `before_request` hook for public controllers: a 429 page once a client posts too often."""
    if request.method != "POST" or _PUBLIC_POSTS_PER_MINUTE <= 0:
        return None
    if public_posts.allow(client_key(request)):
        return None
    from feedback.errors import error_page

    return error_page(request, 429)
