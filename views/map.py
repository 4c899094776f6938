"""Map: filtered players on a clustered map, a profile card on click, proximity search, and the list."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from ecosystem.filters import filter_entities
from ecosystem.i18n import t
from ecosystem.profile import profile_html
from ecosystem.proximity import position_is_vague, within_km
from ecosystem.selection import entity_at, table_rows
from ecosystem.stats import commune_counts, departement_counts
from geo.basemaps import basemap_from_env
from geo.boundaries import load_communes, load_departements
from geo.mapping import (COMMUNE_BREAKS, DEPARTEMENT_BREAKS, base_map, choropleth_layer, choropleth_legend_html,
                         entity_layers, footprint_layer, proximity_layer)
from views._shared import (correction_url, current_language, entities, export_buttons, filter_sidebar,
                           footprints, kept, marker_rows)

lang = current_language()
filters = filter_sidebar(lang)
data = entities()
shown = filter_entities(data, filters)

st.title(t("page_map", lang))
st.caption(t("shown_count", lang, shown=len(shown), total=len(data)))

choropleth = st.segmented_control(t("choropleth_mode", lang), ["none", "dep", "commune"],
                                  format_func=lambda mode: t(f"choropleth_{mode}", lang),
                                  **kept("choropleth", "none")) or "none"
with st.expander(t("proximity_title", lang)):
    left, right = st.columns([3, 1])
    names = dict(zip(data["id"], data["name"]))
    origin_id = left.selectbox(t("proximity_origin", lang), [None, *sorted(names, key=names.get)],
                               format_func=lambda i: t("proximity_none", lang) if i is None else names[i],
                               key="proximity_origin")
    radius_km = right.number_input(t("proximity_radius", lang), min_value=0.5, max_value=50.0, value=5.0,
                                   step=0.5, key="proximity_km")
origin = data.set_index("id").loc[origin_id] if origin_id else None
origin_is_vague = origin is not None and position_is_vague(origin)  # somewhere in Paris: no distances
near = within_km(shown, origin_id, radius_km) if origin_id else shown.iloc[0:0]

map_column, card_column = st.columns([5, 2], gap="medium")
with map_column:
    layers = []
    if choropleth == "dep":
        layers.append(choropleth_layer(departement_counts(shown), load_departements(), DEPARTEMENT_BREAKS,
                                       t("layer_choropleth_dep", lang), lang, keep_zero=True))
    elif choropleth == "commune":
        layers.append(choropleth_layer(commune_counts(shown), load_communes(), COMMUNE_BREAKS,
                                       t("layer_choropleth_commune", lang), lang, keep_zero=False))
    layers += [
        footprint_layer(footprints()[footprints()["id"].isin(shown["id"])], lang),
        *entity_layers(shown, lang, correction_url(lang), marker_rows(lang)),
        proximity_layer(None if origin_is_vague else origin, near, radius_km, lang),
    ]
    # Only clicks come back to Python: panning and zooming do not rerun the script.
    state = st_folium(base_map(basemap_from_env(), lang), key="map", height=620, use_container_width=True,
                      feature_group_to_add=layers, layer_control=folium.LayerControl(collapsed=True),
                      returned_objects=["last_object_clicked"])

    if choropleth in ("dep", "commune"):
        breaks = DEPARTEMENT_BREAKS if choropleth == "dep" else COMMUNE_BREAKS
        st.html(choropleth_legend_html(breaks, t(f"layer_choropleth_{choropleth}", lang)))
    unplaced_in_paris = int(position_is_vague(shown).sum())
    if choropleth == "commune" and unplaced_in_paris:
        st.caption(t("choropleth_paris_gap", lang, count=unplaced_in_paris))

clicked = entity_at(shown, (state or {}).get("last_object_clicked"))
if clicked is not None:
    st.session_state["selected_id"] = clicked
with card_column:
    selected = st.session_state.get("selected_id")
    if selected in set(data["id"]):
        entity = data.set_index("id").loc[selected].copy()
        entity["id"] = selected
        st.html(profile_html(entity, lang, f"{correction_url(lang)}{selected}"))
    else:
        st.info(t("profile_hint", lang))

if origin_is_vague:
    st.info(t("paris_without_arrondissement", lang))
elif origin_id:
    st.subheader(t("proximity_result", lang, count=len(near), km=radius_km, name=names[origin_id]))
    st.dataframe(table_rows(near, lang, with_distance=True), hide_index=True, width="stretch")

st.subheader(t("table_title", lang))
st.dataframe(table_rows(shown, lang), hide_index=True, width="stretch",
             column_config={t("website", lang): st.column_config.LinkColumn()})
export_buttons(shown, filters, lang)
