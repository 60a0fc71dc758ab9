"""The respondent journey over HTTP with JavaScript off, as a phone user would drive it."""

from __future__ import annotations

import re

from consent.records import records_for
from feedback.workspace.exports import export_rows
from surveys.runs import get_run, set_status
from surveys.tables import Response
from tests.conftest import run
from tests.walker import Walker, csrf_token, fill, parse_forms, reference_on


def export_count(slug: str) -> int:
    survey = run(get_run(slug))
    return len(run(export_rows(survey))[1])


def stored(reference: str) -> dict:
    return run(Response.select().where(Response.reference == reference).output(load_json=True).first())


def begin(client, slug: str):
    """Start the survey and accept the participation step: returns the first question page."""
    page = client.get(f"/s/{slug}")
    assert page.status_code == 200
    token = csrf_token(page.text)
    page = client.post(f"/s/{slug}/start", data={"_csrf_token": token, "variant": "standard"}, follow_redirects=True)
    assert "Before you start" in page.text
    version = re.search(r'name="notice_version" value="(\d+)"', page.text).group(1)
    page = client.post(f"/s/{slug}/before-you-start", data={"_csrf_token": csrf_token(page.text), "notice_version": version}, follow_redirects=True)
    assert page.status_code == 200
    return page


def answer(client, page, data: dict, button: str = "continue"):
    form = parse_forms(page.text)[0]
    payload = {"_csrf_token": csrf_token(page.text), "action": button, **data}
    return client.post(str(page.url), data=payload, follow_redirects=True) if form.action == "" else client.post(
        form.action, data=payload, follow_redirects=True
    )


def current_draft(slug: str):
    survey = run(get_run(slug))
    return run(Response.select().where(Response.run == survey.id).order_by(Response.id, ascending=False).output(load_json=True).first())


# --- completing ------------------------------------------------------------------------------


def test_walker_completes_the_parent_survey_and_export_gains_one_row(client, parent_run):
    walker = Walker(client)
    reference = walker.complete(f"/s/{parent_run.slug}")
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", reference)
    row = stored(reference)
    assert row["status"] == "submitted" and row["submitted_at"] is not None
    assert row["answers"]["overall_satisfaction"] == "very_satisfied"
    assert row["answers"]["works_well"] == "Walker says the SENCo listens."
    assert export_count(parent_run.slug) == 1
    # the participation step recorded which notice version was shown
    records = run(records_for(str(row["respondent_id"])))
    assert [r.purposes for r in records] == [
        {"participation": "acknowledged"},
        {"quotes": "refused", "contact": "refused"},  # the walker picks the first option: No
    ]
    assert all(r.channel == "web" and r.actor == "self" for r in records)


def test_walker_completes_the_young_person_survey(client, young_person_run):
    reference = Walker(client).complete(f"/s/{young_person_run.slug}")
    assert stored(reference)["answers"]["age_band"] == "under_11"
    assert export_count(young_person_run.slug) == 1


def test_replaying_the_final_post_stores_nothing_twice(client, parent_run):
    walker = Walker(client)
    reference = walker.complete(f"/s/{parent_run.slug}")
    url, data = walker.last_post
    for _ in range(3):
        again = client.post(url, data=dict(data), follow_redirects=True)
        assert again.status_code == 200
        assert reference_on(again.text) == reference
    assert export_count(parent_run.slug) == 1


def test_confirmation_page_shows_reference_in_a_confirmation_panel(client, young_person_run):
    walker = Walker(client)
    reference = walker.complete(f"/s/{young_person_run.slug}")
    done = client.get(f"/s/{young_person_run.slug}/done")
    assert 'class="govuk-panel govuk-panel--confirmation"' in done.text
    assert reference in done.text and "What happens next" in done.text
    # the start page now says answers were sent, and starting again makes a new response
    start = client.get(f"/s/{young_person_run.slug}")
    assert "You have already sent your answers" in start.text
    Walker(client).complete(f"/s/{young_person_run.slug}")
    assert export_count(young_person_run.slug) == 2


