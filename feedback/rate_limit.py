"""Rate limits for forms that take a secret: a sliding window for public forms (references, codes) and
a failure throttle for sign-in, and the client address they are keyed by.

They live in process memory: with several workers each keeps its own count, so the effective limit
is the limit times the number of workers, which still makes guessing a 58-bit reference hopeless.
"""

from __future__ import annotations

import ipaddress
import math
import os
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable, Iterable

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


@dataclass
class _Failures:
    count: int
    last: float


class FailureThrottle:
    """Slows repeated failures instead of locking anyone out: after `free` failures each further one
    doubles the wait before the next attempt is even checked (1 s, 2 s, 4 s ... up to `cap`).
    Only failures count, so an owner who signs in correctly is never held back by their own
    successes, and the longest anyone can be kept out by someone else's guesses is `cap`.
    Failures are forgotten after `forget_after` seconds without one. `clock` is injectable for tests."""

    def __init__(self, free: int, cap_seconds: float, forget_after: float = 900, clock: Callable[[], float] = time.monotonic):
        self.free = free
        self.cap = cap_seconds
        self.forget_after = forget_after
        self.clock = clock
        self._failures: dict[str, _Failures] = {}

    def _current(self, key: str, now: float) -> _Failures | None:
        entry = self._failures.get(key)
        if entry is not None and now - entry.last >= self.forget_after:
            del self._failures[key]
            return None
        return entry

    def wait_seconds(self, key: str) -> int:
        """Seconds (rounded up) before `key` may try again; 0 when it may try now."""
        now = self.clock()
        entry = self._current(key, now)
        if entry is None or entry.count < self.free:
            return 0
        required = min(self.cap, 2.0 ** (entry.count - self.free))
        return max(0, math.ceil(entry.last + required - now))

    def failed(self, key: str) -> None:
        now = self.clock()
        entry = self._current(key, now)
        if entry is None:
            self._failures[key] = _Failures(1, now)
        else:
            entry.count += 1
            entry.last = now
        if len(self._failures) > 50_000:  # forget quiet keys so memory stays bounded
            for stale in [k for k, v in self._failures.items() if now - v.last >= self.forget_after]:
                del self._failures[stale]

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)

    def reset(self) -> None:
        self._failures.clear()


def _is_trusted(host: str, trusted: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        address = ipaddress.ip_address(host.strip())
    except ValueError:
        return False
    return any(address in network for network in trusted)


def client_key(request: Request) -> str:
    """The client's address. X-Forwarded-For is believed only when the connection comes from a proxy
    in FEEDBACK_TRUSTED_PROXIES, and then only up to the first address no trusted proxy added (read
    from the right), so a client cannot choose its own key by sending the header itself."""
    peer = request.client.host if request.client else "unknown"
    trusted = getattr(request.app.state.settings, "trusted_proxies", ())
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    forwarded = [part.strip() for header in request.headers.getall("x-forwarded-for", []) for part in header.split(",")]
    for hop in reversed([part for part in forwarded if part]):
        if not _is_trusted(hop, trusted):
            return hop
    return peer


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
