"""Staff login throttling: every attempt is recorded in the database, and an account or a client that failed too
often recently is refused for a while, without its password even being checked.

Kept in the database rather than in the process, so that the limit holds across app instances (and restarts):
an attacker spreading guesses over two instances behind a load balancer meets the same counters. No Streamlit
here: the page passes the account name, a client key (`client_key`) and the password check as a callable; the
clock is injectable for the tests.

An attempt is recorded as a failure *before* the password is checked, then turned into a success if it was
right: two attempts fired at the same moment (two tabs, two instances) both count, so parallel requests cannot
slip extra guesses between the look-up and the write. The look-up and that first write are serialised per
account and per client (advisory locks on PostgreSQL, the write lock on SQLite), and the slow bcrypt check runs
outside any transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import DateTime, Index, Integer, String, delete, func, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from ecosystem.corrections import lengths
from ecosystem.corrections.models import Base, utcnow

# --- Policy -------------------------------------------------------------------------------------------------------
# Five free attempts: enough for a person fumbling a 12-character password, far too few for guessing one.
MAX_FAILURES = 5
# Failures older than this are forgotten: a colleague's typos of the morning do not lock the afternoon.
FAILURE_WINDOW = dt.timedelta(minutes=15)
# From the fifth failure in the window, further attempts wait this long after the last failure, doubled at each
# further failure: a person waits half a minute, a guessing script is slowed exponentially...
FIRST_DELAY = dt.timedelta(seconds=30)
# ... up to this cap: someone typing wrong passwords on purpose can lock a colleague out for at most five minutes
# at a time (the per-account lock is also a denial-of-service lever: it must stay short). Failures leaving the
# window lift the lock, so a script that waits out every delay gets about 26 guesses an hour on one account
# (measured: 626 in 24 hours), hopeless against a 12-character password (auth.hash_password).
MAX_DELAY = dt.timedelta(minutes=5)
# Attempts older than this are deleted (the log of failures shown to staff goes back as far).
RETENTION = dt.timedelta(days=90)
# Account names longer than this, or holding control or invisible formatting characters, never reach a query:
# no configured account looks like that (the form and Review.reviewer cap names at 100 as well).
MAX_ACCOUNT_LENGTH = lengths.REVIEWER
MAX_CLIENT_LENGTH = 64

SUCCESS, FAILURE, LOCKED = "success", "failure", "locked"
INVALID = "invalid"  # a name refused before any query: nothing recorded


class LoginAttempt(Base):
    """One staff login attempt: the account name as typed, the client it came from, what happened, when.

    outcome: "success", "failure" (wrong user name or password) or "locked" (refused by the throttle, password
    not checked). Locked attempts do not count as failures: a locked-out person retrying does not extend the lock.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_account_time", "account", "attempted_at"),
                      Index("ix_login_attempt_client_time", "client", "attempted_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(MAX_ACCOUNT_LENGTH))
    client: Mapped[str] = mapped_column(String(MAX_CLIENT_LENGTH))
    outcome: Mapped[str] = mapped_column(String(10))
    attempted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


@dataclass(frozen=True)
class LoginResult:
    outcome: str  # SUCCESS, FAILURE or LOCKED ("invalid" for a name refused before any query)
    wait: dt.timedelta = dt.timedelta(0)  # for LOCKED: how long before the next attempt is looked at

    @property
    def ok(self) -> bool:
        return self.outcome == SUCCESS



def valid_account_name(account: str) -> bool:
    """Bounded, non-empty, and free of control, surrogate, private-use or invisible formatting characters (NUL,
    CR/LF, bidirectional overrides...): what may be stored and shown in the log as typed."""
    return 0 < len(account) <= MAX_ACCOUNT_LENGTH and all(
        unicodedata.category(character) not in ("Cc", "Cf", "Cs", "Co") for character in account)


def client_key(ip_address: object, session_token: str) -> str:
    """What identifies the client of an attempt: its IP address when the server knows one (anything else, such
    as None on localhost or the stand-in of Streamlit's test harness, is ignored), else a digest of the browser
    session's random token (the session is then the client; the token itself is not stored)."""
    if isinstance(ip_address, str):
        try:
            return f"ip:{ipaddress.ip_address(ip_address)}"[:MAX_CLIENT_LENGTH]  # normalised form
        except ValueError:
            pass
    return "session:" + hashlib.sha256(session_token.encode()).hexdigest()[:16]


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes (stored in UTC); PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def lock_delay(failures: int) -> dt.timedelta:
    """How long after the last failure the next attempt waits, for `failures` recent failures (0: no wait)."""
    if failures < MAX_FAILURES:
        return dt.timedelta(0)
    doublings = min(failures - MAX_FAILURES, 20)  # bounded exponent: the cap is reached long before
    return min(FIRST_DELAY * 2 ** doublings, MAX_DELAY)


def _remaining(session: Session, column, key: str, now: dt.datetime, reset_by_success: bool) -> dt.timedelta:
    since = now - FAILURE_WINDOW
    if reset_by_success:
        last_success = session.scalar(select(func.max(LoginAttempt.attempted_at))
                                      .where(column == key, LoginAttempt.outcome == SUCCESS))
        if last_success is not None:
            since = max(since, _aware(last_success))
    failures = session.scalars(select(LoginAttempt.attempted_at)
                               .where(column == key, LoginAttempt.outcome == FAILURE, LoginAttempt.attempted_at > since)
                               .order_by(LoginAttempt.attempted_at.desc())).all()
    delay = lock_delay(len(failures))
    if not delay:
        return delay
    return max(_aware(failures[0]) + delay - now, dt.timedelta(0))


def _serialize(session: Session, account: str, client: str) -> None:
    """Make "count recent failures, then record this attempt" atomic per account and per client.

    PostgreSQL: transaction-level advisory locks keyed by the account and by the client, taken in a fixed order
    (no deadlock between two attempts sharing one of them); attempts on other accounts from other clients do not
    wait. SQLite: BEGIN IMMEDIATE takes the single write lock before the look-up.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        for key in sorted((f"login-account:{account}", f"login-client:{client}")):
            lock = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
            session.execute(select(func.pg_advisory_xact_lock(lock)))
    elif dialect == "sqlite":
        session.execute(text("BEGIN IMMEDIATE"))


def _prune(session: Session, now: dt.datetime) -> None:
    """Delete attempts older than RETENTION. On PostgreSQL one pruner at a time (the others skip): two
    transactions deleting the same old rows in different orders could deadlock."""
    if session.get_bind().dialect.name == "postgresql" and not session.scalar(
            select(func.pg_try_advisory_xact_lock(_PRUNE_LOCK))):
        return
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - RETENTION))


_PRUNE_LOCK = int.from_bytes(hashlib.sha256(b"login-prune").digest()[:8], "big", signed=True)


def attempt_login(factory: sessionmaker[Session], account: str, client: str, check: Callable[[], bool],
                  clock: Callable[[], dt.datetime] = utcnow) -> LoginResult:
    """Throttle, record and run one login attempt; `check()` verifies the password and is called only when
    neither the account nor the client is locked.

    Per account: MAX_FAILURES failures within FAILURE_WINDOW since the account's last success lock it (a success
    proves its owner is back: their earlier typos are forgiven, and nothing changes for any other account). Per
    client: the same count, never reset by a success, so that an attacker who holds one staff account cannot
    clear their client's count by logging into it between guesses at another account.
    """
    if not valid_account_name(account):
        return LoginResult(INVALID)
    client = client[:MAX_CLIENT_LENGTH]
    now = clock()
    with factory.begin() as session:
        _serialize(session, account, client)
        wait = max(_remaining(session, LoginAttempt.account, account, now, reset_by_success=True),
                   _remaining(session, LoginAttempt.client, client, now, reset_by_success=False))
        attempt = LoginAttempt(account=account, client=client, outcome=LOCKED if wait else FAILURE,
                               attempted_at=now)
        session.add(attempt)
        session.flush()
        _prune(session, now)
        attempt_id = attempt.id
    if wait:
        return LoginResult(LOCKED, wait)
    if not check():
        return LoginResult(FAILURE)
    with factory.begin() as session:
        session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(outcome=SUCCESS))
    return LoginResult(SUCCESS)


def failed_logins(factory: sessionmaker[Session], limit: int = 500) -> pd.DataFrame:
    """Failed and refused attempts, newest first, for the staff log (account, client, time, outcome)."""
    with factory() as session:
        rows = session.execute(select(LoginAttempt.account, LoginAttempt.client, LoginAttempt.attempted_at,
                                      LoginAttempt.outcome)
                               .where(LoginAttempt.outcome != SUCCESS)
                               .order_by(LoginAttempt.attempted_at.desc(), LoginAttempt.id.desc())
                               .limit(limit)).all()
    return pd.DataFrame([{"account": r.account, "client": r.client, "outcome": r.outcome,
                          "attempted_at": _aware(r.attempted_at).astimezone(dt.timezone.utc)} for r in rows],
                        columns=["account", "client", "attempted_at", "outcome"])


def wait_text(wait: dt.timedelta) -> str:
    """A waiting time as a person reads it: whole seconds up to two minutes, then whole minutes (rounded up)."""
    seconds = max(1, -(-int(wait.total_seconds() * 1000) // 1000))
    if seconds < 120:
        return f"{seconds} s"
    return f"{-(-seconds // 60)} min"
