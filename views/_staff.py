"""Login shared by the staff pages (moderation, import, data quality)."""

from __future__ import annotations

import streamlit as st

from ecosystem.corrections.auth import accounts_from_environment, check_password
from ecosystem.i18n import t


def staff_accounts() -> dict[str, str]:
    accounts = accounts_from_environment()
    try:
        accounts.update(dict(st.secrets.get("staff", {})))
    except FileNotFoundError:  # no secrets.toml: environment only
        pass
    return accounts


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
        user = st.text_input(t("user", lang), max_chars=100)
        password = st.text_input(t("password", lang), type="password", max_chars=200)
        if st.form_submit_button(t("sign_in", lang)):
            if check_password(accounts, user, password):
                st.session_state["staff_user"] = user
                st.rerun()
            st.error(t("wrong_password", lang))
    st.stop()
