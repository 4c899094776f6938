"""Staff sign-ins that survive a page reload: a random session token, carried by a browser cookie, stored only as
a hash in the database, with an idle expiry, a cap on its whole life, and revocation on sign-out.

A reload opens a new Streamlit session with an empty session state: the page reads the cookie
(`st.context.cookies`) and asks `resume` who holds the token. What the browser keeps is a random token, never the
password nor anything derived from it; the database keeps the token's SHA-256, so a copy of the database opens no
session. A token is refused once it has been idle for IDLE_TIMEOUT, once it is older than MAX_LIFETIME, once it
has been revoked (sign-out, on any instance: the table is shared), and when the account's password hash has
changed or the account is gone from the configuration since it was issued. Password logins are still throttled
(throttle.py); a token is 256 random bits, beyond guessing, and a malformed one never reaches a query.

No Streamlit here; the clock is injectable for the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Mapping

from sqlalchemy import DateTime, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from ecosystem.corrections import lengths
from ecosystem.corrections.models import Base, utcnow

# --- Policy -------------------------------------------------------------------------------------------------------
# A signed-in staff member who does nothing for this long must sign in again (each page run of a staff page counts
# as activity, see `touch`).
IDLE_TIMEOUT = dt.timedelta(hours=2)
# However active, a session ends after this: a working day. The cookie's Max-Age is the same (a bounded cookie).
MAX_LIFETIME = dt.timedelta(hours=12)
# Activity is written at most this often per session: a page rerun does not cost a write every time.
TOUCH_EVERY = dt.timedelta(minutes=1)
# Expired and revoked sessions are deleted after this (kept a while for the record).
RETENTION = dt.timedelta(days=30)

COOKIE_NAME = "carte_staff_session"
TOKEN_BYTES = 32  # 256 bits; token_urlsafe gives 43 characters
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class StaffSession(Base):
    """One staff sign-in: the hash of its token, the account, the password hash's fingerprint at sign-in, when it
    began, when it was last used, when it was revoked (signed out)."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(lengths.SHA256_HEX), unique=True)
    account: Mapped[str] = mapped_column(String(lengths.REVIEWER))
    credential: Mapped[str] = mapped_column(String(lengths.SHA256_HEX))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def credential_of(password_hash: str) -> str:
    """A fingerprint of the account's configured password hash: a new password ends the sessions opened with the
    old one (the bcrypt hash itself is not copied into this table)."""
    return hashlib.sha256(f"staff-session:{password_hash}".encode()).hexdigest()


def well_formed(token: object) -> bool:
    """What `open_session` issues: 43 URL-safe base64 characters. Anything else is refused before any query."""
    return isinstance(token, str) and len(token) == 43 and TOKEN_PATTERN.fullmatch(token) is not None


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes (stored in UTC); PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def open_session(factory: sessionmaker[Session], account: str, password_hash: str,
                 clock: Callable[[], dt.datetime] = utcnow) -> str:
    """A new session for `account`, just signed in with its password; returns the token for the cookie (the only
    copy: the database keeps its hash). Old expired sessions are pruned on the way."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = clock()
    with factory.begin() as session:
        session.add(StaffSession(token_hash=token_hash(token), account=account,
                                 credential=credential_of(password_hash), created_at=now, last_seen_at=now))
        session.execute(delete(StaffSession).where(StaffSession.last_seen_at < now - RETENTION))
    return token


def resume(factory: sessionmaker[Session], token: object, accounts: Mapping[str, str],
           clock: Callable[[], dt.datetime] = utcnow, touch: bool = True) -> str | None:
    """The account a token signs in, if the token is well formed, known, not revoked, not idle for IDLE_TIMEOUT,
    not older than MAX_LIFETIME, and its account still configured with the same password hash (`accounts`:
    name -> bcrypt hash). Records the activity (at most every TOUCH_EVERY) unless `touch` is False."""
    if not well_formed(token):
        return None
    now = clock()
    with factory() as session:
        found = session.scalar(select(StaffSession).where(StaffSession.token_hash == token_hash(token)))
        if found is None or found.revoked_at is not None:
            return None
        if now - _aware(found.last_seen_at) > IDLE_TIMEOUT or now - _aware(found.created_at) > MAX_LIFETIME:
            return None
        configured = accounts.get(found.account)
        if configured is None or not secrets.compare_digest(credential_of(configured), found.credential):
            return None
        account, last_seen, session_id = found.account, _aware(found.last_seen_at), found.id
    if touch and now - last_seen >= TOUCH_EVERY:
        with factory.begin() as session:
            session.execute(update(StaffSession).where(StaffSession.id == session_id,
                                                       StaffSession.revoked_at.is_(None))
                            .values(last_seen_at=now))
    return account


def revoke(factory: sessionmaker[Session], token: object, clock: Callable[[], dt.datetime] = utcnow) -> None:
    """Sign out: the token opens nothing any more, on any instance."""
    if not well_formed(token):
        return
    with factory.begin() as session:
        session.execute(update(StaffSession).where(StaffSession.token_hash == token_hash(token),
                                                   StaffSession.revoked_at.is_(None))
                        .values(revoked_at=clock()))


def active_sessions(factory: sessionmaker[Session], account: str,
                    clock: Callable[[], dt.datetime] = utcnow) -> int:
    """How many sessions of `account` would still be accepted now (for the tests and the record)."""
    now = clock()
    with factory() as session:
        rows = session.execute(select(StaffSession.last_seen_at, StaffSession.created_at)
                               .where(StaffSession.account == account, StaffSession.revoked_at.is_(None))).all()
    return sum(1 for seen, created in rows
               if now - _aware(seen) <= IDLE_TIMEOUT and now - _aware(created) <= MAX_LIFETIME)


def cookie_script(token: str | None) -> str:
    """A script for the page that sets (token) or clears (None) the session cookie: SameSite=Strict, Path=/,
    Secure when the page is served over https, Max-Age bounded by MAX_LIFETIME (0 to clear)."""
    if token is not None and not well_formed(token):
        raise ValueError("not a session token")
    value, age = (token, int(MAX_LIFETIME.total_seconds())) if token else ("", 0)
    return ("<script>(function () {"
            "var secure = window.location.protocol === 'https:' ? '; Secure' : '';"
            f"document.cookie = '{COOKIE_NAME}={value}; Max-Age={age}; Path=/; SameSite=Strict' + secure;"
            "})();</script>")

