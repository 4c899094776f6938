"""About: what the data is, where it comes from, its licence and how to correct it (FR/EN); the code to embed the
map in another site's page."""

import streamlit as st

from ecosystem.i18n import t
from views._shared import embed_snippet
from views._state import current_filters, current_language, show_in_url

lang = current_language()
show_in_url(lang)
st.title(t("page_about", lang), anchor=False)

st.markdown(t("about_md", lang))
# The map as last seen in this session (filters of the sidebar, statistical layer), in another site's page.
layer = st.session_state.get("view_carte_layer")
embed_snippet(lang, current_filters(), layer=layer if layer in ("dep", "commune") else None)
st.page_link("views/map.py", label=t("embed_choose_filters", lang), icon=":material/tune:",
             query_params={"lang": lang} if lang != "fr" else None)
st.page_link("views/moderation.py", label=t("staff_access", lang), icon=":material/lock:")
