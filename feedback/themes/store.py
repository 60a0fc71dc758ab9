"""Stored theme codings of free-text answers: the workspace codebook (versioned), the codings of
every comment, and officers' decisions on them.

- Every free-text answer is coded when it is submitted (`code_response`); anything missed (older
  answers, a failure at submission, a codebook saved since) is coded when the workspace next
  reads the run (`ensure_coded`), so stored codings always match the current codebook.
- Saving the codebook makes a new version and re-codes every run; officers' decisions (confirmed,
  removed and added themes) survive (see `analysis.theme_review.merge_codings`), except those
  about a theme removed from the codebook (`remove_theme`): its rows are deleted, and
  `stored_codings` leaves out any row of a theme not in the codebook, so they never count.
- `comment_themes(run_id)` is the stable read for the rest of the workspace: (response id,
  question key) -> the comment's current theme keys, for respondents the consent gate permits.

No comment text is stored here, and none is logged or audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from piccolo.utils.encoding import dump_json

from analysis.codebook import Codebook
from analysis.coding import compile_codebook, default_codebook
from analysis.theme_review import (
    CODER,
    CONFIRMED,
    OFFICER,
    REMOVED,
    SUGGESTED,
    StoredCoding,
    current_themes,
    merge_codings,
    stored_from_rows,
)
from consent.gate import permitted_subjects
from consent.purposes import PARTICIPATION
from feedback.publishing.tables import Update
from feedback.themes.tables import CodedComment, CommentCoding, ThemeCodebook
from surveys.answer_types import TEXT_TYPES
from surveys.responses import SUBMITTED, response_by_id, submitted_responses
from surveys.runs import Run, get_run_by_id, list_runs
from surveys.tables import Response
from surveys.storage import fixed_query, is_sqlite, is_unique_violation, writing_transaction

log = logging.getLogger("feedback.themes")
_LOCK_NAMESPACE = 7301  # PostgreSQL advisory lock: one coder per run at a time
_codebooks: dict[int, Codebook] = {}


# -- the codebook -------------------------------------------------------------------------------


async def latest_codebook() -> tuple[int, Codebook]:
    """The codebook in use and its version (0: the built-in one, while none has been saved)."""
    row = await ThemeCodebook.select(ThemeCodebook.version).order_by(ThemeCodebook.version, ascending=False).first()
    if row is None:
        return 0, default_codebook()
    version = row["version"]
    if version not in _codebooks:
        stored = await ThemeCodebook.select(ThemeCodebook.definition).where(ThemeCodebook.version == version).first()
        _codebooks[version] = Codebook.from_json(stored["definition"])
    return version, _codebooks[version]


async def current_codebook() -> Codebook:
    return (await latest_codebook())[1]


async def codebook_versions(limit: int = 20) -> list[dict[str, Any]]:
    return await ThemeCodebook.select(
        ThemeCodebook.version, ThemeCodebook.note, ThemeCodebook.created_by, ThemeCodebook.created_at
    ).order_by(ThemeCodebook.version, ascending=False).limit(limit)


async def save_codebook(codebook: Codebook, actor: str, note: str = "", recode: bool = True) -> int:
    """Store `codebook` as a new version in place of whatever is stored (checked first: raises
    CodebookInvalid) and re-code every run with it. Returns the new version number. An officer's
    edit goes through `change_codebook` instead, so it never undoes another's made meanwhile."""
    replacement = Codebook.from_dict(codebook.to_dict())
    return await change_codebook(lambda _latest: replacement, actor, note, recode)


async def change_codebook(
    change: Callable[[Codebook], Codebook | None], actor: str, note: str = "", recode: bool = True
) -> int:
    """Apply `change` to the latest stored codebook (a copy; it may edit it in place or return a new
    one) inside the transaction that stores the next version, so two officers saving at once (in
    one process or several) both keep their edits: the later is applied on top of the earlier.
    Whatever `change` raises (CodebookInvalid, KeyError for a theme removed meanwhile, ...) reaches
    the caller and nothing is stored. Returns the new version number."""
    engine = ThemeCodebook._meta.db
    for attempt in range(5):
        try:
            async with writing_transaction(engine):
                row = await ThemeCodebook.select(ThemeCodebook.version, ThemeCodebook.definition).order_by(
                    ThemeCodebook.version, ascending=False).first()
                latest = Codebook.from_json(row["definition"]) if row else default_codebook()
                edited = latest.copy()
                edited = change(edited) or edited
                checked = Codebook.from_dict(edited.to_dict())
                version = (row["version"] if row else 0) + 1
                await ThemeCodebook(version=version, definition=checked.to_json(), fingerprint=checked.fingerprint,
                                    note=note[:300], created_by=actor[:254]).save()
            break
        except Exception as error:  # two saves at once on PostgreSQL: the later one re-reads and takes the next number
            if not is_unique_violation(error) or attempt == 4:
                raise
    _codebooks[version] = checked
    if recode:
        await recode_all()
    return version


