"""Gzip on the wire (feedback.rendering.GzipOnDemandMiddleware): what a phone on a poor signal receives. Pages are
compressed whole with the headers a cache and a browser need; redirects and other small bodies are
sent as they are; a streamed body is compressed as it streams; a client that does not accept gzip
gets the same bytes uncompressed."""

from __future__ import annotations

import gzip

from litestar import Litestar, get
from litestar.config.compression import CompressionConfig
from litestar.response import Stream
from litestar.testing import TestClient

from feedback.rendering import GzipOnDemandMiddleware
from feedback.rendering import STATIC_DIR
from tests.walker import csrf_token

GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}


def test_a_page_is_sent_compressed_with_its_length_and_vary(client, parent_run):
    client.get(f"/s/{parent_run.slug}", headers=GZIP)  # the CSRF cookie, so the next two pages match
    packed = client.get(f"/s/{parent_run.slug}", headers=GZIP)
    plain = client.get(f"/s/{parent_run.slug}", headers=IDENTITY)
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in packed.headers["vary"].lower()
    assert int(packed.headers["content-length"]) == packed.num_bytes_downloaded < len(plain.content) / 2
    assert packed.text == plain.text  # the same page, decompressed
    assert "content-encoding" not in plain.headers and int(plain.headers["content-length"]) == len(plain.content)


def test_redirects_and_small_bodies_are_sent_as_they_are(client, parent_run):
    start = client.get(f"/s/{parent_run.slug}", headers=GZIP)
    redirect = client.post(f"/s/{parent_run.slug}/start", data={"_csrf_token": csrf_token(start.text), "variant": "standard"},
                           headers=GZIP, follow_redirects=False)
    assert redirect.status_code == 303 and "content-encoding" not in redirect.headers
    health = client.get("/healthz", headers=GZIP)
    assert health.status_code == 200 and len(health.content) < 500 and "content-encoding" not in health.headers


def test_a_static_file_is_compressed_and_arrives_whole(client):
    name = next(p.name for p in (STATIC_DIR / "dist").iterdir() if p.suffix == ".js")
    on_disk = (STATIC_DIR / "dist" / name).read_bytes()
    with client.stream("GET", f"/static/dist/{name}", headers=GZIP) as response:
        raw = b"".join(response.iter_raw())
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(raw) == on_disk and len(raw) < len(on_disk) / 2
    assert "content-length" not in response.headers or int(response.headers["content-length"]) == len(raw)
    plain = client.get(f"/static/dist/{name}", headers=IDENTITY)
    assert plain.content == on_disk and "content-encoding" not in plain.headers


def test_a_streamed_body_is_compressed_part_by_part_and_arrives_whole():
    """No page of the app streams today; a download that does (Litestar's Stream) must still work."""
    parts = [f"row {i}, some words that repeat and repeat\n".encode() * 20 for i in range(50)]

    @get("/rows")
    async def rows() -> Stream:
        async def each():
            for part in parts:
                yield part
        return Stream(each(), media_type="text/csv")

    app = Litestar([rows], compression_config=CompressionConfig(backend="gzip", minimum_size=500, middleware_class=GzipOnDemandMiddleware))
    with TestClient(app) as client, client.stream("GET", "/rows", headers=GZIP) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-encoding"] == "gzip" and "content-length" not in response.headers
    assert gzip.decompress(raw) == b"".join(parts)
    with TestClient(app) as client:
        assert client.get("/rows", headers=IDENTITY).content == b"".join(parts)
