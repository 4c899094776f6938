"""Home: what the map covers, key figures by kind and by département, the data's date and source."""

import streamlit as st

from ecosystem.i18n import t
from ecosystem.stats import departement_counts, kind_counts
from ecosystem.vocabulary import load_vocabulary
from views._shared import current_language, entities

lang = current_language()
vocabulary = load_vocabulary()
data = entities()

st.title(t("app_title", lang))
st.caption(t("app_subtitle", lang))
st.write(t("home_intro", lang))

st.subheader(t("key_figures", lang))
for column, (kind, count) in zip(st.columns(3), kind_counts(data).items()):
    column.metric(vocabulary.label("kind", kind, lang), count)

st.subheader(t("by_departement", lang))
by_dep = departement_counts(data).rename(columns={"key": "code", "label": t("departement", lang),
                                                   "count": t("count", lang)})
st.dataframe(by_dep, hide_index=True, width="content")

st.caption(t("data_line", lang, rows=len(data), updated=max(data["updated"].dropna(), default="—")))
st.caption(t("to_review_line", lang, count=int((data["status"] == "to_review").sum())))
