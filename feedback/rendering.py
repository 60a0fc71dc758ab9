"""Jinja set-up and the one way controllers render pages (full page, or a fragment for htmx), and gzip on the wire."""

from __future__ import annotations

import hashlib
import secrets
import zlib

from markupsafe import Markup
from collections import OrderedDict
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Hashable

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from litestar import Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import CompressionEncoding, MediaType
from litestar.middleware.compression import CompressionMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from feedback.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from litestar.types import Message, Scope, Send

TEMPLATE_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = Path(__file__).parent / "static"
DIST_DIR = STATIC_DIR / "dist"

SERVICE_NAME = "Your voice in SEND"
SERVICE_TAGLINE = "Surveys and consultations for families of children and young people with SEND"
PARTNERSHIP_NAME = "the local area SEND partnership and Parent Carer Voice"

_asset_versions: dict[str, str] = {}


def asset_url(name: str) -> str:
    """A cache-busting URL: the query string changes whenever the built file changes."""
    version = _asset_versions.get(name)
    if version is None:
        try:
            version = hashlib.sha256((DIST_DIR / name).read_bytes()).hexdigest()[:12]
        except FileNotFoundError:
            version = "missing"
        _asset_versions[name] = version
    return f"/static/dist/{name}?v={version}"


def build_environment(extra_globals: dict[str, Any] | None = None) -> Environment:
    """`extra_globals`: helpers a feature gives the templates (the app factory passes the symbol markup)."""
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATE_DIR),
                # `govuk_frontend_vendor/` is the same package under a second name, so that our
                # overrides in templates/govuk_frontend_jinja/ can call the macro they wrap.
                PrefixLoader({
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates"),
                    "govuk_frontend_vendor": PackageLoader("govuk_frontend_jinja", "templates"),
                }),
            ]
        ),
        autoescape=True,
        undefined=ChainableUndefined,  # GOV.UK Frontend's macros read optional nested params
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(
        question_field=cached_question_field(env),
        asset_url=asset_url,
        service_name=SERVICE_NAME,
        service_tagline=SERVICE_TAGLINE,
        partnership_name=PARTNERSHIP_NAME,
    )
    env.globals.update(extra_globals or {})
    return env


CHOICE_FIELD_TYPES = frozenset({"single_choice", "scale", "yes_no", "age_band", "multiple_choice"})


def cached_question_field(env: Environment):
    """`question_field` (templates/macros/questions.html) with choice questions' HTML remembered.

    Rendering GOV.UK radios is most of the cost of a question page, and a choice question only ever
    looks a few ways (which option is chosen, which error). Only option values are ever part of the
    key, never free text, so nobody's words are kept in memory.
    """
    macros = {}

    def macro():
        if "field" not in macros:
            macros["field"] = env.get_template("macros/questions.html").module.question_field
        return macros["field"]

    @lru_cache(maxsize=4096)
    def remembered(q, value, error, as_heading, variant):
        return macro()(q, list(value) if isinstance(value, tuple) else value, error, as_heading, variant)

    def question_field(q, value, error, as_heading, variant="standard"):
        if q.type in CHOICE_FIELD_TYPES:
            chosen = tuple(value) if isinstance(value, list) else value
            known = q.option_values
            if chosen is None or (chosen in known if isinstance(chosen, str) else all(v in known for v in chosen)):
                if error is None or isinstance(error, str):
                    return remembered(q, chosen, error, bool(as_heading), variant)
        return macro()(q, value, error, as_heading, variant)

    return question_field


def template_config(extra_globals: dict[str, Any] | None = None) -> TemplateConfig:
    return TemplateConfig(instance=Engine.from_environment(build_environment(extra_globals)))


def wants_fragment(request: Request) -> bool:
    """htmx swaps only #page; a history restore (back button with no cache) needs the whole page."""
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    private: bool = True,
) -> Template:
    """Render a page. Private pages (anything showing answers) are never stored by caches."""
    return Template(template_name=template, context=_page_context(request, context), status_code=status_code,
                    headers=_page_headers(private, headers))


def _page_context(request: Request, context: dict[str, Any] | None) -> dict[str, Any]:
    context = dict(context or {})
    variant = context.get("variant", "standard")
    context.setdefault("easy_read", variant in ("easy_read", "symbols"))
    context.setdefault("uses_symbols", variant in ("easy_read", "symbols"))
    context["layout"] = "fragment.html" if wants_fragment(request) else "layout.html"
    return context


def _page_headers(private: bool, headers: dict[str, str] | None) -> dict[str, str]:
    all_headers = {"Vary": "HX-Request, HX-History-Restore-Request"}
    all_headers["Cache-Control"] = "no-store" if private else "no-cache"
    all_headers.update(headers or {})
    return all_headers


# -- pages rendered once and shared ---------------------------------------------------------------

# Stands in for the CSRF token while a shared page is rendered; random per process, so no form
# anyone could post ever carries it, and it cannot occur in any page by chance.
CSRF_PLACEHOLDER = "csrf-placeholder-" + secrets.token_hex(16)
SHARED_PAGES_KEPT = 512  # about 40 kB each: at most ~20 MB


