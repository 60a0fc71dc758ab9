"""Rate limits for forms that take a secret: a sliding window for public forms (references, codes) and
a failure throttle for sign-in, and the client address they are keyed by.

The app's lifespan calls `use_shared_store` on either database, and every limiter and throttle keeps
its counts in two small tables (`rate_limit_hit`, `failure_throttle`, created by a migration of the
`feedback` app), so several app processes (on SQLite, `feedback serve --workers N` on one machine; on
PostgreSQL, on one machine or several) count together: a limit reached through one holds on all.
Without the lifespan (unit tests of the limiters) the counts live in process memory.
Keys are stored only as an HMAC of the limiter's name and the key (an email or an address never is).
Callers use the async methods (`hit`, `wait`, `fail`, `forget`); the sync ones are the memory store.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import itertools
import math
import os
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Callable, Iterable

from litestar import Request, post
from litestar.connection import ASGIConnection
from litestar.exceptions import TooManyRequestsException
from litestar.handlers import BaseRouteHandler

_unnamed = itertools.count()

# The shared store's tables (made by raw DDL in a migration of the `feedback` app, not Piccolo tables).
SHARED_TABLES = ("rate_limit_hit", "failure_throttle")


class SharedStore:
    """Counts in the database, shared by every app process using it. Times are wall-clock
    seconds from the limiter's clock (processes on several machines need synchronised clocks, as
    NTP gives); each row carries its expiry and expired rows are deleted about once a minute."""

    PURGE_EVERY = 60.0

    def __init__(self, engine, secret: str) -> None:
        self.engine = engine
        self.secret = (secret or "feedback-rate-limits").encode()
        self._last_purge = 0.0
        self._previous: dict[str, tuple[float, int]] = {}  # key -> (an ended window's start, its count)

    def key(self, name: str, generation: str, key: str) -> str:
        return hmac.new(self.secret, f"{name}\x00{generation}\x00{key}".encode(), hashlib.sha256).hexdigest()

    async def _run(self, sql: str, *args) -> list[dict]:
        run_sql = getattr(self.engine, "run_sql", None)
        if run_sql is not None:  # our SQLite engine: counts need not wait for the disk (WalSync)
            return await run_sql(sql.replace("{}", "?"), args, wait_for_disk=False)
        from piccolo.querystring import QueryString

        return await self.engine.run_querystring(QueryString(sql, *args))

    async def _maybe_purge(self) -> None:
        # Always by the real clock, whatever clock a limiter was given (tests' fake clocks start now).
        now = time.time()
        if now - self._last_purge < self.PURGE_EVERY:
            return
        self._last_purge = now
        await self._run("DELETE FROM rate_limit_hit WHERE expires < {}", now)
        await self._run("DELETE FROM failure_throttle WHERE expires < {}", now)

    async def hit(self, key: str, window: float, now: float) -> tuple[int, int]:
        """Counts a hit in the current fixed window; returns (this window's count, the last one's)."""
        await self._maybe_purge()
        start = math.floor(now / window) * window
        rows = await self._run(
            "INSERT INTO rate_limit_hit (key, window_start, count, expires) VALUES ({}, {}, 1, {}) "
            "ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_hit.count + 1 RETURNING count",
            key, start, start + 2 * window,
        )
        return rows[0]["count"], await self._previous_count(key, start - window)

    async def _previous_count(self, key: str, previous_start: float) -> int:
        # A window that has ended counts no more hits (every process counts in the window of now),
        # so its count is read once per key and window, not on every hit.
        known = self._previous.get(key)
        if known is not None and known[0] == previous_start:
            return known[1]
        rows = await self._run(
            "SELECT count FROM rate_limit_hit WHERE key = {} AND window_start = {}", key, previous_start
        )
        count = rows[0]["count"] if rows else 0
        if len(self._previous) >= 50_000:  # bounded: forget them all, each is read again when needed
            self._previous.clear()
        self._previous[key] = (previous_start, count)
        return count

    async def failures(self, key: str, now: float) -> tuple[int, float] | None:
        rows = await self._run("SELECT count, last FROM failure_throttle WHERE key = {} AND expires > {}", key, now)
        return (rows[0]["count"], rows[0]["last"]) if rows else None

    async def fail(self, key: str, now: float, forget_after: float) -> None:
        await self._maybe_purge()
        await self._run(
            "INSERT INTO failure_throttle (key, count, last, expires) VALUES ({}, 1, {}, {}) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN failure_throttle.expires <= EXCLUDED.last THEN 1 ELSE failure_throttle.count + 1 END, "
            "last = EXCLUDED.last, expires = EXCLUDED.expires",
            key, now, now + forget_after,
        )

    async def forget(self, key: str) -> None:
        await self._run("DELETE FROM failure_throttle WHERE key = {}", key)


_store: SharedStore | None = None


def use_shared_store(engine, secret: str) -> None:
    """Called by the app's lifespan; `None` engine goes back to process memory."""
    global _store
    _store = SharedStore(engine, secret) if engine is not None else None


