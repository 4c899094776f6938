"""Staff sign-ins that survive a reload (ecosystem/corrections/staff_sessions.py) on SQLite and PostgreSQL: a
session opens and resumes; it ends after two idle hours and after twelve hours however active (the clock is
injected: nothing sleeps); a sign-out on one instance is seen by another; a new password or a removed account
ends it; a malformed or hostile token is refused before any query; only the token's SHA-256 is stored; the cookie
script sets SameSite=Strict, Path=/, a bounded Max-Age and Secure only over https, and clears with Max-Age=0."""

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import sessionmaker

from db_support import Clock, database
from ecosystem.corrections.auth import hash_password
from ecosystem.corrections.db import connect, make_engine
from ecosystem.corrections.staff_sessions import (COOKIE_NAME, IDLE_TIMEOUT, MAX_LIFETIME, TOUCH_EVERY,
                                                  StaffSession, active_sessions, cookie_script, open_session,
                                                  resume, revoke, token_hash, well_formed)

START = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)
PASSWORD_HASH = hash_password("correct horse battery staple")
ACCOUNTS = {"alice": PASSWORD_HASH, "bob": PASSWORD_HASH}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def factory(database_url):
    return connect(database_url)  # migrated: the table comes from migration 0005


class NoDatabase:
    """A session factory that fails the test if anything asks it for a session (a query)."""

    def __call__(self, *args, **kwargs):
        raise AssertionError("a query was made")

    begin = __call__


def test_policy():
    assert IDLE_TIMEOUT == dt.timedelta(hours=2) and MAX_LIFETIME == dt.timedelta(hours=12)
    assert TOUCH_EVERY <= dt.timedelta(minutes=5)


def test_the_migration_creates_the_table(factory):
    columns = {c["name"] for c in inspect(factory.kw["bind"]).get_columns("staff_session")}
    assert columns == {"id", "token_hash", "account", "credential", "created_at", "last_seen_at", "revoked_at"}


def test_a_session_opens_and_resumes_with_its_own_account(factory):
    clock = Clock(START)
    alice = open_session(factory, "alice", PASSWORD_HASH, clock=clock)
    bob = open_session(factory, "bob", PASSWORD_HASH, clock=clock)
    assert well_formed(alice) and well_formed(bob) and alice != bob
    assert len(alice) == 43 and re.fullmatch(r"[A-Za-z0-9_-]{43}", alice)
    clock.advance(minutes=5)
    assert resume(factory, alice, ACCOUNTS, clock=clock) == "alice"
    assert resume(factory, bob, ACCOUNTS, clock=clock) == "bob"
    assert active_sessions(factory, "alice", clock=clock) == 1
    # A well-formed token nobody was given opens nothing.
    assert resume(factory, "A" * 43, ACCOUNTS, clock=clock) is None
    # One character changed: nothing either.
    other = ("B" if alice[0] != "B" else "C") + alice[1:]
    assert resume(factory, other, ACCOUNTS, clock=clock) is None


def test_only_the_sha256_of_the_token_is_stored(factory):
    token = open_session(factory, "alice", PASSWORD_HASH, clock=Clock(START))
    with factory() as session:
        rows = session.execute(text("SELECT * FROM staff_session")).all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert token not in stored and token[:20] not in stored
    assert PASSWORD_HASH not in stored  # nor the password hash (a fingerprint of it)
    with factory() as session:
        row = session.scalar(select(StaffSession))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() == token_hash(token)
    assert row.account == "alice"


def test_two_idle_hours_end_a_session(factory):
    clock = Clock(START)
    token = open_session(factory, "alice", PASSWORD_HASH, clock=clock)
    clock.advance(hours=2)
    assert resume(factory, token, ACCOUNTS, clock=clock) == "alice"  # exactly two hours: still open (and touched)
    clock.advance(hours=2, seconds=1)
    assert resume(factory, token, ACCOUNTS, clock=clock) is None
    assert active_sessions(factory, "alice", clock=clock) == 0