class _PlaceholderRequest:
    """What a template may ask of the request while a shared page renders: the app (url_for) and a
    scope whose only CSRF token is the placeholder. Nothing about the person: a template that
    reads anything else from `request` fails loudly instead of baking someone's details in."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.scope: dict[str, Any] = {"state": {}}
        ScopeState.from_scope(self.scope).csrf_token = CSRF_PLACEHOLDER


class SharedPages:
    """Pages that look the same to everyone who would see them with the same key, rendered once.

    The caller's key must name everything the page shows (the run and its instrument version, the
    variant, the page, the chosen option values, progress); the CSRF token, the one thing that
    differs per person, is filled in per response. Callers never share pages with typed text or
    errors in them, so nobody's words are kept in memory.
    """

    def __init__(self, size: int = SHARED_PAGES_KEPT) -> None:
        self.size = size
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._varies_with: list[Callable[[], Hashable]] = []
        self.renders = 0  # how many times a page was actually rendered (tests read it)

    def vary_with(self, current: Callable[[], Hashable]) -> None:
        """Make every key include `current()`: for what a template global shows that can change while
        the app runs (the partnership's name in the footer, which officers edit)."""
        if current not in self._varies_with:
            self._varies_with.append(current)

    def clear(self) -> None:
        self._pages.clear()

    def html(self, request: Request, template: str, context: dict[str, Any], key: Hashable) -> str:
        key = (key, tuple(current() for current in self._varies_with))
        html = self._pages.get(key)
        if html is not None:
            self._pages.move_to_end(key)
            return html
        engine = request.app.template_engine.engine
        html = engine.get_template(template).render(
            **context,
            request=_PlaceholderRequest(request.app),
            csrf_input=Markup('<input type="hidden" name="_csrf_token" value="{}" />').format(CSRF_PLACEHOLDER),
        )
        self.renders += 1
        self._pages[key] = html
        if len(self._pages) > self.size:
            self._pages.popitem(last=False)
        return html


shared_pages = SharedPages()


def render_shared(
    request: Request,
    template: str,
    context: dict[str, Any],
    key: Hashable,
    status_code: int = 200,
) -> Response:
    """`render` for a page that is the same for everyone with `key` (see SharedPages): rendered
    once, then only this request's CSRF token is put in. Private like every respondent page."""
    context = _page_context(request, context)
    html = shared_pages.html(request, template, context, (template, context["layout"], key))
    token = escape(value_or_default(ScopeState.from_scope(request.scope).csrf_token, ""))
    return Response(
        content=html.replace(CSRF_PLACEHOLDER, token),
        media_type=MediaType.HTML,
        status_code=status_code,
        headers=_page_headers(True, None),
    )


# -- pages on the wire: gzip ------------------------------------------------------------------------
# Gzip for responses, as Litestar's CompressionMiddleware does it, at less cost a request.
#
# Litestar makes a `GzipFile` for every response to a client that accepts gzip before it knows the
# body's size: about 38 µs on this machine for the compressor's state alone, spent and thrown away on
# every redirect and other body under `minimum_size` (half of a respondent's requests are the 303s
# after a page save). A page sent whole is then compressed through the file object's write, flush
# and close. Here nothing is made until the body is seen: a body sent whole is compressed by one
# `zlib.compress` call (or not at all when small), and only a streamed body (static files, downloads)
# gets a streaming compressor. Same headers as Litestar's: Content-Encoding, Content-Length (or none
# when streamed) and Vary: Accept-Encoding. Other encodings (brotli) stay with Litestar's own code.

GZIP_WBITS = 31  # a gzip header and trailer around the deflate stream


class GzipOnDemandMiddleware(CompressionMiddleware):
    """`CompressionConfig(middleware_class=GzipOnDemandMiddleware)`: Litestar's gzip, made lazily."""

    def create_compression_send_wrapper(self, send: Send, compression_encoding: Any, scope: Scope) -> Send:
        if compression_encoding != CompressionEncoding.GZIP:
            return super().create_compression_send_wrapper(send, compression_encoding, scope)
        level, minimum_size = self.config.gzip_compress_level, self.config.minimum_size
        state = ScopeState.from_scope(scope)
        start: Message | None = None
        stream: Any = None  # a zlib compressor, once a body comes in several parts

        def compressed_headers(message: Message, length: int | None) -> None:
            headers = MutableScopeHeaders(message)
            headers["Content-Encoding"] = "gzip"
            if length is None:
                del headers["Content-Length"]
            else:
                headers["Content-Length"] = str(length)
            headers.extend_header_value("vary", "Accept-Encoding")
            state.response_compressed = True

        async def send_wrapper(message: Message) -> None:
            nonlocal start, stream
            kind = message["type"]
            if kind == "http.response.start":
                start = message  # held until the body shows whether to compress
                return
            if kind != "http.response.body":
                await send(message)
                return
            body, more = message.get("body", b""), message.get("more_body", False)
            if stream is not None:  # the rest of a streamed body
                message["body"] = stream.compress(body) + stream.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
                await send(message)
                return
            first, start = start, None
            if first is None:  # nothing held (cannot happen in ASGI): pass it on as it is
                await send(message)
                return
            already = value_or_default(state.is_cached, False) or any(name.lower() == b"content-encoding" for name, _ in first.get("headers", []))
            if already or (not more and len(body) < minimum_size):
                await send(first)
                await send(message)
                return
            if more:  # streamed: compress each part as it comes, flushed so the client gets it
                stream = zlib.compressobj(level, zlib.DEFLATED, GZIP_WBITS)
                message["body"] = stream.compress(body) + stream.flush(zlib.Z_SYNC_FLUSH)
                compressed_headers(first, None)
            else:
                message["body"] = zlib.compress(body, level, wbits=GZIP_WBITS)
                compressed_headers(first, len(message["body"]))
            await send(first)
            await send(message)

        return send_wrapper
