"""Basemaps: IGN Plan v2 (the French public-sector reference) by default, OSM France, a light one, or none.

`BASEMAP=none` draws the official boundaries only: the page then requests nothing from any other host.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_ZOOM = 18  # also needed without tiles: MarkerCluster refuses a map with no maxZoom


@dataclass(frozen=True)
class Basemap:
    key: str
    url: str
    attribution: str
    max_zoom: int = MAX_ZOOM


BASEMAPS = {
    "ign": Basemap(
        "ign",
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png"
        "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        '&copy; <a href="https://www.ign.fr/" target="_blank">IGN</a> — Plan IGN v2 (Géoplateforme)',
    ),
    "osm": Basemap(
        "osm",
        "https://{s}.tile.openstreetmap.fr/osmfr/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors, '
        "tiles OSM France",
    ),
    "light": Basemap(
        "light",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank">OpenStreetMap</a> contributors '
        '&copy; <a href="https://carto.com/attributions" target="_blank">CARTO</a>',
    ),
}
NO_BASEMAP = "none"
BASEMAP_CHOICES = (*BASEMAPS, NO_BASEMAP)
DEFAULT_BASEMAP = "ign"


def basemap_from_env(environ=os.environ) -> str:
    """The default basemap key from `BASEMAP` (ign | osm | light | none); unknown values fall back to IGN."""
    value = environ.get("BASEMAP", DEFAULT_BASEMAP).strip().lower()
    return value if value in BASEMAP_CHOICES else DEFAULT_BASEMAP