@dataclass
class ThemeUsage:
    """What removing a theme touches: comments carrying it now, officers' decisions about it, and
    "you said, we did" updates that mention it."""

    comments: int
    decisions: int
    updates: int


async def theme_usage(key: str) -> ThemeUsage:
    rows = await CommentCoding.select(
        CommentCoding.run, CommentCoding.response, CommentCoding.question, CommentCoding.source, CommentCoding.status,
    ).where(CommentCoding.theme == key)
    carrying = {(r["run"], r["response"], r["question"]) for r in rows if r["status"] in (SUGGESTED, CONFIRMED)}
    decisions = sum(1 for r in rows if r["status"] != SUGGESTED or r["source"] != CODER)
    updates = await Update.select(Update.themes).output(load_json=True)
    mentioned = sum(1 for u in updates if isinstance(u["themes"], list) and key in u["themes"])
    return ThemeUsage(len(carrying), decisions, mentioned)


class RemovalRefused(ValueError):
    """The theme cannot be removed (the last one); the message says why."""


LAST_THEME = "This is the only theme in the codebook, so it cannot be removed. Add another theme first."


async def remove_theme(key: str, actor: str) -> int:
    """Remove a theme: a new codebook version without it, its stored codings deleted (officers'
    decisions about it included, for every comment, even those the consent gate now hides, so
    a theme added again later under the same key starts afresh), then every run re-coded (which
    would also delete any row that slipped in). Returns the new version."""
    def without_the_theme(codebook: Codebook) -> None:
        if len(codebook.themes) <= 1:
            raise RemovalRefused(LAST_THEME)
        codebook.remove_theme(key)  # KeyError for an unknown theme (or one removed a moment ago)

    version = await change_codebook(without_the_theme, actor, f"removed theme {key}", recode=False)
    async with writing_transaction(CommentCoding._meta.db):
        await CommentCoding.delete().where(CommentCoding.theme == key)
    await recode_all()
    return version


# -- comments -----------------------------------------------------------------------------------


@dataclass
class Comment:
    response_id: int
    respondent_id: str
    question: str
    text: str


def text_keys(run: Run) -> list[str]:
    return [q.key for q in run.instrument.questions if q.type in TEXT_TYPES]


def _comments_of(run: Run, responses) -> list[Comment]:
    keys = text_keys(run)
    found = []
    for response in responses:
        for key in keys:
            text = response.answers.get(key)
            if isinstance(text, str) and text.strip():
                found.append(Comment(response.id, response.respondent_id, key, text.strip()))
    return found


async def run_comments(run: Run) -> list[Comment]:
    """The run's submitted free-text answers, of respondents the consent gate permits."""
    responses = await submitted_responses(run.id)
    allowed = await permitted_subjects(PARTICIPATION, [r.respondent_id for r in responses])
    return _comments_of(run, [r for r in responses if r.respondent_id in allowed])


async def comments_of_loaded(run: Run, comments: Any) -> list[Comment]:
    """The run's comments from the frame `analysis.loading.load_run` already made (consent-gated), so
    a page that has loaded the run does not load every answer again: only the response ids are read."""
    rows = await Response.raw(
        "SELECT id, respondent_id FROM survey_response WHERE run = {} AND status = {}", run.id, SUBMITTED
    )
    ids = {str(row["respondent_id"]): row["id"] for row in rows}
    return [
        Comment(ids[row.respondent_id], row.respondent_id, row.question, row.text.strip())
        for row in comments.itertuples(index=False)
        if row.respondent_id in ids and row.text.strip()
    ]