def test_conditional_questions_follow_earlier_answers(client, parent_run):
    page = begin(client, parent_run.slug)
    page = answer(client, page, {"respondent_role": "parent"})
    page = answer(client, page, {"child_age": "5_10"})
    page = answer(client, page, {"setting": "mainstream_primary"})
    page = answer(client, page, {"support_level": "sen_support"})
    assert "main area of need" in page.text
    # no EHC plan questions, and no adulthood question for a 5 to 10 year old
    walker = Walker(client)
    response = page
    seen = []
    while "Check your answers" not in response.text:
        seen.append(str(response.url).rsplit("/", 1)[-1])
        form = parse_forms(response.text)[0]
        response = walker.submit(response, form, fill(form))
    assert not {"ehc_plan_timely", "ehc_plan_delivered", "preparing_for_adulthood"} & set(seen)


# --- nothing is lost -------------------------------------------------------------------------


def test_closing_the_browser_and_coming_back_resumes_at_the_right_page(client, parent_run, app):
    from litestar.testing import TestClient

    page = begin(client, parent_run.slug)
    page = answer(client, page, {"respondent_role": "carer"})
    page = answer(client, page, {"child_age": "11_15"})
    assert "spend most of their day" in page.text
    cookies = dict(client.cookies)
    with TestClient(app=app, base_url="http://testserver.local") as later:  # a new browser session, same cookies
        later.cookies.update(cookies)
        start = later.get(f"/s/{parent_run.slug}")
        assert "Continue where you left off" in start.text
        link = re.search(r'href="(/s/[^"]+/q/setting)"', start.text)
        assert link, "the continue link points at the next unanswered page"
        resumed = later.get(link.group(1))
        assert "spend most of their day" in resumed.text
        back = later.get(f"/s/{parent_run.slug}/q/child_age")
        assert re.search(r'value="11_15"\s+checked', back.text)


def test_save_and_come_back_later_gives_a_code_that_works_on_another_device(client, parent_run, app):
    from litestar.testing import TestClient

    page = begin(client, parent_run.slug)
    page = answer(client, page, {"respondent_role": "parent"})
    saved = answer(client, page, {"child_age": "16_17"}, button="save_later")
    assert saved.status_code == 200 and "Your answers have been saved" in saved.text
    code = re.search(r'id="resume-code">([A-Z0-9-]+)<', saved.text).group(1)
    assert code not in str(saved.url)
    assert stored_answers(parent_run.slug) == {"respondent_role": "parent", "child_age": "16_17"}

    with TestClient(app=app, base_url="http://testserver.local") as phone:
        form = phone.get(f"/s/{parent_run.slug}/resume")
        wrong = phone.post(f"/s/{parent_run.slug}/resume", data={"_csrf_token": csrf_token(form.text), "code": "ABCD-EFGH-JKMN"})
        assert wrong.status_code == 422 and "We could not find saved answers with that code" in wrong.text
        resumed = phone.post(
            f"/s/{parent_run.slug}/resume",
            data={"_csrf_token": csrf_token(form.text), "code": code.lower().replace("-", " ")},
            follow_redirects=True,
        )
        assert resumed.status_code == 200
        assert code not in str(resumed.url)
        assert "child_age" in str(resumed.url)  # the page they saved on
        assert re.search(r'value="16_17"\s+checked', resumed.text)
        reference = Walker(phone).complete(str(resumed.url))
    assert stored(reference)["answers"]["child_age"] == "16_17"


def stored_answers(slug: str) -> dict:
    return current_draft(slug)["answers"]


def test_resume_code_form_explains_bad_codes(client, parent_run):
    form = client.get(f"/s/{parent_run.slug}/resume")
    for code, message in (("", "Enter the code you were given"), ("12", "Enter the code exactly as it was shown")):
        page = client.post(f"/s/{parent_run.slug}/resume", data={"_csrf_token": csrf_token(form.text), "code": code})
        assert page.status_code == 422
        assert "govuk-error-summary" in page.text and message in page.text


def test_change_links_return_to_check_your_answers(client, young_person_run):
    walker = Walker(client)
    response = walker.get(f"/s/{young_person_run.slug}")
    while "Check your answers" not in response.text:
        form = parse_forms(response.text)[0]
        response = walker.submit(response, form, fill(form))
    change = re.search(r'href="([^"]+/q/setting\?return_to=check)"', response.text).group(1)
    page = client.get(change)
    back = answer(client, page, {"setting": "college"})
    assert str(back.url).endswith("/check")
    assert "College or sixth form" in back.text