def test_a_look_without_touch_does_not_extend_the_session(factory):
    clock = Clock(START)
    token = open_session(factory, "alice", PASSWORD_HASH, clock=clock)
    clock.advance(hours=1, minutes=30)
    assert resume(factory, token, ACCOUNTS, clock=clock, touch=False) == "alice"
    clock.advance(minutes=31)
    assert resume(factory, token, ACCOUNTS, clock=clock) is None


def test_activity_keeps_a_session_open_but_never_past_twelve_hours(factory):
    clock = Clock(START)
    token = open_session(factory, "alice", PASSWORD_HASH, clock=clock)
    for _ in range(11):  # one page run an hour and a half: never idle for two hours
        clock.advance(hours=1, minutes=5)
        assert resume(factory, token, ACCOUNTS, clock=clock) == "alice"
    assert clock.now - START == dt.timedelta(hours=11, minutes=55) and clock.now - START > IDLE_TIMEOUT
    clock.advance(minutes=5)
    assert resume(factory, token, ACCOUNTS, clock=clock) == "alice"  # twelve hours exactly
    clock.advance(seconds=1)
    assert resume(factory, token, ACCOUNTS, clock=clock) is None  # active a second ago, yet over the cap
    assert active_sessions(factory, "alice", clock=clock) == 0


def test_a_sign_out_on_one_instance_is_seen_by_another(database_url):
    connect(database_url)  # migrated
    first = sessionmaker(make_engine(database_url), expire_on_commit=False)
    second = sessionmaker(make_engine(database_url), expire_on_commit=False)
    clock = Clock(START)
    token = open_session(first, "alice", PASSWORD_HASH, clock=clock)
    kept = open_session(first, "alice", PASSWORD_HASH, clock=clock)  # the same person in another browser
    clock.advance(minutes=1)
    assert resume(second, token, ACCOUNTS, clock=clock) == "alice"
    revoke(second, token, clock=clock)
    clock.advance(seconds=1)
    assert resume(first, token, ACCOUNTS, clock=clock) is None
    assert resume(second, token, ACCOUNTS, clock=clock) is None
    assert resume(first, kept, ACCOUNTS, clock=clock) == "alice"  # only that sign-in ended
    assert active_sessions(first, "alice", clock=clock) == 1
    with second() as session:
        assert session.scalar(select(StaffSession.revoked_at).where(StaffSession.token_hash == token_hash(token)))
    revoke(first, token, clock=clock)  # twice: harmless
    revoke(first, "not a token", clock=clock)  # malformed: nothing happens
    assert resume(first, kept, ACCOUNTS, clock=clock) == "alice"


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(factory):
    clock = Clock(START)
    token = open_session(factory, "alice", PASSWORD_HASH, clock=clock)
    new_hash = hash_password("a brand new passphrase")
    assert resume(factory, token, {"alice": new_hash}, clock=clock) is None
    # ... even if the old hash comes back for someone else, the account's own hash decides
    assert resume(factory, token, {"alice": new_hash, "bob": PASSWORD_HASH}, clock=clock) is None
    fresh = open_session(factory, "alice", new_hash, clock=clock)
    assert resume(factory, fresh, {"alice": new_hash}, clock=clock) == "alice"


def test_a_removed_account_opens_nothing(factory):
    clock = Clock(START)
    token = open_session(factory, "alice", PASSWORD_HASH, clock=clock)
    assert resume(factory, token, {"bob": PASSWORD_HASH}, clock=clock) is None
    assert resume(factory, token, {}, clock=clock) is None
    assert resume(factory, token, {"Alice": PASSWORD_HASH}, clock=clock) is None  # names are exact


HOSTILE = ["", " ", "' OR '1'='1", "'; DROP TABLE staff_session; --", "x' UNION SELECT account FROM staff_session --",
           "A" * 10_000, "A" * 42, "A" * 44, "A" * 21 + "\x00" + "A" * 21, "A" * 42 + "\n", "A" * 42 + "=",
           "A" * 42 + "é", "A" * 42 + "/", "%" * 43, "*" * 43, "\u202e" + "A" * 42, None, 42, b"A" * 43,
           ["A" * 43], {"token": "A" * 43}]


