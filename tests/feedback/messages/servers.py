"""Real servers on loopback for the message tests: an SMTP server (aiosmtpd) that keeps what it
receives, and a small HTTP server speaking GOV.UK Notify's documented v2 API (it checks the JWT
the official client signs, with PyJWT, which the client itself depends on)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from aiosmtpd.controller import Controller

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collector:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.sink.refuse_rcpt.get(address)
        if code:
            return f"{code} No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.before_accept is not None:
            verdict = self.sink.before_accept(envelope)
            if verdict:
                return verdict
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.sink.lock:
            self.sink.received.append(message)
        return "250 Message accepted for delivery"


class SmtpSink:
    """`received` holds parsed messages; `refuse_rcpt` maps an address to an SMTP code."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list = []
        self.lock = threading.Lock()
        self.refuse_rcpt: dict[str, int] = {}
        self.before_accept = None
        self.controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 30.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        with self.lock:
            return list(self.received)


@dataclass
class FakeNotify:
    """Answers like Notify: 201 with a notification id, or what `respond_with` says (status, body),
    or sleeps `delay` seconds first (for timeouts). Every request's JWT is checked."""

    port: int = field(default_factory=free_port)
    requests: list = field(default_factory=list)
    respond_with: list = field(default_factory=list)  # queue of (status, json) used before succeeding
    delay: float = 0.0
    bad_tokens: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FakeNotify:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: nothing of a request reaches the test output
                return None

            def _authorised(self) -> bool:
                header = self.headers.get("Authorization", "")
                try:
                    claims = jwt.decode(header.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
                except jwt.PyJWTError:
                    fake.bad_tokens += 1
                    return False
                return claims.get("iss") == SERVICE_ID and abs(time.time() - claims.get("iat", 0)) < 30

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                with contextlib.suppress(BrokenPipeError):  # the client gave up (the timeout test)
                    self.end_headers()
                    self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                if not self._authorised():
                    return self._reply(403, {"status_code": 403, "errors": [{"error": "AuthError", "message": "Invalid token"}]})
                if fake.delay:
                    time.sleep(fake.delay)
                fake.requests.append((self.path, payload))
                if fake.respond_with:
                    status, body = fake.respond_with.pop(0)
                    return self._reply(status, body)
                if self.path not in ("/v2/notifications/email", "/v2/notifications/sms"):
                    return self._reply(404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "no"}]})
                notification_id = str(uuid.uuid4())
                fake.accepted.append({"id": notification_id, "reference": payload.get("reference"), **payload})
                self._reply(201, {"id": notification_id, "reference": payload.get("reference"),
                                  "content": {"body": payload.get("personalisation", {}).get("body", "")},
                                  "template": {"id": payload["template_id"], "version": 1}})

            def do_GET(self):
                if not self._authorised():
                    return self._reply(403, {"status_code": 403, "errors": [{"error": "AuthError", "message": "Invalid token"}]})
                from urllib.parse import parse_qs, urlsplit

                query = parse_qs(urlsplit(self.path).query)
                reference = (query.get("reference") or [None])[0]
                found = [n for n in fake.accepted if reference is None or n["reference"] == reference]
                self._reply(200, {"notifications": [{"id": n["id"], "reference": n["reference"]} for n in found], "links": {}})

        self.accepted = []
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
