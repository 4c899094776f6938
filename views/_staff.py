"""Login shared by the staff pages (moderation, import, data quality), throttled per account and per client
(ecosystem/corrections/throttle.py: counters in the database, so they hold across app instances).

A sign-in survives a page reload (ecosystem/corrections/staff_sessions.py): a password login opens a session
whose random token goes into a cookie (SameSite=Strict, Path=/, Secure over https, Max-Age of a working day),
set by a small script on the page; a reload starts a new Streamlit session, which reads the cookie
(`st.context.cookies`) and resumes the sign-in if the token is still valid (not idle for two hours, not revoked).
Sign-out revokes the token in the database and clears the cookie. The password never leaves the login form.
"""

from __future__ import annotations

import secrets

import streamlit as st

from ecosystem.corrections import lengths
from ecosystem.corrections.auth import accounts_from_environment, check_password
from ecosystem.corrections.staff_sessions import COOKIE_NAME, cookie_script, open_session, resume, revoke
from ecosystem.corrections.throttle import INVALID, LOCKED, attempt_login, client_key, wait_text
from ecosystem.i18n import t
from views._shared import corrections_db

SIGNED_IN = "staff_user"  # the staff member's name (read by app.py for the navigation)
TOKEN = "staff_session_token"  # the session token of this sign-in (its hash is in the database)
COOKIE = "staff_cookie"  # a cookie change to make on the next page run: "set" or "clear"
REFUSED = "staff_refused_token"  # a cookie token already found invalid in this browser session: not asked again
ENDED = "staff_session_ended"  # the sign-in ended elsewhere (sign-out in another tab, idle time): say so once


def staff_accounts() -> dict[str, str]:
    accounts = accounts_from_environment()
    try:
        accounts.update(dict(st.secrets.get("staff", {})))
    except FileNotFoundError:  # no secrets.toml: environment only
        pass
    return accounts


def login_client() -> str:
    """The client a login attempt comes from, for the per-client limit.

    Streamlit's st.context.ip_address (the TCP peer of the browser's connection) when it has one: it survives a
    new tab or a cleared cookie, which is what a guessing script would use to start afresh. It is None on
    localhost (and behind a reverse proxy it is the proxy's address, shared by every visitor: there the
    per-client limit becomes a site-wide one, still bounded by the same short delays). Without an address, a
    random token kept in this browser session: a script opening a new session per guess escapes that per-client
    count, but the per-account count, kept in the database, still holds.
    """
    token = st.session_state.setdefault("login_client_token", secrets.token_hex(16))
    return client_key(st.context.ip_address, token)


def browser_token() -> str | None:
    """The session token in the cookie the browser sent when this page was opened (or reloaded)."""
    return st.context.cookies.get(COOKIE_NAME)


def _sign_out_here() -> None:
    for key in (SIGNED_IN, TOKEN):
        st.session_state.pop(key, None)


def signed_in() -> str | None:
    """The signed-in staff member's name, or None: from this browser session, else from the cookie of a
    reload. A sign-in whose token has ended meanwhile (signed out in another tab, idle for too long, password
    changed) ends here too."""
    reviewer, token = st.session_state.get(SIGNED_IN), st.session_state.get(TOKEN)
    if reviewer and token:  # a password or cookie sign-in: still valid? (also records the activity)
        if resume(corrections_db(), token, staff_accounts()) == reviewer:
            return reviewer
        _sign_out_here()
        st.session_state[ENDED] = True
        st.session_state[COOKIE] = "clear"
        return None
    if reviewer:  # signed in by the application itself (tests): nothing to check against
        return reviewer
    cookie = browser_token()
    if not cookie or cookie == st.session_state.get(REFUSED):
        return None
    account = resume(corrections_db(), cookie, staff_accounts())
    if account is None:
        st.session_state[REFUSED] = cookie
        st.session_state[ENDED] = True
        st.session_state[COOKIE] = "clear"
        return None
    st.session_state[SIGNED_IN], st.session_state[TOKEN] = account, cookie
    return account


def _apply_cookie_change() -> None:
    """Set or clear the cookie as the last sign-in or sign-out asked, with a script on this page run."""
    change = st.session_state.pop(COOKIE, None)
    if change == "set" and st.session_state.get(TOKEN):
        st.html(cookie_script(st.session_state[TOKEN]), unsafe_allow_javascript=True)
    elif change == "clear":
        st.html(cookie_script(None), unsafe_allow_javascript=True)


def require_staff(lang: str) -> str:
    """The logged-in staff member's name; otherwise draws the login form and stops the page."""
    was_signed_in = bool(st.session_state.get(SIGNED_IN))
    reviewer = signed_in()
    if reviewer and not was_signed_in:  # just resumed from the cookie: rerun, so the navigation lists staff pages
        st.rerun()
    _apply_cookie_change()
    if reviewer:
        if st.sidebar.button(t("sign_out", lang), key="sign_out"):
            revoke(corrections_db(), st.session_state.get(TOKEN))
            _sign_out_here()
            st.session_state[COOKIE] = "clear"
            st.session_state[REFUSED] = browser_token()  # the token this page was opened with: revoked too
            st.session_state.pop(ENDED, None)
            st.rerun()
        st.sidebar.caption(t("staff_signed_in_as", lang, name=reviewer))
        return reviewer
    accounts = staff_accounts()
    if not accounts:
        st.warning(t("no_accounts", lang))
        st.stop()
    if st.session_state.pop(ENDED, False):
        st.info(t("staff_session_ended", lang), icon=":material/lock_clock:")
    with st.form("login"):
        st.subheader(t("login", lang))
        user = st.text_input(t("user", lang), max_chars=lengths.REVIEWER)
        password = st.text_input(t("password", lang), type="password", max_chars=200)
        if st.form_submit_button(t("sign_in", lang)):
            result = attempt_login(corrections_db(), user, login_client(),
                                   lambda: check_password(accounts, user, password))
            if result.ok:
                st.session_state[SIGNED_IN] = user
                st.session_state[TOKEN] = open_session(corrections_db(), user, accounts[user])
                st.session_state[COOKIE] = "set"
                st.rerun()
            elif result.outcome == LOCKED:
                st.error(t("login_locked", lang, wait=wait_text(result.wait)))
            elif result.outcome == INVALID and user:  # an empty name is simply a wrong login
                st.error(t("login_invalid_name", lang))
            else:
                st.error(t("wrong_password", lang))
    st.stop()
