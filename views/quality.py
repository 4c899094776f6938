"""Staff data-quality page: completeness, entries to check, stale, misplaced, duplicated or untagged entries,
each linked to its profile and to the correction form; at the end, the log of failed staff logins (a staff-only
page that nobody else is editing the layout of, and where a closed expander costs the page nothing)."""

import pandas as pd
import streamlit as st

from ecosystem.corrections.service import current_raw
from ecosystem.corrections.throttle import FAILURE_WINDOW, MAX_FAILURES, RETENTION, failed_logins
from ecosystem.i18n import field_label, t
from ecosystem.quality import likely_duplicates, not_verified, outside_commune, to_review, without_tags
from ecosystem.stats import completeness
from views._shared import corrections_db
from views._state import current_language, show_in_url
from views._staff import require_staff

lang = current_language()
show_in_url(lang)
st.title(t("page_quality", lang))
require_staff(lang)
raw = current_raw(corrections_db())
suffix = "" if lang == "fr" else f"lang={lang}&"


def linked(items: pd.DataFrame) -> None:
    """Items with links to the profile and the correction form (same tab: staff keep their session)."""
    if items.empty:
        st.caption(t("none_found", lang))
        return
    table = items.rename(columns={"name": t("field_name", lang), "detail": t("detail", lang),
                                  "other_name": t("other", lang)}).drop(columns=["other_id"], errors="ignore")
    table[t("profile", lang)] = [f"fiche?{suffix}id={i}" for i in items["id"]]
    table[t("correct", lang)] = [f"correction?{suffix}id={i}" for i in items["id"]]
    st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch", column_config={
        t("profile", lang): st.column_config.LinkColumn(display_text="↗"),
        t("correct", lang): st.column_config.LinkColumn(display_text="✎"),
    })


st.subheader(t("completeness", lang))
filled = completeness(raw)
filled["column"] = filled["column"].map(lambda c: field_label(c, lang))
st.dataframe(filled.rename(columns={"column": t("field", lang), "filled": t("filled", lang)}), hide_index=True,
             column_config={t("filled", lang): st.column_config.ProgressColumn(min_value=0, max_value=1,
                                                                                 format="percent")})
st.subheader(t("quality_to_review", lang))
linked(to_review(raw))
months = st.slider(t("months", lang), 1, 36, 12)
st.subheader(t("quality_stale", lang, months=months))
linked(not_verified(raw, months))
st.subheader(t("quality_outside", lang))
linked(outside_commune(raw))
st.subheader(t("quality_duplicates", lang))
linked(likely_duplicates(raw))
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
        attempts["attempted_at"] = attempts["attempted_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
        st.dataframe(attempts.rename(columns={"account": t("login_account", lang), "client": t("login_client", lang),
                                              "attempted_at": t("login_time", lang),
                                              "outcome": t("login_outcome", lang)}),
                     hide_index=True, width="stretch")
