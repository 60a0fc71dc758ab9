"""The home page puts the surveys for families and young people first and the practitioners'
apart after them, and offers each easy-read and picture version as a button with its picture."""

from __future__ import annotations

import re

from tests.conftest import open_test_run


def test_families_first_practitioners_apart_and_versions_as_buttons(client):
    young = open_test_run("annual-send-young-person", prefix="homeyp")
    staff = open_test_run("poet-practitioner", prefix="homestaff")
    page = client.get("/").text
    families = page.index("Surveys for families and young people")
    practitioners = page.index("Surveys for practitioners")
    assert families < page.index(f'href="/s/{young.slug}"') < practitioners < page.index(f'href="/s/{staff.slug}"')
    for version, label in (("easy_read", "Easy read version"), ("symbols", "Version with pictures")):
        button = re.search(rf'<a class="govuk-button govuk-button--secondary app-version-button"[^>]*href="/s/{young.slug}\?version={version}">(.*?)</a>', page, re.S)
        assert button, f"no {label} button"
        assert 'src="/symbols/' in button.group(1) and 'alt=""' in button.group(1)  # its words say it: decorative
        # Each button names its survey: in easy words where the survey has an easy title.
        assert label in button.group(1) and young.instrument.easy_title in button.group(1)
