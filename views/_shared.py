"""Streamlit glue shared by the pages: cached data, language and filter state mirrored in the URL.

No business rule here: filtering, counting and URL encoding are functions of `ecosystem`.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ecosystem.exports import export_metadata, to_csv_bytes, to_geojson_bytes, to_xlsx_bytes
from ecosystem.filters import Filters, facet_selections
from ecosystem.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from ecosystem.corrections.db import connect
from ecosystem.corrections.service import current_raw
from ecosystem.corrections.service import data_version as current_version
from ecosystem.loading import load_footprints, to_geodataframe
from ecosystem.schema import FILTER_FACETS
from ecosystem.stats import facet_counts
from ecosystem.urlstate import MAX_TEXT_LENGTH, TEXT_PARAM, filters_from_query, filters_to_query
from ecosystem.vocabulary import load_vocabulary
from geo.mapping import marker_json

FILTERS_KEY = "filters"  # a plain session key: survives pages where the filter widgets are not drawn
WIDGET_PREFIX = "filter_"


@st.cache_resource(show_spinner=False)
def corrections_db():
    """Session factory of the corrections database (SQLite in var/, or DATABASE_URL), migrated on first use."""
    return connect()


def data_version() -> str:
    """Version of the live data (one cheap query): changes when a correction is applied or reverted, on any
    instance, so that every visitor sees it at their next interaction."""
    return current_version(corrections_db())


@st.cache_resource(show_spinner=False, max_entries=2)
def _entities_at(version: str):
    return to_geodataframe(current_raw(corrections_db()))


def entities():
    """The live entity GeoDataFrame (seed + accepted corrections), shared read-only by every session."""
    return _entities_at(data_version())


@st.cache_resource(show_spinner=False, max_entries=4)
def _marker_rows_at(lang: str, version: str):
    return marker_json(_entities_at(version), lang)


def marker_rows(lang: str):
    """Every entity's marker row as JSON, built once per language and data version; a rerun only slices it."""
    return _marker_rows_at(lang, data_version())


@st.cache_resource(show_spinner=False, max_entries=2)
def _footprints_at(version: str):
    return load_footprints(_entities_at(version))


def footprints():
    return _footprints_at(data_version())


def correction_url(lang: str) -> str:
    """Prefix of the "Suggest a correction" link, completed with an entity id."""
    return "correction?" + ("" if lang == DEFAULT_LANGUAGE else f"lang={lang}&") + "id="


def current_language() -> str:
    """The language of the URL (?lang=en), else the session's; written back to the URL so that links keep it.

    Streamlit drops query parameters when the sidebar navigation changes page: the session remembers.
    """
    requested = st.query_params.get("lang")
    if requested in LANGUAGES:
        st.session_state["lang"] = requested
    lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    if lang != DEFAULT_LANGUAGE and requested != lang:
        st.query_params["lang"] = lang
    return lang


def language_selector() -> None:
    """FR/EN switch in the sidebar; the choice lives in the URL (?lang=en) so a shared link keeps it."""
    lang = current_language()
    choice = st.sidebar.segmented_control(
        "Langue / Language", options=LANGUAGES, default=lang, format_func=str.upper, key="language_choice"
    )
    if choice and choice != lang:
        st.session_state["lang"] = choice
        if choice == DEFAULT_LANGUAGE:
            del st.query_params["lang"]
        else:
            st.query_params["lang"] = choice
        st.rerun()


# Why the filter state is not the widgets' own state
# ---------------------------------------------------
# A multiselect sends back to the server the *label* the browser shows (its format_func output), not the option
# key, and Streamlit maps it back through the labels of the current run. Our labels carry live counts
# ("Entreprise (139)") and the interface language, which change whenever another facet or the language changes:
# the browser then still holds "Entreprise (139)" while the server only knows "Entreprise (57)", so at the next
# interaction of any kind the old label matches no option and the facet silently empties itself (issue 11).
# Hence one source of truth, `Filters` under FILTERS_KEY (mirrored in the URL): every run writes it into each
# widget before drawing it, so that the browser receives this run's labels, and a widget's on_change writes only
# that widget's new value back. The same holds for any widget whose labels change (see `kept`).

def is_history_navigation() -> bool:
    """True when this run comes from the browser's Back/Forward buttons: then the URL, not the session, is the
    state to show (the rule Streamlit applies to its own URL-bound widgets)."""
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.is_history_navigation)


def current_filters() -> Filters:
    """The filters to show: the URL's on a session's first page and after Back/Forward, else the session's."""
    if FILTERS_KEY not in st.session_state or is_history_navigation():
        st.session_state[FILTERS_KEY] = filters_from_query(st.query_params.to_dict())
    return st.session_state[FILTERS_KEY]


