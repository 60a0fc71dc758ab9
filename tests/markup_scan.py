"""Looking at a page as a browser (and htmx) would, to prove that text people typed stayed text.

Every payload in `PAYLOADS` carries the marker `pwn` inside the markup it tries to create (a
`data-pwn` attribute, a `pwn` id, `alert('pwn')`), so an element or attribute made from a payload
can be told apart from the page's own. `findings(html)` lists everything that would run or that
htmx would act on; `text_outside_hx_disable(html, marker)` lists text that carries a marker but
sits in no element marked `hx-disable`."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

MARKER = "pwn"

PAYLOADS = [
    "<script data-pwn>alert('pwn')</script>",
    '"><img src=x onerror=alert(1) data-pwn>',
    "'><img src=x onerror=alert(1) data-pwn>",
    '" data-pwn="1" autofocus onfocus="alert(1)',
    '<div hx-post="/workspace/users/1" hx-vals=\'{"action":"role","role":"admin"}\' hx-trigger="load" data-pwn></div>',
    'Short breaks"><div hx-post="/workspace/users/16" hx-trigger="load" hx-swap="none" data-pwn></div><svg x="',
    '<a href="javascript:alert(\'pwn\')" data-pwn>click</a>',
    "javascript:alert('pwn')",
    '<svg onload=alert(1) data-pwn><circle r="1"/></svg>',
    "{{7*7}}pwn {% raw %}pwn{% endraw %} ${7*7}pwn",
    "＝HYPERLINK(\"http://evil.example/pwn\")",
    "=1+1 pwn",
    "<iframe srcdoc=\"<script>alert('pwn')</script>\" data-pwn></iframe>",
]
# What each payload may honestly be shortened to when a field is short: the tests compare the
# visible text only where the field keeps it whole.

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
RAW_TEXT = {"script", "style", "title", "textarea"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "hx-get", "hx-post", "data"}


@dataclass
class Finding:
    what: str
    where: str

    def __str__(self) -> str:
        return f"{self.what}: {self.where[:160]}"


class _Scanner(HTMLParser):
    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.stack: list[tuple[str, bool]] = []  # (tag, hx-disable here or above)
        self.findings: list[Finding] = []
        self.unprotected: list[str] = []
        self.in_body = False

    def _disabled(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag == "body":
            self.in_body = True
        if tag in VOID:
            return
        disabled = self._disabled() or any(name == "hx-disable" for name, _ in attrs)
        self.stack.append((tag, disabled))

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        # Close up to the matching tag, as a forgiving parser does with unclosed elements.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if not self.stack:
            return
        tag = self.stack[-1][0]
        if tag == "script" and data.strip() and MARKER in data:
            self.findings.append(Finding("inline script from a payload", data))
        if "49" + MARKER in data or "49pwn" in data:
            self.findings.append(Finding("template syntax evaluated", data))
        if self.in_body and self.marker in data and tag not in RAW_TEXT | {"option"} and not self._disabled():
            self.unprotected.append(f"<{tag}> {data.strip()[:120]}")

    def _check(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if MARKER in name:
                self.findings.append(Finding(f"attribute {name!r} from a payload on <{tag}>", str(attrs)))
            if name.startswith("on"):
                self.findings.append(Finding(f"event handler {name!r} on <{tag}>", str(attrs)))
            if name == "id" and MARKER in value and value.strip() == MARKER:
                self.findings.append(Finding(f"id from a payload on <{tag}>", str(attrs)))
            if name in URL_ATTRIBUTES and value.strip().lower().startswith(("javascript:", "data:text/html")):
                self.findings.append(Finding(f"script URL in {name!r} on <{tag}>", value))
            if name == "srcdoc":
                self.findings.append(Finding(f"srcdoc on <{tag}>", value))
        if tag in ("iframe", "object", "embed"):
            self.findings.append(Finding(f"<{tag}> element", str(attrs)))


def scan(html: str, marker: str = MARKER) -> _Scanner:
    scanner = _Scanner(marker)
    scanner.feed(html)
    scanner.close()
    return scanner


def findings(html: str) -> list[Finding]:
    """Everything on the page a payload made into markup (elements, attributes, handlers, script
    URLs) or that a template engine evaluated."""
    return scan(html).findings


def text_outside_hx_disable(html: str, marker: str = MARKER) -> list[str]:
    """Text in the body carrying the marker that no `hx-disable` element wraps."""
    return scan(html, marker).unprotected
