"""Map: the filtered players, clustered; one click opens a player's popup and card; proximity search; the list.

Everything a person chooses here is in the URL (`/carte?kind=company&id=…&near=…&km=5&layer=dep`), so the view,
the selected profile included, is a link to share.
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

from ecosystem.filters import filter_entities
from ecosystem.i18n import number, t
from ecosystem.profile import profile_html
from ecosystem.proximity import position_is_vague, within_km
from ecosystem.selection import entity_at, ids_by_name, table_rows
from ecosystem.stats import commune_counts, departement_counts
from ecosystem.urlstate import parse_choice, parse_km
from geo.basemaps import basemap_from_env
from geo.boundaries import load_communes, load_departements
from geo.mapping import (COMMUNE_BREAKS, DEPARTEMENT_BREAKS, base_map, choropleth_layer, entity_layers, fit_view,
                         footprint_layer, proximity_layer)
from views._shared import (app_url, bring_into_view, copyable_link, correction_url, distance_column, embed_snippet,
                           entities, export_buttons, filter_sidebar, footprints, marker_rows, marker_source,
                           no_match, profile_link)
from views._state import current_language, kept, set_view_value, show_in_url, view_value, view_widget

PAGE = "carte"
LAYERS = ("none", "dep", "commune")
DEFAULT_KM = 5.0

lang = current_language()
filters = filter_sidebar(lang)
data = entities()
shown = filter_entities(data, filters)
names = dict(zip(data["id"], data["name"]))
known_id = lambda value: parse_choice(value, names)  # noqa: E731


def map_clicked() -> None:
    """A click on a marker selects its player (a click on a cluster bubble or on the background selects none)."""
    clicked = entity_at(entities(), (st.session_state.get("map") or {}).get("last_object_clicked"))
    if clicked is not None:
        set_view_value(PAGE, "id", clicked)
        st.session_state["map_card_moved"] = st.session_state.get("map_card_moved", 0) + 1


embedded = bool(st.context.is_embedded)  # in another site's page (?embed=true): the map and its count only
if not embedded:
    st.title(t("page_map", lang), anchor=False)
st.caption(t("shown_count", lang, count=len(shown), total=len(data)))

layer = st.segmented_control(t("choropleth_mode", lang), LAYERS,
                             format_func=lambda mode: t(f"choropleth_{mode}", lang),
                             **view_widget(PAGE, "layer", lambda v: parse_choice(v, LAYERS, "none"))) or "none"
# The proximity search's settings are drawn under the map, but they shape it: read from the session and the URL.
origin_id = view_value(PAGE, "near", known_id)
radius_km = view_value(PAGE, "km", lambda v: parse_km(v, DEFAULT_KM))
origin = data.set_index("id").loc[origin_id] if origin_id else None
origin_is_vague = origin is not None and position_is_vague(origin)  # somewhere in Paris: no distances
near = within_km(shown, origin_id, radius_km) if origin_id else shown.iloc[0:0]

selected = view_value(PAGE, "id", known_id)
if selected not in set(shown["id"]):
    selected = None  # filtered out since it was chosen: no card for a player the map does not show
params = show_in_url(lang, filters, id=selected, near=origin_id,
                     km=None if radius_km == DEFAULT_KM else f"{radius_km:g}", layer=None if layer == "none" else layer)
if embedded:
    st.link_button(t("embed_open_full", lang), app_url(PAGE, params), icon=":material/open_in_new:")
if shown.empty:  # not a blank map: say so, with the way out
    no_match(lang)
    st.stop()
map_column, card_column = st.columns([5, 2], gap="medium")
with map_column:
    layers = []
    if layer == "dep":
        layers.append(choropleth_layer(departement_counts(shown), load_departements(), DEPARTEMENT_BREAKS,
                                       t("layer_choropleth_dep", lang), lang, keep_zero=True))
    elif layer == "commune":
        layers.append(choropleth_layer(commune_counts(shown), load_communes(), COMMUNE_BREAKS,
                                       t("layer_choropleth_commune", lang), lang, keep_zero=False))
    circle = None if origin is None or origin_is_vague else (origin["lat"], origin["lon"], radius_km)
    layers += [
        footprint_layer(footprints()[footprints()["id"].isin(shown["id"])], lang),
        *entity_layers(shown, lang, correction_url(lang), marker_rows(lang), selected=selected,
                       view=fit_view(shown, circle), rows_url=marker_source()),
        proximity_layer(None if origin_is_vague else origin, near, radius_km, lang),
    ]
    # Only clicks come back to Python: panning and zooming do not rerun the script.
    st_folium(base_map(basemap_from_env(), lang), key="map", height=620, use_container_width=True,
              feature_group_to_add=layers, layer_control=folium.LayerControl(collapsed=True),
              returned_objects=["last_object_clicked"], on_change=map_clicked)

    unplaced_in_paris = int(position_is_vague(shown).sum())
    if layer == "commune" and unplaced_in_paris:
        st.caption(t("choropleth_paris_gap", lang, count=unplaced_in_paris))

with card_column:
    if selected:
        entity = data.set_index("id").loc[selected].copy()
        entity["id"] = selected
        st.html(profile_html(entity, lang, f"{correction_url(lang)}{selected}"))
        profile_link(selected, lang, origin=PAGE)
        if not embedded:
            st.button(t("proximity_from_card", lang), icon=":material/radar:", on_click=set_view_value,
                      args=(PAGE, "near", selected), disabled=selected == origin_id)
            copyable_link(params, lang)
        bring_into_view(".profile", st.session_state.get("map_card_moved", 0))
    else:
        st.info(t("profile_hint", lang))
if embedded:
    st.stop()  # the proximity search, the list and the exports are on the full map

if origin_id and st.session_state.get("proximity_opened_for") != origin_id:
    st.session_state["proximity_open"] = True  # a new search (from a link or the card): show its settings once
    st.session_state["proximity_opened_for"] = origin_id
with st.expander(t("proximity_title", lang), key="proximity_open", on_change="rerun") as proximity:
    if proximity.open:  # drawn only when open: its picker lists every player (hundreds of KB at 20,000)
        left, right = st.columns([3, 1])
        left.selectbox(t("proximity_origin", lang), [None, *ids_by_name(names)],
                       format_func=lambda i: t("proximity_none", lang) if i is None else names[i],
                       **view_widget(PAGE, "near", known_id))
        right.number_input(t("proximity_radius", lang), min_value=0.5, max_value=50.0, step=0.5,
                           **view_widget(PAGE, "km", lambda v: parse_km(v, DEFAULT_KM)))
if origin_is_vague:
    st.info(t("paris_without_arrondissement", lang))
elif origin_id:
    title = t("proximity_result", lang, count=len(near), km=number(radius_km, lang, decimals=1),
              name=names[origin_id])
    st.subheader(title)
    if len(near):  # none: the title says so (an empty grid would say "empty", in English)
        st.dataframe(table_rows(near, lang, with_distance=True), hide_index=True, width="stretch",
                     column_config=distance_column(lang))
    export_buttons(near, lang, key="near", file_stem="biotherapies-idf-proximite", scope=title, filters=filters)

# The list is drawn on demand: the directory is the page for tables, and a grid drawn at once competes with the
# map's frame for the browser's time (issue 11's first-markers budget).
if st.toggle(t("table_toggle", lang, count=len(shown)), **kept("map_list", False)):
    st.dataframe(table_rows(shown, lang), hide_index=True, width="stretch",
                 column_config={t("website", lang): st.column_config.LinkColumn()})
st.subheader(t("exports", lang))
export_buttons(shown, lang, key="shown", filters=filters)
with st.expander(t("embed_title", lang), icon=":material/code:"):
    embed_snippet(lang, filters, heading=False, layer=params.get("layer"))
