"""The checks themselves must be able to fail: a planted defect is found, or every green run would
mean nothing."""

from __future__ import annotations

import pytest

from tests.browser.helpers import NARROW, axe_violations, horizontal_scroll

pytestmark = pytest.mark.browser


def test_axe_and_the_width_check_find_planted_defects(page):
    page.set_viewport_size(NARROW)
    page.goto("/accessibility")
    assert axe_violations(page) == []
    assert horizontal_scroll(page) is None
    page.evaluate("""() => {
      const main = document.getElementById('main-content')
      main.insertAdjacentHTML('beforeend',
        '<img src="/static/dist/images/favicon.svg"><div id="too-wide">wide</div>')
      document.getElementById('too-wide').style.width = '600px'  // CSSOM: the CSP allows it, unlike style=""
    }""")
    assert "image-alt" in {v["id"] for v in axe_violations(page)}
    assert "too-wide" in (horizontal_scroll(page) or "")
