"""Jinja set-up and the one way controllers render pages (full page, or a fragment for htmx)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine as Engine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from feedback.settings import PROJECT_ROOT

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
    context = dict(context or {})
    variant = context.get("variant", "standard")
    context.setdefault("easy_read", variant in ("easy_read", "symbols"))
    context.setdefault("uses_symbols", variant in ("easy_read", "symbols"))
    context["layout"] = "fragment.html" if wants_fragment(request) else "layout.html"
    all_headers = {"Vary": "HX-Request, HX-History-Restore-Request"}
    all_headers["Cache-Control"] = "no-store" if private else "no-cache"
    all_headers.update(headers or {})
    return Template(template_name=template, context=context, status_code=status_code, headers=all_headers)
