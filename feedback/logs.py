"""Structured logs: one JSON object per line when FEEDBACK_LOG_FORMAT=json (for log shippers)."""

from __future__ import annotations

import atexit
import json
import logging
from datetime import datetime, timezone
from logging import StreamHandler
from logging.handlers import QueueHandler, QueueListener
from queue import SimpleQueue


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


class LogQueueHandler(QueueHandler):
    """Every log record goes onto a queue as it is and a thread writes it to stderr, so a request never
    waits for the terminal. Cheaper on the request's path than the standard queue handler: a
    `SimpleQueue` (no lock and condition to wake the thread) and no formatting there; the thread's
    handler formats with the configured formatter (set on this handler by the logging config)."""

    def __init__(self) -> None:
        super().__init__(SimpleQueue())
        self.stream = StreamHandler()
        self.listener = QueueListener(self.queue, self.stream)
        self.listener.start()
        self._running = True
        atexit.register(self.close)

    def close(self) -> None:
        """Write out what is queued and stop the thread (at exit, or sooner; once)."""
        if self._running:
            self._running = False
            self.listener.stop()
        super().close()

    def setFormatter(self, fmt: logging.Formatter | None) -> None:  # noqa: N802 - logging's name
        super().setFormatter(fmt)
        self.stream.setFormatter(fmt)

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record  # formatted by the thread; the same process, so nothing needs pickling
