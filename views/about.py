"""About: what the data is, where it comes from, its licence and how to correct it (FR/EN)."""

import streamlit as st

from ecosystem.i18n import t
from views._shared import current_language, entities

lang = current_language()
st.title(t("page_about", lang))

# Arriving from a popup's or a profile's "Suggest a correction" link (?id=…): say how, for that entry.
requested = st.query_params.get("id")
known = entities().set_index("id")["name"]
if requested in known.index:
    st.info(t("correction_for", lang, name=known[requested], id=requested))

st.markdown(t("about_md", lang))