class RateLimiter:
    """A sliding window: in memory exactly; in the shared store estimated from two fixed windows
    (the current count plus the previous window's, weighted by how much of it still overlaps).
    `name` identifies the limiter across processes; unnamed ones are never shared."""

    def __init__(self, limit: int, window_seconds: float, name: str | None = None):
        self.limit = limit
        self.window = window_seconds
        self.name = name or f"unnamed-{os.getpid()}-{next(_unnamed)}"
        self._generation = ""
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    async def hit(self, key: str) -> bool:
        """True when `key` may go ahead (and counts it); the method every caller uses."""
        if _store is None:
            return self.allow(key)
        now = time.time()
        current, previous = await _store.hit(_store.key(self.name, self._generation, key), self.window, now)
        overlap = 1 - (now % self.window) / self.window
        return current + previous * overlap <= self.limit

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
        """Forgets every count (tests). In the shared store the old rows become unreachable and expire."""
        self._hits.clear()
        self._generation = secrets.token_hex(8)


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

    def __init__(
        self, free: int, cap_seconds: float, forget_after: float = 900,
        clock: Callable[[], float] = time.monotonic, name: str | None = None,
    ):
        self.free = free
        self.cap = cap_seconds
        self.forget_after = forget_after
        self.clock = clock
        self.name = name or f"unnamed-{os.getpid()}-{next(_unnamed)}"
        self._generation = ""
        self._failures: dict[str, _Failures] = {}

    def _shared_now(self) -> float:
        # Processes share wall-clock time; a test's fake clock is used as it is.
        return time.time() if self.clock is time.monotonic else self.clock()

    def _wait_for(self, entry: _Failures | None, now: float) -> int:
        if entry is None or entry.count < self.free:
            return 0
        required = min(self.cap, 2.0 ** (entry.count - self.free))
        return max(0, math.ceil(entry.last + required - now))

    async def wait(self, key: str) -> int:
        """Seconds (rounded up) before `key` may try again; 0 when it may try now."""
        if _store is None:
            return self.wait_seconds(key)
        now = self._shared_now()
        found = await _store.failures(_store.key(self.name, self._generation, key), now)
        return self._wait_for(_Failures(*found) if found else None, now)

    async def fail(self, key: str) -> None:
        if _store is None:
            return self.failed(key)
        await _store.fail(_store.key(self.name, self._generation, key), self._shared_now(), self.forget_after)

    async def forget(self, key: str) -> None:
        """A success: the key's failures are forgotten."""
        if _store is None:
            return self.succeeded(key)
        await _store.forget(_store.key(self.name, self._generation, key))

    def _current(self, key: str, now: float) -> _Failures | None:
        entry = self._failures.get(key)
        if entry is not None and now - entry.last >= self.forget_after:
            del self._failures[key]
            return None
        return entry

    def wait_seconds(self, key: str) -> int:
        """Seconds (rounded up) before `key` may try again; 0 when it may try now."""
        now = self.clock()
        return self._wait_for(self._current(key, now), now)

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
        """Forgets every failure (tests). In the shared store the old rows become unreachable and expire."""
        self._failures.clear()
        self._generation = secrets.token_hex(8)


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
public_posts = RateLimiter(limit=max(_PUBLIC_POSTS_PER_MINUTE, 1), window_seconds=60, name="public_posts")


async def public_post_limit(connection: ASGIConnection, _handler: BaseRouteHandler) -> None:
    """A guard for public controllers: a 429 page once a client posts too often (the app's handler
    for HTTP exceptions renders it in the house style; nothing from the post is saved).

    A guard, not a `before_request` hook: a controller's own hook would replace the app's (the
    odd-input checks and the partnership's details refreshed from other workers), guards add up."""
    if connection.scope["method"] != "POST" or _PUBLIC_POSTS_PER_MINUTE <= 0:
        return
    if not await public_posts.hit(client_key(connection)):
        raise TooManyRequestsException()


def public_post(path: str, **kwargs):
    """`@post` for a public form, guarded by the posting limit. Only the posts carry the guard: a
    guard costs Litestar a copy of the route handler on every request it covers, and a GET needs none."""
    return post(path, guards=[public_post_limit, *kwargs.pop("guards", [])], **kwargs)
