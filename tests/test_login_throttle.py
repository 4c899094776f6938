"""Staff login throttling (issue 12, point 6) on SQLite and PostgreSQL: per-account and per-client lockout with
a doubling delay, kept in the database; names validated before any query; the log of failed logins; the login
form's message. The clock is injected: no test sleeps through a lockout."""

import datetime as dt
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from db_support import Clock, database
from ecosystem.corrections.auth import hash_password
from ecosystem.corrections.db import connect, make_engine, migrate
from ecosystem.corrections.throttle import (FAILURE, FAILURE_WINDOW, FIRST_DELAY, INVALID, LOCKED, MAX_DELAY,
                                            MAX_FAILURES, RETENTION, SUCCESS, LoginAttempt, attempt_login,
                                            client_key, failed_logins, lock_delay, wait_text)
from sqlalchemy.orm import sessionmaker

ROOT = Path(__file__).resolve().parent.parent
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def factory(database_url):
    return connect(database_url)


class Password:
    """A password check that counts how often it ran (a locked attempt must not reach it)."""

    def __init__(self, right: bool):
        self.right, self.calls = right, 0

    def __call__(self):
        self.calls += 1
        return self.right


def login(factory, clock, account="alice", client="ip:203.0.113.7", right=False):
    check = Password(right)
    result = attempt_login(factory, account, client, check, clock=clock)
    assert check.calls == (0 if result.outcome in (LOCKED, INVALID) else 1)
    return result


def test_policy_constants_and_delays():
    assert MAX_FAILURES == 5 and FAILURE_WINDOW == dt.timedelta(minutes=15)
    assert [lock_delay(n).total_seconds() for n in range(4, 10)] == [0, 30, 60, 120, 240, 300]
    assert lock_delay(10_000) == MAX_DELAY
    assert [wait_text(dt.timedelta(seconds=s)) for s in (0.2, 30, 29.4, 119, 120, 121, 900)] == \
        ["1 s", "30 s", "30 s", "119 s", "2 min", "3 min", "15 min"]
    assert client_key("203.0.113.7", "token") == "ip:203.0.113.7"
    assert client_key("2001:DB8:0:0::1", "token") == "ip:2001:db8::1"
    assert client_key("not an address", "token") == client_key(object(), "token") == client_key(None, "token")
    session_key = client_key(None, "token")
    assert session_key.startswith("session:") and "token" not in session_key and len(session_key) <= 64


def test_six_wrong_passwords_then_the_right_one_is_refused_until_the_delay_has_passed(factory):
    clock = Clock(START)
    for _ in range(MAX_FAILURES):
        assert login(factory, clock).outcome == FAILURE
        clock.advance(milliseconds=300)  # 1.5 s for the lot, as in the issue
    refused = login(factory, clock, right=True)  # the right password is not even checked
    assert refused.outcome == LOCKED and dt.timedelta(seconds=29) < refused.wait <= FIRST_DELAY
    clock.advance(seconds=10)
    assert login(factory, clock, right=True).wait <= FIRST_DELAY - dt.timedelta(seconds=10)
    clock.advance(seconds=21)
    assert login(factory, clock, right=True).outcome == SUCCESS


def test_the_delay_doubles_at_each_further_failure_up_to_the_cap(factory):
    clock = Clock(START)
    for _ in range(MAX_FAILURES):
        login(factory, clock)
    waits = []
    for _ in range(6):
        locked = login(factory, clock)
        assert locked.outcome == LOCKED
        waits.append(round(locked.wait.total_seconds()))
        clock.advance(seconds=waits[-1])
        assert login(factory, clock).outcome == FAILURE  # the lock is over: one more guess, checked and wrong
    assert waits == [30, 60, 120, 240, 300, 300] and MAX_DELAY == dt.timedelta(minutes=5)
    # 17.5 minutes in: the first failures have left the 15-minute window, four remain, the next guess is checked
    assert login(factory, clock).outcome == FAILURE
    assert login(factory, clock).wait == FIRST_DELAY * 2 ** 0  # five in the window again: the ramp restarts


def test_locked_attempts_do_not_extend_the_lock(factory):
    clock = Clock(START)
    for _ in range(MAX_FAILURES):
        login(factory, clock)
    for _ in range(20):  # a person retrying impatiently
        clock.advance(seconds=1)
        assert login(factory, clock, right=True).outcome == LOCKED
    clock.advance(seconds=10)
    assert login(factory, clock, right=True).outcome == SUCCESS


