"""Building the folium map: a static base (basemap, boundaries, controls, legend) and dynamic layers.

The base map does not depend on the filters, so streamlit-folium keeps it mounted; the layers that do
(entities per kind, choropleths, footprints, proximity) are FeatureGroups passed as `feature_group_to_add` and
swapped in place. Entities travel as compact rows and are turned into markers in the browser, which keeps the
payload small; every value reaches the page through JSON and is HTML-escaped in JavaScript before display, or is
escaped here with `html.escape` when the HTML is built in Python.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from functools import lru_cache

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from ecosystem.i18n import LOCALES, number, t
from ecosystem.vocabulary import load_vocabulary
from geo.assets import LOCAL_ASSETS, localise_assets
from geo.basemaps import BASEMAPS, MAX_ZOOM, NO_BASEMAP
from geo.boundaries import load_departements
from geo.marker_store import positions

IDF_CENTER = (48.71, 2.50)
KIND_STYLE = {  # Okabe-Ito colours (colour-blind safe) and one shape per kind
    "company": ("#0072B2", "circle"),
    "institute": ("#D55E00", "square"),
    "cluster_site": ("#009E73", "diamond"),
}
# Fixed class breaks (lower bounds), so maps stay comparable from one filter to the next. YlGnBu, 6 classes.
CHOROPLETH_COLOURS = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
COMMUNE_BREAKS = (1, 2, 3, 5, 10, 20)
DEPARTEMENT_BREAKS = (1, 5, 10, 25, 50, 100)
TAG_COLUMNS_IN_POPUP = ("therapeutic_areas", "modalities", "roles")
FOCUS_ZOOM = 14  # a player chosen from a link or a list is shown at least this close


def kind_icon_svg(kind: str, size: int = 16) -> str:
    colour, shape = KIND_STYLE[kind]
    half = size / 2
    body = {
        "circle": f'<circle cx="{half}" cy="{half}" r="{half - 1.5}"/>',
        "square": f'<rect x="1.5" y="1.5" width="{size - 3}" height="{size - 3}" rx="2"/>',
        "diamond": f'<polygon points="{half},1 {size - 1},{half} {half},{size - 1} 1,{half}"/>',
    }[shape]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1.5" aria-hidden="true">{body}</svg>')


# --- payloads (pure) -------------------------------------------------------------------------------------------

def popup_labels(lang: str) -> tuple[list[str], dict[tuple[str, str], int]]:
    """Labels the popups may show (categories, then popup tags), and the index of each (facet, key)."""
    vocabulary = load_vocabulary()
    labels, index = [], {}
    for facet in ("category", *TAG_COLUMNS_IN_POPUP):
        for key in vocabulary.keys(facet):
            index[(facet, key)] = len(labels)
            labels.append(vocabulary.label(facet, key, lang))
    return labels, index


def entity_rows(gdf: gpd.GeoDataFrame, lang: str) -> list[list]:
    """One compact row per entity: lat, lon, id, name, kind, category, commune, tags, website.

    Kind is an index into KIND_STYLE; category and tags are indices into `popup_labels(lang)[0]`, whose order is
    the vocabulary's in every language, so that labels travel once per map rather than once per row.
    """
    _, index = popup_labels(lang)
    kinds = {kind: i for i, kind in enumerate(KIND_STYLE)}
    rows = []
    for entity in gdf.itertuples():
        tags = [index[(column, key)] for column in TAG_COLUMNS_IN_POPUP for key in getattr(entity, column)
                if (column, key) in index]
        rows.append([round(entity.lat, 6), round(entity.lon, 6), entity.id, entity.name,
                     kinds.get(entity.kind, 0), index.get(("category", entity.category), -1), entity.commune_name,
                     list(dict.fromkeys(tags)), entity.website or ""])
    return rows


def html_safe_json(value) -> str:
    """JSON that can sit inside a <script> element (as Jinja's tojson makes it)."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027"))


def marker_json(gdf: gpd.GeoDataFrame, lang: str) -> pd.Series:
    """Each entity's row as ready-to-send JSON, indexed like `gdf`.

    Computed once for the whole dataset and sliced for each filter: a rerun then joins strings instead of
    rebuilding and serialising thousands of rows.
    """
    return pd.Series([html_safe_json(row) for row in entity_rows(gdf, lang)], index=gdf.index, dtype=object)


def choropleth_class(count: int, breaks: tuple[int, ...]) -> int | None:
    """Index of the class of `count` (None for zero: drawn transparent)."""
    index = None
    for i, lower in enumerate(breaks):
        if count >= lower:
            index = i
    return index


def choropleth_geojson(counts: pd.DataFrame, polygons: gpd.GeoDataFrame, breaks: tuple[int, ...],
                       lang: str, keep_zero: bool) -> dict:
    """GeoJSON of `polygons` (code, name) with count, class colour and an escaped tooltip label."""
    by_code = dict(zip(counts["key"], counts["count"]))
    shapes = polygons[["code", "name", "geometry"]].copy()
    shapes["count"] = shapes["code"].map(by_code).fillna(0).astype(int)
    if not keep_zero:
        shapes = shapes[shapes["count"] > 0]
    classes = shapes["count"].map(lambda c: choropleth_class(c, breaks))
    shapes["colour"] = classes.map(lambda i: "" if i is None or pd.isna(i) else CHOROPLETH_COLOURS[int(i)])
    shapes["label"] = [html.escape(t("choropleth_tooltip", lang, name=name, count=int(count)))
                       for name, count in zip(shapes["name"], shapes["count"])]
    return json.loads(shapes.drop(columns="name").to_json(drop_id=True))


def break_labels(breaks: tuple[int, ...], lang: str = "fr") -> list[str]:
    labels = []
    for lower, upper in zip(breaks, (*breaks[1:], None)):
        if upper is None:
            labels.append(f"≥ {number(lower, lang)}")
        elif upper - lower == 1:
            labels.append(number(lower, lang))
        else:
            labels.append(f"{number(lower, lang)}–{number(upper - 1, lang)}")
    return labels


# --- folium elements -----------------------------------------------------------------------------------------

# Every value from the data is inserted into popups and tooltips through this function, never raw.
ESCAPE_JS = """
            var esc = function (s) {
                return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
                    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
                });
            };
"""


class EntityData(folium.elements.JSCSSMixin, MacroElement):
    """Hands the selection to the browser's map engine (static/js/entity-map.js): the rows (inline, or the URL of
    every row published once and the positions of those shown, see geo/marker_store.py), labels, the selected
    player and the view to fit. The engine clusters and draws; see that file for why."""

    default_js = [("superclusterjs", LOCAL_ASSETS["superclusterjs"]), ("entitymapjs", LOCAL_ASSETS["entitymapjs"])]
    _template = Template("""
        {% macro script(this, kwargs) %}
        window.EntityMap.of({{ this._parent._parent.get_name() }}).show({
            rows: {{ this.rows_json }}, src: {{ this.src|tojson }}, positions: {{ this.positions|tojson }},
            key: {{ this.key|tojson }}, text: {{ this.text|tojson }},
            selected: {{ this.selected|tojson }}, view: {{ this.view|tojson }},
            clustering: {{ this.clustering|tojson }}, focusZoom: {{ this.focus_zoom|tojson }}});
        {% endmacro %}
    """)

    def __init__(self, text: dict, selected: str | None, view: dict | None, clustering: bool,
                 focus_zoom: int | None, rows_json: list[str] | None = None, src: str | None = None,
                 positions: list[int] | None = None):
        super().__init__()
        self._name = "EntityData"
        self.rows_json = "null" if rows_json is None else "[" + ",".join(rows_json) + "]"
        self.src, self.positions = src, positions
        identity = f"{src}|{positions}" if src else self.rows_json
        self.key = hashlib.sha1(identity.encode()).hexdigest()[:16]
        self.text, self.selected, self.view, self.clustering = text, selected, view, clustering
        self.focus_zoom = focus_zoom


class EntityKindSwitch(MacroElement):
    """Ties a per-kind layer of the layer control to the engine: unticking it hides that kind."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.EntityMap.kindLayer({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }},
                                   {{ this.kind_index }});
        {% endmacro %}
    """)

    def __init__(self, kind_index: int):
        super().__init__()
        self._name = "EntityKindSwitch"
        self.kind_index = kind_index


