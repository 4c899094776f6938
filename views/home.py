"""Home: what the map covers, key figures by kind and by département, an overview map, the data's date and source."""

import pandas as pd
import streamlit as st

from ecosystem.charts import overview_map
from ecosystem.i18n import date_text, number, t
from ecosystem.stats import departement_counts, kind_counts
from ecosystem.vocabulary import load_vocabulary
from geo.boundaries import load_departements
from geo.mapping import KIND_STYLE
from views._shared import entities
from views._state import current_language, show_in_url

lang = current_language()
show_in_url(lang)
vocabulary = load_vocabulary()
data = entities()

st.title(t("app_title", lang), anchor=False)
st.caption(t("app_subtitle", lang))
st.write(t("home_intro", lang))

links = st.columns(4)
for column, (page, key, icon) in zip(links, [("views/map.py", "page_map", ":material/map:"),
                                             ("views/analyses.py", "page_analyses", ":material/bar_chart:"),
                                             ("views/directory.py", "page_directory", ":material/list:"),
                                             ("views/about.py", "page_about", ":material/info:")]):
    column.page_link(page, label=t(key, lang), icon=icon, query_params={"lang": lang} if lang != "fr" else None)

# The key figures across the whole width: each label in full (a third of a half-page column cut "Institut de
# recherche" short); on a phone the columns stack.
st.subheader(t("key_figures", lang))
for column, (kind, count) in zip(st.columns(len(KIND_STYLE)), kind_counts(data).items()):
    column.metric(vocabulary.label("kind", kind, lang), number(count, lang), border=True)

table, overview = st.columns([3, 2], gap="large")
with table:
    st.subheader(t("by_departement", lang))
    # One row per département ("91 Essonne"), one column per kind of player, then the total.
    everyone = departement_counts(data)
    by_dep = pd.DataFrame({t("departement", lang): everyone["key"] + " " + everyone["label"]})
    for kind in KIND_STYLE:
        by_dep[vocabulary.label("kind", kind, lang)] = departement_counts(data[data["kind"] == kind])["count"]
    by_dep[t("total", lang)] = everyone["count"]
    st.dataframe(by_dep, hide_index=True, width="stretch")
with overview:
    st.subheader(t("overview_map", lang))
    kind_labels = {kind: vocabulary.label("kind", kind, lang) for kind in KIND_STYLE}
    kind_colours = {kind: colour for kind, (colour, _) in KIND_STYLE.items()}
    st.altair_chart(overview_map(load_departements(), data, kind_labels, kind_colours), width="stretch")

st.caption(t("data_line", lang, count=len(data), updated=date_text(max(data["updated"].dropna(), default=""), lang)
             or "—"))
st.caption(t("to_review_line", lang, count=int((data["status"] == "to_review").sum())))
st.page_link("views/moderation.py", label=t("staff_access", lang), icon=":material/lock:")
