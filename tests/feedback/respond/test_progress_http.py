"""Progress as a respondent reads it on each page: "Question 1 of 13" must not become "3 of 14"
and then "5 of 15", and "Question 15 of 15" must be the last question page (your choices
included), in every version."""

from __future__ import annotations

import re

import pytest

from tests.conftest import open_test_run
from tests.feedback.respond.test_symbol_supported_text import answer, revealing_answers
from tests.walker import Walker, parse_forms, reference_on

PROGRESS = re.compile(r'<p class="app-progress">\s*<span>(?:Question |.*?: page |Page )(\d+) of (\d+)</span>')


@pytest.mark.parametrize("version", ["standard", "easy_read", "symbols"])
@pytest.mark.parametrize("instrument_key", ["annual-send-young-person", "pcv-consultation-short-breaks"])
def test_progress_goes_up_by_one_and_ends_at_n_of_n(client, instrument_key, version):
    survey = open_test_run(instrument_key, prefix="progress")
    prefer = revealing_answers(survey.instrument)
    walker = Walker(client)
    response = walker.get(f"/s/{survey.slug}" + ("" if version == "standard" else f"?version={version}"))
    seen: list[tuple[int, int, str]] = []
    for _ in range(80):
        if reference_on(response.text):
            break
        found = PROGRESS.search(response.text)
        step = str(response.url).split("?")[0].rsplit("/", 1)[-1]
        if found:
            seen.append((int(found.group(1)), int(found.group(2)), step))
        elif step not in ("", survey.slug, "before-you-start", "check"):
            raise AssertionError(f"no progress shown on {step}")
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, answer(form, prefer))
    assert reference_on(response.text)
    numbers = [n for n, _, _ in seen]
    totals = [t for _, t, _ in seen]
    assert numbers == list(range(1, len(seen) + 1)), seen
    assert totals == sorted(totals, reverse=True), f"the total grew: {seen}"
    assert seen[-1][:2] == (len(seen), len(seen)) and seen[-1][2] == "your-choices", seen