def engine_text(lang: str, correction_url: str) -> dict:
    """What the engine shows around the rows, in `lang`."""
    vocabulary = load_vocabulary()
    return {
        "labels": popup_labels(lang)[0],
        "icons": [kind_icon_svg(kind) for kind in KIND_STYLE],
        "kinds": [vocabulary.label("kind", kind, lang) for kind in KIND_STYLE],
        "website": t("website", lang),
        "suggest": t("suggest_correction", lang),
        "cluster": t("cluster_title", lang),
        "locale": LOCALES[lang].replace("_", "-"),  # the bubbles' counts as the language writes them
        "correction_url": correction_url,
    }


def fit_view(points: pd.DataFrame, circle: tuple[float, float, float] | None = None) -> dict | None:
    """The view the map moves to when the selection changes: the circle (lat, lon, km) of a proximity search,
    else the selection's extent. Its key changes with the selection, so the view moves once per change and the
    person's own panning is left alone in between."""
    if circle is not None:
        lat, lon, km = circle
        dlat, dlon = km / 111.2, km / (111.2 * math.cos(math.radians(lat)))
        bounds = [[lat - dlat, lon - dlon], [lat + dlat, lon + dlon]]
        identity = f"circle:{lat:.6f},{lon:.6f},{km}"
    elif len(points):
        bounds = [[float(points["lat"].min()), float(points["lon"].min())],
                  [float(points["lat"].max()), float(points["lon"].max())]]
        identity = ",".join(sorted(points["id"]))
    else:
        return None
    return {"key": hashlib.sha1(identity.encode()).hexdigest()[:16], "bounds": bounds, "maxZoom": 15}


