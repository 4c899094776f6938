"""Streamlit entry point: page set-up, language, navigation. Pages live in pages/."""

import streamlit as st

from pages._shared import current_language, language_selector
from ecosystem.i18n import t

st.set_page_config(page_title="Biothérapies IdF", page_icon="🧬", layout="wide")

lang = current_language()
navigation = st.navigation([
    st.Page("pages/home.py", title=t("page_home", lang), icon="🏠", default=True, url_path="home"),
    st.Page("pages/about.py", title=t("page_about", lang), icon="ℹ️", url_path="about"),
])
language_selector()
navigation.run()
