"""Settings read from the environment (the stable surface in DESIGN.md)."""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/feedback.sqlite3"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default="", repr=False)
    env: str = "development"
    # Upper bound on any request body: a whole page of long answers is far below this.
    max_body_bytes: int = 256 * 1024
    # The partnership's headline target: the share satisfied or very satisfied (90% by default).
    satisfaction_target: float = 0.9
    # Event mode: a person's turn on a shared tablet ends this long after their last save.
    kiosk_idle_seconds: int = 180
    # Proxies whose X-Forwarded-For is believed (FEEDBACK_TRUSTED_PROXIES); none by default.
    trusted_proxies: tuple = ()
    # Messages (feedback/messages): SMTP or GOV.UK Notify; with neither, messages are off.
    smtp_url: str = field(default="", repr=False)  # smtp://[user:pass@]host:port (STARTTLS when offered)
    mail_from: str = ""
    notify_api_key: str = field(default="", repr=False)
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_template_email: str = ""  # a Notify template with ((subject)) and ((body))
    notify_template_sms: str = ""  # a Notify template with ((body))
    notify_callback_token: str = field(default="", repr=False)  # the bearer token Notify sends to our callback
    # The address people reach the service at (links in messages); the request's own address if unset.
    public_url: str = ""
    # Whether `feedback serve` sends the outbox itself (set 0 when `feedback worker` runs apart).
    worker_in_serve: bool = True

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _development_secret() -> str:
    """A stable secret for development, kept in var/ so resume codes survive a restart."""
    path = PROJECT_ROOT / "var" / ".secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


def _target(text: str) -> float:
    """FEEDBACK_SATISFACTION_TARGET is a percentage, e.g. 90 or 87.5."""
    try:
        percent = float(text.strip().rstrip("%"))
    except ValueError:
        sys.exit(f"FEEDBACK_SATISFACTION_TARGET must be a percentage such as 90, not {text!r}")
    if not 0 < percent <= 100:
        sys.exit(f"FEEDBACK_SATISFACTION_TARGET must be more than 0 and at most 100, not {text!r}")
    return percent / 100


def parse_trusted_proxies(text: str) -> tuple:
    """`FEEDBACK_TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges; raises ValueError on a bad one."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def _trusted_proxies(text: str) -> tuple:
    try:
        return parse_trusted_proxies(text)
    except ValueError:
        sys.exit(f"FEEDBACK_TRUSTED_PROXIES must be comma-separated addresses or ranges like 10.0.0.0/8, not {text!r}")


def _idle_seconds(text: str) -> int:
    """FEEDBACK_KIOSK_IDLE_SECONDS: whole seconds, at least 5 (a person needs time to read a page)."""
    try:
        seconds = int(text.strip())
    except ValueError:
        sys.exit(f"FEEDBACK_KIOSK_IDLE_SECONDS must be a whole number of seconds such as 180, not {text!r}")
    if not 5 <= seconds <= 24 * 3600:
        sys.exit(f"FEEDBACK_KIOSK_IDLE_SECONDS must be between 5 and 86400, not {text!r}")
    return seconds


def load_settings() -> Settings:
    env = os.environ.get("FEEDBACK_ENV", "development")
    if env not in {"development", "production"}:
        sys.exit(f"FEEDBACK_ENV must be 'development' or 'production', not {env!r}")
    secret = os.environ.get("FEEDBACK_SECRET_KEY", "")
    if not secret:
        if env == "production":
            sys.exit("FEEDBACK_SECRET_KEY must be set in production (at least 32 characters).")
        secret = _development_secret()
    if env == "production" and len(secret) < 32:
        sys.exit("FEEDBACK_SECRET_KEY must be at least 32 characters in production.")
    return Settings(
        satisfaction_target=_target(os.environ.get("FEEDBACK_SATISFACTION_TARGET", "90")),
        kiosk_idle_seconds=_idle_seconds(os.environ.get("FEEDBACK_KIOSK_IDLE_SECONDS", "180")),
        database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
        trusted_proxies=_trusted_proxies(os.environ.get("FEEDBACK_TRUSTED_PROXIES", "")),
        secret_key=secret,
        env=env,
        smtp_url=os.environ.get("FEEDBACK_SMTP_URL", "").strip(),
        mail_from=os.environ.get("FEEDBACK_MAIL_FROM", "").strip(),
        notify_api_key=os.environ.get("FEEDBACK_NOTIFY_API_KEY", "").strip(),
        notify_base_url=os.environ.get("FEEDBACK_NOTIFY_BASE_URL", "").strip() or Settings.notify_base_url,
        notify_template_email=os.environ.get("FEEDBACK_NOTIFY_TEMPLATE_EMAIL", "").strip(),
        notify_template_sms=os.environ.get("FEEDBACK_NOTIFY_TEMPLATE_SMS", "").strip(),
        notify_callback_token=os.environ.get("FEEDBACK_NOTIFY_CALLBACK_TOKEN", "").strip(),
        public_url=os.environ.get("FEEDBACK_PUBLIC_URL", "").strip().rstrip("/"),
        worker_in_serve=os.environ.get("FEEDBACK_WORKER_IN_SERVE", "1").strip() not in {"0", "false", "no"},
    )