def test_a_closed_survey_says_so_and_keeps_saved_answers(client, parent_run):
    page = begin(client, parent_run.slug)
    page = answer(client, page, {"respondent_role": "parent"})
    run(set_status(parent_run.slug, "closed"))
    start = client.get(f"/s/{parent_run.slug}")
    assert start.status_code == 410 and "This survey has closed" in start.text
    late = client.post(str(page.url), data={"_csrf_token": csrf_token(page.text), "child_age": "0_4"})
    assert late.status_code == 410 and "This survey has closed" in late.text
    assert stored_answers(parent_run.slug) == {"respondent_role": "parent"}
    home = client.get("/")
    assert f"/s/{parent_run.slug}" not in home.text


# --- bad input -------------------------------------------------------------------------------


def test_missing_answer_shows_an_error_summary_linking_to_the_field(client, parent_run):
    page = begin(client, parent_run.slug)
    error = answer(client, page, {})
    assert error.status_code == 422
    assert "govuk-error-summary" in error.text
    assert 'href="#respondent_role"' in error.text and 'id="respondent_role"' in error.text
    assert "Select who is filling in this survey" in error.text
    assert "<title>Error: " in error.text


def test_unknown_option_and_wrong_types_get_messages_and_lose_nothing(client, parent_run):
    page = begin(client, parent_run.slug)
    page = answer(client, page, {"respondent_role": "parent"})
    bad = answer(client, page, {"child_age": "ninety"})
    assert bad.status_code == 422 and "Select one of the options shown" in bad.text
    bad = answer(client, page, {"child_age": ["0_4", "5_10"]})
    assert bad.status_code == 422 and "Select only one option" in bad.text
    assert stored_answers(parent_run.slug) == {"respondent_role": "parent"}


def test_text_over_the_limit_is_refused_but_shown_back_so_nothing_is_retyped(client, young_person_run):
    walker = Walker(client)
    response = walker.get(f"/s/{young_person_run.slug}")
    while "/q/works_well" not in str(response.url):
        form = parse_forms(response.text)[0]
        response = walker.submit(response, form, fill(form))
    long_text = "We waited nearly a year. " * 100  # 2,500 characters, limit 2,000
    bad = answer(client, response, {"works_well": long_text})
    assert bad.status_code == 422
    assert "Your answer must be 2,000 characters or fewer" in bad.text
    assert "We waited nearly a year. We waited" in bad.text
    assert "works_well" not in stored_answers(young_person_run.slug)


def test_script_in_free_text_is_stored_as_text_and_escaped_on_pages(client, young_person_run):
    walker = Walker(client)
    response = walker.get(f"/s/{young_person_run.slug}")
    while "/q/works_well" not in str(response.url):
        form = parse_forms(response.text)[0]
        response = walker.submit(response, form, fill(form))
    answer(client, response, {"works_well": "<script>alert('x')</script> =1+2"})
    check = client.get(f"/s/{young_person_run.slug}/q/works_well")
    assert "<script>alert" not in check.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in check.text
    assert stored_answers(young_person_run.slug)["works_well"] == "<script>alert('x')</script> =1+2"


def test_missing_or_forged_csrf_token_is_refused_plainly(client, parent_run):
    page = begin(client, parent_run.slug)
    page = answer(client, page, {"respondent_role": "parent"})
    for token in (None, "forged-token"):
        data = {"child_age": "0_4"} if token is None else {"child_age": "0_4", "_csrf_token": token}
        refused = client.post(str(page.url), data=data)
        assert refused.status_code == 403
        assert "This page has expired" in refused.text and "Traceback" not in refused.text
    assert stored_answers(parent_run.slug) == {"respondent_role": "parent"}


def test_a_post_from_another_browser_without_the_resume_cookie_saves_nothing(client, parent_run, app):
    from litestar.testing import TestClient

    page = begin(client, parent_run.slug)
    with TestClient(app=app, base_url="http://testserver.local") as stranger:
        start = stranger.get(f"/s/{parent_run.slug}")
        replay = stranger.post(str(page.url), data={"_csrf_token": csrf_token(start.text), "respondent_role": "carer"}, follow_redirects=True)
        assert replay.status_code == 200 and "We could not find your answers on this device" in replay.text
    assert stored_answers(parent_run.slug) == {}


