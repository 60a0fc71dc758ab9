"""Event mode on a shared tablet (issue 12: "A shared tablet shows the last person's answers").

Event mode starts only from the workspace; a person's answers are reachable only during their own
turn: after FEEDBACK_KIOSK_IDLE_SECONDS without a save, or "Finish and hand over", they are kept as
an unfinished draft and nothing on the tablet (Back, /check, a cached cookie) reaches them again.
The idle time is crossed by moving event mode's clock, not by sleeping.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import feedback.respond.event_mode as event_mode
from feedback.accounts.audit import recent
from feedback.settings import load_settings
from surveys.tables import Response
from tests.conftest import run
from tests.walker import Walker, csrf_token, fill, parse_forms
from tests.workspace_client import make_user, open_survey, sign_in, text_of

A_WORDS = "Person A says the taxi to Oakfield never comes"


def start_event_mode(client, survey) -> None:
    sign_in(client, make_user("officer"))
    page = client.get(f"/workspace/surveys/{survey.id}")
    response = client.post(f"/workspace/surveys/{survey.id}/kiosk", data={"_csrf_token": csrf_token(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/s/{survey.slug}"


def answer_pages(client, survey, pages: int, text: str = A_WORDS, with_words: bool = False):
    """Person A: start, take part and answer `pages` question pages (and, with `with_words`, on
    until they have typed `text` somewhere). Returns the last page shown."""
    walker = Walker(client)
    response = walker.get(f"/s/{survey.slug}")
    answered, typed = 0, False
    while answered < pages or (with_words and not typed):
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        on_question = "/q/" in str(response.url)
        data = fill(form, text)
        typed |= on_question and any(value == text for _, value in data)
        response = walker.submit(response, form, data)
        answered += on_question
        assert response.status_code == 200, response.text[:300]
    return response


def latest_draft(survey):
    return run(Response.select().where(Response.run == survey.id).order_by(Response.id, ascending=False).first())


@pytest.fixture
def later(monkeypatch):
    """Move event mode's clock past the idle time (the default 180 seconds, plus one)."""
    def move(seconds: int = 181):
        real = event_mode._now
        now = real() + timedelta(seconds=seconds)
        monkeypatch.setattr(event_mode, "_now", lambda: now)
    return move


def test_a_hand_made_kiosk_cookie_is_ignored(client):
    survey = open_survey(None)
    client.cookies.set(f"kiosk-{survey.slug}", "1")
    start = client.get(f"/s/{survey.slug}")
    client.post(f"/s/{survey.slug}/start", data={"_csrf_token": csrf_token(start.text)})
    assert latest_draft(survey)["channel"] == "web"  # not labelled as an event answer


def test_a_forged_or_borrowed_token_is_ignored(browser):
    survey, other = open_survey(None), open_survey(None)
    with browser() as tablet:
        start_event_mode(tablet, other)
        real_token = tablet.cookies.get(f"kiosk-{other.slug}")
    run_id, nonce, _ = real_token.split(".")
    forged = [f"{survey.id}.{nonce}.{'0' * 32}", real_token, f"{survey.id}.{nonce}"]
    for token in forged:
        with browser() as client:
            client.cookies.set(f"kiosk-{survey.slug}", token)
            start = client.get(f"/s/{survey.slug}")
            client.post(f"/s/{survey.slug}/start", data={"_csrf_token": csrf_token(start.text)})
            assert latest_draft(survey)["channel"] == "web", token


def test_event_mode_from_the_workspace_labels_answers_and_ending_it_revokes_every_tablet(browser):
    survey = open_survey(None)
    with browser() as officer, browser() as tablet:
        start_event_mode(tablet, survey)
        answer_pages(tablet, survey, 1)
        draft = latest_draft(survey)
        assert draft["channel"] == "event"
        sign_in(officer, make_user("officer"))
        page = officer.get(f"/workspace/surveys/{survey.id}")
        assert "Event mode is on for 1 device" in text_of(page.text)
        ended = officer.post(f"/workspace/surveys/{survey.id}/kiosk/end", data={"_csrf_token": csrf_token(page.text)},
                             follow_redirects=True)
        assert "Event mode has ended on every tablet" in text_of(ended.text)
        assert "End event mode" not in text_of(ended.text)
        assert any(e.action == "kiosk_ended" and e.object == survey.slug for e in run(recent(50)))
        # the person answering when it ended keeps their answers, but the tablet cannot reach them
        assert tablet.get(f"/s/{survey.slug}/check", follow_redirects=False).status_code == 303
        kept = run(Response.select().where(Response.id == draft["id"]).first())
        assert kept["status"] == "in_progress" and kept["browser_token_hash"] is None and kept["answers"]
        # and the old token no longer makes an event answer
        start = tablet.get(f"/s/{survey.slug}")
        tablet.post(f"/s/{survey.slug}/start", data={"_csrf_token": csrf_token(start.text)})
        assert latest_draft(survey)["channel"] == "web"


