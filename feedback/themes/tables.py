"""Stored theme codings of free-text answers and the saved versions of the codebook.

Registered in the `feedback` Piccolo app (`feedback/database/piccolo_app.py`)."""

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ThemeCodebook(Table, tablename="theme_codebook"):
    """A saved version of the workspace's theme codebook (the built-in analysis/codebook.toml is
    version 0, used while none is stored). Each save makes a new version; none is ever changed."""

    version = Integer(null=False, unique=True)
    definition = Text(null=False)  # the codebook as JSON (analysis.codebook.Codebook.to_json)
    fingerprint = Varchar(length=32, null=False, default="")
    note = Varchar(length=300, null=False, default="")  # what changed, e.g. "edited theme transport"
    created_by = Varchar(length=254, null=False, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class CommentCoding(Table, tablename="comment_coding"):
    """One theme of one free-text answer: suggested by the coder (with the terms that matched) or
    added by an officer, and the officer's decision on it. No comment text: that stays in the
    response (and is erased with it)."""

    run = Integer(null=False, index=True)
    response = Integer(null=False, index=True)  # survey_response id
    question = Varchar(length=80, null=False)
    theme = Varchar(length=60, null=False)
    terms = JSON(null=False, default=[])  # codebook terms that matched (not the respondent's words)
    source = Varchar(length=10, null=False, default="coder")  # coder | officer
    status = Varchar(length=12, null=False, default="suggested")  # suggested | confirmed | removed
    codebook_version = Integer(null=False, default=0)
    decided_by = Varchar(length=254, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    coded_at = Timestamptz(default=TimestamptzNow())


class CodedComment(Table, tablename="coded_comment"):
    """That a free-text answer has been coded, and with which codebook version (a comment no theme
    matched has no CommentCoding rows, so this tells "coded, no theme" from "not coded yet")."""

    run = Integer(null=False, index=True)
    response = Integer(null=False, index=True)
    question = Varchar(length=80, null=False)
    codebook_version = Integer(null=False, default=0)
    coded_at = Timestamptz(default=TimestamptzNow())
