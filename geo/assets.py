"""Front-end assets served by the app itself (static/vendor), in place of the CDN URLs folium declares.

folium elements list their scripts and stylesheets in `default_js` / `default_css`; streamlit-folium loads exactly
those lists in its frame, in order. `localise_assets` rewrites them to our copies and refuses any asset we do not
vendor, so a new plugin cannot silently bring a CDN back (see ../shared/notes/offline-folium.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import branca
import folium
import folium.elements

STATIC_URL = "/app/static/vendor"
OWN_URL = "/app/static/js"  # the app's own scripts

# Name folium gives an asset -> our copy. Assets folium declares but the map does not need are mapped to None
# (dropped): bootstrap and awesome-markers are only used by folium.Icon, which this app does not use.
LOCAL_ASSETS: dict[str, str | None] = {
    "leaflet": f"{STATIC_URL}/leaflet/leaflet.js",
    "leaflet_css": f"{STATIC_URL}/leaflet/leaflet.css",
    "jquery": f"{STATIC_URL}/jquery/jquery.min.js",
    # MarkerCluster serves only the benchmark's naive page (bench/naive_app.py); the app clusters with Supercluster.
    "markerclusterjs": f"{STATIC_URL}/markercluster/leaflet.markercluster.js",
    "markerclustercss": f"{STATIC_URL}/markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": f"{STATIC_URL}/markercluster/MarkerCluster.Default.css",
    "superclusterjs": f"{STATIC_URL}/supercluster/supercluster.min.js",
    "entitymapjs": f"{OWN_URL}/entity-map.js",
    "Control.Fullscreen.js": f"{STATIC_URL}/fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": f"{STATIC_URL}/fullscreen/Control.FullScreen.css",
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
}


class UnvendoredAsset(LookupError):
    pass


def walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from walk(child)


def _local(assets: list[tuple[str, str]]) -> list[tuple[str, str]]:
    local = []
    for name, url in assets:
        if name not in LOCAL_ASSETS:
            raise UnvendoredAsset(f"{name} ({url}) is not vendored under static/vendor")
        if LOCAL_ASSETS[name] is not None:
            local.append((name, LOCAL_ASSETS[name]))
    return local


def localise_assets(element: branca.element.Element) -> branca.element.Element:
    """Point every script and stylesheet of `element` and its children at the app's own copies."""
    for node in walk(element):
        if isinstance(node, branca.colormap.ColorMap):
            # streamlit-folium adds d3 from a CDN for any branca colour map: legends are drawn in HTML instead.
            raise UnvendoredAsset("branca colour maps pull d3 from a CDN")
        if isinstance(node, folium.elements.JSCSSMixin):
            node.default_js = _local(node.default_js)
            node.default_css = _local(node.default_css)
    return element


def asset_links(element: branca.element.Element) -> tuple[list[str], list[str]]:
    """(scripts, stylesheets) the streamlit-folium frame will load for `element`, as it collects them."""
    scripts, styles = [], []
    for node in walk(element):
        scripts += [url for _, url in getattr(node, "default_js", [])]
        styles += [url for _, url in getattr(node, "default_css", [])]
    return list(dict.fromkeys(scripts)), list(dict.fromkeys(styles))
