"""Login shared by the staff pages (moderation, import, data quality), throttled per account and per client
(ecosystem/corrections/throttle.py: counters in the database, so they hold across app instances)."""

from __future__ import annotations

import secrets

import streamlit as st

from ecosystem.corrections import lengths
from ecosystem.corrections.auth import accounts_from_environment, check_password
from ecosystem.corrections.throttle import INVALID, LOCKED, attempt_login, client_key, wait_text
from ecosystem.i18n import t
from views._shared import corrections_db


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


def require_staff(lang: str) -> str:
    """The logged-in staff member's name; otherwise draws the login form and stops the page."""
    reviewer = st.session_state.get("staff_user")
    if reviewer:
        if st.sidebar.button(t("sign_out", lang), key="sign_out"):
            del st.session_state["staff_user"]
            st.rerun()
        st.sidebar.caption(reviewer)
        return reviewer
    accounts = staff_accounts()
    if not accounts:
        st.warning(t("no_accounts", lang))
        st.stop()
    with st.form("login"):
        st.subheader(t("login", lang))
        user = st.text_input(t("user", lang), max_chars=lengths.REVIEWER)
        password = st.text_input(t("password", lang), type="password", max_chars=200)
        if st.form_submit_button(t("sign_in", lang)):
            result = attempt_login(corrections_db(), user, login_client(),
                                   lambda: check_password(accounts, user, password))
            if result.ok:
                st.session_state["staff_user"] = user
                st.rerun()
            elif result.outcome == LOCKED:
                st.error(t("login_locked", lang, wait=wait_text(result.wait)))
            elif result.outcome == INVALID and user:  # an empty name is simply a wrong login
                st.error(t("login_invalid_name", lang))
            else:
                st.error(t("wrong_password", lang))
    st.stop()