def test_failures_older_than_the_window_are_forgotten(factory):
    clock = Clock(START)
    for _ in range(MAX_FAILURES - 1):
        login(factory, clock)
    clock.advance(minutes=16)
    for _ in range(MAX_FAILURES - 1):
        assert login(factory, clock).outcome == FAILURE
    assert login(factory, clock, right=True).outcome == SUCCESS


def test_per_account_lock_holds_against_every_client_and_leaves_other_accounts_alone(factory):
    clock = Clock(START)
    for i in range(MAX_FAILURES):  # a guess at alice's password from each of five addresses
        login(factory, clock, client=f"ip:198.51.100.{i}")
    assert login(factory, clock, client="ip:192.0.2.99", right=True).outcome == LOCKED
    # bob, from one of those addresses, is not locked: the account lock is alice's, the address has one failure
    assert login(factory, clock, account="bob", client="ip:198.51.100.0", right=True).outcome == SUCCESS
    clock.advance(seconds=31)
    assert login(factory, clock, client="ip:192.0.2.99", right=True).outcome == SUCCESS
    # alice's success forgives her earlier failures: four new typos do not lock her
    for _ in range(MAX_FAILURES - 1):
        assert login(factory, clock, client=f"ip:192.0.2.{clock.now.second}").outcome == FAILURE
        clock.advance(seconds=1)
    assert login(factory, clock, client="ip:192.0.2.200", right=True).outcome == SUCCESS


def test_per_client_lock_holds_across_accounts_and_a_success_on_its_own_account_resets_nothing(factory):
    clock = Clock(START)
    attacker = "ip:203.0.113.66"
    for i in range(MAX_FAILURES):  # one guess at each of five accounts: no account reaches its limit
        login(factory, clock, account=f"staff{i}", client=attacker)
    assert login(factory, clock, account="carol", client=attacker, right=True).outcome == LOCKED
    assert login(factory, clock, account="carol", client="ip:192.0.2.1", right=True).outcome == SUCCESS
    clock.advance(seconds=31)
    # The attacker holds one account (mallory): logging into it does not clear the address's failures, so the
    # next wrong guess at someone else locks the address again, for twice as long.
    assert login(factory, clock, account="mallory", client=attacker, right=True).outcome == SUCCESS
    assert login(factory, clock, account="alice", client=attacker).outcome == FAILURE
    locked = login(factory, clock, account="dave", client=attacker, right=True)
    assert locked.outcome == LOCKED and locked.wait == 2 * FIRST_DELAY


@pytest.mark.parametrize("name", ["", "a" * 101, "x" * 1_000_000, "ali\x00ce", "alice\r\nbob", "alice\x1b[31m",
                                  "\u202ealice", "ali\u200bce", "al\ud800ice"])
def test_invalid_account_names_never_reach_the_database(factory, name):
    clock = Clock(START)
    assert login(factory, clock, account=name, right=True).outcome == INVALID
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
    assert login(factory, clock, account="a" * 100 + "").outcome == FAILURE  # the longest valid name is stored
    assert failed_logins(factory)["account"].tolist() == ["a" * 100]


def test_hostile_but_printable_names_are_stored_and_logged_literally(factory):
    clock = Clock(START)
    names = ["<script>alert(1)</script>", "'; DROP TABLE login_attempt; --", "=HYPERLINK(\"x\")", "Ａｌｉｃｅ 🧬"]
    for name in names:
        assert login(factory, clock, account=name).outcome == FAILURE
        clock.advance(seconds=1)
    assert failed_logins(factory)["account"].tolist() == names[::-1]


def test_the_log_lists_failures_and_refusals_newest_first_but_no_success(factory):
    clock = Clock(START)
    for _ in range(MAX_FAILURES):
        login(factory, clock, client="ip:203.0.113.9")
        clock.advance(seconds=1)
    login(factory, clock, client="ip:203.0.113.9", right=True)  # refused
    login(factory, clock, account="bob", client="ip:192.0.2.1", right=True)  # success: not in the log
    log = failed_logins(factory)
    assert log["outcome"].tolist() == [LOCKED] + [FAILURE] * MAX_FAILURES
    assert set(log["account"]) == {"alice"} and set(log["client"]) == {"ip:203.0.113.9"}
    assert log["attempted_at"].iloc[0] == START + dt.timedelta(seconds=MAX_FAILURES)
    assert log["attempted_at"].is_monotonic_decreasing


def test_old_attempts_are_pruned(factory):
    clock = Clock(START)
    login(factory, clock)
    clock.advance(days=RETENTION.days + 1)
    login(factory, clock, account="bob")
    assert failed_logins(factory)["account"].tolist() == ["bob"]