async def find_comment(run: Run, response_id: int, question: str) -> Comment | None:
    """One permitted comment of this run, or None (a forged or stale id is treated as missing)."""
    if not (0 < response_id < 2**31) or question not in text_keys(run):
        return None
    response = await response_by_id(response_id)
    if response is None or response.run_id != run.id or response.status != SUBMITTED:
        return None
    if response.respondent_id not in await permitted_subjects(PARTICIPATION, [response.respondent_id]):
        return None
    comments = _comments_of(run, [response])
    return next((c for c in comments if c.question == question), None)


# -- coding -------------------------------------------------------------------------------------


async def _lock_run(run_id: int) -> None:
    engine = CommentCoding._meta.db
    if not is_sqlite(engine):  # SQLite's IMMEDIATE transaction already admits one writer
        await CommentCoding.raw("SELECT pg_advisory_xact_lock({}, {})", _LOCK_NAMESPACE, run_id)


async def _store_codings(run_id: int, comments: list[Comment], version: int, codebook: Codebook) -> int:
    """Code `comments` (outside the transaction: pure work) and write what changed. Returns how
    many comments were coded."""
    if not comments:
        return 0
    matches = compile_codebook(codebook).matches
    coded = {(c.response_id, c.question): matches(c.text) for c in comments}
    response_ids = sorted({c.response_id for c in comments})
    engine = CommentCoding._meta.db
    now = datetime.now(timezone.utc)
    async with writing_transaction(engine):
        await _lock_run(run_id)
        existing: dict[tuple[int, str], list[StoredCoding]] = {}
        marked: set[tuple[int, str]] = set()
        for chunk in _chunks(response_ids):
            rows = await CommentCoding.select(
                CommentCoding.id, CommentCoding.response, CommentCoding.question, CommentCoding.theme,
                CommentCoding.terms, CommentCoding.source, CommentCoding.status,
            ).where((CommentCoding.run == run_id) & CommentCoding.response.is_in(chunk)).output(load_json=True)
            # Ordered here, not by ORDER BY id, which could tempt the planner into scanning the table by rowid.
            for row in sorted(rows, key=lambda r: r["id"]):
                existing.setdefault((row["response"], row["question"]), []).extend(stored_from_rows([row]))
            for row in await CodedComment.select(CodedComment.response, CodedComment.question).where(
                (CodedComment.run == run_id) & CodedComment.response.is_in(chunk)
            ):
                marked.add((row["response"], row["question"]))
        inserts, deletes = [], []
        for key, found in coded.items():
            changes = merge_codings(existing.get(key, []), found, codebook.themes)
            for new in changes.insert:
                inserts.append((run_id, key[0], key[1], new.theme, dump_json(list(new.terms)), CODER, SUGGESTED, version,
                                None, None, now))
            for changed in changes.update:
                await CommentCoding.update({CommentCoding.terms: changed.terms, CommentCoding.codebook_version: version}).where(
                    CommentCoding.id == changed.id)
            deletes.extend(row.id for row in changes.delete)
        for chunk in _chunks(deletes):
            await CommentCoding.delete().where(CommentCoding.id.is_in(chunk))
        for chunk in _chunks(inserts, 200):
            await _insert_rows(CommentCoding, _CODING_COLUMNS, chunk)
        new_marks = [(run_id, k[0], k[1], version, now) for k in coded if k not in marked]
        for chunk in _chunks(new_marks, 200):
            await _insert_rows(CodedComment, _MARK_COLUMNS, chunk)
        for chunk in _chunks(sorted({k[0] for k in coded if k in marked})):
            await CodedComment.update({CodedComment.codebook_version: version, CodedComment.coded_at: now}).where(
                (CodedComment.run == run_id) & CodedComment.response.is_in(chunk))
    return len(coded)


_CODING_COLUMNS = ("run", "response", "question", "theme", "terms", "source", "status", "codebook_version",
                   "decided_by", "decided_at", "coded_at")
_MARK_COLUMNS = ("run", "response", "question", "codebook_version", "coded_at")