def test_within_a_turn_the_person_still_sees_their_own_answers(client):
    survey = open_survey(None)
    start_event_mode(client, survey)
    answer_pages(client, survey, 2)
    check = client.get(f"/s/{survey.slug}/check")
    assert check.status_code == 200 and "Check your answers" in check.text


def test_after_the_idle_time_the_next_person_sees_nothing_of_the_last(browser, later):
    survey = open_survey(None)
    with browser() as tablet:
        start_event_mode(tablet, survey)
        last = answer_pages(tablet, survey, 3, with_words=True)
        draft = latest_draft(survey)
        pages = [f"/s/{survey.slug}/check", f"/s/{survey.slug}/your-choices", str(last.url)]
        pages += [f"/s/{survey.slug}/q/{key}" for key in ("about", "listened_to")]
        cached_cookie = tablet.cookies.get(f"resume-{survey.slug}")
        later()
        for url in pages:  # what Back, history or typing the address would ask for
            response = tablet.get(url, follow_redirects=True)
            assert A_WORDS not in response.text and "checked" not in response.text, url
            assert str(response.url).endswith(f"/s/{survey.slug}?notice=not-found"), url
        kept = run(Response.select().where(Response.id == draft["id"]).first())
        assert kept["status"] == "in_progress" and kept["browser_token_hash"] is None
        assert A_WORDS in str(kept["answers"])  # kept, not lost
    with browser() as replay:  # a copy of A's cookie (from the cache, or the page) is useless now
        replay.cookies.set(f"resume-{survey.slug}", cached_cookie)
        assert replay.get(f"/s/{survey.slug}/check", follow_redirects=False).status_code == 303


def test_the_start_page_puts_away_every_idle_turn_of_the_survey(browser, later):
    survey = open_survey(None)
    with browser() as tablet:
        start_event_mode(tablet, survey)
        answer_pages(tablet, survey, 1)
        draft = latest_draft(survey)
        later()
        tablet.get(f"/s/{survey.slug}")  # the next person arrives: A's binding is dropped server-side
    assert run(Response.select().where(Response.id == draft["id"]).first())["browser_token_hash"] is None


