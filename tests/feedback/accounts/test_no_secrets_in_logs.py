"""No secret in a log or a logged URL: sign in, invite, accept, reset a second factor, save and resume
a survey with a resume code, submit, withdraw; then everything logged (every logger at DEBUG, the
access log included) is searched for the token, the codes, the reference, the emails, the password
and the answers."""

from __future__ import annotations

import logging
import re
import uuid

import pyotp

from feedback.accounts.tables import User
from feedback.accounts.two_factor import start_enrolment
from tests import walker as walker_module
from tests.conftest import open_test_run, run
from tests.walker import Walker, csrf_token, parse_forms
from tests.workspace_client import PASSWORD, make_user, sign_in


def _logged(caplog) -> str:
    # httpx is the test client's own logger (it prints the URLs the test asked for), not the app's.
    records = [r for r in caplog.records if not r.name.startswith("httpx")]
    return "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}" for r in records)


def test_nothing_secret_is_logged_through_a_whole_journey(browser, settings, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    for name in ("feedback", "feedback.access", "litestar", "piccolo", "surveys", "consent", "analysis", ""):
        logging.getLogger(name).setLevel(logging.DEBUG)
    secrets: dict[str, str] = {}
    answer_text = f"Our son waited {uuid.uuid4().hex[:10]} weeks for speech therapy"
    original_fill = walker_module.fill
    monkeypatch.setattr(walker_module, "fill", lambda form, text=answer_text: original_fill(form, text))

    admin = make_user("admin")
    secrets["admin email"] = admin
    secrets["password"] = PASSWORD
    new_email = f"newcomer-{uuid.uuid4().hex[:8]}@example.org"
    secrets["invited email"] = new_email
    new_password = "plum tractor violin harbour"
    secrets["new password"] = new_password
    with browser() as boss:
        sign_in(boss, admin)
        page = boss.get("/workspace/users")
        invited = boss.post("/workspace/users", data={"_csrf_token": csrf_token(page.text), "email": new_email, "role": "officer"})
        link = re.search(r'id="invitation-link">[^<]*(/invitation/[^<\s]+)<', invited.text).group(1)
        secrets["invitation token"] = link.rsplit("/", 1)[1]
        with browser() as newcomer:
            form = newcomer.get(link)
            newcomer.post(link, data={"_csrf_token": csrf_token(form.text), "password": new_password, "confirm": new_password})
            assert newcomer.get("/workspace").status_code == 200
        # A second factor, then an admin's reset of it.
        user_id = run(User.select(User.id).where(User.email == new_email).first())["id"]
        enrolment = run(start_enrolment(user_id, new_email, settings.secret_key))
        secrets["totp secret"] = enrolment.secret
        with browser() as newcomer:
            sign_in(newcomer, new_email, new_password)
            page = newcomer.get("/workspace/account/two-factor")
            code = pyotp.TOTP(enrolment.secret).now()
            done = newcomer.post("/workspace/account/two-factor", data={"_csrf_token": csrf_token(page.text), "action": "confirm", "code": code})
            for n, recovery in enumerate(re.findall(r"([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})", done.text)):
                secrets[f"recovery code {n}"] = recovery
        page = boss.get("/workspace/users")
        boss.post(f"/workspace/users/{user_id}", data={"_csrf_token": csrf_token(page.text), "action": "reset_two_factor"})

    survey = open_test_run("annual-send-parent")
    with browser() as family:
        page = family.get(f"/s/{survey.slug}")
        page = family.post(f"/s/{survey.slug}/start", data={"_csrf_token": csrf_token(page.text), "variant": "standard"})
        version = re.search(r'name="notice_version" value="(\d+)"', page.text).group(1)
        page = family.post(f"/s/{survey.slug}/before-you-start", data={"_csrf_token": csrf_token(page.text), "notice_version": version})
        page = family.post(str(page.url), data={"_csrf_token": csrf_token(page.text), "action": "continue", "respondent_role": "parent"})
        saved = family.post(str(page.url), data={"_csrf_token": csrf_token(page.text), "action": "save_later", "child_age": "16_17"})
        resume_code = re.search(r'id="resume-code">([A-Z0-9-]+)<', saved.text).group(1)
        secrets["resume code"] = resume_code
        secrets["resume code, bare"] = resume_code.replace("-", "")
    with browser() as phone:
        form = phone.get(f"/s/{survey.slug}/resume")
        resumed = phone.post(f"/s/{survey.slug}/resume", data={"_csrf_token": csrf_token(form.text), "code": resume_code})
        reference = Walker(phone).complete(str(resumed.url))
        secrets["reference"] = reference
        form = phone.get("/withdraw")
        choose = phone.post("/withdraw", data={"_csrf_token": csrf_token(form.text), "reference": reference.lower()})
        withdraw_form = parse_forms(choose.text)[0]
        done = phone.post(withdraw_form.action, data={**withdraw_form.hidden(), "withdraw": "answers"})
        assert "withdrawn" in done.text
    secrets["answer"] = answer_text

    logged = _logged(caplog)
    found = {what: value for what, value in secrets.items() if value.lower() in logged.lower()}
    assert not found, f"logged: {sorted(found)}"
    assert "feedback.access" in logged and "/invitation/{token}" in logged  # the access log was captured
    assert "?" not in "".join(r.getMessage() for r in caplog.records if r.name == "feedback.access")  # no query strings


def test_a_path_that_matches_no_route_is_not_logged_as_typed(client, caplog):
    caplog.set_level(logging.INFO, logger="feedback.access")
    client.get("/invitation/abc/secret-looking-thing")
    client.get("/login?next=/workspace/secret-next")
    lines = [r.getMessage() for r in caplog.records if r.name == "feedback.access"]
    assert "GET (no route) 404" in lines and "GET /login 200" in lines
    assert not any("secret" in line for line in lines)