def test_parallel_guesses_from_several_instances_get_no_more_than_the_free_attempts(database_url):
    """Twenty guesses at once, through four engines (as four app processes would hold), each from its own
    address: the attempts are recorded before the slow password check, so the sixth onwards are refused."""
    migrate(database_url)
    instances = [sessionmaker(make_engine(database_url), expire_on_commit=False) for _ in range(4)]
    checked = []
    lock = threading.Lock()
    start = threading.Barrier(20)

    def slow_wrong_password():
        with lock:
            checked.append(1)
        time.sleep(0.2)  # bcrypt's cost
        return False

    def guess(i):
        start.wait()
        return attempt_login(instances[i % 4], "alice", f"ip:198.51.100.{i}", slow_wrong_password).outcome

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes.count(FAILURE) == len(checked) == MAX_FAILURES
    assert outcomes.count(LOCKED) == 20 - MAX_FAILURES
    for instance in instances:
        instance.kw["bind"].dispose()


# --- the login form (AppTest) --------------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def staff_hash():
    return hash_password(PASSWORD)


def login_page(monkeypatch, accounts: dict[str, str], page="views/quality.py", lang="fr") -> AppTest:
    monkeypatch.setenv("STAFF_ACCOUNTS", ",".join(f"{user}:{hashed}" for user, hashed in accounts.items()))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if lang != "fr":
        app.query_params["lang"] = lang
    app.run()
    app.switch_page(page)
    return app.run()


def submit_login(app: AppTest, user: str, password: str) -> AppTest:
    app.text_input[0].input(user)
    app.text_input[1].input(password)
    return app.button[0].click().run()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_form_says_how_long_to_wait_then_the_log_shows_the_failures(monkeypatch, staff_hash, lang):
    user = f"staff-{uuid.uuid4().hex[:8]}"  # an account of its own: the app's database is shared by the run
    app = login_page(monkeypatch, {user: staff_hash}, lang=lang)
    for _ in range(MAX_FAILURES):
        submit_login(app, user, "wrong password!")
        assert not app.exception and app.error[0].value in ("Identifiant ou mot de passe incorrect.",
                                                            "Wrong user name or password.")
    submit_login(app, user, PASSWORD)
    assert "staff_user" not in app.session_state
    message = app.error[0].value
    expected = "réessayez dans" if lang == "fr" else "try again in"
    assert expected in message and message.rstrip(".").endswith(" s"), message
    seconds = int(message.rstrip(" s.").rsplit(" ", 1)[1])
    assert 0 < seconds <= 30

    # Another staff member, logged in, reads the log at the end of the data-quality page.
    other = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    other.run()
    other.session_state["staff_user"] = "bob"
    other.switch_page("views/quality.py")
    other.run()
    assert not other.exception
    log = other.dataframe[-1].value
    mine = log[log.iloc[:, 0] == user]
    assert len(mine) == MAX_FAILURES + 1
    # AppTest has no IP address: the session's key, in words
    assert mine.iloc[:, 1].str.startswith("session de navigateur ").all()
    assert not mine.iloc[:, 1].str.contains("session:").any()
    assert other.expander[-1].label in ("Connexions de l'équipe échouées", "Failed staff logins")


def test_an_invalid_name_gets_a_clear_message_and_no_query(monkeypatch, staff_hash):
    app = login_page(monkeypatch, {"alice": staff_hash})
    submit_login(app, "alice\x00", PASSWORD)
    assert not app.exception and "caractère de contrôle" in app.error[0].value
    assert "staff_user" not in app.session_state
    submit_login(app, "", PASSWORD)  # nothing typed: the usual message
    assert app.error[0].value == "Identifiant ou mot de passe incorrect."


def test_the_right_password_still_logs_in(monkeypatch, staff_hash):
    user = f"staff-{uuid.uuid4().hex[:8]}"
    app = login_page(monkeypatch, {user: staff_hash})
    submit_login(app, user, PASSWORD)
    assert not app.exception and app.session_state["staff_user"] == user


def test_migration_0004_goes_down_and_up_again(database_url):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from ecosystem.corrections.db import MIGRATIONS

    migrate(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    engine = make_engine(database_url)
    assert "login_attempt" in inspect(engine).get_table_names()
    command.downgrade(config, "0003")
    assert "login_attempt" not in inspect(engine).get_table_names()
    command.upgrade(config, "0004")
    columns = {column["name"] for column in inspect(engine).get_columns("login_attempt")}
    assert columns == {"id", "account", "client", "outcome", "attempted_at"}
    engine.dispose()