def test_a_stale_page_hidden_by_a_changed_answer_redirects_to_where_they_should_be(client, parent_run):
    page = begin(client, parent_run.slug)
    for data in ({"respondent_role": "parent"}, {"child_age": "0_4"}, {"setting": "early_years"}, {"support_level": "ehcp"}):
        page = answer(client, page, data)
    # they change their mind: no EHC plan. The EHC plan page is now stale.
    client.post(f"/s/{parent_run.slug}/q/support_level", data={"_csrf_token": csrf_token(page.text), "support_level": "none"})
    stale = client.post(
        f"/s/{parent_run.slug}/q/ehc_plan_delivered",
        data={"_csrf_token": csrf_token(page.text), "ehc_plan_delivered": "agree"},
        follow_redirects=True,
    )
    assert stale.status_code == 200
    assert "ehc_plan_delivered" not in stored_answers(parent_run.slug)


def test_unknown_pages_and_surveys_are_not_found_in_house_style(client, parent_run):
    begin(client, parent_run.slug)
    for url in (f"/s/{parent_run.slug}/q/no_such_question", "/s/no-such-survey", "/nowhere"):
        page = client.get(url)
        assert page.status_code == 404 and "Page not found" in page.text and "app-header" in page.text


def test_a_huge_body_is_refused_with_a_message_not_a_crash(client, parent_run):
    page = begin(client, parent_run.slug)
    huge = client.post(str(page.url), data={"_csrf_token": csrf_token(page.text), "respondent_role": "x" * 400_000})
    assert huge.status_code == 413 and "too long" in huge.text


def test_submitting_with_missing_answers_lists_them_on_check_your_answers(client, parent_run):
    page = begin(client, parent_run.slug)
    answer(client, page, {"respondent_role": "parent"})
    check = client.get(f"/s/{parent_run.slug}/check")
    sent = client.post(f"/s/{parent_run.slug}/check", data={"_csrf_token": csrf_token(check.text)})
    assert sent.status_code == 422
    assert "govuk-error-summary" in sent.text and "How old is your child" in sent.text
    assert export_count(parent_run.slug) == 0


# --- htmx ------------------------------------------------------------------------------------


def test_htmx_requests_get_just_the_page_region(client, parent_run):
    page = begin(client, parent_run.slug)
    fragment = client.get(str(page.url), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="page"' in fragment.text and "<title>" in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    restore = client.get(str(page.url), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text
    error = client.post(str(page.url), data={"_csrf_token": csrf_token(page.text)}, headers={"HX-Request": "true"})
    assert error.status_code == 422 and "govuk-error-summary" in error.text and "<html" not in error.text


def test_participation_records_the_notice_version_that_was_shown(client, parent_run):
    page = client.get(f"/s/{parent_run.slug}")
    page = client.post(f"/s/{parent_run.slug}/start", data={"_csrf_token": csrf_token(page.text)}, follow_redirects=True)
    version = re.search(r'name="notice_version" value="(\d+)"', page.text).group(1)
    stale = client.post(f"/s/{parent_run.slug}/before-you-start",
                        data={"_csrf_token": csrf_token(page.text), "notice_version": str(int(version) - 1)})
    assert stale.status_code == 409 and "The privacy notice has been updated" in stale.text
    assert current_draft(parent_run.slug)["current_page"] is None  # not through yet
    ok = client.post(f"/s/{parent_run.slug}/before-you-start",
                     data={"_csrf_token": csrf_token(page.text), "notice_version": version}, follow_redirects=True)
    assert "Who is filling in this survey?" in ok.text
    (record,) = run(records_for(str(current_draft(parent_run.slug)["respondent_id"])))
    from consent.tables import Notice
    notice = run(Notice.objects().where(Notice.id == record.notice).first())
    assert str(notice.version) == version


# --- a change that arrives after the answers were sent (two tabs, or a slow phone) ------------


def _walk_on(client, response) -> str:
    """Go on from a page of the journey to its confirmation, the simple way; the reference."""
    walker = Walker(client)
    for _ in range(80):
        reference = reference_on(response.text)
        if reference:
            return reference
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, fill(form))
    raise AssertionError("the journey did not end")


def _walk_until(client, slug: str, path: str):
    """From the start page, the simple way, to the first page whose URL contains `path`."""
    walker = Walker(client)
    response = walker.get(f"/s/{slug}")
    for _ in range(80):
        if path in str(response.url):
            return response
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        response = walker.submit(response, form, fill(form))
    raise AssertionError(f"never reached {path}")


