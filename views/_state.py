"""What a person has chosen (language, filters, selected profile, map settings), kept in the session and shown
in the URL so that any view is a link that reopens identically, and Back/Forward walk through the choices.

Rules, the ones Streamlit applies to its own URL-bound widgets:
- a session's first page, and a run caused by Back/Forward, take their state from the URL;
- a page entered through a link that carries one of its settings (`/correction?id=…`) takes that setting;
- any other run takes it from the session (Streamlit keeps or drops query parameters across pages as it likes);
- each run writes the page's whole state to the URL in one step, so one choice is one history entry.

Why widgets are views of this state, never its owners: a select widget sends back to the server the *label*
the browser shows (its format_func output), not the option key, and Streamlit maps it back through the labels of
the current run. Labels that change from one run to the next — facet options carrying live counts
("Entreprise (139)"), anything translated after the language switch — leave the browser holding a label that
matches no option any more, and the widget silently empties itself at the next interaction (issue 11). So each
run writes the state into the widget before drawing it (the browser receives this run's labels), and the
widget's on_change writes its new value back to the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ecosystem.filters import Filters
from ecosystem.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ecosystem.urlstate import TEXT_PARAM, filters_from_query, filters_to_query

FILTERS_KEY = "filters"  # a plain session key: survives pages where the filter widgets are not drawn
FILTER_WIDGET_PREFIX = "filter_"
LANG_PARAM = "lang"


def is_history_navigation() -> bool:
    """True when this run comes from the browser's Back/Forward buttons."""
    ctx = get_script_run_ctx()
    return bool(ctx and ctx.is_history_navigation)


def _from_url_this_run(store: str) -> bool:
    return store not in st.session_state or is_history_navigation()


def enter_page(name: str) -> None:
    """Called by app.py at every run with the page about to run: tells whether this run enters it, and whether it
    is the session's first (a link opened in a new tab)."""
    st.session_state["session_opening"] = "page_current" not in st.session_state
    st.session_state["page_entered"] = st.session_state.get("page_current") != name
    st.session_state["page_current"] = name


def requested_page() -> str | None:
    """The page address typed or opened as a link ("carte", "nimportequoi"), before st.navigation resolves it;
    None for a click in the app (Streamlit then names the page by its script) and for home."""
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    if manager is None or manager.intended_page_script_hash:
        return None
    return manager.intended_page_name or None


def is_session_opening() -> bool:
    return bool(st.session_state.get("session_opening"))


# --- language -------------------------------------------------------------------------------------------------

def current_language() -> str:
    if _from_url_this_run("lang"):
        requested = st.query_params.get(LANG_PARAM)
        st.session_state["lang"] = requested if requested in LANGUAGES else DEFAULT_LANGUAGE
    return st.session_state["lang"]


def set_language(lang: str) -> None:
    st.session_state["lang"] = lang


def language_params(lang: str) -> dict[str, str]:
    """Query parameters that carry the language in a link (none for the default, French)."""
    return {} if lang == DEFAULT_LANGUAGE else {LANG_PARAM: lang}


# --- filters ----------------------------------------------------------------------------------------------------

def current_filters() -> Filters:
    if _from_url_this_run(FILTERS_KEY):
        st.session_state[FILTERS_KEY] = filters_from_query(st.query_params.to_dict())
    return st.session_state[FILTERS_KEY]


def facet_widget(facet: str) -> dict:
    """Keyword arguments binding a facet's multiselect (or the text search, facet "q") to the filters."""
    key = FILTER_WIDGET_PREFIX + facet
    filters = current_filters()
    st.session_state[key] = filters.text if facet == TEXT_PARAM else list(filters.selected(facet))
    return {"key": key, "on_change": _facet_changed, "args": (facet,)}


def _facet_changed(facet: str) -> None:
    value = st.session_state[FILTER_WIDGET_PREFIX + facet]
    filters = st.session_state[FILTERS_KEY]
    st.session_state[FILTERS_KEY] = (replace(filters, text=value) if facet == TEXT_PARAM
                                     else filters.with_facet(facet, value))


def reset_filters() -> None:
    st.session_state[FILTERS_KEY] = Filters()


# --- a page's own settings ----------------------------------------------------------------------------------------

def view_value(page: str, param: str, parse: Callable[[str | None], object]):
    """A setting of `page` shown in its URL as `param` (the selected profile, a map layer…).

    `parse` turns the URL's text (None when absent) into a valid value, or the default for anything else: a stale
    or hand-edited link still opens.
    """
    store = f"view_{page}_{param}"
    if _from_url_this_run(store) or (st.session_state.get("page_entered") and param in st.query_params):
        st.session_state[store] = parse(st.query_params.get(param))
    return st.session_state[store]


def set_view_value(page: str, param: str, value) -> None:
    st.session_state[f"view_{page}_{param}"] = value


def view_widget(page: str, param: str, parse: Callable[[str | None], object]) -> dict:
    """Keyword arguments binding a widget to a page setting (see `view_value`)."""
    key = f"widget_{page}_{param}"
    st.session_state[key] = view_value(page, param, parse)
    return {"key": key, "on_change": _view_widget_changed, "args": (page, param, key)}


def _view_widget_changed(page: str, param: str, key: str) -> None:
    set_view_value(page, param, st.session_state[key])


def kept(key: str, default) -> dict:
    """Keyword arguments making a widget keep its value across reruns, pages and the language switch, without
    being in the URL (a staff page's list filters, say)."""
    store = f"kept_{key}"
    st.session_state.setdefault(store, default)
    st.session_state[key] = st.session_state[store]
    return {"key": key, "on_change": _keep, "args": (key,)}


def _keep(key: str) -> None:
    st.session_state[f"kept_{key}"] = st.session_state[key]


# --- the URL --------------------------------------------------------------------------------------------------------

def page_params(lang: str, filters: Filters | None = None, **own: str | None) -> dict[str, str]:
    """A page's whole state as query parameters: language, filters (on pages that show them), its own settings."""
    params = language_params(lang)
    if filters is not None:
        params.update(filters_to_query(filters))
    params.update({name: str(value) for name, value in own.items() if value not in (None, "")})
    return params


def show_in_url(lang: str, filters: Filters | None = None, **own: str | None) -> dict[str, str]:
    """Writes the page's state to the URL (one history entry, none when nothing changed); returns the params."""
    params = page_params(lang, filters, **own)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
    return params


def absolute_url(params: dict[str, str]) -> str:
    """The full address of the current page with `params`, to copy and share."""
    base = st.context.url or ""
    return base + ("?" + urlencode(params) if params else "")
