"""Directory: a searchable, sortable table of the filtered players; a shareable profile at ?id=<entity id>."""

import streamlit as st
from streamlit_folium import st_folium

from ecosystem.filters import filter_entities
from ecosystem.i18n import t
from ecosystem.profile import profile_html
from ecosystem.proximity import position_is_vague, within_km
from ecosystem.selection import directory_rows, table_rows
from geo.basemaps import basemap_from_env
from geo.mapping import base_map, entity_layers, proximity_layer
from views._shared import (correction_url, current_language, entities, export_buttons, filter_sidebar,
                           marker_rows)

NEARBY_KM = 2.0

lang = current_language()
data = entities()
requested = st.query_params.get("id")


def close_profile() -> None:
    del st.query_params["id"]


if requested:
    st.button(t("back_to_directory", lang), on_click=close_profile, key="back")
    if requested not in set(data["id"]):
        st.warning(t("unknown_entity", lang, id=requested))
        st.stop()
    entity = data[data["id"] == requested].iloc[0]
    near = within_km(data, requested, NEARBY_KM)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.html(profile_html(entity, lang, f"{correction_url(lang)}{requested}"))
        st.caption(f"{t('share_link', lang)} : `?id={requested}`")
    vague = position_is_vague(entity)  # somewhere in Paris: no distance circle, a zoom showing the whole city
    with right:
        fmap = base_map(basemap_from_env(), lang)
        layers = [*entity_layers(data[data["id"].isin([requested, *near["id"]])], lang, correction_url(lang),
                                 marker_rows(lang)),
                  proximity_layer(None if vague else entity, near, NEARBY_KM, lang)]
        st_folium(fmap, key="profile_map", height=380, use_container_width=True, feature_group_to_add=layers,
                  center=(entity["lat"], entity["lon"]), zoom=11 if vague else 14, returned_objects=[])
    st.subheader(t("nearby", lang, km=NEARBY_KM))
    if vague:
        st.info(t("paris_without_arrondissement", lang))
        st.stop()
    st.dataframe(table_rows(near, lang, with_distance=True), hide_index=True, width="stretch",
                 column_config={t("website", lang): st.column_config.LinkColumn()})
    st.stop()

filters = filter_sidebar(lang)
shown = filter_entities(data, filters).sort_values("name")
st.title(t("page_directory", lang))
st.caption(t("shown_count", lang, shown=len(shown), total=len(data)))
st.write(t("directory_intro", lang))
table = directory_rows(shown, lang)
event = st.dataframe(
    table, hide_index=True, width="stretch", height=560, key="directory_table",
    on_select="rerun", selection_mode="single-row",
    column_order=[c for c in table.columns if c != "id"],
    column_config={
        t("website", lang): st.column_config.LinkColumn(),
        t("facet_therapeutic_areas", lang): st.column_config.ListColumn(),
        t("facet_modalities", lang): st.column_config.ListColumn(),
        t("facet_roles", lang): st.column_config.ListColumn(),
    },
)
if event.selection.rows:
    st.query_params["id"] = table["id"].iloc[event.selection.rows[0]]
    st.rerun()

export_buttons(shown, filters, lang)
