"""Actors within a distance of a chosen entity, measured in Lambert-93 (EPSG:2154), in kilometres.

An entity placed only "somewhere in Paris" (commune code 75056, arrondissement unknown) has no meaningful
distance to anyone: it is neither an origin nor a neighbour.
"""

from __future__ import annotations

import geopandas as gpd

from geo.boundaries import LAMBERT93, PARIS


def position_is_vague(entity) -> bool:
    """True for an entity placed at Paris's reference point because its arrondissement is not known."""
    return entity["commune_code"] == PARIS


def within_km(gdf: gpd.GeoDataFrame, origin_id: str, km: float) -> gpd.GeoDataFrame:
    """Other entities at most `km` from `origin_id`, nearest first, with a `distance_km` column."""
    metric = gdf.to_crs(LAMBERT93)
    origin = metric.loc[metric["id"] == origin_id]
    if origin.empty or position_is_vague(origin.iloc[0]):
        return gdf.iloc[0:0].assign(distance_km=[])
    distances = metric.geometry.distance(origin.geometry.iloc[0]) / 1000
    near = (distances <= km) & (gdf["id"] != origin_id) & ~position_is_vague(gdf)
    return gdf[near].assign(distance_km=distances[near].round(2)).sort_values(["distance_km", "name"])
