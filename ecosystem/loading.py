"""Reading data/entities.csv into the common currency: a GeoDataFrame of points in EPSG:4326.

`read_entities_csv` gives the raw text table (what validation and exports work on); `load_entities` gives the
typed GeoDataFrame the pages use. Later, accepted corrections from the database are overlaid on the raw table
before typing, so both functions keep the seed file's column set.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from ecosystem.filters import add_search_text
from ecosystem.schema import COLUMNS, FOOTPRINTS_FILE, LIST_SEPARATOR, TAG_FACETS, entities_file
from geo.boundaries import LAMBERT93, WGS84, commune_table


def read_entities_csv(path: Path | str | None = None) -> pd.DataFrame:
    """The file as text, every column present (missing ones empty), no value interpreted."""
    raw = pd.read_csv(path or entities_file(), dtype=str, keep_default_na=False, encoding="utf-8")
    for column in COLUMNS:
        if column not in raw.columns:
            raw[column] = ""
    return raw.astype(object)


def split_list(value: str) -> list[str]:
    return [part.strip() for part in str(value or "").split(LIST_SEPARATOR) if part.strip()]


def join_list(values) -> str:
    return LIST_SEPARATOR.join(values)


def to_geodataframe(raw: pd.DataFrame) -> gpd.GeoDataFrame:
    """Type a raw table: numbers, dates, tag lists, département, commune name, search text, point geometry."""
    frame = raw.copy()
    for facet in TAG_FACETS:
        frame[facet] = frame[facet].map(split_list)
    frame["lat"] = pd.to_numeric(frame["lat"], errors="coerce")
    frame["lon"] = pd.to_numeric(frame["lon"], errors="coerce")
    frame["founded"] = pd.to_numeric(frame["founded"], errors="coerce").astype("Int64")
    frame["workforce"] = pd.to_numeric(frame["workforce"], errors="coerce").astype("Int64")
    frame["updated"] = pd.to_datetime(frame["updated"], format="%Y-%m-%d", errors="coerce").dt.date
    frame["dep"] = frame["commune_code"].str[:2]
    names = commune_table().set_index("code")["name"]
    frame["commune_name"] = frame["commune_code"].map(names).fillna(frame["city"])
    geometry = gpd.points_from_xy(frame["lon"], frame["lat"], crs=WGS84)
    return add_search_text(gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84))


def load_entities(path: Path | str | None = None) -> gpd.GeoDataFrame:
    """Every organisation and site of the map, typed, in EPSG:4326 (see the module docstring)."""
    return to_geodataframe(read_entities_csv(path))


def load_footprints(entities: gpd.GeoDataFrame, path: Path | str = FOOTPRINTS_FILE) -> gpd.GeoDataFrame:
    """Cluster-site footprints: a disc of the declared radius around each site's point (metres, Lambert-93)."""
    radii = pd.read_csv(path, dtype={"id": str}, keep_default_na=False)
    sites = entities.merge(radii, on="id", how="inner")
    discs = sites.to_crs(LAMBERT93).buffer(sites["radius_m"].astype(float).to_numpy(), quad_segs=24)
    return gpd.GeoDataFrame(sites.drop(columns="geometry"), geometry=discs.to_crs(WGS84).values, crs=WGS84)
