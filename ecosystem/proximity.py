"""Actors within a distance of a chosen entity, measured in Lambert-93 (EPSG:2154), in kilometres."""

from __future__ import annotations

import geopandas as gpd

from geo.boundaries import LAMBERT93


def within_km(gdf: gpd.GeoDataFrame, origin_id: str, km: float) -> gpd.GeoDataFrame:
    """Other entities at most `km` from `origin_id`, nearest first, with a `distance_km` column."""
    metric = gdf.to_crs(LAMBERT93)
    origin = metric.loc[metric["id"] == origin_id].geometry
    if origin.empty:
        return gdf.iloc[0:0].assign(distance_km=[])
    distances = metric.geometry.distance(origin.iloc[0]) / 1000
    near = (distances <= km) & (gdf["id"] != origin_id)
    return gdf[near].assign(distance_km=distances[near].round(2)).sort_values(["distance_km", "name"])
