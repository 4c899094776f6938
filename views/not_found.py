"""An address that is no page of the app (/nimportequoi): says so in the interface language, with a link home,
instead of Streamlit's English "Page not found" dialog over the home page (see app.py)."""

import streamlit as st

from ecosystem.i18n import t
from views._state import current_language, language_params, show_in_url

lang = current_language()
show_in_url(lang)
st.title(t("page_not_found", lang), anchor=False)
st.write(t("not_found_text", lang, path=st.session_state.get("page_current", "")))
st.page_link("views/home.py", label=t("not_found_home", lang), icon=":material/home:",
             query_params=language_params(lang) or None)
