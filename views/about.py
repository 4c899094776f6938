"""About: what the data is, where it comes from, its licence and how to correct it (FR/EN)."""

import streamlit as st

from ecosystem.i18n import t
from views._state import current_language, show_in_url

lang = current_language()
show_in_url(lang)
st.title(t("page_about", lang))

st.markdown(t("about_md", lang))
st.page_link("views/moderation.py", label=t("staff_access", lang), icon=":material/lock:")
