"""Structured logs: one JSON object per line when FEEDBACK_LOG_FORMAT=json (for log shippers)."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "feedback.access" and isinstance(record.args, tuple) and len(record.args) == 3:
            entry.update(method=record.args[0], path=record.args[1], status=record.args[2])
        return json.dumps(entry, ensure_ascii=False)
