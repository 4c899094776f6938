"""What a first version of the map page would do: the naive side of `bench/browser.py`.

One `folium.Marker` with an HTML popup per row in a `MarkerCluster`, the whole map rebuilt and sent by
`st_folium` at every rerun, one sidebar multiselect on the kind. Reads ENTITIES_FILE like the app. Two pages
(a home page and /carte) so that it is navigated like the app. Offline: vendored scripts, a max zoom.

The only addition for the benchmark: the cluster is exposed as `window.entityClusters` (and through the
`window.entityMap` contract) so that tests/browser_support.py reads its count as it reads the app's.
"""

import os
import sys
from pathlib import Path

import folium
import folium.plugins
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecosystem.loading import read_entities_csv, to_geodataframe  # noqa: E402
from ecosystem.vocabulary import load_vocabulary  # noqa: E402
from geo.assets import localise_assets  # noqa: E402


class DefaultIconPath(MacroElement):
    """Leaflet's default marker images from the vendored copy (its own guess misses the images/ folder)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = "/app/static/vendor/leaflet/images/";
        {% endmacro %}
    """)


class ExposeCluster(MacroElement):
    """Added last to the cluster: once every marker is in, publishes the cluster for the benchmark."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.entityClusters = {{ this._parent.get_name() }};
        window.entityMap = {ready: function () { return true; },
                            count: function () { return window.entityClusters.getLayers().length; }};
        {% endmacro %}
    """)


@st.cache_data
def load(path: str):
    return to_geodataframe(read_entities_csv(path))


def home() -> None:
    st.title("Accueil")
    st.write("Carte naïve du banc d'essai.")


def carte() -> None:
    data = load(os.environ.get("ENTITIES_FILE", str(ROOT / "data" / "entities.csv")))
    vocabulary = load_vocabulary()
    kinds = st.sidebar.multiselect("Type d'acteur", vocabulary.keys("kind"),
                                   format_func=lambda k: vocabulary.label("kind", k, "fr"))
    shown = data[data["kind"].isin(kinds)] if kinds else data
    st.title("Carte")
    st.caption(f"{len(shown)} acteurs affichés sur {len(data)}")

    fmap = folium.Map(location=(48.71, 2.5), zoom_start=9, tiles=None, max_zoom=18)
    fmap.options["maxZoom"] = 18  # MarkerCluster needs it when there is no tile layer
    DefaultIconPath().add_to(fmap)
    cluster = folium.plugins.MarkerCluster().add_to(fmap)
    for entity in shown.itertuples():
        popup = f"<b>{entity.name}</b><br>{entity.category}<br>{entity.commune_name}<br>{entity.website}"
        folium.Marker((entity.lat, entity.lon), popup=folium.Popup(popup), tooltip=entity.name).add_to(cluster)
    ExposeCluster().add_to(cluster)
    st_folium(localise_assets(fmap), key="map", height=620, use_container_width=True)


st.navigation([st.Page(home, title="Accueil", default=True),
               st.Page(carte, title="Carte", url_path="carte")]).run()
