"""A respondent who knows nothing of the code: it reads the HTML, fills in the forms it finds and
presses the first button, over plain HTTP with no JavaScript. Used by the journey tests and the
benchmark."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class Field:
    name: str
    kind: str  # hidden, radio, checkbox, text, textarea, number, submit...
    value: str = ""
    checked: bool = False
    inputmode: str = ""
    maxlength: int | None = None


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def buttons(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "submit"]

    def hidden(self) -> dict[str, str]:
        return {f.name: f.value for f in self.fields if f.kind == "hidden"}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: Field | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            self.forms[-1].fields.append(
                Field(a["name"], kind, a.get("value", ""), "checked" in a, a.get("inputmode", ""),
                      int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None)
            )
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.forms[-1].fields.append(Field(a.get("name", ""), "submit", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and a.get("value"):  # like a radio: one field an option
            self.forms[-1].fields.append(Field(self._select, "select", a["value"], "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea", "")
            self.forms[-1].fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def parse_forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def reference_on(html: str) -> str | None:
    match = re.search(r'govuk-panel--confirmation.*?<strong>([A-Z0-9-]+)</strong>', html, re.S)
    return match.group(1) if match else None


def fill(form: Form, text: str = "Walker says the SENCo listens.") -> list[tuple[str, str]]:
    """Answer every question in a form the simple way: first option, a short text, a small number."""
    data: list[tuple[str, str]] = []
    done: set[str] = set()
    already = {f.name for f in form.fields if f.kind in ("radio", "checkbox") and f.checked}
    for f in form.fields:
        if f.kind == "hidden":
            data.append((f.name, f.value))
        elif f.kind in ("radio", "checkbox") and f.name in already:
            if f.checked:  # keep what was answered before, as a person would
                data.append((f.name, f.value))
        elif f.kind in ("radio", "checkbox") and f.name not in done:
            data.append((f.name, f.value))
            done.add(f.name)
        elif f.kind == "textarea":
            data.append((f.name, f.value.strip() or text))
        elif f.kind in ("text", "number") and f.name not in done:
            data.append((f.name, "3" if f.inputmode == "numeric" or f.kind == "number" else text[: f.maxlength or 200]))
            done.add(f.name)
    return data


class Walker:
    """Drives any httpx-style client (Litestar's TestClient, or httpx against a real server)."""

    def __init__(self, client, max_steps: int = 80):
        self.client = client
        self.max_steps = max_steps
        self.pages_seen: list[str] = []
        self.last_post: tuple[str, list[tuple[str, str]]] | None = None

    def get(self, url: str):
        response = self.client.get(url, follow_redirects=True)
        self.pages_seen.append(str(response.url))
        return response

    def submit(self, response, form: Form, data: list[tuple[str, str]], button: Field | None = None):
        button = button or (form.buttons()[0] if form.buttons() else None)
        if button is not None and button.name:
            data = data + [(button.name, button.value)]
        url = urljoin(str(response.url), form.action or str(response.url))
        self.last_post = (url, data)
        result = self.client.post(url, data=_as_dict(data), follow_redirects=True)
        self.pages_seen.append(str(result.url))
        return result

    def complete(self, start_url: str) -> str:
        """Walk from a survey's start page to its confirmation; return the reference."""
        response = self.get(start_url)
        for _ in range(self.max_steps):
            assert response.status_code < 500, response.text[:500]
            reference = reference_on(response.text)
            if reference:
                return reference
            forms = [f for f in parse_forms(response.text) if f.method == "post"]
            assert forms, f"no form to fill on {response.url}: {response.status_code}"
            form = forms[0]
            response = self.submit(response, form, fill(form))
        raise AssertionError(f"did not reach a confirmation page in {self.max_steps} steps: {self.pages_seen[-5:]}")


def _as_dict(data: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, value in data:
        if key in out:
            existing = out[key]
            out[key] = (existing if isinstance(existing, list) else [existing]) + [value]
        else:
            out[key] = value
    return out


def csrf_token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
