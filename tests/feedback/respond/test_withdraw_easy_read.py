"""Taking answers back in easy read: the easy-read confirmation's "Take your answers back" keeps
the version, and every withdraw page (start, a wrong number, the choice, no choice, done) is in
easy words with pictures: no "data protection officer", no "reference", no "withdraw"."""

from __future__ import annotations

import re

import pytest

from tests.feedback.respond.test_easy_read_pages import easy_run, main_of, text_of, walk  # noqa: F401
from tests.walker import csrf_token, reference_on

JARGON = ("data protection officer", "reference", "withdraw", "Withdraw")


def assert_easy(response, what: str) -> str:
    page = main_of(response.text)
    assert "app-easy-read" in response.text, f"{what} is not easy read"
    shown = text_of(page)
    for word in JARGON:
        assert word not in shown, f"{what}: {word!r} in {shown!r}"
    assert 'class="app-er-list__item"' in page or 'class="app-er-question"' in page, what
    return shown


@pytest.mark.parametrize("version", ["easy_read", "symbols"])
def test_taking_answers_back_stays_in_easy_read(client, easy_run, version):  # noqa: F811
    done = walk(client, easy_run.slug, version)["done"]
    reference = reference_on(done.text)
    link = re.search(r'href="(/withdraw[^"]*)"', main_of(done.text)).group(1)
    assert link == f"/withdraw?version={version}"

    start = client.get(link)
    shown = assert_easy(start, "take your answers back")
    assert "Your answer number" in shown and "ask the council" in shown
    assert f'name="version" value="{version}"' in start.text

    wrong = client.post("/withdraw", data={"_csrf_token": csrf_token(start.text), "reference": "AAAA-BBBB-CCCC", "version": version})
    assert wrong.status_code == 422
    assert "We cannot find answers with that number." in assert_easy(wrong, "a wrong number")
    empty = client.post("/withdraw", data={"_csrf_token": csrf_token(start.text), "reference": "", "version": version})
    assert empty.status_code == 422 and "Type in your answer number." in text_of(empty.text)

    choose = client.post("/withdraw", data={"_csrf_token": csrf_token(start.text), "reference": reference, "version": version})
    shown = assert_easy(choose, "what do you want to do")
    assert "Take all my answers back." in shown and 'class="govuk-radios app-er-choices"' in choose.text
    nothing = client.post("/withdraw/confirm", data={"_csrf_token": csrf_token(choose.text), "reference": reference, "version": version})
    assert nothing.status_code == 422 and "Choose what you want to do." in text_of(nothing.text)

    gone = client.post("/withdraw/confirm", data={"_csrf_token": csrf_token(choose.text), "reference": reference,
                                                  "version": version, "withdraw": "answers"}, follow_redirects=True)
    assert str(gone.url).endswith(f"/withdraw/done?what=answers&version={version}")
    assert "Your answers are gone" in assert_easy(gone, "done")
    # And they are gone: the same number again (the back button, a double tap) says so, with
    # nothing left to choose; it is not "we cannot find it", which read as if nothing had happened.
    again = client.post("/withdraw", data={"_csrf_token": csrf_token(start.text), "reference": reference, "version": version})
    assert again.status_code == 200
    shown = assert_easy(again, "already gone")
    assert "Your answers are already gone" in shown and "We deleted these answers before." in shown
    assert 'name="withdraw"' not in again.text
    replayed = client.post("/withdraw/confirm", data={"_csrf_token": csrf_token(choose.text), "reference": reference,
                                                      "version": version, "withdraw": "answers"})
    assert replayed.status_code == 200 and "Your answers are already gone" in text_of(replayed.text)


def test_the_standard_withdraw_pages_keep_their_words(client):
    page = client.get("/withdraw")
    assert "Withdraw your answers" in page.text and "data protection officer" in page.text
    assert "app-easy-read" not in page.text
    odd = client.get("/withdraw?version=../../etc")
    assert odd.status_code == 200 and "app-easy-read" not in odd.text


