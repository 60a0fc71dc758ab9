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
