"""Every template compiles: a syntax error would otherwise only show as an error page in use."""

from pathlib import Path

import pytest

from feedback.rendering import TEMPLATE_DIR, build_environment

TEMPLATES = sorted(str(p.relative_to(TEMPLATE_DIR)) for p in Path(TEMPLATE_DIR).rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_compiles(name):
    build_environment().get_template(name)
