"""Streamlit entry point: page set-up, language, navigation. Page scripts live in views/.

Not in pages/: when a pages/ folder exists, Streamlit runs the first session after each start in its legacy
multipage mode, so a shared deep link (/carte?…) opened first shows a "Page not found" dialog.

The first run of a session shows the title and a loading message at once, before the heavy imports (geopandas,
folium, the data): without them, the page stayed white for a second and a half.
"""

import streamlit as st

from ecosystem.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

embedded = bool(st.context.is_embedded)  # ?embed=true: the map inside another site's page
st.set_page_config(page_title="Biothérapies IdF", page_icon="static/favicon.png", layout="wide",
                   initial_sidebar_state="collapsed" if embedded else "auto")

loading = st.empty()
if "page_current" not in st.session_state:  # a session's first run: say something before the slow part
    asked = st.query_params.get("lang")
    with loading.container():
        early = asked if asked in LANGUAGES else DEFAULT_LANGUAGE
        if not embedded:
            st.title(t("app_title", early), anchor=False)
        st.caption(t("loading", early))

from views._shared import language_selector  # noqa: E402  (heavy: after the loading message)
from views._staff import SIGNED_IN  # noqa: E402
from views._state import current_language, enter_page, requested_page  # noqa: E402
from streamlit.errors import StreamlitAPIException  # noqa: E402

lang = current_language()
public = [
    st.Page("views/home.py", title=t("page_home", lang), icon=":material/home:", default=True),
    st.Page("views/map.py", title=t("page_map", lang), icon=":material/map:", url_path="carte"),
    st.Page("views/analyses.py", title=t("page_analyses", lang), icon=":material/bar_chart:", url_path="analyses"),
    st.Page("views/directory.py", title=t("page_directory", lang), icon=":material/list:", url_path="annuaire"),
    st.Page("views/profile.py", title=t("page_profile", lang), icon=":material/id_card:", url_path="fiche",
            visibility="hidden"),
    st.Page("views/correction.py", title=t("page_correction", lang), icon=":material/edit:",
            url_path="correction"),
    st.Page("views/about.py", title=t("page_about", lang), icon=":material/info:", url_path="a-propos"),
]
# Staff pages keep their addresses for everyone (they show the login form), but are listed only once a staff
# member is signed in, in a section of their own.
signed_in = bool(st.session_state.get(SIGNED_IN))
staff_listed = "visible" if signed_in else "hidden"
staff = [
    st.Page("views/moderation.py", title=t("page_moderation", lang), icon=":material/fact_check:",
            url_path="moderation", visibility=staff_listed),
    st.Page("views/importer.py", title=t("page_import", lang), icon=":material/upload_file:", url_path="import",
            visibility=staff_listed),
    st.Page("views/quality.py", title=t("page_quality", lang), icon=":material/rule:", url_path="qualite",
            visibility=staff_listed),
]
# An address that is none of these (/nimportequoi): Streamlit would run home under an English "Page not found"
# dialog; a hidden page at that very address says it in the interface language instead.
unknown = requested_page()
if unknown and unknown not in {page.url_path for page in public + staff}:
    try:
        staff.append(st.Page("views/not_found.py", title=t("page_not_found", lang), icon=":material/help:",
                             url_path=unknown, visibility="hidden"))
    except StreamlitAPIException:  # not a possible page address ("a/b"): Streamlit's dialog, then home
        pass
# Embedded, the map stands alone: no list of pages (the sidebar keeps the language and the filters).
navigation = st.navigation({t("section_public", lang): public, t("section_staff", lang): staff} if signed_in
                           else public + staff, position="hidden" if embedded else "sidebar")
enter_page(navigation.url_path)
language_selector()
loading.empty()
navigation.run()