def _write_url(filters: Filters) -> None:
    query = filters_to_query(filters)
    for param in (*FILTER_FACETS, TEXT_PARAM):
        if param in query:
            if st.query_params.get(param) != query[param]:
                st.query_params[param] = query[param]
        elif param in st.query_params:
            del st.query_params[param]


def _facet_changed(facet: str) -> None:
    state = st.session_state
    state[FILTERS_KEY] = state[FILTERS_KEY].with_facet(facet, state[WIDGET_PREFIX + facet])


def _text_changed() -> None:
    state = st.session_state
    state[FILTERS_KEY] = replace(state[FILTERS_KEY], text=state[WIDGET_PREFIX + TEXT_PARAM])


def _reset() -> None:
    st.session_state[FILTERS_KEY] = Filters()


def filter_sidebar(lang: str) -> Filters:
    """Facets with counts (each computed with the other facets applied), text search and reset."""
    data = entities()
    filters = current_filters()
    _write_url(filters)
    vocabulary = load_vocabulary()
    sidebar = st.sidebar
    sidebar.header(t("filters", lang))
    selections = facet_selections(data, filters)
    st.session_state[WIDGET_PREFIX + TEXT_PARAM] = filters.text
    sidebar.text_input(t("search", lang), key=WIDGET_PREFIX + TEXT_PARAM, on_change=_text_changed,
                       max_chars=MAX_TEXT_LENGTH)
    for facet in FILTER_FACETS:
        key = WIDGET_PREFIX + facet
        st.session_state[key] = list(filters.selected(facet))  # the state, in this run's labels (see above)
        counts = facet_counts(selections[facet], facet, vocabulary, lang)
        labels = dict(zip(counts["key"], counts["label"]))
        numbers = dict(zip(counts["key"], counts["count"]))
        sidebar.multiselect(
            t(f"facet_{facet}", lang), options=list(counts["key"]), key=key,
            on_change=_facet_changed, args=(facet,),
            format_func=lambda k, labels=labels, numbers=numbers: f"{labels.get(k, k)} ({numbers.get(k, 0)})",
            placeholder="—",
        )
    sidebar.button(t("reset_filters", lang), on_click=_reset, width="stretch", disabled=filters.is_empty)
    return filters


def kept(key: str, default):
    """Keyword arguments that make a widget keep its value across reruns, pages and language switches.

    The value lives under a plain session key and is written into the widget before each draw, for the reason
    given above `is_history_navigation`. Use: `st.segmented_control(..., **kept("choropleth", "none"))`.
    """
    store = f"kept_{key}"
    st.session_state.setdefault(store, default)
    st.session_state[key] = st.session_state[store]
    return {"key": key, "on_change": _keep, "args": (key,)}


def _keep(key: str) -> None:
    st.session_state[f"kept_{key}"] = st.session_state[key]


def csv_download(table, file_name: str, lang: str, key: str) -> None:
    """A table as CSV (UTF-8 with BOM, so that French Excel shows accents)."""
    st.download_button(t("download_csv", lang), table.to_csv(index=False).encode("utf-8-sig"),
                       file_name=file_name, mime="text/csv", key=key, icon=":material/download:")


def export_buttons(shown, filters: Filters, lang: str) -> None:
    """The filtered selection as CSV (comma or semicolon), GeoJSON and XLSX with a metadata sheet.

    Files are generated when a button is clicked (deferred data), not at every rerun.
    """
    data_date = str(max(entities()["updated"].dropna(), default=""))
    st.subheader(t("exports", lang))
    columns = st.columns(4)
    columns[0].download_button(t("export_csv", lang), lambda: to_csv_bytes(shown), "biotherapies-idf.csv", "text/csv",
                               key="export_csv", width="stretch")
    columns[1].download_button(t("export_csv_semicolon", lang), lambda: to_csv_bytes(shown, ";"),
                               "biotherapies-idf-excel.csv", "text/csv", key="export_csv_semicolon",
                               width="stretch")
    columns[2].download_button(t("export_geojson", lang), lambda: to_geojson_bytes(shown), "biotherapies-idf.geojson",
                               "application/geo+json", key="export_geojson", width="stretch")
    columns[3].download_button(t("export_xlsx", lang),
                               lambda: to_xlsx_bytes(shown, export_metadata(filters, len(shown), data_date, lang)), "biotherapies-idf.xlsx",
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               key="export_xlsx", width="stretch")
