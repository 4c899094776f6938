"""Directory: a sortable table of the filtered players. A click on a row opens its profile (/fiche?id=…);
ticking rows builds a shortlist, kept across filter changes, to export."""

import hashlib

import streamlit as st

from ecosystem.filters import filter_entities
from ecosystem.i18n import t
from ecosystem.selection import by_name, directory_rows, table_rows
from views._shared import entities, export_buttons, filter_sidebar, no_match
from views._state import current_language, is_session_opening, page_params, show_in_url

TABLE_PREFIX = "directory_table_"
SHORTLIST = "shortlist"  # ids, in the order they were picked

lang = current_language()
data = entities()
if is_session_opening() and st.query_params.get("id"):  # a profile link of earlier versions: /annuaire?id=…
    st.switch_page("views/profile.py", query_params=page_params(lang, id=st.query_params["id"]))


def table_selected(key: str) -> None:
    """A click on a cell opens that row's profile; the ticked rows are the shortlist (rows picked under other
    filters stay in it). The positions are those of the table as drawn (sorting in the browser keeps them)."""
    selection = st.session_state[key].selection
    ids = st.session_state["directory_ids"]
    if selection.cells:
        st.session_state["open_profile"] = ids[selection.cells[0][0]]
    ticked = [ids[row] for row in selection.rows]
    listed = set(ids)
    previous = st.session_state.get(SHORTLIST, [])
    st.session_state[SHORTLIST] = ([i for i in previous if i not in listed or i in ticked]
                                   + [i for i in ticked if i not in previous])


def clear_shortlist() -> None:
    st.session_state[SHORTLIST] = []


filters = filter_sidebar(lang)
opening = st.session_state.pop("open_profile", None)
if opening:
    # The filters travel in the profile's URL: switch_page first shows its parameters on this page's address,
    # the history entry Back returns to, which must reopen this table as it was.
    st.session_state["profile_origin"] = "annuaire"
    st.switch_page("views/profile.py", query_params=page_params(lang, filters, id=opening))

show_in_url(lang, filters)
shown = by_name(filter_entities(data, filters))
st.title(t("page_directory", lang), anchor=False)
st.caption(t("shown_count", lang, count=len(shown), total=len(data)))
st.write(t("directory_intro", lang))
if shown.empty:  # not an empty grid: say so, with the way out (the shortlist below stays)
    no_match(lang)
table = directory_rows(shown, lang)
shortlist = [i for i in st.session_state.get(SHORTLIST, []) if i in set(data["id"])]
st.session_state["directory_ids"] = list(table["id"])
# One widget per list of rows: when the filters change the rows, Streamlit's grid drops the first click made on a
# table whose data changed under the same key; a new key gives a fresh grid. The table shows the shortlist as
# ticked rows: the state is written into the widget (see views/_state.py).
table_key = TABLE_PREFIX + hashlib.sha1("|".join(table["id"]).encode()).hexdigest()[:12]
st.session_state[table_key] = {"selection": {"rows": [i for i, entity in enumerate(table["id"])
                                                      if entity in shortlist], "columns": [], "cells": []}}
if not shown.empty:
    st.dataframe(
        table, hide_index=True, width="stretch", height=560, key=table_key,
        on_select=lambda: table_selected(table_key), selection_mode=["multi-row", "single-cell"],
        column_order=[c for c in table.columns if c != "id"],
        column_config={
            t("website", lang): st.column_config.LinkColumn(),
            t("facet_therapeutic_areas", lang): st.column_config.ListColumn(),
            t("facet_modalities", lang): st.column_config.ListColumn(),
            t("facet_roles", lang): st.column_config.ListColumn(),
        },
    )

st.subheader(t("shortlist_title", lang, count=len(shortlist)))
if shortlist:
    picked = data.set_index("id").loc[shortlist].reset_index()
    st.dataframe(table_rows(picked, lang), hide_index=True, width="stretch")
    export_buttons(picked, lang, key="shortlist", file_stem="biotherapies-idf-selection",
                   scope=t("shortlist_scope", lang, count=len(picked)))
    st.button(t("shortlist_clear", lang), on_click=clear_shortlist, icon=":material/clear_all:")
else:
    st.info(t("shortlist_empty", lang))

if not shown.empty:
    st.subheader(t("exports", lang))
    export_buttons(shown, lang, key="shown", filters=filters)
