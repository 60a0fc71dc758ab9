"""Respondent pages keep their run for a second (surveys.runs.RecentRuns): a change made in this
process shows on the very next page, one made by another process within a second."""

from __future__ import annotations

import pytest

from surveys.runs import RecentRuns, recent_runs, set_status
from surveys.tables import Response, SurveyRun
from tests.conftest import run


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(recent_runs, "clock", fake)
    monkeypatch.setattr(recent_runs, "_written_at", float("-inf"))
    recent_runs._kept.clear()
    yield fake
    recent_runs._kept.clear()


def test_a_survey_closed_in_this_process_is_closed_on_the_next_page(client, parent_run, clock):
    assert client.get(f"/s/{parent_run.slug}").status_code == 200  # the run is read and kept
    run(set_status(parent_run.slug, "closed"))
    page = client.get(f"/s/{parent_run.slug}")
    assert page.status_code == 410 and "This survey has closed" in page.text


def test_a_direct_update_of_the_table_in_this_process_is_seen_at_once(client, parent_run, clock):
    assert client.get(f"/s/{parent_run.slug}").status_code == 200
    run(SurveyRun.update({SurveyRun.status: "closed"}).where(SurveyRun.slug == parent_run.slug))
    assert client.get(f"/s/{parent_run.slug}").status_code == 410


def test_raw_sql_writing_the_table_in_this_process_is_seen_at_once(client, parent_run, clock):
    assert client.get(f"/s/{parent_run.slug}").status_code == 200
    run(SurveyRun.raw("UPDATE survey_run SET status = 'closed' WHERE slug = {}", parent_run.slug))
    assert client.get(f"/s/{parent_run.slug}").status_code == 410


def test_a_survey_closed_by_another_process_is_closed_here_within_a_second(client, parent_run, clock, monkeypatch):
    import surveys.storage

    assert client.get(f"/s/{parent_run.slug}").status_code == 200
    with monkeypatch.context() as unheard:  # written as another process would: this one is not told
        unheard.setattr(surveys.storage, "_write_listeners", {})
        run(SurveyRun.update({SurveyRun.status: "closed"}).where(SurveyRun.slug == parent_run.slug))
    clock.now += RecentRuns.FRESH_FOR / 2
    assert client.get(f"/s/{parent_run.slug}").status_code == 200  # still the run as read half a second ago
    clock.now += RecentRuns.FRESH_FOR / 2
    page = client.get(f"/s/{parent_run.slug}")
    assert page.status_code == 410 and "This survey has closed" in page.text


def test_nothing_is_kept_for_a_second_after_a_write_so_a_commit_in_flight_leaves_no_old_row(parent_run):
    clock = FakeClock()
    runs = RecentRuns(clock=clock)
    reads = []

    async def counted(slug):
        reads.append(slug)
        return parent_run

    import surveys.runs as module

    original = module.get_run
    module.get_run = counted
    try:
        runs.written()
        run(runs.get(parent_run.slug))
        clock.now += RecentRuns.FRESH_FOR / 2
        run(runs.get(parent_run.slug))
        assert len(reads) == 2  # within a second of the write: read each time, nothing kept
        clock.now += RecentRuns.FRESH_FOR
        run(runs.get(parent_run.slug))
        run(runs.get(parent_run.slug))
        assert len(reads) == 3  # then kept
    finally:
        module.get_run = original


def test_unknown_addresses_do_not_grow_the_store_without_bound(client, clock):
    for number in range(RecentRuns.MOST + 5):
        recent_runs._kept[f"no-such-survey-{number}"] = (clock.now, None)
    assert client.get("/s/no-such-survey-at-all").status_code == 404
    assert len(recent_runs._kept) <= RecentRuns.MOST


def _walk_to_check_answers(client, slug: str):
    from tests.walker import Walker, fill, parse_forms

    walker = Walker(client)
    page = walker.get(f"/s/{slug}")
    for _ in range(80):
        if str(page.url).endswith("/check"):
            return page
        form = [f for f in parse_forms(page.text) if f.method == "post"][0]
        page = walker.submit(page, form, fill(form))
    raise AssertionError("never reached check your answers")


def test_starting_and_submitting_read_the_survey_afresh_so_none_is_sent_after_it_closed(client, parent_run, clock, monkeypatch):
    import surveys.storage
    from tests.walker import csrf_token

    check = _walk_to_check_answers(client, parent_run.slug)
    with monkeypatch.context() as unheard:  # closed by another process: this one is not told
        unheard.setattr(surveys.storage, "_write_listeners", {})
        run(set_status(parent_run.slug, "closed"))
    # Within the second a page still shows as it did; sending the answers does not.
    assert client.get(f"/s/{parent_run.slug}").status_code == 200
    sent = client.post(f"/s/{parent_run.slug}/check", data={"_csrf_token": csrf_token(check.text)})
    assert sent.status_code == 410 and "This survey has closed" in sent.text
    started = client.post(f"/s/{parent_run.slug}/start", data={"_csrf_token": csrf_token(check.text), "variant": "standard"})
    assert started.status_code == 410
    stored = run(Response.select(Response.status).where(Response.run == parent_run.id))
    assert [row["status"] for row in stored] == ["in_progress"]
