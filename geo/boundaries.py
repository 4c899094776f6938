"""Official Île-de-France boundaries (INSEE codes, IGN polygons) as GeoDataFrames in EPSG:4326.

Files are built once by `geo.build_boundaries` and committed under data/geo/ (see data/geo/README.md).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
GEO_DIR = DATA_DIR / "geo"
IDF_DEPARTEMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")
WGS84 = "EPSG:4326"
LAMBERT93 = "EPSG:2154"
# Paris as a whole: a row of the commune table (for organisations whose arrondissement is not known), but no
# polygon of its own in the coverage, which has the 20 arrondissements instead.
PARIS = "75056"


@lru_cache(maxsize=1)
def load_departements() -> gpd.GeoDataFrame:
    """The 8 départements: columns code, name, geometry."""
    return gpd.read_file(GEO_DIR / "departements.geojson").set_crs(WGS84, allow_override=True)


@lru_cache(maxsize=2)
def load_communes(detail: bool = False) -> gpd.GeoDataFrame:
    """Communes of Île-de-France, Paris split into its 20 arrondissements (codes 75101-75120).

    The default layer is simplified for the web; `detail=True` gives the 5 m version used to check that a point
    lies in its commune. Both carry the commune table's attributes (postcodes, reference point).
    """
    name = "communes_detail.geojson" if detail else "communes.geojson"
    shapes = gpd.read_file(GEO_DIR / name).set_crs(WGS84, allow_override=True)
    table = commune_table().drop(columns=["name", "dep"])
    return shapes.merge(table, on="code", how="left")


@lru_cache(maxsize=2)
def commune_geometries(detail: bool = True) -> gpd.GeoSeries:
    """Polygon of each code of the commune table, indexed by code: Paris (75056) is the union of its
    arrondissements. For "is this point in its declared commune?" and for placing points, not for drawing."""
    communes = load_communes(detail=detail).set_index("code").geometry
    paris = communes[communes.index.str.startswith("751")].union_all(method="coverage")
    return pd.concat([communes, gpd.GeoSeries([paris], index=[PARIS], crs=WGS84)])


@lru_cache(maxsize=1)
def commune_table() -> pd.DataFrame:
    """One row per commune/arrondissement: code, name, dep, population, postcodes, ref_lon, ref_lat, ref_kind.

    Paris as a whole (75056) has a row too, for organisations whose arrondissement is not known; it has no
    postcode and no polygon in `load_communes` (see `commune_geometries`).
    """
    return pd.read_csv(
        GEO_DIR / "communes.csv",
        dtype={"code": str, "dep": str, "postcodes": str, "name": str, "ref_kind": str},
        keep_default_na=False,
    ).astype({"population": "int64", "ref_lon": "float64", "ref_lat": "float64"})


def commune_at(lon: float, lat: float) -> str | None:
    """INSEE code of the commune (arrondissement in Paris) containing the point, or None outside the region."""
    communes = load_communes(detail=True)
    from shapely import Point

    hits = communes.sindex.query(Point(lon, lat), predicate="intersects")
    return None if len(hits) == 0 else communes.iloc[hits[0]]["code"]


@lru_cache(maxsize=1)
def idf_outline():
    """The region as one polygon, from the detailed communes, for "is this point in Île-de-France?"."""
    import shapely

    return shapely.coverage_union_all(load_communes(detail=True).geometry.to_numpy())
