"""A small HTTP/1.1 client for the load runs: one keep-alive connection per simulated respondent, a
cookie jar, gzip, form posts — what a browser with JavaScript off does, and nothing else.

Why not httpx: on this 2-core machine the load generator shares the cores with the server, and httpx
spent about as much CPU on each request as the server did (0.93 vs 0.82 ms), so the bench measured the
client as much as the server. This client costs a fraction of that, so more of the machine goes to the
server being measured (ours and the peer's alike: `peer/compare.py` drives both through it).

It speaks only to the one server it was made for (no redirects followed, no proxies, no TLS): the
respondents follow each 303 by hand so every request is timed on its own.
"""

from __future__ import annotations

import asyncio
import zlib
from urllib.parse import urlencode, urlsplit


class LeanHTTPError(Exception):
    """The connection failed, timed out or answered something that is not HTTP/1.1."""


class Headers(dict):
    """Response headers by lower-case name (the last value when a header repeats; Set-Cookie is read apart)."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)


class Cookies(dict):
    """name -> value, as a browser keeps them for one site (every cookie here is for path /)."""

    def take(self, set_cookie: str) -> None:
        pair, _, attributes = set_cookie.partition(";")
        name, _, value = pair.strip().partition("=")
        attrs = attributes.lower().replace(" ", "")
        if "max-age=0" in attrs or "max-age=-" in attrs or "expires=thu,01jan1970" in attrs:
            self.pop(name, None)
        else:
            self[name] = value.strip().strip('"')

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.items())


class LeanResponse:
    __slots__ = ("status_code", "headers", "content", "url")

    def __init__(self, status_code: int, headers: Headers, content: bytes, url: str):
        self.status_code, self.headers, self.content, self.url = status_code, headers, content, url

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class LeanClient:
    """`await client.request("POST", "/s/x/q/a", data={...})`; `client.cookies.clear()` starts a new person."""

    def __init__(self, base_url: str, timeout: float = 30.0, headers: dict[str, str] | None = None):
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.host_header = parts.netloc
        self.timeout = timeout
        self.headers: dict[str, str] = dict(headers or {})
        self.cookies = Cookies()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> "LeanClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._reader = self._writer = None

    async def request(self, method: str, url: str, data: dict | None = None) -> LeanResponse:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = urlencode(data, doseq=True).encode() if data is not None else b""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host_header}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        if self.cookies:
            lines.append(f"Cookie: {self.cookies.header()}")
        if data is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        try:
            async with asyncio.timeout(self.timeout):
                try:
                    return await self._exchange(message, target)
                except (ConnectionError, asyncio.IncompleteReadError) as exc:
                    if self._writer is None or isinstance(exc, ConnectionRefusedError):
                        raise
                    await self.aclose()  # a kept-alive connection the server had closed: once more, afresh
                    return await self._exchange(message, target)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, TimeoutError) as exc:
            await self.aclose()
            raise LeanHTTPError(f"{type(exc).__name__}: {exc}") from exc

    async def _exchange(self, message: bytes, target: str) -> LeanResponse:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        writer.write(message)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, status, *_ = status_line.split(" ", 2)
        if not version.startswith("HTTP/1."):
            raise ValueError(f"not an HTTP/1.x answer: {status_line[:40]!r}")
        headers = Headers()
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    self.cookies.take(value)
                headers[name] = value
        if headers.get("transfer-encoding", "").lower() == "chunked":
            content = await self._chunked(reader)
        elif "content-length" in headers:
            content = await reader.readexactly(int(headers["content-length"]))
        else:
            content = await reader.read()
            await self.aclose()
        if headers.get("connection", "").lower() == "close":
            await self.aclose()
        if headers.get("content-encoding") == "gzip":
            content = zlib.decompress(content, 31)
        return LeanResponse(int(status), headers, content, self.base_url + target)

    @staticmethod
    async def _chunked(reader: asyncio.StreamReader) -> bytes:
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")  # no trailers are sent to us
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