def test_withdrawing_answers_already_withdrawn_says_they_are_gone(client, parent_run):
    """Standard words: a second withdrawal (another tab, the back button, asking again later) is told
    the answers were already withdrawn, and a correction asked for them too; nothing is recorded twice."""
    from surveys.tables import Response
    from tests.conftest import run
    from tests.walker import Walker

    reference = Walker(client).complete(f"/s/{parent_run.slug}")
    start = client.get("/withdraw")
    token = csrf_token(start.text)
    first = client.post("/withdraw/confirm", data={"_csrf_token": token, "reference": reference, "withdraw": "answers"}, follow_redirects=True)
    assert "Your answers have been withdrawn" in first.text
    for path, extra in (("/withdraw", {}), ("/withdraw/confirm", {"withdraw": "answers"}), ("/withdraw/correct", {})):
        again = client.post(path, data={"_csrf_token": token, "reference": reference.lower(), **extra})
        assert again.status_code == 200, path
        assert "These answers have already been withdrawn" in again.text and "We could not find" not in again.text, path
    row = run(Response.select(Response.status, Response.answers).where(Response.reference == reference).output(load_json=True).first())
    assert row == {"status": "withdrawn", "answers": {}}
    unknown = client.post("/withdraw", data={"_csrf_token": token, "reference": "AAAA-BBBB-CCCC"})
    assert unknown.status_code == 422 and "We could not find answers with that reference" in unknown.text


@pytest.mark.parametrize("version", ["standard", "easy_read"])
def test_withdrawing_a_permission_twice_says_nothing_changed(client, parent_run, version):
    """A tester's finding: withdrawing permission to quote, then the back button and the same post
    again, gave "Select what you want to withdraw" although it was selected. Now it says the
    permission is not given, in the version chosen, and records nothing more."""
    from consent.records import records_for
    from surveys.tables import Response
    from tests.conftest import run
    from tests.walker import Walker, fill, parse_forms

    slug = parent_run.slug
    walker = Walker(client)
    response = walker.get(f"/s/{slug}")
    while reference_on(response.text) is None:
        form = [f for f in parse_forms(response.text) if f.method == "post"][0]
        data = fill(form)
        if "/your-choices" in str(response.url):
            data = [(k, v) for k, v in data if k not in ("quotes", "contact")] + [("quotes", "yes"), ("contact", "no")]
        response = walker.submit(response, form, data)
    reference = reference_on(response.text)
    subject = str(run(Response.select(Response.respondent_id).where(Response.reference == reference).first())["respondent_id"])
    token = csrf_token(client.get("/withdraw").text)
    post = {"_csrf_token": token, "reference": reference, "withdraw": "quotes", "version": version}
    first = client.post("/withdraw/confirm", data=post, follow_redirects=True)
    assert first.status_code == 200
    records = len(run(records_for(subject)))
    again = client.post("/withdraw/confirm", data=post, follow_redirects=True)
    assert again.status_code == 200 and "Select what you want to withdraw" not in again.text
    assert "Choose what you want to do." not in again.text
    if version == "standard":
        assert "You have not given this permission" in again.text and "Nothing has changed." in again.text
    else:
        shown = assert_easy(again, "permission already withdrawn")
        assert "We do not do this" in shown and "Nothing has changed." in shown
    assert len(run(records_for(subject))) == records  # nothing recorded twice


def test_the_withdraw_done_page_only_answers_a_withdrawal(client):
    """A tester's finding: /withdraw/done with no `what`, or any junk, said "We have deleted your
    answers". Only the pages a withdrawal redirects to are there now."""
    for query in ("", "?what=junk", "?what=%3Cscript%3E", "?what=already"):
        assert client.get("/withdraw/done" + query).status_code == 404, query
    for what in ("answers", "consent", "correction", "consent-already"):
        assert client.get(f"/withdraw/done?what={what}").status_code == 200, what