def _other_answer(page_html: str, sent: dict) -> tuple[str, dict[str, str]]:
    """The first question of a page, answered differently from what was sent."""
    form = parse_forms(page_html)[0]
    radios = [f for f in form.fields if f.kind == "radio"]
    name = radios[0].name
    choice = next(f.value for f in radios if f.name == name and f.value != sent.get(name))
    return name, {"_csrf_token": csrf_token(page_html), name: choice}


def test_a_change_posted_after_the_answers_were_sent_says_it_was_not_saved(client, parent_run):
    """Two tabs: the first question page is left open in one, the survey is finished and sent in
    the other, then the first tab's changed answer is posted. It cannot be added to answers already
    sent: the confirmation page says so and how to ask for a correction (it used to say nothing)."""
    first_page = begin(client, parent_run.slug)  # kept open in "tab A"
    reference = _walk_on(client, first_page)  # "tab B" goes on and sends
    sent = stored(reference)["answers"]
    name, changed = _other_answer(first_page.text, sent)

    late = client.post(str(first_page.url), data=changed, follow_redirects=True)
    assert late.status_code == 200 and reference_on(late.text) == reference
    assert "Your last change was not saved: your answers had already been sent." in late.text
    assert 'href="/withdraw"' in late.text  # where to ask for a correction, with the reference shown
    assert stored(reference)["answers"] == sent  # nothing changed, nothing lost
    assert export_count(parent_run.slug) == 1

    # The same answer posted again (a replay, a double tap) changes nothing and is not a "late change".
    same = client.post(str(first_page.url), data={"_csrf_token": changed["_csrf_token"], name: sent[name]}, follow_redirects=True)
    assert reference_on(same.text) == reference and "was not saved" not in same.text
    assert "was not saved" not in client.get(f"/s/{parent_run.slug}/done").text


def test_a_change_that_crosses_the_sending_on_its_way_says_it_was_not_saved(client, parent_run, monkeypatch):
    """The race itself: the page save read the draft as unfinished just before the other tab's
    submission committed, so the save finds it sent (AlreadySubmitted) and is refused in the database."""
    import feedback.respond.controllers.journey as journey

    first_page = begin(client, parent_run.slug)
    before = run(journey.response_for_browser(run(get_run(parent_run.slug)), client.cookies.get(
        next(name for name in client.cookies.keys() if parent_run.slug in name))))
    assert before.status == "in_progress"
    reference = _walk_on(client, first_page)
    sent = stored(reference)["answers"]

    async def as_read_before_the_submission(_run, _cookie):
        return before
    monkeypatch.setattr(journey, "response_for_browser", as_read_before_the_submission)
    name, changed = _other_answer(first_page.text, sent)
    late = client.post(str(first_page.url), data=changed, follow_redirects=False)
    assert late.status_code == 303 and late.headers["location"].endswith("/done?notice=late-change")
    monkeypatch.undo()
    shown = client.get(late.headers["location"])
    assert "Your last change was not saved" in shown.text and reference_on(shown.text) == reference
    assert stored(reference)["answers"] == sent


def test_the_late_change_notice_in_easy_read(client, parent_run):
    page = client.get(f"/s/{parent_run.slug}")
    page = client.post(f"/s/{parent_run.slug}/start", data={"_csrf_token": csrf_token(page.text), "variant": "easy_read"}, follow_redirects=True)
    version = re.search(r'name="notice_version" value="(\d+)"', page.text).group(1)
    first_page = client.post(f"/s/{parent_run.slug}/before-you-start", data={"_csrf_token": csrf_token(page.text), "notice_version": version}, follow_redirects=True)
    reference = _walk_on(client, first_page)
    name, changed = _other_answer(first_page.text, stored(reference)["answers"])
    late = client.post(str(first_page.url), data=changed, follow_redirects=True)
    text = re.sub(r"<[^>]+>", " ", late.text)
    assert "Your last answer came too late." in late.text and "Your answers were sent before it." in late.text
    assert 'href="/withdraw?version=easy_read"' in late.text and "Tell us what to change" in text


