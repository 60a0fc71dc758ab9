"""Two-factor sign-in: a TOTP authenticator app (pyotp) and ten single-use recovery codes.

The TOTP secret is kept encrypted (Fernet, with a key derived from FEEDBACK_SECRET_KEY) and is never
logged; recovery codes are kept only as keyed hashes and shown once. A code is accepted once: the
time step last used is remembered, so a code seen over someone's shoulder cannot be replayed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken

from feedback.accounts.tables import PendingSignIn, RecoveryCode, TwoFactor

ISSUER = "SEND feedback workspace"
RECOVERY_CODES = 10
PENDING_MINUTES = 5  # between the password and the code
_CODE = re.compile(r"^\d{6}$")


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(b"feedback two-factor secret v1\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _keyed_hash(secret_key: str, text: str) -> str:
    return hmac.new(secret_key.encode(), b"recovery\0" + text.encode(), hashlib.sha256).hexdigest()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """People type codes with spaces or hyphens, and recovery codes in either case."""
    return re.sub(r"[\s-]+", "", code or "").lower()[:40]


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, shown as text for people who cannot scan
    uri: str  # otpauth:// for the QR code

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


@dataclass(frozen=True)
class QrModules:
    """The dark squares of a QR code, for templates/account/_qr.svg (built by Jinja, never by strings)."""

    size: int
    squares: list[tuple[int, int]]


def qr_modules(uri: str) -> QrModules:
    code = segno.make(uri, error="m")
    rows = list(code.matrix_iter(scale=1, border=4))
    squares = [(x, y) for y, row in enumerate(rows) for x, dark in enumerate(row) if dark]
    return QrModules(size=len(rows), squares=squares)


async def is_enrolled(user_id: int) -> bool:
    return await TwoFactor.exists().where((TwoFactor.user_id == user_id) & TwoFactor.confirmed_at.is_not_null())


async def enrolled_user_ids() -> set[int]:
    rows = await TwoFactor.select(TwoFactor.user_id).where(TwoFactor.confirmed_at.is_not_null())
    return {row["user_id"] for row in rows}


async def start_enrolment(user_id: int, email: str, secret_key: str) -> Enrolment:
    """A new secret, not yet in force (until a code from it is confirmed). Replaces any unconfirmed one;
    a confirmed one stays in force until this is confirmed."""
    await TwoFactor.delete().where((TwoFactor.user_id == user_id) & TwoFactor.confirmed_at.is_null())
    secret = pyotp.random_base32()
    await TwoFactor(user_id=user_id, secret_encrypted=_fernet(secret_key).encrypt(secret.encode()).decode()).save()
    return Enrolment(secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER))


async def pending_enrolment(user_id: int, email: str, secret_key: str) -> Enrolment | None:
    row = await TwoFactor.objects().where((TwoFactor.user_id == user_id) & TwoFactor.confirmed_at.is_null()).first()
    secret = _decrypt(row, secret_key) if row else None
    if secret is None:
        return None
    return Enrolment(secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER))


def _decrypt(row: TwoFactor, secret_key: str) -> str | None:
    try:
        return _fernet(secret_key).decrypt(row.secret_encrypted.encode()).decode()
    except InvalidToken:  # the secret key changed: the factor must be reset by an admin
        return None


def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step the code belongs to (this one or one either side, for clock drift), if unused."""
    if not _CODE.match(code):
        return None
    totp = pyotp.TOTP(secret)
    now = datetime.now(timezone.utc)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


async def confirm_enrolment(user_id: int, code: str, secret_key: str) -> list[str] | None:
    """Put the pending secret in force if the code matches it; returns the new recovery codes (once)."""
    row = await TwoFactor.objects().where((TwoFactor.user_id == user_id) & TwoFactor.confirmed_at.is_null()).first()
    secret = _decrypt(row, secret_key) if row else None
    step = _matching_step(secret, normalise_code(code), None) if secret else None
    if step is None:
        return None
    await TwoFactor.delete().where((TwoFactor.user_id == user_id) & (TwoFactor.id != row.id))
    await TwoFactor.update({TwoFactor.confirmed_at: datetime.now(timezone.utc), TwoFactor.last_step: step}).where(TwoFactor.id == row.id)
    return await new_recovery_codes(user_id, secret_key)


async def new_recovery_codes(user_id: int, secret_key: str) -> list[str]:
    codes = ["-".join(secrets.token_hex(2) for _ in range(3)) for _ in range(RECOVERY_CODES)]  # 48 bits each
    await RecoveryCode.delete().where(RecoveryCode.user_id == user_id)
    await RecoveryCode.insert(*[RecoveryCode(user_id=user_id, code_hash=_keyed_hash(secret_key, normalise_code(c))) for c in codes])
    return codes


async def verify_second_factor(user_id: int, code: str, secret_key: str) -> str | None:
    """'totp' or 'recovery' when the code is good (a recovery code is used up), else None."""
    code = normalise_code(code)
    row = await TwoFactor.objects().where((TwoFactor.user_id == user_id) & TwoFactor.confirmed_at.is_not_null()).first()
    if row is None:
        return None
    secret = _decrypt(row, secret_key)
    step = _matching_step(secret, code, row.last_step) if secret else None
    if step is not None:
        # Only move forward: two requests racing with the same code cannot both win.
        updated = await TwoFactor.update({TwoFactor.last_step: step}).where(
            (TwoFactor.id == row.id) & ((TwoFactor.last_step.is_null()) | (TwoFactor.last_step < step))
        ).returning(TwoFactor.id)
        return "totp" if updated else None
    if len(code) == 12:
        used = await RecoveryCode.update({RecoveryCode.used_at: datetime.now(timezone.utc)}).where(
            (RecoveryCode.user_id == user_id) & (RecoveryCode.code_hash == _keyed_hash(secret_key, code)) & RecoveryCode.used_at.is_null()
        ).returning(RecoveryCode.id)
        if used:
            return "recovery"
    return None


async def recovery_codes_left(user_id: int) -> int:
    return await RecoveryCode.count().where((RecoveryCode.user_id == user_id) & RecoveryCode.used_at.is_null())


async def reset_two_factor(user_id: int) -> None:
    await TwoFactor.delete().where(TwoFactor.user_id == user_id)
    await RecoveryCode.delete().where(RecoveryCode.user_id == user_id)
    await PendingSignIn.delete().where(PendingSignIn.user_id == user_id)


# --- between the password and the code ---------------------------------------------------------


async def start_pending_sign_in(user_id: int) -> str:
    """The password was right: a short-lived token (its own cookie) that only lets the code be asked for."""
    await PendingSignIn.delete().where(PendingSignIn.user_id == user_id)
    token = secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(minutes=PENDING_MINUTES)
    await PendingSignIn(token_hash=_hash_token(token), user_id=user_id, expires_at=expires).save()
    return token


async def pending_user_id(token: str | None) -> int | None:
    if not token or len(token) > 100:
        return None
    row = await PendingSignIn.select(PendingSignIn.user_id, PendingSignIn.expires_at).where(PendingSignIn.token_hash == _hash_token(token)).first()
    if row is None or row["expires_at"] < datetime.now(timezone.utc):
        return None
    return row["user_id"]


async def end_pending_sign_in(token: str | None) -> None:
    if token:
        await PendingSignIn.delete().where(PendingSignIn.token_hash == _hash_token(token))
