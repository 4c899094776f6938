"""Profile of one player at `/fiche?id=<entity id>`: its card, its own marker on a small map with the players
around it, a link to share, and a way back to where the person came from (with their filters)."""

import streamlit as st
from streamlit_folium import st_folium

from ecosystem.i18n import number, t
from ecosystem.profile import profile_html
from ecosystem.proximity import position_is_vague, within_km
from ecosystem.selection import table_rows
from geo.basemaps import basemap_from_env
from geo.mapping import base_map, entity_layers, fit_view, proximity_layer
from views._shared import copyable_link, correction_url, distance_column, entities, export_buttons, marker_rows
from views._state import current_filters, current_language, page_params, show_in_url

NEARBY_KM = 2.0
PARIS_VIEW_KM = 6.0  # a profile placed only "somewhere in Paris" shows the whole city
BACK = {"carte": ("views/map.py", "back_to_map"), "annuaire": ("views/directory.py", "back_to_directory")}

lang = current_language()
data = entities()
requested = st.query_params.get("id")  # the URL is this page's state: it is only ever opened by a link
filters = current_filters()  # not used here, kept in the URL: Back and the back link reopen the list as it was
origin_page, back_label = BACK[st.session_state.get("profile_origin", "annuaire")]
st.page_link(origin_page, label=t(back_label, lang), query_params=page_params(lang, filters) or None)

if requested not in set(data["id"]):
    show_in_url(lang, filters, id=requested)
    st.title(t("page_profile", lang), anchor=False)
    st.warning(t("unknown_entity", lang, id=requested or ""))
    st.stop()

show_in_url(lang, filters, id=requested)
entity = data[data["id"] == requested].iloc[0]
vague = position_is_vague(entity)  # somewhere in Paris: no distance circle, a view of the whole city
near = within_km(data, requested, NEARBY_KM)
left, right = st.columns([3, 2], gap="large")
with left:
    st.html(profile_html(entity, lang, f"{correction_url(lang)}{requested}"))
    copyable_link(page_params(lang, id=requested), lang)  # the profile alone, without the list's filters
with right:
    around = data[data["id"].isin([requested, *near["id"]])]
    circle = (entity["lat"], entity["lon"], PARIS_VIEW_KM if vague else NEARBY_KM)
    layers = [*entity_layers(around, lang, correction_url(lang), marker_rows(lang), selected=requested,
                             view=fit_view(around, circle), clustering=False, focus_zoom=None),
              proximity_layer(None if vague else entity, near.iloc[0:0], NEARBY_KM, lang)]  # circle, no rings
    st_folium(base_map(basemap_from_env(), lang), key="profile_map", height=380, use_container_width=True,
              feature_group_to_add=layers, returned_objects=[])
st.subheader(t("nearby", lang, km=number(NEARBY_KM, lang)))
if vague:
    st.info(t("paris_without_arrondissement", lang))
    st.stop()
if near.empty:  # not an empty grid (Streamlit writes "empty" in it, in English): say so
    st.caption(t("nearby_none", lang, km=number(NEARBY_KM, lang)))
    st.stop()
st.dataframe(table_rows(near, lang, with_distance=True), hide_index=True, width="stretch",
             column_config={t("website", lang): st.column_config.LinkColumn(), **distance_column(lang)})
if len(near):
    export_buttons(near, lang, key="nearby", file_stem="biotherapies-idf-voisins",
                   scope=t("nearby", lang, km=number(NEARBY_KM, lang)) + f" — {entity['name']}")
