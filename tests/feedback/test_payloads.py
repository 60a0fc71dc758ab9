"""Issue 11: no user text can become markup. A corpus of payloads (tests/markup_scan.py) goes into
every text field people type through the real forms: survey titles, respondents' answers in every
version, every builder field, update text, theme names, descriptions and terms, quote edits and
user emails. Every HTML page that comes back on the way, and every page, export and API response
that shows them afterwards, is scanned: no element or attribute of a payload's making, no script
URL, no evaluated template syntax, user text only inside `hx-disable`, and no spreadsheet cell a
spreadsheet would run."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from litestar.testing import TestClient

from tests.markup_scan import MARKER, PAYLOADS, findings, text_outside_hx_disable
from tests.walker import Walker
from tests.workspace_client import make_user, sign_in

# A comment the theme coder recognises, so answers with a payload also become quotes.
CODED = " We waited over a year for the EHC plan and the caseworker never replied to emails."
VERSIONS = ("standard", "easy_read", "symbols")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


class _Forms(HTMLParser):
    """Forms as a person sees them, selects included (tests/walker.py does not need selects)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []})
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        if tag == "input" and a.get("name"):
            fields.append([a["name"], a.get("type", "text"), a.get("value", ""), "checked" in a])
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], "textarea", "", False]
            fields.append(self._textarea)
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and not any(f[0] == self._select for f in fields):
            fields.append([self._select, "select", a.get("value", ""), False])
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            fields.append([a["name"], "submit", a.get("value", ""), False])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post" and f["action"] != "/logout"]


class Scanner:
    """Every HTML response any client of the test receives, scanned as it arrives."""

    def __init__(self):
        self.findings: list[str] = []
        self.unprotected: list[str] = []
        self.pages: set[str] = set()
        self.responses = 0
        self.fields: set[str] = set()
        self.signed_out: list[str] = []

    def hook(self, response):
        response.read()
        if response.status_code == 303 and "/login?next" in response.headers.get("location", ""):
            # a workspace client sent to sign in would scan the sign-in page instead of the real one
            self.signed_out.append(f"{response.request.method} {response.request.url.path}")
        assert response.status_code < 500, f"{response.request.url}: {response.status_code}"
        kind = response.headers.get("content-type", "")
        if "text/html" not in kind:
            return
        self.responses += 1
        url = response.request.url
        self.pages.add(f"{response.request.method} {url.path}")
        text = response.text
        self.findings += [f"{url.path}: {f}" for f in findings(text)]
        if MARKER in text:
            self.unprotected += [f"{url.path}: {t}" for t in text_outside_hx_disable(text)]

    def client(self, app) -> TestClient:
        client = TestClient(app=app, base_url="http://testserver.local")
        client.event_hooks = {"request": [], "response": [self.hook]}
        return client


def fill_and_post(client, scanner: Scanner, url: str, text: str, overrides: dict[str, str] | None = None,
                  form_index: int = 0, button: str | None = None, follow: bool = True, action: str | None = None):
    """Open a page, type `text` into every text field of its form (unless overridden), press the
    button and return the response."""
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    forms = post_forms(page.text)
    form = next(f for f in forms if f["action"] == action) if action else forms[form_index]
    data: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, kind, value, checked in form["fields"]:
        if overrides and name in overrides:
            if name not in seen:
                data.append((name, overrides[name]))
                seen.add(name)
        elif kind == "hidden":
            data.append((name, value))
        elif kind in ("text", "textarea", "email", "search", "url"):
            data.append((name, text))
            scanner.fields.add(f"{url.split('?')[0]}#{name}")
        elif kind in ("radio", "checkbox") and (checked or name not in seen):
            data.append((name, value))
            seen.add(name)
        elif kind == "select" and name not in seen:
            data.append((name, value))
            seen.add(name)
        elif kind == "submit" and button is not None and name == "action" and value == button and name not in seen:
            data.append((name, value))
            seen.add(name)
    target = urljoin(str(page.url), form["action"] or str(page.url))
    return client.post(target, data=_as_dict(data), follow_redirects=follow)


def _as_dict(data):
    out: dict[str, object] = {}
    for key, value in data:
        out.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def check_spreadsheet_rows(rows: list[list[str]], where: str) -> int:
    for row in rows:
        for cell in row:
            assert not str(cell).startswith(FORMULA_STARTS), f"{where}: formula cell {cell!r}"
    return sum(len(r) for r in rows)


