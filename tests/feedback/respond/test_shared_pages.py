"""Question pages rendered once and shared (feedback.rendering.SharedPages, issue 17): one person's
CSRF token or answers never reach another person's page, and a changed survey is shown at once."""

from __future__ import annotations

import copy
import re

import pytest

from feedback.rendering import CSRF_PLACEHOLDER, shared_pages
from surveys.tables import SurveyRun
from tests.conftest import run
from tests.feedback.respond.test_journey_http import answer, begin
from tests.walker import Walker, csrf_token, fill, parse_forms


@pytest.fixture
def other_client(app):
    """A second browser: a cookie jar (resume cookie, CSRF cookie) of its own."""
    from litestar.testing import TestClient

    with TestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


def chosen(html: str, name: str) -> list[str]:
    """The options of radio or checkbox `name` that the page shows as chosen."""
    inputs = re.findall(r"<input[^>]*>", html)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if f'name="{name}"' in i and " checked" in i]


def first_page_again(client, slug: str):
    page = client.get(f"/s/{slug}/q/respondent_role")
    assert page.status_code == 200
    return page


def test_two_people_with_the_same_answers_share_the_page_but_not_their_csrf_token(client, other_client, parent_run):
    for browser in (client, other_client):
        answer(browser, begin(browser, parent_run.slug), {"respondent_role": "parent"})
    rendered_before = shared_pages.renders
    mine = first_page_again(client, parent_run.slug)
    theirs = first_page_again(other_client, parent_run.slug)
    assert shared_pages.renders == rendered_before + 1  # rendered once, shared by the second person

    assert chosen(mine.text, "respondent_role") == chosen(theirs.text, "respondent_role") == ["parent"]
    my_token, their_token = csrf_token(mine.text), csrf_token(theirs.text)
    assert my_token != their_token
    for page, token, other in ((mine, my_token, their_token), (theirs, their_token, my_token)):
        assert CSRF_PLACEHOLDER not in page.text
        assert other not in page.text
        assert f'"x-csrftoken": "{token}"' in page.text  # htmx's header carries the same person's token

    # Each token works for its own browser only: the other person's is refused.
    assert other_client.post(f"/s/{parent_run.slug}/q/respondent_role",
                             data={"_csrf_token": my_token, "respondent_role": "carer"}).status_code == 403
    saved = other_client.post(f"/s/{parent_run.slug}/q/respondent_role",
                              data={"_csrf_token": their_token, "respondent_role": "carer"}, follow_redirects=False)
    assert saved.status_code == 303
    assert chosen(first_page_again(other_client, parent_run.slug).text, "respondent_role") == ["carer"]
    assert chosen(first_page_again(client, parent_run.slug).text, "respondent_role") == ["parent"]


def test_people_with_different_answers_each_see_their_own(client, other_client, parent_run):
    answer(client, begin(client, parent_run.slug), {"respondent_role": "parent"})
    answer(other_client, begin(other_client, parent_run.slug), {"respondent_role": "carer"})
    assert chosen(first_page_again(client, parent_run.slug).text, "respondent_role") == ["parent"]
    assert chosen(first_page_again(other_client, parent_run.slug).text, "respondent_role") == ["carer"]
    fresh = client.__class__(app=client.app, base_url="http://testserver.local")
    with fresh:
        page = answer(fresh, begin(fresh, parent_run.slug), {})  # nothing chosen: the page with its error
        assert page.status_code == 422
        assert "govuk-error-summary" in page.text
        assert chosen(page.text, "respondent_role") == []


def test_typed_answers_are_never_kept_in_a_shared_page(client, parent_run):
    page = begin(client, parent_run.slug)
    for _ in range(40):
        if "works_well" in str(page.url):
            break
        form_names = set(re.findall(r'name="([a-z_]+)" type="radio" value="([a-z_0-9]+)"', page.text))
        first = {}
        for name, value in sorted(form_names, key=lambda nv: page.text.index(f'value="{nv[1]}"')):
            first.setdefault(name, value)
        page = answer(client, page, first)
        assert page.status_code == 200
    assert "works_well" in str(page.url)
    words = "Our keyworker Priya rings back every Friday."
    page = answer(client, page, {"works_well": words})
    assert page.status_code == 200
    back = client.get(f"/s/{parent_run.slug}/q/works_well")
    assert words in back.text  # shown to its writer,
    assert not any(words in html for html in shared_pages._pages.values())  # but never kept to share


def test_a_new_version_of_the_survey_is_shown_at_once(client, parent_run):
    answer(client, begin(client, parent_run.slug), {"respondent_role": "parent"})
    assert "A parent or step-parent" not in first_page_again(client, parent_run.slug).text

    row = run(SurveyRun.select(SurveyRun.instrument).where(SurveyRun.id == parent_run.id).output(load_json=True).first())
    changed = copy.deepcopy(row["instrument"])
    changed["version"] = "2099.1"
    question = next(q for s in changed["sections"] for q in s["questions"] if q["key"] == "respondent_role")
    question["options"][0]["label"] = "A parent or step-parent"  # only an answer's words: the page's title stays
    run(SurveyRun.update({SurveyRun.instrument: changed, SurveyRun.instrument_version: "2099.1"})
        .where(SurveyRun.id == parent_run.id))

    page = first_page_again(client, parent_run.slug)
    assert "A parent or step-parent" in page.text
    assert chosen(page.text, "respondent_role") == ["parent"]


def test_your_choices_is_shared_as_first_shown_but_never_with_contact_details(client, parent_run):
    walker = Walker(client)
    page = walker.get(f"/s/{parent_run.slug}")
    for _ in range(60):  # walk to "How we can use your answers"
        if "your-choices" in str(page.url):
            break
        form = [f for f in parse_forms(page.text) if f.method == "post"][0]
        page = walker.submit(page, form, fill(form))
    assert "your-choices" in str(page.url)
    rendered = shared_pages.renders
    again = client.get(f"/s/{parent_run.slug}/your-choices")
    assert shared_pages.renders == rendered  # the same page again: from the shared copy
    assert csrf_token(again.text) == csrf_token(page.text) and CSRF_PLACEHOLDER not in again.text

    email = "priya.family@example.org"
    refused = client.post(f"/s/{parent_run.slug}/your-choices", data={
        "_csrf_token": csrf_token(again.text), "quotes": "no", "contact": "yes", "email": email, "phone": "not a phone"})
    assert refused.status_code == 422 and email in refused.text  # shown back to the person who typed it,
    assert not any(email in html for html in shared_pages._pages.values())  # never kept to share


def test_a_renamed_partnership_shows_in_the_footer_of_a_shared_page_at_once(client, parent_run):
    from dataclasses import replace

    from feedback.privacy.partnership import current_identity, load_identity, save_identity
    from feedback.privacy.tables import PartnershipSettings

    answer(client, begin(client, parent_run.slug), {"respondent_role": "parent"})
    assert "Run by Northshire SEND Partnership" not in first_page_again(client, parent_run.slug).text
    try:
        run(save_identity(replace(current_identity(), name="Northshire SEND Partnership"), actor="test"))
        assert "Run by Northshire SEND Partnership" in first_page_again(client, parent_run.slug).text
    finally:  # other tests rely on the package defaults
        run(PartnershipSettings.delete(force=True))
        run(load_identity())