async def _insert_rows(table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """One multi-row INSERT as fixed SQL: every submission codes its comments, and building Table
    objects and Piccolo's insert cost more than the write."""
    one = "(" + ", ".join("{}" for _ in columns) + ")"
    sql = (f'INSERT INTO "{table._meta.tablename}" (' + ", ".join(f'"{c}"' for c in columns) + ") VALUES "
           + ", ".join(one for _ in rows))
    await fixed_query(table, sql, *(value for row in rows for value in row))


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def code_response(response_id: int) -> int:
    """Code a just-submitted response's free-text answers. Never raises: a failure is logged
    (without answers) and the comments are coded the next time the workspace reads the run."""
    try:
        response = await response_by_id(response_id)
        if response is None or response.status != SUBMITTED:
            return 0
        run = await get_run_by_id(response.run_id)
        if run is None:
            return 0
        version, codebook = await latest_codebook()
        return await _store_codings(run.id, _comments_of(run, [response]), version, codebook)
    except Exception as error:  # coding is never worth losing or failing a submission over
        log.warning("coding response %s failed: %s", response_id, type(error).__name__)
        return 0


async def ensure_coded(run: Run, comments: list[Comment] | None = None) -> list[Comment]:
    """Code the run's permitted comments that are not yet coded with the current codebook.
    Returns the comments (so callers need not load them twice)."""
    comments = await run_comments(run) if comments is None else comments
    version, codebook = await latest_codebook()
    done = {
        (r["response"], r["question"]) for r in await CodedComment.select(CodedComment.response, CodedComment.question).where(
            (CodedComment.run == run.id) & (CodedComment.codebook_version == version))
    }
    todo = [c for c in comments if (c.response_id, c.question) not in done]
    if todo:
        await _store_codings(run.id, todo, version, codebook)
    return comments


async def recode_all() -> int:
    """Re-code every run's comments with the current codebook (after a codebook change)."""
    total = 0
    for run in await list_runs():
        before = await ensure_coded(run)
        total += len(before)
    return total


# -- reading ------------------------------------------------------------------------------------


async def stored_codings(run_id: int) -> dict[tuple[int, str], list[StoredCoding]]:
    """The run's stored codings per comment, of the current codebook's themes only: the rows of a
    theme removed from the codebook are deleted by the next re-code, and never count meanwhile."""
    themes = set((await current_codebook()).themes)
    rows = await CommentCoding.select(
        CommentCoding.id, CommentCoding.response, CommentCoding.question, CommentCoding.theme,
        CommentCoding.terms, CommentCoding.source, CommentCoding.status,
    ).where(CommentCoding.run == run_id).order_by(CommentCoding.id).output(load_json=True)
    result: dict[tuple[int, str], list[StoredCoding]] = {}
    for row in rows:
        if row["theme"] in themes:
            result.setdefault((row["response"], row["question"]), []).extend(stored_from_rows([row]))
    return result


async def comment_themes(run_id: int) -> dict[tuple[int, str], list[str]]:
    """Every submitted free-text answer of the run (of respondents the consent gate permits),
    keyed by (response id, question key), with its current theme keys (an officer's decision
    where reviewed, otherwise the coder's). A comment no theme matched maps to []."""
    run = await get_run_by_id(run_id)
    if run is None:
        return {}
    comments = await ensure_coded(run)
    codings = await stored_codings(run.id)
    order = list((await current_codebook()).themes)
    return {(c.response_id, c.question): current_themes(codings.get((c.response_id, c.question), []), order, order)
            for c in comments}


# -- officers' decisions ------------------------------------------------------------------------

ACTIONS = ("confirm", "remove", "add", "restore")


class DecisionRefused(ValueError):
    """The decision cannot be made (e.g. an unknown theme); the message says why."""


async def decide(run: Run, comment: Comment, action: str, actor: str, theme: str | None = None) -> str:
    """Record an officer's decision on a comment's themes. `confirm` confirms every suggested
    theme (or only `theme`); `remove` removes one; `add` adds a codebook theme; `restore` undoes a
    removal. Returns a short description for the audit log (no comment text)."""
    if action not in ACTIONS:
        raise DecisionRefused("Choose what to do with the theme")
    codebook = await current_codebook()
    if action in ("remove", "add", "restore") or theme:
        if not theme:
            raise DecisionRefused("Select a theme")
        if action == "add" and theme not in codebook.themes:
            raise DecisionRefused("Select a theme from the codebook")
    now = datetime.now(timezone.utc)
    engine = CommentCoding._meta.db
    where = (CommentCoding.run == run.id) & (CommentCoding.response == comment.response_id) & (CommentCoding.question == comment.question)
    async with writing_transaction(engine):
        await _lock_run(run.id)
        rows = await CommentCoding.select(CommentCoding.id, CommentCoding.theme, CommentCoding.status).where(where).order_by(CommentCoding.id)
        by_theme = {}
        for row in rows:
            by_theme.setdefault(row["theme"], row)
        decided = {CommentCoding.decided_by: actor[:254], CommentCoding.decided_at: now}
        if action == "confirm":
            ids = [r["id"] for t, r in by_theme.items() if r["status"] == SUGGESTED and (not theme or t == theme)]
            if theme and theme not in by_theme:
                raise DecisionRefused("That theme is not on this comment")
            if ids:
                await CommentCoding.update({CommentCoding.status: CONFIRMED, **decided}).where(CommentCoding.id.is_in(ids))
            return f"confirmed {theme or 'suggested themes'}"
        row = by_theme.get(theme)
        if action == "remove":
            if row is None:
                raise DecisionRefused("That theme is not on this comment")
            await CommentCoding.update({CommentCoding.status: REMOVED, **decided}).where(CommentCoding.id == row["id"])
            return f"removed {theme}"
        if action == "restore":
            if row is None:
                raise DecisionRefused("That theme is not on this comment")
            await CommentCoding.update({CommentCoding.status: CONFIRMED, **decided}).where(CommentCoding.id == row["id"])
            return f"restored {theme}"
        # add
        if row is not None:
            await CommentCoding.update({CommentCoding.status: CONFIRMED, **decided}).where(CommentCoding.id == row["id"])
        else:
            version, _ = await latest_codebook()
            await CommentCoding(run=run.id, response=comment.response_id, question=comment.question, theme=theme, terms=[],
                                source=OFFICER, status=CONFIRMED, codebook_version=version, decided_by=actor[:254],
                                decided_at=now, coded_at=now).save()
        return f"added {theme}"


async def confirm_suggestions(run: Run, actor: str, theme: str | None = None,
                              comments: Iterable[tuple[int, str]] | None = None) -> int:
    """Confirm many suggestions at once: every suggested `theme` in the survey (all suggestions of one
    theme), or every suggestion on the listed (response, question) comments (a page of the queue), or
    both limits together. Returns how many comments had a suggestion confirmed; officers' removals and
    additions are never touched (only rows still `suggested` change)."""
    wanted = None if comments is None else {(int(r), str(q)) for r, q in comments}
    if wanted is not None and not wanted:
        return 0
    now = datetime.now(timezone.utc)
    engine = CommentCoding._meta.db
    where = (CommentCoding.run == run.id) & (CommentCoding.status == SUGGESTED)
    if theme:
        where = where & (CommentCoding.theme == theme)
    async with writing_transaction(engine):
        await _lock_run(run.id)
        rows = await CommentCoding.select(CommentCoding.id, CommentCoding.response, CommentCoding.question).where(where)
        chosen = [r for r in rows if wanted is None or (r["response"], r["question"]) in wanted]
        for chunk in _chunks([r["id"] for r in chosen]):
            await CommentCoding.update({CommentCoding.status: CONFIRMED, CommentCoding.decided_by: actor[:254],
                                        CommentCoding.decided_at: now}).where(CommentCoding.id.is_in(chunk))
    return len({(r["response"], r["question"]) for r in chosen})


# -- erasure ------------------------------------------------------------------------------------


async def delete_codings_of_responses(response_ids: Iterable[int]) -> int:
    """Forget every coding of many responses at once (retention deleting finished answers)."""
    deleted = 0
    for chunk in _chunks(list(response_ids)):
        deleted += await CommentCoding.count().where(CommentCoding.response.is_in(chunk))
        await CommentCoding.delete().where(CommentCoding.response.is_in(chunk))
        await CodedComment.delete().where(CodedComment.response.is_in(chunk))
    return deleted


async def delete_codings(response_id: int, questions: Iterable[str] | None = None) -> None:
    """Forget a response's codings (after its answers are erased), or only those of some
    questions (after retention deletes their free text)."""
    coding_where = CommentCoding.response == response_id
    marker_where = CodedComment.response == response_id
    if questions is not None:
        keys = list(questions)
        if not keys:
            return
        coding_where = coding_where & CommentCoding.question.is_in(keys)
        marker_where = marker_where & CodedComment.question.is_in(keys)
    await CommentCoding.delete().where(coding_where)
    await CodedComment.delete().where(marker_where)
