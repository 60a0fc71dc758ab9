"""The officer and forum workspace in a real Chromium: signing in, opening a survey from an
instrument, seeing it listed, closing and reopening it, and downloading its answers; axe (WCAG 2.2
AA) on every workspace page at desktop width and at 320 px; and every task again with JavaScript
off.

Each axe test walks through many pages and reports every problem it met at once."""

from __future__ import annotations

import csv
import io
import re
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.browser.helpers import (
    PARENT,
    YOUNG_PERSON,
    PageChecks,
    click_and_settle,
    make_user,
    open_run,
    publish_update,
    run_by_slug,
    sign_in,
    submit,
    submit_answers,
    submitted_reference,
)

pytestmark = pytest.mark.browser

BOM = b"\xef\xbb\xbf"
META_COLUMNS = ["respondent_id", "submitted_at", "variant", "channel"]


def new_slug(prefix: str = "ws") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def open_survey_in_form(page, instrument_key: str, slug: str, title: str, js: bool = True) -> int:
    """From the survey list: Open a survey, choose the instrument, name it, open it; returns its id."""
    page.goto("/workspace")
    submit(page, page.get_by_role("link", name="Open a survey"), js)
    assert page.locator("h1").inner_text() == "Open a survey"
    page.locator(f"input[name=instrument][value='{instrument_key}']").check()
    page.locator("#slug").fill(slug)
    page.locator("#title").fill(title)
    submit(page, page.get_by_role("button", name="Open the survey"), js)
    match = re.search(r"/workspace/surveys/(\d+)$", page.url)
    assert match, f"opening the survey did not go to its page: {page.url}"
    assert page.locator("h1").inner_text().startswith(title)
    return int(match.group(1))


def status_shown(page) -> str:
    return page.locator("h1 .govuk-tag").inner_text().strip()


def answers_sent_shown(page) -> int:
    row = page.locator("#counts .govuk-summary-list__row", has_text="Answers sent")
    return int(row.locator("dd").inner_text())


def download(page, link_name: str) -> bytes:
    """Clicks a download link and returns the file the browser saved."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return Path(info.value.path()).read_bytes()


def check_csv(data: bytes, question_keys: list[str], count: int) -> list[str]:
    """A CSV for Excel: a byte order mark, a header of the meta columns and question keys, one row
    per sent response. Returns the respondent ids."""
    assert data.startswith(BOM), "the CSV has no byte order mark, so Excel would garble accents"
    rows = list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"))))
    assert rows[0] == META_COLUMNS + question_keys
    assert len(rows) == count + 1, f"expected {count} answer rows, got {len(rows) - 1}"
    assert all(len(row) == len(rows[0]) for row in rows)
    return [row[0] for row in rows[1:]]


def xlsx_sheets(data: bytes) -> dict[str, int]:
    """Sheet name -> number of rows, read straight from the workbook's XML (it is a zip file)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        workbook = book.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]+)"', workbook)
        return {name: book.read(f"xl/worksheets/sheet{i}.xml").decode().count("<row ")
                for i, name in enumerate(names, start=1)}


