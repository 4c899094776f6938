"""Staff data-quality page: completeness, entries to check, stale, misplaced, duplicated or untagged entries,
each linked to its profile and to the correction form; at the end, the log of failed staff logins (a staff-only
page that nobody else is editing the layout of, and where a closed expander costs the page nothing)."""

import pandas as pd
import streamlit as st

from ecosystem.corrections.service import current_raw
from ecosystem.corrections.throttle import FAILURE_WINDOW, MAX_FAILURES, RETENTION, failed_logins
from ecosystem.corrections.display import EMPTY, staff_field_label
from ecosystem.i18n import t
from ecosystem.quality import likely_duplicates, not_verified, outside_commune, to_review, without_tags
from ecosystem.stats import completeness
from views._shared import corrections_db
from views._state import current_language, show_in_url
from views._staff import require_staff

lang = current_language()
show_in_url(lang)
st.title(t("page_quality", lang), anchor=False)
require_staff(lang)
raw = current_raw(corrections_db())
suffix = "" if lang == "fr" else f"lang={lang}&"


def linked(items: pd.DataFrame) -> None:
    """Items with links to the profile and the correction form (same tab: staff keep their session); an empty
    detail is shown as "—", a detail column empty throughout is left out."""
    if items.empty:
        st.caption(t("none_found", lang))
        return
    items = items.copy()
    details = items["detail"].map(lambda value: str(value).strip() if isinstance(value, str) else "")
    table = pd.DataFrame({t("field_name", lang): items["name"]})
    if "other_name" in items:
        table[t("other", lang)] = items["other_name"]
    if details.ne("").any():
        table[t("detail", lang)] = details.replace("", EMPTY)
    table[t("profile", lang)] = [f"fiche?{suffix}id={i}" for i in items["id"]]
    table[t("correct", lang)] = [f"correction?{suffix}id={i}" for i in items["id"]]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        t("profile", lang): st.column_config.LinkColumn(display_text="↗"),
        t("correct", lang): st.column_config.LinkColumn(display_text="✎"),
    })


def readable_client(client: str) -> str:
    """"ip:203.0.113.7" and "session:3fa2…" (throttle.client_key) as people read them."""
    kind, _, value = client.partition(":")
    return t(f"staff_client_{kind}", lang, value=value) if kind in ("ip", "session") else client


st.subheader(t("completeness", lang))
filled = completeness(raw)
filled["column"] = filled["column"].map(lambda c: staff_field_label(c, lang))
st.dataframe(filled.rename(columns={"column": t("field", lang), "filled": t("filled", lang)}), hide_index=True,
             column_config={t("filled", lang): st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                 format="percent")})
st.subheader(t("quality_to_review", lang))
linked(to_review(raw))
months = st.slider(t("months", lang), 1, 36, 12)
st.subheader(t("quality_stale", lang, months=months))
linked(not_verified(raw, months, lang=lang))
st.subheader(t("quality_outside", lang))
linked(outside_commune(raw, lang))
st.subheader(t("quality_duplicates", lang))
linked(likely_duplicates(raw, lang))
st.subheader(t("quality_untagged", lang))
linked(without_tags(raw))

with st.expander(t("failed_logins_title", lang)):
    st.caption(t("failed_logins_caption", lang, failures=MAX_FAILURES, minutes=FAILURE_WINDOW.seconds // 60,
                 days=RETENTION.days))
    attempts = failed_logins(corrections_db())
    if attempts.empty:
        st.caption(t("failed_logins_none", lang))
    else:
        attempts["outcome"] = attempts["outcome"].map(lambda o: t(f"login_outcome_{o}", lang))
        attempts["client"] = attempts["client"].map(readable_client)
        attempts["attempted_at"] = attempts["attempted_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
        st.dataframe(attempts.rename(columns={"account": t("login_account", lang), "client": t("login_client", lang),
                                              "attempted_at": t("login_time", lang),
                                              "outcome": t("login_outcome", lang)}),
                     hide_index=True, width="stretch")