class Legend(MacroElement):
    """Static legend control: the shape and colour of each kind. Labels escaped here."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "map-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, lang: str):
        super().__init__()
        vocabulary = load_vocabulary()
        rows = [f"<div><span class='swatch'>{kind_icon_svg(kind, 12)}</span> "
                f"{html.escape(vocabulary.label('kind', kind, lang))}</div>" for kind in KIND_STYLE]
        self.html = f"<strong>{html.escape(t('legend_title', lang))}</strong>{''.join(rows)}"


def choropleth_legend_html(breaks: tuple[int, ...], title: str, lang: str = "fr") -> str:
    """Colour classes of a choropleth, one line each, under its title (labels escaped here)."""
    classes = "".join(f"<div><i class='class-swatch' style='background:{colour}'></i>{html.escape(label)}</div>"
                      for colour, label in zip(CHOROPLETH_COLOURS, break_labels(breaks, lang)))
    return f"<strong>{html.escape(title)}</strong><div class='classes'>{classes}</div>"


class ChoroplethLegend(MacroElement):
    """The colour classes of a choropleth as a map control, on the map exactly while its layer is: the layer is
    one of those streamlit-folium swaps at each rerun (and the layer control may hide it), so the legend follows
    the layer's add and remove events."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent._parent.get_name() }}, group = {{ this._parent.get_name() }};
            var legend = L.control({position: "bottomleft"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "map-legend choropleth-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            group.on("add", function () { legend.addTo(map); });
            group.on("remove", function () { legend.remove(); });
            if (group._map) { legend.addTo(map); }
        })();
        {% endmacro %}
    """)

    def __init__(self, breaks: tuple[int, ...], title: str, lang: str):
        super().__init__()
        self._name = "ChoroplethLegend"
        self.html = choropleth_legend_html(breaks, title, lang)


class ControlsInLanguage(MacroElement):
    """Leaflet's own control texts in the interface language (the zoom buttons' titles, read aloud by screen
    readers), and a metric-only scale (no miles on a map of Île-de-France)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, zoom = map.zoomControl;
            if (zoom) {
                [[zoom._zoomInButton, {{ this.zoom_in|tojson }}], [zoom._zoomOutButton, {{ this.zoom_out|tojson }}]]
                    .forEach(function (pair) {
                        pair[0].title = pair[1];
                        pair[0].setAttribute("aria-label", pair[1]);
                    });
            }
            L.control.scale({imperial: false}).addTo(map);
        })();
        {% endmacro %}
    """)

    def __init__(self, lang: str):
        super().__init__()
        self._name = "ControlsInLanguage"
        self.zoom_in, self.zoom_out = t("map_zoom_in", lang), t("map_zoom_out", lang)


class TileErrorNotice(MacroElement):
    """Says on the map, in the interface language, when basemap tiles do not load (offline, blocked network):
    the boundaries are drawn without them. Shown at the first failed tile of a layer's loading round, withdrawn
    when a round completes without a failure (another basemap chosen, the network back)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, notice = null, failed = 0;
            var show = function () {
                failed += 1;
                if (notice) { return; }
                notice = L.control({position: "bottomleft"});
                notice.onAdd = function () {
                    var div = L.DomUtil.create("div", "map-legend map-notice");
                    div.setAttribute("role", "status");
                    div.textContent = {{ this.text|tojson }};
                    return div;
                };
                notice.addTo(map);
            };
            var watch = function (layer) {
                if (!(layer instanceof L.TileLayer) || layer.__watched) { return; }
                layer.__watched = true;
                layer.on("loading", function () { failed = 0; });
                layer.on("tileerror", show);
                layer.on("load", function () {
                    if (!failed && notice) { notice.remove(); notice = null; }
                });
            };
            map.eachLayer(watch);
            map.on("layeradd", function (e) { watch(e.layer); });
        })();
        {% endmacro %}
    """)

    def __init__(self, lang: str):
        super().__init__()
        self._name = "TileErrorNotice"
        self.text = t("basemap_unavailable", lang)


MAP_CSS = """
<style>
.entity-icon { background: none; border: none; }
.entity-icon svg { display: block; }
.entity-halo { border: 3px solid #CC79A7; border-radius: 50%; box-sizing: border-box;
  box-shadow: 0 0 0 2px #fff, 0 0 6px 2px rgba(204,121,167,.6); pointer-events: none; }
.entity-cluster div { width: 100%; height: 100%; border-radius: 50%; color: #fff; background: #37474f;
  display: flex; align-items: center; justify-content: center; font: bold 12px sans-serif;
  box-shadow: 0 0 0 4px rgba(255,255,255,.6); }
.entity-popup { font: 13px/1.35 sans-serif; } .entity-popup .tags { color: #444; margin: 4px 0; }
.map-legend { background: rgba(255,255,255,.92); padding: 6px 9px; font: 12px/1.4 sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 230px; }
.map-legend .swatch svg { vertical-align: -1px; }
.map-legend .class-swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #888;
  vertical-align: -2px; margin-right: 5px; }
.map-notice { background: #fff4e5; border-left: 3px solid #e69f00; max-width: 260px; }
@media (max-width: 480px) {  /* a phone: the classes in two columns, so both legends fit under the markers */
  .choropleth-legend { max-width: 150px; }
  .choropleth-legend .classes { display: grid; grid-template-columns: auto auto; column-gap: 8px; }
}
</style>
"""


@lru_cache(maxsize=1)
def departements_geojson() -> dict:
    return json.loads(load_departements().to_json(drop_id=True))


def base_map(basemap: str, lang: str) -> folium.Map:
    """The part of the map that never depends on the filters."""
    fmap = folium.Map(location=IDF_CENTER, zoom_start=9, tiles=None, max_zoom=MAX_ZOOM, min_zoom=7)
    fmap.options["maxZoom"] = MAX_ZOOM
    fmap.options["zoomSnap"] = 0.25  # a fitted view (a selection, a proximity circle) fills the map, not half of it
    if basemap != NO_BASEMAP:
        for key in (basemap, *(k for k in BASEMAPS if k != basemap)):
            spec = BASEMAPS[key]
            folium.TileLayer(spec.url, attr=spec.attribution, name=key.upper(), max_zoom=spec.max_zoom,
                             overlay=False, control=True, show=key == basemap).add_to(fmap)
    folium.GeoJson(
        departements_geojson(),
        name=t("layer_departements", lang),
        style_function=lambda _: {"color": "#333333", "weight": 1.6, "fill": False},
        tooltip=None, control=True, interactive=False,
    ).add_to(fmap)
    ControlsInLanguage(lang).add_to(fmap)
    if basemap != NO_BASEMAP:
        TileErrorNotice(lang).add_to(fmap)
    folium.plugins.Fullscreen(position="topleft", title=t("map_fullscreen", lang),
                              title_cancel=t("map_fullscreen_exit", lang)).add_to(fmap)
    Legend(lang).add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(MAP_CSS))
    # folium declares jQuery for its Popup element only; this map's popups are built by the engine, so the frame
    # need not fetch and run it before the map can start (a test checks that no script of the map uses it).
    fmap.default_js = [(name, url) for name, url in fmap.default_js if name != "jquery"]
    return localise_assets(fmap)


def entity_layers(gdf: gpd.GeoDataFrame, lang: str, correction_url: str, rows_json: pd.Series | None = None,
                  selected: str | None = None, view: dict | None = None, clustering: bool = True,
                  focus_zoom: int | None = FOCUS_ZOOM, rows_url: str | None = None) -> list[folium.FeatureGroup]:
    """The selection for the engine, then one layer per kind for the layer control (always three, possibly
    empty: a stable control).

    `rows_json` may hold `marker_json` precomputed for a superset of `gdf` (same index); `rows_url`, where that
    superset was published (marker_store.publish): then only the positions of `gdf`'s rows travel. A
    `selected` player chosen outside the map is shown at `focus_zoom` at least (None: `view` already frames it).
    """
    vocabulary = load_vocabulary()
    rows_json = marker_json(gdf, lang) if rows_json is None else rows_json
    data = folium.FeatureGroup(name="entities", control=False)
    common = dict(text=engine_text(lang, correction_url), selected=selected, view=view, clustering=clustering,
                  focus_zoom=focus_zoom)
    if rows_url:
        EntityData(src=rows_url, positions=positions(rows_json, gdf), **common).add_to(data)
    else:
        EntityData(rows_json=rows_json.loc[gdf.index].tolist(), **common).add_to(data)
    layers = [localise_assets(data)]
    for kind_index, kind in enumerate(KIND_STYLE):
        count = int((gdf["kind"] == kind).sum())
        group = folium.FeatureGroup(name=f"{vocabulary.label('kind', kind, lang)} ({number(count, lang)})")
        EntityKindSwitch(kind_index).add_to(group)
        layers.append(group)
    return layers


def choropleth_layer(counts: pd.DataFrame, polygons: gpd.GeoDataFrame, breaks: tuple[int, ...], name: str,
                     lang: str, keep_zero: bool) -> folium.FeatureGroup:
    """Polygons shaded by count, with their legend inside the map while the layer is shown."""
    group = folium.FeatureGroup(name=name)
    ChoroplethLegend(breaks, name, lang).add_to(group)
    geojson = choropleth_geojson(counts, polygons, breaks, lang, keep_zero)
    if not geojson["features"]:
        return group  # nothing to shade (folium's tooltip refuses a collection without features)
    folium.GeoJson(
        geojson,
        style_function=lambda feature: {
            "fillColor": feature["properties"]["colour"] or "#ffffff",
            "fillOpacity": 0.7 if feature["properties"]["colour"] else 0.0,
            "color": "#555555", "weight": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(group)
    return localise_assets(group)


class FootprintCircles(MacroElement):
    """Cluster-site footprints drawn as Leaflet circles from compact rows: one element, not one per site."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
""" + ESCAPE_JS + """            var rows = {{ this.rows|tojson }};
            for (var i = 0; i < rows.length; i++) {
                L.circle([rows[i][0], rows[i][1]], {radius: rows[i][2], color: {{ this.colour|tojson }},
                         weight: 1.5, dashArray: "4 4", fillOpacity: 0.08})
                    .bindTooltip(esc(rows[i][3]))
                    .addTo({{ this._parent.get_name() }});
            }
        })();
        {% endmacro %}
    """)

    def __init__(self, rows: list[list], colour: str):
        super().__init__()
        self.rows, self.colour = rows, colour


def footprint_layer(footprints: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    """Cluster-site footprints: a circle of the declared radius around each site (see data/README.md)."""
    group = folium.FeatureGroup(name=t("layer_footprints", lang), show=True)
    rows = [[round(site.lat, 6), round(site.lon, 6), float(site.radius_m), site.name]
            for site in footprints.itertuples()]
    FootprintCircles(rows, KIND_STYLE["cluster_site"][0]).add_to(group)
    return localise_assets(group)


def proximity_layer(origin: pd.Series | None, near: gpd.GeoDataFrame, km: float, lang: str) -> folium.FeatureGroup:
    """The search radius around the chosen entity and a ring on each actor found."""
    group = folium.FeatureGroup(name=t("layer_proximity", lang), show=True)
    if origin is not None:
        folium.Circle((origin["lat"], origin["lon"]), radius=km * 1000, color="#CC79A7", weight=2, fill=True,
                      fill_opacity=0.05, interactive=False).add_to(group)
        for entity in near.itertuples():
            folium.CircleMarker((entity.lat, entity.lon), radius=11, color="#CC79A7", weight=3, fill=False,
                                interactive=False).add_to(group)
    return localise_assets(group)
