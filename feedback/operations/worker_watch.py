"""Worker processes of `feedback serve --workers N` stop when their parent does.

uvicorn's workers keep serving if the parent process is killed with SIGKILL (it cannot tell them),
so `kill -9` of the server an operator sees left two orphans holding the port and a restart failed
with "Address already in use". `feedback serve` names the parent in FEEDBACK_SERVE_PARENT; each
worker then watches it and, once it is gone, stops itself the way uvicorn stops (SIGTERM: requests in
flight finish, the lifespan closes the database). A single-process server (no FEEDBACK_SERVE_PARENT)
is never stopped by this, whatever its own parent does.
"""

from __future__ import annotations

import os
import signal
import threading

PARENT_VARIABLE = "FEEDBACK_SERVE_PARENT"
CHECK_EVERY = 1.0


def watch_parent(check_every: float = CHECK_EVERY) -> threading.Thread | None:
    """In a worker of `feedback serve --workers N`: a daemon thread that stops this process once
    the serving parent is gone. Returns None elsewhere."""
    try:
        parent = int(os.environ.get(PARENT_VARIABLE, ""))
    except ValueError:
        return None
    if parent == os.getpid():
        return None  # the serving process itself (one worker: uvicorn serves in it)

    def watch() -> None:
        stop = threading.Event()
        while True:
            if os.getppid() != parent:  # re-parented (even before we started): the server has gone
                os.kill(os.getpid(), signal.SIGTERM)
                return
            stop.wait(check_every)

    thread = threading.Thread(target=watch, name="feedback-parent-watch", daemon=True)
    thread.start()
    return thread