def xlsx_strings(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return book.read("xl/sharedStrings.xml").decode()


# -- the officer's tasks, with JavaScript -----------------------------------------------------------

def test_officer_opens_lists_closes_reopens_and_exports_a_survey(page, live_server):
    sign_in(page, make_user("officer"))
    slug = new_slug()
    title = f"Young people's views {slug}"
    run_id = open_survey_in_form(page, YOUNG_PERSON, slug, title)
    assert status_shown(page) == "Open"
    assert answers_sent_shown(page) == 0

    # Listed among the surveys, with its link for families.
    click_and_settle(page, page.get_by_role("link", name="Back to surveys"))
    row = page.locator("tbody tr", has=page.get_by_role("link", name=title))
    assert row.count() == 1
    assert f"/s/{slug}" in row.inner_text() and "Open" in row.inner_text()

    # Answers arrive: one person through the real survey, two more straight into the database.
    reference = submitted_reference(live_server, slug)
    assert reference
    survey = run_by_slug(slug)
    submit_answers(survey, 2)
    click_and_settle(page, row.get_by_role("link", name=title))
    assert page.url.endswith(f"/workspace/surveys/{run_id}")
    assert answers_sent_shown(page) == 3

    keys = list(survey.instrument.question_keys)
    ids = check_csv(download(page, "CSV for Excel (UTF-8)"), keys, 3)
    assert len(set(ids)) == 3
    workbook = download(page, "Excel workbook (.xlsx) with a codebook sheet")
    sheets = xlsx_sheets(workbook)
    assert list(sheets) == ["Responses", "Codebook"]
    assert sheets["Responses"] == 4, "the workbook should hold a header and one row per response"
    assert all(f"<t>{key}</t>" in xlsx_strings(workbook) for key in keys[:5])
    codebook = download(page, "codebook (CSV)")
    assert codebook.startswith(BOM) and b"column,question" in codebook

    # Close it: the page says so, and families now meet a closed survey.
    click_and_settle(page, page.get_by_role("button", name="Close the survey"))
    assert status_shown(page) == "Closed"
    assert page.get_by_role("button", name="Reopen the survey").is_visible()
    assert not page.get_by_role("button", name="Type in a paper form").count()
    family = page.context.new_page()
    assert family.goto(f"/s/{slug}").status == 410
    family.close()

    click_and_settle(page, page.get_by_role("button", name="Reopen the survey"))
    assert status_shown(page) == "Open"
    assert page.get_by_role("button", name="Close the survey").is_visible()
    family = page.context.new_page()
    assert family.goto(f"/s/{slug}").status == 200
    family.close()


# -- axe on every workspace page --------------------------------------------------------------------

def check_survey_pages(page, check, run_id: int, slug: str) -> None:
    page.goto(f"/workspace/surveys/{run_id}")
    check("survey page")
    page.goto(f"/workspace/surveys/{run_id}/poster")
    assert page.locator(".app-poster__qr svg[role=img]").count() == 1
    check("poster")


def check_charts_have_tables(page) -> None:
    """Every chart on the results page (an SVG with role="img") has its data table beside it, in
    the same figure, with a row for each bar."""
    charts = page.locator("#main-content svg[role=img]")
    assert charts.count() > 0, "the results page shows no charts"
    report = page.evaluate("""() => [...document.querySelectorAll('#main-content svg[role=img]')].map(svg => {
      const figure = svg.closest('figure')
      const table = figure && figure.querySelector('table[data-chart="' + figure.id + '"]')
      return {
        label: svg.querySelector('title') ? svg.querySelector('title').textContent : '(no title)',
        figure: !!figure,
        table: !!table,
        caption: table && table.caption ? table.caption.textContent.trim() : '',
        bars: svg.querySelectorAll('rect').length,
        rows: table ? table.tBodies[0].rows.length : 0,
      }
    })""")
    missing = [c["label"] for c in report if not (c["figure"] and c["table"] and c["caption"])]
    assert not missing, f"charts without their data table next to them: {missing}"
    short = [c for c in report if c["rows"] < 1 or c["bars"] > c["rows"]]
    assert not short, f"data tables with fewer rows than their chart has bars: {short}"


def check_results(page, check, run_id: int, with_earlier_run: bool = False) -> None:
    page.goto(f"/workspace/surveys/{run_id}/analysis")
    assert page.locator("h1").inner_text() == "Results"
    check_charts_have_tables(page)
    if with_earlier_run:
        assert page.locator("#changes").is_visible(), "no comparison with the earlier run"
    check("results dashboard" + (", compared with an earlier run" if with_earlier_run else ""))
    page.goto(f"/workspace/surveys/{run_id}/analysis?target=most")
    assert page.locator(".govuk-error-summary").is_visible()
    check("results dashboard, a target that is not a number")


def check_quotes_pages(page, check, run_id: int) -> None:
    """The quote review queue: empty, then with comments put forward, approving one and a mistake."""
    page.goto(f"/workspace/surveys/{run_id}/quotes")
    check("quotes: nothing put forward yet")
    click_and_settle(page, page.get_by_role("button", name="Find new quotes"))
    assert page.locator(".govuk-notification-banner").is_visible()
    assert page.locator("section.app-quote").count() >= 1, "no quotes were put forward"
    check("quotes: put forward for review")
    first = page.locator("section.app-quote").first
    first.locator("textarea").fill("")
    click_and_settle(page, first.get_by_role("button", name="Save wording and approve"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("quotes: wording removed (an error)")
    click_and_settle(page, page.locator("section.app-quote").first.locator("button[value=approve]"))
    assert page.locator(".govuk-tag", has_text="Approved").count() >= 1
    check("quotes: one approved")


def check_updates_pages(page, check, run_id: int, title: str) -> None:
    page.goto("/workspace/updates")
    check("you said, we did: list")
    edit_url = page.get_by_role("link", name=title).first.get_attribute("href")
    update_id = int(re.search(r"/workspace/updates/(\d+)", edit_url).group(1))
    page.goto(edit_url)
    assert page.locator("#title").input_value() == title
    check("you said, we did: edit a published update")
    page.locator("#you_said").fill("")
    click_and_settle(page, page.get_by_role("button", name="Save", exact=True))
    assert page.locator(".govuk-error-summary").is_visible()
    check("you said, we did: edit with an error")
    page.locator("#you_said").fill("Families said nobody rings back.")
    page.locator("#note").fill("Call-back times now published")
    click_and_settle(page, page.get_by_role("button", name="Save", exact=True))
    assert not page.locator(".govuk-error-summary").count()
    assert page.get_by_text("Call-back times now published").count() >= 1
    check("you said, we did: edit, saved with a timeline note")
    page.goto(f"/workspace/updates/new?run={run_id}")
    check("you said, we did: new update")
    click_and_settle(page, page.locator("#main-content form button[type=submit]").first)
    assert page.locator(".govuk-error-summary").is_visible()
    check("you said, we did: new update with errors")
    page.goto("/workspace/updates/bulk")
    check("you said, we did: bulk upload")
    click_and_settle(page, page.locator("#main-content form button[type=submit]").first)
    assert page.locator(".govuk-error-summary").is_visible()
    check("you said, we did: bulk upload with no file chosen")
    bad = "id,status,progress,note\n999999999,finished,200,Oops\n"
    page.locator("#file").set_input_files(files=[{"name": "statuses.csv", "mimeType": "text/csv", "buffer": bad.encode()}])
    click_and_settle(page, page.get_by_role("button", name="Upload and apply"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("you said, we did: bulk upload with a wrong row")
    good = f"id,status,progress,note\n{update_id},in_progress,80,Nearly there\n"
    page.locator("#file").set_input_files(files=[{"name": "statuses.csv", "mimeType": "text/csv", "buffer": good.encode()}])
    click_and_settle(page, page.get_by_role("button", name="Upload and apply"))
    assert page.locator(".govuk-panel").inner_text().strip() == "1 update changed"
    check("you said, we did: bulk upload applied")


def check_builder_pages(page, check) -> None:
    page.goto("/workspace/consultations")
    check("consultations: list")
    page.goto("/workspace/consultations/new")
    check("consultations: start a new one")
    click_and_settle(page, page.locator("#main-content form button[type=submit]").first)
    assert page.locator(".govuk-error-summary").is_visible()
    check("consultations: start a new one, no title")
    page.goto("/workspace/consultations/copy")
    check("consultations: copy")
    click_and_settle(page, page.get_by_role("button", name="Make a copy"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("consultations: copy, nothing chosen")
    page.locator(f"input[name=source][value='file-{PARENT}']").check()
    click_and_settle(page, page.get_by_role("button", name="Make a copy"))
    match = re.search(r"/workspace/consultations/(\d+)$", page.url)
    assert match, page.url
    base = match.group(0)
    check("consultations: editor")

    page.goto(f"{base}/details")
    check("consultations: details")
    page.locator("#title").fill("")
    click_and_settle(page, page.get_by_role("button", name="Save the details"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("consultations: details without a title")
    page.goto(base)
    change_section = page.locator(f"a[href^='{base}/sections/']:not([href$='/delete']):not([href$='/new'])").first
    section = change_section.get_attribute("href")
    page.goto(section)
    check("consultations: change a section")
    page.goto(f"{section}/delete")
    check("consultations: delete a section")
    page.goto(f"{base}/sections/new")
    check("consultations: add a section")
    click_and_settle(page, page.get_by_role("button", name="Add the section"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("consultations: add a section without a title")
    page.goto(f"{section}/questions/new")
    check("consultations: add a question")
    click_and_settle(page, page.get_by_role("button", name="Add the question", exact=True))
    assert page.locator(".govuk-error-summary").is_visible()
    check("consultations: add a question, nothing filled in")
    page.goto(base)
    question = page.locator(f"a[href^='{base}/questions/']:not([href$='/delete'])").first.get_attribute("href")
    page.goto(question)
    check("consultations: change a question")
    page.locator("#text").fill("")
    click_and_settle(page, page.get_by_role("button", name="Save the question"))
    assert page.locator(".govuk-error-summary").is_visible()
    # Every field is still in the form after the error (none swapped in elsewhere on the page).
    assert page.locator("#main-content form input[name=page]").count() == 1
    assert page.locator("input[name=page]").count() == 1
    check("consultations: change a question, text removed")
    page.goto(f"{question}/delete")
    check("consultations: delete a question")
    page.goto(f"{base}/preview")
    check("consultations: preview, every page")
    first_preview = page.locator(f"a[href^='{base}/preview/standard/']").first.get_attribute("href")
    page.goto(first_preview)
    check("consultations: preview of a question page")
    click_and_settle(page, page.locator("#main-content form button[type=submit]").first)
    assert page.locator(".govuk-error-summary").is_visible()
    check("consultations: preview of a question page with an error")
    page.goto(first_preview.replace("/standard/", "/symbols/"))
    check("consultations: preview with pictures")
    page.goto(f"{base}/preview?variant=standard&done=1")
    check("consultations: preview finished")
    page.goto(f"{base}/publish")
    check("consultations: publish")
    page.locator("#slug").fill("Not A Web Address!")
    click_and_settle(page, page.get_by_role("button", name="Publish and open the survey"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("consultations: publish with a bad web address")


def test_every_workspace_page_for_an_admin(page, new_page, live_server):
    check = PageChecks(page, both_widths=True)
    email = make_user("admin")
    page.goto("/login")
    check("sign in")
    page.locator("#email").fill(email)
    page.locator("#password").fill("not the password")
    click_and_settle(page, page.get_by_role("button", name="Sign in"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("sign in with a wrong password")
    sign_in(page, email)
    check("surveys list")

    earlier = open_run(PARENT, prefix="ws-axe-earlier")  # last year's run, to compare with
    submit_answers(earlier, 10, first_seed=100)
    survey = open_run(PARENT, prefix="ws-axe")
    submit_answers(survey, 14)
    submit_answers(survey, 3, first_seed=50, quotes=True,
                   could_be_better="Nobody picks up the phone at the SEN team and we waited months for the EHCP.")
    page.goto("/workspace/surveys/new")
    check("open a survey")
    click_and_settle(page, page.get_by_role("button", name="Open the survey"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("open a survey with errors")
    page.locator("#slug").fill(survey.slug)  # already taken
    page.locator("#closes_on").fill("2001-01-01")
    click_and_settle(page, page.get_by_role("button", name="Open the survey"))
    assert page.locator(".govuk-error-message").count() >= 2
    check("open a survey, address taken and a past date")

    page.goto("/workspace")
    assert page.get_by_role("link", name=survey.title).count() >= 1
    check("surveys list with surveys")
    check_survey_pages(page, check, survey.id, survey.slug)
    check_results(page, check, survey.id, with_earlier_run=True)
    check_quotes_pages(page, check, survey.id)

    title = f"Quicker replies ({survey.slug})"
    publish_update(survey.id, title)
    check_updates_pages(page, check, survey.id, title)
    check_builder_pages(page, check)

    page.goto("/workspace/users")
    check("users")
    page.locator("#email").fill("not an email address")
    page.locator("#role").select_option("pcv")
    click_and_settle(page, page.get_by_role("button", name="Create invitation"))
    assert page.locator(".govuk-error-summary").is_visible()
    check("users: invitation with errors")
    page.locator("#email").fill(f"invited-{uuid.uuid4().hex[:8]}@example.org")
    page.locator("#role").select_option("officer")
    click_and_settle(page, page.get_by_role("button", name="Create invitation"))
    assert page.locator("#invitation-link").is_visible()
    check("users: invitation created")
    invitation = page.locator("#invitation-link").inner_text().strip()
    invited = new_page()  # the new user, on their own device
    invited_check = PageChecks(invited, both_widths=True)
    invited.goto(invitation)
    invited_check("set your password (invitation)")
    invited.locator("#password").fill("short")
    click_and_settle(invited, invited.get_by_role("button", name="Set password and sign in"))
    assert invited.locator(".govuk-error-summary").is_visible()
    invited_check("set your password, too short")
    check.problems += invited_check.problems
    check.checked += invited_check.checked
    page.goto("/workspace/audit")
    assert page.get_by_role("cell", name="sign in").count() >= 1
    check("audit log")

    # Assisted entry and event mode last: they take this browser into the survey itself.
    page.goto(f"/workspace/surveys/{survey.id}")
    click_and_settle(page, page.get_by_role("button", name="Type in a paper form"))
    assert page.url.endswith(f"/s/{survey.slug}/before-you-start"), page.url
    check("assisted entry: the survey, for typing in a paper form")
    page.goto(f"/workspace/surveys/{survey.id}")
    # Event mode loads whole pages, not htmx swaps: nothing of one person's turn stays in the page.
    with page.expect_navigation():
        page.get_by_role("button", name="Use this device at an event").click()
    assert page.url.endswith(f"/s/{survey.slug}"), page.url
    check("event mode: the survey's start page on a shared device")
    check.assert_clean()


def test_every_workspace_page_for_a_forum_member(page):
    """A Parent Carer Voice member sees a smaller workspace (no users or audit log, only their
    team's surveys and drafts): the pages they can reach, at both widths."""
    check = PageChecks(page, both_widths=True)
    team = f"forum-{uuid.uuid4().hex[:6]}"
    sign_in(page, make_user("pcv", team=team))
    assert not page.get_by_role("link", name="Users").count()
    check("surveys list (forum member, none yet)")
    slug = new_slug("pcv")
    run_id = open_survey_in_form(page, PARENT, slug, f"Forum survey {slug}")
    check("survey page (forum member)")
    survey = run_by_slug(slug)
    submit_answers(survey, 12, first_seed=200)
    page.goto("/workspace")
    check("surveys list (forum member)")
    check_survey_pages(page, check, run_id, slug)
    check_results(page, check, run_id)
    page.goto("/workspace/updates")
    check("you said, we did: list (forum member, none yet)")
    page.goto("/workspace/consultations")
    check("consultations: list (forum member)")
    page.goto(f"/workspace/surveys/{run_id}")
    click_and_settle(page, page.get_by_role("button", name="Close the survey"))
    assert status_shown(page) == "Closed"
    check("survey page, closed (forum member)")
    assert page.goto("/workspace/users").status == 404  # admin pages do not exist for them
    check.assert_clean()


# -- with JavaScript off ----------------------------------------------------------------------------

def test_every_officer_task_works_with_javascript_off(new_page, live_server):
    page = new_page(java_script_enabled=False)
    sign_in(page, make_user("officer"), js=False)
    assert page.evaluate("typeof window.htmx") == "undefined"

    # A mistake first: a plain post comes back with the error summary.
    page.goto("/workspace/surveys/new")
    submit(page, page.get_by_role("button", name="Open the survey"), js=False)
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()

    slug = new_slug("nojs")
    title = f"Parents' views {slug}"
    run_id = open_survey_in_form(page, PARENT, slug, title, js=False)
    assert status_shown(page) == "Open"
    page.goto("/workspace")
    assert page.get_by_role("link", name=title).count() == 1

    submitted_reference(live_server, slug)
    survey = run_by_slug(slug)
    submit_answers(survey, 1)
    page.goto(f"/workspace/surveys/{run_id}")
    assert answers_sent_shown(page) == 2

    submit(page, page.get_by_role("button", name="Close the survey"), js=False)
    assert status_shown(page) == "Closed"
    check_csv(download(page, "CSV for Excel (UTF-8)"), list(survey.instrument.question_keys), 2)
    assert xlsx_sheets(download(page, "Excel workbook (.xlsx) with a codebook sheet"))["Responses"] == 3
    submit(page, page.get_by_role("button", name="Reopen the survey"), js=False)
    assert status_shown(page) == "Open"

    # The results page needs no script either: its charts are SVG drawn on the server.
    page.goto(f"/workspace/surveys/{run_id}/analysis")
    assert page.locator("h1").inner_text() == "Results"
    check_charts_have_tables(page)

    # "You said, we did": write an update for this survey and publish it; families can read it.
    page.goto(f"/workspace/updates/new?run={run_id}")
    submit(page, page.get_by_role("button", name="Save", exact=True), js=False)
    assert page.locator(".govuk-error-summary").is_visible()
    update_title = f"Faster replies ({slug})"
    page.locator("#title").fill(update_title)
    page.locator("#you_said").fill("Families said nobody rings back.")
    page.locator("#we_did").fill("We now ring back within two working days.")
    submit(page, page.get_by_role("button", name="Save", exact=True), js=False)
    assert re.search(r"/workspace/updates/\d+$", page.url), page.url
    submit(page, page.get_by_role("button", name="Publish", exact=True), js=False)
    assert page.get_by_role("button", name="Take off the public page").is_visible()
    page.goto("/you-said-we-did")
    assert page.get_by_text(update_title).first.is_visible()

    # The consultation builder: copy a ready-made questionnaire, then try its first page in preview.
    page.goto("/workspace/consultations/copy")
    page.locator(f"input[name=source][value='file-{YOUNG_PERSON}']").check()
    page.locator("#title").fill(f"Short breaks {slug}")
    submit(page, page.get_by_role("button", name="Make a copy"), js=False)
    assert re.search(r"/workspace/consultations/\d+$", page.url), page.url
    assert page.locator("h1").inner_text() == f"Short breaks {slug}"
    submit(page, page.get_by_role("link", name="Preview", exact=True), js=False)
    first_page = page.locator("a[href*='/preview/standard/']").first
    submit(page, first_page, js=False)
    submit(page, page.locator("#main-content form button[type=submit]").first, js=False)
    assert page.locator(".govuk-error-summary").is_visible()

    # Signing out is a form too.
    page.goto("/workspace")
    submit(page, page.get_by_role("button", name="Sign out"), js=False)
    assert "/login" in page.url
    assert page.goto("/workspace").url.split("?")[0].endswith("/login")