def test_finish_and_hand_over_keeps_this_pages_answers_and_starts_afresh(client):
    survey = open_survey(None)
    start_event_mode(client, survey)
    page = answer_pages(client, survey, 1)
    walker = Walker(client)
    form = [f for f in parse_forms(page.text) if f.method == "post"][0]
    while not any(f.kind in ("textarea", "text") for f in form.fields):  # on to a page where words are typed
        page = walker.submit(page, form, fill(form))
        form = [f for f in parse_forms(page.text) if f.method == "post"][0]
    hand_over = [b for b in form.buttons() if b.value == "hand_over"]
    assert hand_over and "Finish and hand over" in page.text
    data = dict(fill(form, "Words typed just before handing over"))
    data["action"] = "hand_over"
    response = client.post(str(page.url), data=data, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/s/{survey.slug}?notice=handed-over"
    start = client.get(response.headers["location"])
    assert "This tablet is ready for the next person" in text_of(start.text)
    draft = latest_draft(survey)
    assert draft["status"] == "in_progress" and draft["browser_token_hash"] is None
    assert "Words typed just before handing over" in str(draft["answers"])
    assert client.get(f"/s/{survey.slug}/check", follow_redirects=False).status_code == 303


def test_hand_over_from_the_check_page(client):
    survey = open_survey(None)
    start_event_mode(client, survey)
    answer_pages(client, survey, 2)
    check = client.get(f"/s/{survey.slug}/check")
    form = [f for f in parse_forms(check.text) if f.action.endswith("/hand-over")][0]
    response = client.post(form.action, data={"_csrf_token": csrf_token(check.text)}, follow_redirects=False)
    assert response.headers["location"].endswith("?notice=handed-over")
    assert client.get(f"/s/{survey.slug}/check", follow_redirects=False).status_code == 303
    assert latest_draft(survey)["browser_token_hash"] is None


def test_hand_over_does_nothing_to_answers_given_at_home(client):
    survey = open_survey(None)
    answer_pages(client, survey, 1)
    page = client.get(f"/s/{survey.slug}")
    response = client.post(f"/s/{survey.slug}/hand-over", data={"_csrf_token": csrf_token(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert latest_draft(survey)["browser_token_hash"] is not None
    assert client.get(f"/s/{survey.slug}/check", follow_redirects=False).status_code in (200, 303)
    assert "Continue where you left off" in client.get(f"/s/{survey.slug}").text


def test_a_tablet_never_gives_out_a_resume_code(client):
    survey = open_survey(None)
    start_event_mode(client, survey)
    page = answer_pages(client, survey, 1)
    assert "Save and come back later" not in page.text
    form = [f for f in parse_forms(page.text) if f.method == "post"][0]
    data = dict(fill(form))
    data["action"] = "save_later"
    response = client.post(str(page.url), data=data, follow_redirects=True)
    assert 'id="resume-code"' not in response.text


def test_every_page_of_a_turn_is_never_cached_and_resets_without_javascript(client):
    survey = open_survey(None)
    start_event_mode(client, survey)
    start = client.get(f"/s/{survey.slug}")
    assert start.headers["cache-control"] == "no-store"
    assert 'hx-boost="false"' in start.text  # whole pages, so each page carries its own reset
    last = answer_pages(client, survey, 3)
    urls = [f"/s/{survey.slug}/before-you-start", str(last.url), f"/s/{survey.slug}/check", f"/s/{survey.slug}/your-choices"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "no-store", url
        assert f'<meta http-equiv="refresh" content="180;url=/s/{survey.slug}?notice=timed-out">' in response.text, url
        assert 'data-kiosk-idle-seconds="180"' in response.text and "Finish and hand over" in response.text, url
        assert "3 minutes" in text_of(response.text)


def test_pages_answered_at_home_have_no_idle_reset(client):
    survey = open_survey(None)
    page = answer_pages(client, survey, 1)
    assert 'http-equiv="refresh"' not in page.text and "Finish and hand over" not in page.text


@pytest.mark.parametrize("value", ["0", "-3", "soon", "4"])
def test_a_bad_idle_time_stops_the_app_with_a_clear_message(monkeypatch, value):
    monkeypatch.setenv("FEEDBACK_KIOSK_IDLE_SECONDS", value)
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    assert "FEEDBACK_KIOSK_IDLE_SECONDS" in str(stopped.value)


def test_the_idle_time_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FEEDBACK_KIOSK_IDLE_SECONDS", "45")
    assert load_settings().kiosk_idle_seconds == 45
    monkeypatch.delenv("FEEDBACK_KIOSK_IDLE_SECONDS")
    assert load_settings().kiosk_idle_seconds == 180


def test_the_officer_who_starts_event_mode_is_signed_out_on_that_tablet_only(browser):
    """A kiosk must not hand the next person the workspace: not by opening it, not by the old
    session cookie (Back, a saved copy), while the officer's own laptop stays signed in."""
    survey = open_survey(None)
    officer = make_user("officer")
    with browser() as laptop, browser() as tablet:
        sign_in(laptop, officer)
        sign_in(tablet, officer)
        old_session = tablet.cookies.get("session")
        assert old_session
        page = tablet.get(f"/workspace/surveys/{survey.id}")
        assert "signs you out of the workspace on this device" in text_of(page.text)
        response = tablet.post(f"/workspace/surveys/{survey.id}/kiosk", data={"_csrf_token": csrf_token(page.text)},
                               follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/s/{survey.slug}"
        assert not tablet.cookies.get("session")
        # the next person at the tablet
        for url in ("/workspace", f"/workspace/surveys/{survey.id}", f"/workspace/surveys/{survey.id}/export.csv"):
            shown = tablet.get(url, follow_redirects=False)
            assert shown.status_code in (302, 303) and "/login" in shown.headers["location"], url
        answer_pages(tablet, survey, 1)  # the tablet still takes answers
        assert latest_draft(survey)["channel"] == "event"
        tablet.cookies.set("session", old_session)  # the cookie from before, replayed
        replayed = tablet.get(f"/workspace/surveys/{survey.id}", follow_redirects=False)
        assert replayed.status_code in (302, 303) and "/login" in replayed.headers["location"]
        # the officer's laptop is another session: still signed in
        assert laptop.get(f"/workspace/surveys/{survey.id}").status_code == 200
