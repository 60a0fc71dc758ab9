"""The quote review scales (issue 15): filtered by theme and by status, 20 quotes a page, and a
decision returns to the same filtered page; bad filters are ignored, never an error."""

from __future__ import annotations

import re

from feedback.publishing.quotes import quotes_for_run, refresh_candidates
from tests.analysis.test_loading import submitted, valid_answers
from tests.conftest import open_test_run, run
from tests.walker import csrf_token
from tests.workspace_client import signed_in

TEXTS = ["The taxi was late every single morning this term, number {i}.",
         "Nobody answers the phone at the SEN team, I have tried {i} times.",
         "The holiday club was lovely and she made a friend, week {i}.",
         "There has been no speech therapy for two years, we are on list {i}.",
         "CAMHS closed her referral without seeing her, month {i}."]


def make_quotes(n: int = 45):
    survey = open_test_run("annual-send-parent")
    for i in range(n):
        run(submitted(survey, valid_answers(survey.instrument, 700 + i, overall_satisfaction="satisfied",
                                            could_be_better=TEXTS[i % 5].format(i=i), works_well="", anything_else=""), quotes=True))
    run(refresh_candidates(survey, "tests@example.org"))
    return survey


def quote_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<section class="app-quote[^"]*" id="quote-(\d+)"', html)]


def test_quotes_are_paged_and_filtered_by_theme_and_status(app):
    survey = make_quotes(45)
    quotes = run(quotes_for_run(survey.id))
    assert len(quotes) >= 41
    client = signed_in(app)
    first = client.get(f"/workspace/surveys/{survey.id}/quotes")
    assert len(quote_ids(first.text)) == 20 and "Page 1 of 3" in first.text
    assert 'aria-label="Pages of quotes"' in first.text
    everything = set()
    for page in (1, 2, 3):
        everything |= set(quote_ids(client.get(f"/workspace/surveys/{survey.id}/quotes?page={page}").text))
    assert everything == {q.id for q in quotes}  # every quote on exactly one page

    transport = {q.id for q in quotes if "transport" in q.themes}
    assert transport and transport != everything
    page = client.get(f"/workspace/surveys/{survey.id}/quotes?theme=transport")
    shown = set(quote_ids(page.text))
    assert shown <= transport and len(shown) == min(20, len(transport))
    assert f"{len(transport)} quotes about Transport" in page.text
    assert 'value="transport" selected' in page.text

    # Approve one from the second page of the transport filter: back on the same filtered page.
    second = client.get(f"/workspace/surveys/{survey.id}/quotes?theme=transport&page=2")
    target = quote_ids(second.text)[0]
    done = client.post(f"/workspace/surveys/{survey.id}/quotes/{target}", follow_redirects=False, data={
        "_csrf_token": csrf_token(second.text), "action": "approve", "theme": "transport", "status": "", "page": "2"})
    assert done.status_code == 303
    assert done.headers["location"].startswith(f"/workspace/surveys/{survey.id}/quotes?theme=transport&page=2&done=approved")
    approved = client.get(f"/workspace/surveys/{survey.id}/quotes?status=approved")
    assert quote_ids(approved.text) == [target] and "1 quote, approved" in approved.text
    waiting = client.get(f"/workspace/surveys/{survey.id}/quotes?status=pending&theme=transport")
    assert target not in quote_ids(waiting.text)
    client.__exit__(None, None, None)


def test_bad_filters_and_pages_are_ignored_never_a_500(app):
    survey = make_quotes(3)
    client = signed_in(app)
    for query in ("theme=<script>", "status=nonsense", "page=abc", "page=-3", "page=99999999999999", "theme=no_such_theme",
                  "page=0", "status=approved&theme=transport"):
        response = client.get(f"/workspace/surveys/{survey.id}/quotes?{query}")
        assert response.status_code == 200, query
        assert "<script>" not in response.text
    assert "No quotes match" in client.get(f"/workspace/surveys/{survey.id}/quotes?theme=no_such_theme").text
    big = client.get(f"/workspace/surveys/{survey.id}/quotes?page=99999")
    assert len(quote_ids(big.text)) == 3  # past the end shows the last page
    client.__exit__(None, None, None)
