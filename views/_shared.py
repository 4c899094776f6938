"""Streamlit glue shared by the pages: cached data, the language switch, the filter sidebar, export buttons.

No business rule here: filtering, counting and URL encoding are functions of `ecosystem`; what a person has
chosen lives in views/_state.py.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urlencode

import streamlit as st

from ecosystem.exports import (CODES, EXPORT_FORMATS, EXPORT_VARIANTS, ExportRequest, describe_filters,
                               table_csv_bytes)
from ecosystem.filters import Filters, facet_selections
from ecosystem.i18n import DEFAULT_LANGUAGE, LANGUAGES, number, t
from ecosystem.corrections.db import connect
from ecosystem.corrections.service import current_raw
from ecosystem.corrections.service import data_version as current_version
from ecosystem.loading import load_footprints, to_geodataframe
from ecosystem.schema import FILTER_FACETS
from ecosystem.stats import facet_counts
from ecosystem.urlstate import MAX_TEXT_LENGTH, TEXT_PARAM
from ecosystem.vocabulary import load_vocabulary
from geo.mapping import marker_json
from geo.marker_store import publish
from views._state import (absolute_url, current_filters, current_language, facet_widget, page_params,
                          reset_filters, set_language)


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
def _marker_source_at(version: str) -> str | None:
    return publish(_marker_rows_at(DEFAULT_LANGUAGE, version))


def marker_source() -> str | None:
    """URL of every marker row of the live data (see geo/marker_store.py), or None when it cannot be written."""
    return _marker_source_at(data_version())


@st.cache_resource(show_spinner=False, max_entries=2)
def _footprints_at(version: str):
    return load_footprints(_entities_at(version))


def footprints():
    return _footprints_at(data_version())


def correction_url(lang: str) -> str:
    """Prefix of the "Suggest a correction" link, completed with an entity id."""
    return "correction?" + ("" if lang == DEFAULT_LANGUAGE else f"lang={lang}&") + "id="


def language_selector() -> None:
    """FR/EN switch in the sidebar (the choice is then shown in every page's URL as ?lang=en)."""
    lang = current_language()
    st.session_state["language_choice"] = lang
    st.sidebar.segmented_control("Langue / Language", options=LANGUAGES, format_func=str.upper,
                                 key="language_choice", on_change=_language_changed)


def _language_changed() -> None:
    set_language(st.session_state["language_choice"] or current_language())  # a click on the chosen one: keep


def filter_sidebar(lang: str) -> Filters:
    """Facets with counts (each computed with the other facets applied), text search and reset."""
    data = entities()
    filters = current_filters()
    vocabulary = load_vocabulary()
    sidebar = st.sidebar
    sidebar.header(t("filters", lang))
    selections = facet_selections(data, filters)
    sidebar.text_input(t("search", lang), max_chars=MAX_TEXT_LENGTH, **facet_widget(TEXT_PARAM))
    for facet in FILTER_FACETS:
        counts = facet_counts(selections[facet], facet, vocabulary, lang)
        labels = dict(zip(counts["key"], counts["label"]))
        numbers = dict(zip(counts["key"], counts["count"]))
        sidebar.multiselect(
            t(f"facet_{facet}", lang), options=list(counts["key"]), placeholder="—", select_all=False,
            format_func=lambda k, labels=labels, numbers=numbers, lang=lang:
                f"{labels.get(k, k)} ({number(numbers.get(k, 0), lang)})",
            **facet_widget(facet),
        )
    sidebar.button(t("reset_filters", lang), on_click=reset_filters, width="stretch", disabled=filters.is_empty)
    return filters


def distance_column(lang: str) -> dict:
    """Column settings of a table's distances: one decimal, written as the visitor's browser writes numbers (the
    grid formats numbers in the browser; it takes no language from the app)."""
    return {t("distance_km", lang): st.column_config.NumberColumn(format="localized", step=0.1)}


def no_match(lang: str) -> None:
    """What a page says instead of an empty map, empty charts or an empty table: no player matches the filters,
    with the sidebar's reset at hand."""
    with st.container(border=True, key="no_match"):
        st.markdown(f"**{t('no_match', lang)}**")
        st.caption(t("no_match_hint", lang))
        st.button(t("reset_filters", lang), on_click=reset_filters, icon=":material/filter_alt_off:",
                  key="no_match_reset", type="primary")


def csv_download(table, file_name: str, lang: str, key: str) -> None:
    """A table as CSV (UTF-8 with BOM, so that French Excel shows accents; formula-like text neutralised)."""
    st.download_button(t("download_csv", lang), lambda: table_csv_bytes(table), file_name=file_name,
                       mime="text/csv", key=key, icon=":material/download:")


def export_buttons(selection, lang: str, *, key: str, filters: Filters | None = None, scope: str = "",
                   file_stem: str = "biotherapies-idf") -> None:
    """`selection` in two rows of buttons, one per variant: readable (labels in `lang`, typed XLSX) and codes (the
    data file's format, for tools and re-import), each as CSV (comma or semicolon), GeoJSON and XLSX with a
    metadata sheet. `key` tells apart the several exports of a page (what is shown, a proximity result, a
    shortlist) and `scope` how the rows were chosen. The codes buttons keep the keys they had before the readable
    variant (export_<key>_<format>); the readable ones are export_<key>_readable_<format>. Files are generated when
    a button is clicked (deferred data), not at every rerun."""
    request = ExportRequest(filters or Filters(), str(max(entities()["updated"].dropna(), default="")), lang, scope)
    st.caption(t("export_count", lang, count=len(selection)))
    for variant in EXPORT_VARIANTS:
        explained = t(f"export_variant_{variant}_help", lang)
        prefix = f"export_{key}_" + ("" if variant == CODES else f"{variant}_")
        with st.container(horizontal=True, vertical_alignment="center", gap="small", key=f"{prefix}row"):
            st.markdown(f"**{t(f'export_variant_{variant}', lang)}**", help=explained, width=230)
            for spec in EXPORT_FORMATS[variant]:
                st.download_button(t(f"export_{spec.key}", lang), lambda spec=spec: spec.build(selection, request),
                                   spec.file_name(file_stem, lang), spec.mime, key=prefix + spec.key,
                                   disabled=len(selection) == 0, icon=":material/download:")


def profile_link(entity_id: str, lang: str, origin: str) -> None:
    """Link to a player's full profile page; `origin` is the page the profile's back link returns to."""
    st.session_state["profile_origin"] = origin
    st.page_link("views/profile.py", label=t("open_profile", lang), icon=":material/id_card:",
                 query_params=page_params(lang, current_filters(), id=entity_id))


def copyable_link(params: dict[str, str], lang: str) -> None:
    """The full address of this view, with Streamlit's copy button."""
    with st.container(key="share_link"):
        st.caption(t("share_link", lang))
        st.code(absolute_url(params), language=None, wrap_lines=True)


def bring_into_view(selector: str, nonce: int) -> None:
    """On a narrow screen, scrolls the element matching `selector` into view once per new `nonce` (a card drawn
    below the map after a click would otherwise stay below the fold)."""
    st.html(
        "<script>(function () {"
        f"var nonce = {json.dumps(str(nonce))}, selector = {json.dumps(selector)};"
        "if (window.__broughtIntoView === nonce || window.innerWidth >= 640) { return; }"
        "window.__broughtIntoView = nonce;"
        "var tries = 0, look = function () { var el = document.querySelector(selector);"
        " if (el) { el.scrollIntoView({behavior: 'smooth', block: 'start'}); }"
        " else if (tries++ < 20) { window.setTimeout(look, 100); } }; look();"
        "})();</script>", unsafe_allow_javascript=True)


# --- embedding the map in another site -----------------------------------------------------------------------------

EMBED_PARAM = "embed"  # Streamlit's own: no toolbar, header nor footer (the app hides its page list too)
EMBED_HEIGHT = 720


def app_url(page: str, params: dict[str, str]) -> str:
    """Full address of the app's `page` (its url_path, "" for home) with `params`, from the address this page was
    opened at."""
    here = (st.context.url or "").rstrip("/")
    current = st.session_state.get("page_current") or ""
    base = here.removesuffix("/" + current) if current else here
    return f"{base}/{page}".rstrip("/") + ("?" + urlencode(params) if params else "")


def embed_code(lang: str, filters: Filters, **own: str | None) -> str:
    """The HTML to paste into another site's page: the map page in embedded mode with these filters."""
    src = app_url("carte", {EMBED_PARAM: "true", **page_params(lang, filters, **own)})
    return (f'<iframe src="{html.escape(src)}" title="{html.escape(t("embed_iframe_title", lang))}" '
            f'width="100%" height="{EMBED_HEIGHT}" style="border:0" loading="lazy"></iframe>')


def embed_snippet(lang: str, filters: Filters, heading: bool = True, **own: str | None) -> None:
    """"Embed this map": the iframe code of the map with the current filters, with Streamlit's copy button."""
    if heading:
        st.subheader(t("embed_title", lang))
    st.write(t("embed_intro", lang))
    st.caption(t("embed_filters", lang, filters=describe_filters(filters, lang, t("embed_no_filter", lang))))
    st.code(embed_code(lang, filters, **own), language="html", wrap_lines=True)