def xlsx_cells(data: bytes) -> list[list[str]]:
    """The shared strings and inline strings of an XLSX file, as one row (enough for the guard)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        texts = []
        for name in book.namelist():
            if name.endswith(".xml") and ("sharedStrings" in name or "worksheets/" in name):
                parser = _XmlText()
                parser.feed(book.read(name).decode("utf-8"))
                texts += parser.texts
        return [texts]


class _XmlText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._in_t = False

    def handle_starttag(self, tag, attrs):
        self._in_t = tag == "t"

    def handle_endtag(self, tag):
        self._in_t = False

    def handle_data(self, data):
        if self._in_t:
            self.texts.append(data)


@pytest.fixture(scope="module")
def scanned(app):
    """Types the corpus into every field, then opens every page, export and API response that
    shows it; returns the scanner with what it found."""
    scanner = Scanner()
    team = f"forum-{uuid.uuid4().hex[:6]}"
    admin, officer, forum = scanner.client(app), scanner.client(app), scanner.client(app)
    for client in (admin, officer, forum):
        client.__enter__()
    try:
        assert sign_in(admin, make_user("admin")).status_code == 303
        assert sign_in(officer, make_user("officer")).status_code == 303
        assert sign_in(forum, make_user("pcv", team)).status_code == 303
        run_ids, update_ids, theme_keys, drafts = [], [], [], []
        for index, payload in enumerate(PAYLOADS):
            # A survey the forum opens, titled with the payload.
            opened = fill_and_post(forum, scanner, "/workspace/surveys/new", payload, overrides={
                "slug": f"xss-{index}-{uuid.uuid4().hex[:6]}", "instrument": "annual-send-young-person",
                "closes_on": "", "variants": ["standard", "easy_read", "symbols"],
            }, follow=False)
            assert opened.status_code == 303, opened.text[:300]
            run_id = int(opened.headers["location"].rsplit("/", 1)[-1])
            run_ids.append(run_id)
            slug = json.loads(officer.get("/api/surveys").text)
            slug = next(s["slug"] for s in (slug if isinstance(slug, list) else slug["surveys"]) if s["id"] == run_id)
            # Respondents answer in every version, every text box holding the payload.
            # (each payload in one version, in turn, so every version meets every kind of payload
            # across the corpus and the test stays within a minute or two)
            for version in (VERSIONS[index % 3],):
                respondent = scanner.client(app)
                with respondent:
                    walker = Walker(respondent)
                    walker_fill_text(walker, payload + CODED)
                    walker.complete(f"/s/{slug}?version={version}")
            # Theme names, descriptions and terms.
            key = f"xss_theme_{index}_{uuid.uuid4().hex[:4]}"
            added = fill_and_post(officer, scanner, "/workspace/themes/new", payload, overrides={"key": key}, follow=False)
            assert added.status_code in (200, 303, 422), added.status_code
            if added.status_code == 303:
                theme_keys.append(key)
            # An update with every text field holding the payload.
            made = fill_and_post(officer, scanner, "/workspace/updates/new", payload, follow=False, overrides={
                "due_on": "", "progress": "10", "status": "in_progress", "run": str(run_id), "themes": "transport"})
            assert made.status_code in (303, 422), made.status_code
            if made.status_code == 303 and "/workspace/updates/" in made.headers["location"]:
                update_ids.append(int(made.headers["location"].rstrip("/").rsplit("/", 1)[-1].split("?")[0]))
            # A consultation in the builder: its details, a section and a question.
            draft = fill_and_post(forum, scanner, "/workspace/consultations/new", payload, follow=False)
            if draft.status_code == 303:
                base = draft.headers["location"].split("?")[0].rstrip("/")
                drafts.append(base)
                fill_and_post(forum, scanner, f"{base}/details", payload, overrides={
                    "minutes": "10", "retention_days": "365", "easy_symbol": ""})
                section = fill_and_post(forum, scanner, f"{base}/sections/new", payload, follow=False,
                                        overrides={"easy_symbol": ""})
                editor = forum.get(base)
                for href in sorted(set(_links(editor.text, f"{base}/sections/")))[:1]:
                    if href.endswith("/questions/new"):
                        fill_and_post(forum, scanner, href, payload)
                assert section.status_code < 500
        # Quotes: put forward, then the wording edited to the payload.
        for run_id in run_ids[:4]:
            page = officer.get(f"/workspace/surveys/{run_id}/quotes")
            officer.post(f"/workspace/surveys/{run_id}/quotes/refresh", data={"_csrf_token": _csrf(page.text)})
            page = officer.get(f"/workspace/surveys/{run_id}/quotes")
            if 'name="wording"' in page.text:
                fill_and_post(officer, scanner, f"/workspace/surveys/{run_id}/quotes", PAYLOADS[run_ids.index(run_id)],
                              form_index=1, button="edit")
        # People: an invitation whose address carries markup.
        for index, email in enumerate(['"><img/src=x/onerror=alert(1)/data-pwn>@pwn.example',
                                       "<svg/onload=alert(1)/data-pwn>@pwn.example"]):
            fill_and_post(admin, scanner, "/workspace/users", "", overrides={"email": email, "role": "officer", "team": ""},
                          action="/workspace/users")

        # Every page that shows what was typed, as the admin and the officer see it.
        pages = ["/workspace", "/workspace/users", "/workspace/audit", "/workspace/themes", "/workspace/updates",
                 "/workspace/consultations/copy", "/workspace/updates/new",
                 "/workspace/consultations", "/you-said-we-did", "/you-said-we-did?version=easy_read",
                 "/you-said-we-did/print", "/"]
        for run_id in run_ids:
            pages += [f"/workspace/surveys/{run_id}{tail}" for tail in
                      ("", "/poster", "/counts", "/analysis", "/themes/review", "/themes/uncoded", "/quotes")]
        pages += [f"/workspace/updates/{u}" for u in update_ids]
        pages += [f"/workspace/themes/{k}/edit" for k in theme_keys] + [f"/workspace/themes/{k}/remove" for k in theme_keys]
        for base in drafts:
            editor = forum.get(base)
            pages += [base, f"{base}/details", f"{base}/preview", f"{base}/publish"]
            pages += sorted(set(_links(editor.text, base)))[:12]
        for client in (admin, officer):
            for url in pages:
                assert client.get(url).status_code < 500
        for base in drafts:
            for url in sorted(set(_links(forum.get(f"{base}/preview").text, f"{base}/preview/"))):
                assert forum.get(url).status_code < 500
        # The forum's own view: its copy page lists its drafts' and surveys' titles as radio labels.
        for url in ("/workspace", "/workspace/consultations", "/workspace/consultations/copy"):
            assert forum.get(url).status_code < 500

        # Exports and the API: formulas neutralised, payloads only ever inside JSON strings.
        cells = 0
        for run_id in run_ids:
            exported = officer.get(f"/workspace/surveys/{run_id}/export.csv")
            cells += check_spreadsheet_rows(list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")))), "export.csv")
            book = officer.get(f"/workspace/surveys/{run_id}/export.xlsx")
            assert book.status_code == 200, (book.status_code, book.headers.get("content-type"), book.text[:200])
            assert book.content[:2] == b"PK", str(book.url)
            cells += check_spreadsheet_rows(xlsx_cells(book.content), "export.xlsx")
            api = officer.get(f"/api/surveys/{run_id}/responses")
            assert api.headers["content-type"].startswith("application/json") and api.json() is not None
        for update_id in update_ids:
            listed = officer.get(f"/workspace/updates/{update_id}/notify.csv")
            if listed.status_code == 200:
                cells += check_spreadsheet_rows(list(csv.reader(io.StringIO(listed.text.lstrip("\ufeff")))), "notify.csv")
        published = officer.get("/you-said-we-did/figures.csv")
        cells += check_spreadsheet_rows(list(csv.reader(io.StringIO(published.text.lstrip("\ufeff")))), "figures.csv")
    finally:
        for client in (forum, officer, admin):  # the reverse order of entering, as nested `with` would
            client.__exit__(None, None, None)

    print(f"\npayload corpus: {len(PAYLOADS)} payloads × {len(scanner.fields)} fields × {len(scanner.pages)} pages "
          f"({scanner.responses} HTML responses scanned, {cells} spreadsheet cells checked)")
    return scanner


def test_payloads_never_become_markup(scanned):
    scanner = scanned
    assert scanner.signed_out == []
    assert len(scanner.fields) > 50 and len(scanner.pages) > 100
    assert scanner.findings == [], "\n".join(scanner.findings[:30])


def test_user_text_is_shown_inside_hx_disable(scanned):
    scanner = scanned
    assert sorted(set(scanner.unprotected)) == [], "\n".join(sorted(set(scanner.unprotected))[:40])


def walker_fill_text(walker: Walker, text: str) -> None:
    """Make the walker type `text` into every text box."""
    import tests.walker as walker_module

    original = walker_module.fill

    def submit(response, form, data, button=None, _submit=walker.submit):
        return _submit(response, form, original(form, text), button)

    walker.submit = submit


def _links(html: str, prefix: str) -> list[str]:
    import re

    return [h for h in re.findall(r'href="([^"#?]+)"', html) if h.startswith(prefix)]


def _csrf(html: str) -> str:
    from tests.walker import csrf_token

    return csrf_token(html)