@pytest.mark.parametrize("token", HOSTILE, ids=[f"h{i}" for i in range(len(HOSTILE))])
def test_a_malformed_token_is_refused_before_any_query(token):
    assert not well_formed(token)
    assert resume(NoDatabase(), token, ACCOUNTS) is None
    assert revoke(NoDatabase(), token) is None


def test_hostile_tokens_change_nothing_in_the_database(factory):
    clock = Clock(START)
    token = open_session(factory, "alice", PASSWORD_HASH, clock=clock)
    for hostile in HOSTILE:
        assert resume(factory, hostile, ACCOUNTS, clock=clock) is None
        revoke(factory, hostile, clock=clock)
    assert resume(factory, token, ACCOUNTS, clock=clock) == "alice"
    with factory() as session:
        assert session.scalar(text("SELECT COUNT(*) FROM staff_session")) == 1


def test_the_cookie_script_sets_a_strict_bounded_cookie():
    token = "A" * 21 + "-_" + "z" * 20
    assert well_formed(token)
    script = cookie_script(token)
    [assignment] = re.findall(r"document\.cookie = '([^']*)'", script)
    attributes = [part.strip() for part in assignment.split(";")]
    assert attributes[0] == f"{COOKIE_NAME}={token}"
    assert "SameSite=Strict" in attributes and "Path=/" in attributes
    assert f"Max-Age={int(MAX_LIFETIME.total_seconds())}" in attributes
    assert "Max-Age=43200" in attributes
    assert not any(a.lower().startswith("expires") for a in attributes)
    assert "Secure" not in attributes  # added by the page only over https:
    assert "window.location.protocol === 'https:' ? '; Secure' : ''" in script
    assert "+ secure" in script


def test_the_cookie_script_clears_the_cookie():
    script = cookie_script(None)
    [assignment] = re.findall(r"document\.cookie = '([^']*)'", script)
    attributes = [part.strip() for part in assignment.split(";")]
    assert attributes[0] == f"{COOKIE_NAME}="
    assert "Max-Age=0" in attributes and "Path=/" in attributes and "SameSite=Strict" in attributes


@pytest.mark.parametrize("token", ["A" * 42, "'; alert(1); '", "A" * 21 + "'" + "A" * 21, "</script><script>x",
                                   "A" * 42 + "\n"])
def test_the_cookie_script_refuses_anything_but_a_token(token):
    with pytest.raises(ValueError):
        cookie_script(token)


@pytest.mark.browser
def test_the_cookie_script_runs_as_described_in_a_browser(browser, tmp_path):
    """Secure over https only, as the page's own script decides: run it in Chromium on both schemes."""
    token = open_session(connect(f"sqlite:///{tmp_path / 'c.sqlite3'}"), "alice", PASSWORD_HASH)
    context = browser.new_context()
    try:
        for scheme in ("http", "https"):
            page = context.new_page()
            page.route(f"{scheme}://staff.example/**", lambda route: route.fulfill(
                status=200, content_type="text/html", body=f"<html><body>{cookie_script(token)}</body></html>"))
            page.goto(f"{scheme}://staff.example/moderation")
            [cookie] = [c for c in context.cookies(f"{scheme}://staff.example/") if c["name"] == COOKIE_NAME]
            assert cookie["value"] == token and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
            assert cookie["secure"] is (scheme == "https")
            assert 0 < cookie["expires"] - dt.datetime.now().timestamp() <= MAX_LIFETIME.total_seconds() + 5
            page.evaluate("html => { document.open(); document.write(html); document.close(); }",
                          cookie_script(None))
            assert not [c for c in context.cookies(f"{scheme}://staff.example/") if c["name"] == COOKIE_NAME]
            page.close()
    finally:
        context.close()