def test_save_for_later_with_text_too_long_says_so_and_keeps_the_text_on_screen(client, parent_run):
    """A tester's finding: "Save and come back later" with 3,050 characters in a box said "Your
    answers have been saved" and dropped them (without JavaScript nothing counts the characters).
    Now the page says the text is too long, shows it back to be shortened, and gives no code yet;
    what was saved before stays. An answer not given yet still saves for later as before."""
    slug = parent_run.slug
    first = begin(client, slug)
    page = answer(client, first, {"respondent_role": "parent"})
    not_yet = answer(client, page, {}, button="save_later")  # the age not chosen yet: fine for later
    assert not_yet.status_code == 200 and "Your answers have been saved" in not_yet.text

    box = client.get(f"/s/{slug}/q/works_well")
    assert box.status_code == 200 and 'name="works_well"' in box.text
    long_text = ("Our SENCo listens and the plan is reviewed on time. " * 60)[:3050]
    refused = client.post(f"/s/{slug}/q/works_well", data={"_csrf_token": csrf_token(box.text), "works_well": long_text,
                                                            "action": "save_later"})
    assert refused.status_code == 422
    assert "3,000 characters or fewer" in refused.text and "Your answers have been saved" not in refused.text
    assert long_text in refused.text  # shown back in the box, to be shortened, not retyped
    assert 'id="resume-code"' not in refused.text
    assert stored_answers(slug) == {"respondent_role": "parent"}

    shorter = client.post(f"/s/{slug}/q/works_well", data={"_csrf_token": csrf_token(box.text), "works_well": long_text[:2900],
                                                           "action": "save_later"})
    assert shorter.status_code == 200 and "Your answers have been saved" in shorter.text
    assert stored_answers(slug)["works_well"] == long_text[:2900].strip()


def test_a_choice_changed_after_the_answers_were_sent_says_it_was_not_saved(client, parent_run):
    """A tester's finding: "your choices" left open in a second tab, the answers sent with quotes and
    contact yes, then the second tab posted no to both: a plain confirmation, so the person believed
    they had withdrawn permission. Now the late-change notice says it was not saved and where to
    withdraw; the same choices posted again say nothing."""
    from consent.gate import permitted

    slug = parent_run.slug
    choices_page = _walk_until(client, slug, "/your-choices")  # kept open in "tab B"
    form = parse_forms(choices_page.text)[0]
    check = client.post(form.action or str(choices_page.url), data={**form.hidden(), "quotes": "yes", "contact": "yes",
                                                                   "email": "parent@example.com"}, follow_redirects=True)
    done = client.post(str(check.url), data={"_csrf_token": csrf_token(check.text)}, follow_redirects=True)
    reference = reference_on(done.text)
    subject = str(stored(reference)["respondent_id"])

    late = client.post(form.action or str(choices_page.url), data={**form.hidden(), "quotes": "no", "contact": "no"},
                       follow_redirects=True)
    assert reference_on(late.text) == reference and "Your last change was not saved" in late.text
    assert "withdraw a permission" in late.text
    assert run(permitted(subject, "quotes")) and run(permitted(subject, "contact"))  # as sent; nothing changed
    same = client.post(form.action or str(choices_page.url), data={**form.hidden(), "quotes": "yes", "contact": "yes",
                                                                   "email": "parent@example.com"}, follow_redirects=True)
    assert reference_on(same.text) == reference and "was not saved" not in same.text


def test_a_check_page_left_open_while_answers_change_elsewhere_shows_them_again_before_sending(client, parent_run):
    """A tester's finding: "check your answers" open in tab A showing Very satisfied; tab B changed it
    to Very dissatisfied; tab A's "Send my answers" sent what tab A never showed. Now tab A's send
    shows the check page again as the answers are now (nothing sent yet); sending from it works."""
    slug = parent_run.slug
    tab_a = _walk_until(client, slug, "/check")
    question = client.get(f"/s/{slug}/q/overall_satisfaction?return_to=check")  # tab B
    form = parse_forms(question.text)[0]
    client.post(form.action, data={**form.hidden(), "overall_satisfaction": "very_dissatisfied"}, follow_redirects=True)

    form = parse_forms(tab_a.text)[0]
    stale = client.post(f"/s/{slug}/check", data=form.hidden())
    assert stale.status_code == 409 and reference_on(stale.text) is None
    assert "Your answers were changed in another tab or window, so they have not been sent yet." in stale.text
    assert "Very dissatisfied" in stale.text
    assert current_draft(slug)["status"] == "in_progress"
    sent = client.post(f"/s/{slug}/check", data=parse_forms(stale.text)[0].hidden(), follow_redirects=True)
    reference = reference_on(sent.text)
    assert reference and stored(reference)["answers"]["overall_satisfaction"] == "very_dissatisfied"
