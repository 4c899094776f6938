"""Breakdowns: counts by facet and cross-tabulations of the filtered players, each downloadable as CSV."""

import streamlit as st

from ecosystem.charts import bar_chart, heatmap
from ecosystem.filters import filter_entities
from ecosystem.i18n import t
from ecosystem.stats import crosstab, facet_counts
from ecosystem.vocabulary import load_vocabulary
from views._shared import csv_download, entities, filter_sidebar, no_match
from views._state import current_language, show_in_url

FACETS = ("axes", "therapeutic_areas", "activities", "modalities", "roles", "category", "dep")
CROSSTABS = (("therapeutic_areas", "modalities"), ("activities", "dep"), ("axes", "kind"))

lang = current_language()
filters = filter_sidebar(lang)
show_in_url(lang, filters)
vocabulary = load_vocabulary()
data = entities()
shown = filter_entities(data, filters)

st.title(t("page_analyses", lang), anchor=False)
st.caption(t("shown_count", lang, count=len(shown), total=len(data)))
st.write(t("analyses_intro", lang))
if shown.empty:  # no chart of zeros: say so, with the way out
    no_match(lang)
    st.stop()
st.info(t("multi_tag_note", lang), icon=":material/info:")

count_title = t("count", lang)
for left, right in zip(FACETS[::2], (*FACETS[1::2], None)):
    columns = st.columns(2, gap="large")
    for column, facet in zip(columns, (left, right)):
        if facet is None:
            continue
        with column:
            counts = facet_counts(shown, facet, vocabulary, lang)
            st.subheader(t(f"facet_{facet}", lang))
            if counts["count"].sum():
                st.altair_chart(bar_chart(counts, count_title, lang), width="stretch")
            else:  # none of the players shown has a value here: no chart of zeros
                st.caption(t("chart_no_data", lang))
            csv_download(counts[["key", "label", "count"]], f"{facet}.csv", lang, key=f"csv_{facet}")

st.header(t("crosstabs", lang))
for rows, columns in CROSSTABS:
    table = crosstab(shown, rows, columns, vocabulary, lang)
    row_title, column_title = t(f"facet_{rows}", lang), t(f"facet_{columns}", lang)
    st.subheader(f"{row_title} × {column_title}")
    if table["count"].sum():
        st.altair_chart(heatmap(table, row_title, column_title, count_title, lang), width="stretch")
    else:
        st.caption(t("chart_no_data", lang))
    csv_download(table, f"{rows}_x_{columns}.csv", lang, key=f"csv_{rows}_{columns}")
