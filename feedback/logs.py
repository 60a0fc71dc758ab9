"""Structured logs: one JSON object per line when FEEDBACK_LOG_FORMAT=json (for log shippers)."""

from __future__ import annotations

import atexit
import json
import logging
import threading
from collections import deque
from datetime import datetime, timezone
from logging import StreamHandler


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


class LogQueueHandler(logging.Handler):
    """Every log record is put aside as it is and a thread writes them to stderr in batches, so a
    request never waits for the terminal and never wakes another thread: the writer wakes every
    `WRITE_EVERY` seconds (at once for a warning or worse) and formats what was put aside with the
    configured formatter (set on this handler by the logging config). At exit, or on `close`, it
    writes out everything still waiting."""

    WRITE_EVERY = 0.2

    def __init__(self) -> None:
        super().__init__()
        self.stream = StreamHandler()
        self._waiting: deque[logging.LogRecord] = deque()
        self._wake = threading.Event()
        self._running = True
        self._writer = threading.Thread(target=self._write_loop, name="feedback-log-writer", daemon=True)
        self._writer.start()
        atexit.register(self.close)

    def handle(self, record: logging.LogRecord) -> bool:
        # No handler lock: appending to a deque is safe from any thread.
        if not self.filter(record):
            return False
        self._waiting.append(record)
        if record.levelno >= logging.WARNING:
            self._wake.set()
        return True

    def emit(self, record: logging.LogRecord) -> None:
        self.handle(record)

    def _write_loop(self) -> None:
        while self._running:
            self._wake.wait(self.WRITE_EVERY)
            self._wake.clear()
            self._write_out()

    def _write_out(self) -> None:
        lines = []
        while self._waiting:
            record = self._waiting.popleft()
            try:
                lines.append(self.stream.format(record))
            except Exception:  # noqa: BLE001 - logging's own way: report on stderr, never raise
                self.stream.handleError(record)
        if lines:
            try:
                self.stream.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except Exception:  # noqa: BLE001
                self.stream.handleError(record)

    def close(self) -> None:
        """Write out what is waiting and stop the thread (at exit, or sooner; once)."""
        if self._running:
            self._running = False
            self._wake.set()
            self._writer.join(timeout=5)
            self._write_out()
        super().close()

    def setFormatter(self, fmt: logging.Formatter | None) -> None:  # noqa: N802 - logging's name
        super().setFormatter(fmt)
        self.stream.setFormatter(fmt)
