"""Versioned notices and consent records."""

import pytest

from consent.notices import NoticeChanged, current_notice, publish_notice_files, read_notice_file, NOTICE_DIR
from consent.records import record_consent, records_for
from tests.conftest import run


def test_published_notice_files_are_in_the_database():
    notice = run(current_notice("annual-send-survey"))
    assert notice is not None and notice.version >= 1
    assert "public task" in notice.body


def test_publishing_again_adds_nothing(tmp_path):
    assert run(publish_notice_files()) == 0


def test_changing_the_words_of_a_published_version_is_refused(tmp_path):
    source = next(NOTICE_DIR.glob("*.toml")).read_text()
    (tmp_path / "changed.toml").write_text(source.replace("Who we are", "Who we really are"))
    with pytest.raises(NoticeChanged):
        run(publish_notice_files(tmp_path))


def test_consent_records_store_who_what_how_and_which_notice():
    notice = run(current_notice("annual-send-survey"))
    run(record_consent("subject-1", notice, {"participation": "acknowledged", "quotes": "refused"},
                       actor="parent_carer", channel="paper"))
    (record,) = run(records_for("subject-1"))
    assert record.purposes == {"participation": "acknowledged", "quotes": "refused"}
    assert (record.actor, record.channel, record.notice) == ("parent_carer", "paper", notice.id)
    assert record.recorded_at is not None
    with pytest.raises(ValueError):
        run(record_consent("subject-1", notice, {"quotes": "maybe"}))


def test_notice_files_parse():
    for path in NOTICE_DIR.glob("*.toml"):
        notice = read_notice_file(path)
        assert notice.title and notice.summary and notice.sections


def test_standard_easy_read_and_young_person_wordings_are_published():
    for audience in ("standard", "easy_read", "young_person"):
        notice = run(current_notice("annual-send-survey", audience))
        assert notice.audience == audience and notice.published_on


def test_editing_a_notice_publishes_a_new_version_and_keeps_the_old():
    from consent.notices import NoticeSection, publish_new_version
    from consent.tables import Notice

    key = "edit-test-notice"
    first = run(publish_new_version(key, "standard", "Title", "Old words", (NoticeSection("H", "Body"),), "2026-01-01"))
    second = run(publish_new_version(key, "standard", "Title", "New words", (NoticeSection("H", "Body"),), "2026-02-01"))
    assert (first.version, second.version) == (1, 2)
    assert run(current_notice(key)).summary == "New words"
    assert run(Notice.objects().where(Notice.id == first.id).first()).summary == "Old words"


def test_every_built_in_instrument_has_its_notice_in_every_wording_it_needs():
    from surveys.consent_steps import notice_audience
    from surveys.instrument import built_in_instruments

    for instrument in built_in_instruments().values():
        for variant in instrument.variants:
            notice = run(current_notice(instrument.notice, notice_audience(instrument, variant)))
            assert notice is not None and notice.key == instrument.notice, (instrument.key, variant)
            assert notice.audience == notice_audience(instrument, variant), (instrument.key, variant)
