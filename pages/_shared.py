"""Streamlit glue shared by the pages: cached data, language from the URL. No business rule here."""

from __future__ import annotations

import streamlit as st

from ecosystem.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ecosystem.loading import load_entities


@st.cache_resource(show_spinner=False)
def entities():
    """The entity GeoDataFrame, loaded once per process and shared read-only by every session."""
    return load_entities()


def current_language() -> str:
    lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language_selector() -> None:
    """FR/EN switch in the sidebar; the choice lives in the URL (?lang=en) so a shared link keeps it."""
    lang = current_language()
    choice = st.sidebar.segmented_control(
        "Langue / Language", options=LANGUAGES, default=lang, format_func=str.upper, key="language_choice"
    )
    if choice and choice != lang:
        if choice == DEFAULT_LANGUAGE:
            del st.query_params["lang"]
        else:
            st.query_params["lang"] = choice
        st.rerun()
