import datetime as dt
import io

import geopandas as gpd
import pandas as pd

from ecosystem.exports import export_metadata, export_table, to_csv_bytes, to_geojson_bytes, to_xlsx_bytes
from ecosystem.filters import Filters, filter_entities
from ecosystem.loading import load_entities, read_entities_csv, to_geodataframe
from ecosystem.schema import COLUMNS


def selection():
    entities = load_entities()
    return filter_entities(entities, Filters(kind=("company", "institute"), dep=("91", "94")))


def test_export_table_is_the_seed_format():
    shown = selection()
    table = export_table(shown)
    seed = read_entities_csv().set_index("id").loc[table["id"]].reset_index()
    pd.testing.assert_frame_equal(table, seed[list(COLUMNS)].astype(str), check_dtype=False)


def test_csv_round_trip_with_bom_and_either_separator():
    shown = selection()
    for separator in (",", ";"):
        data = to_csv_bytes(shown, separator)
        assert data.startswith(b"\xef\xbb\xbf")  # BOM: French Excel reads the accents right
        back = pd.read_csv(io.BytesIO(data), sep=separator, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert list(back.columns) == list(COLUMNS)
        pd.testing.assert_frame_equal(back, export_table(shown))
        again = to_geodataframe(back)
        assert list(again["id"]) == list(shown["id"])
        assert list(again["therapeutic_areas"]) == list(shown["therapeutic_areas"])


def test_geojson_round_trip():
    shown = selection()
    back = gpd.read_file(io.BytesIO(to_geojson_bytes(shown)))
    assert back.crs.to_epsg() == 4326
    assert list(back["id"]) == list(shown["id"])
    assert list(back["modalities"]) == [("|".join(v)) for v in shown["modalities"]]
    assert back.geometry.geom_equals_exact(shown.geometry.reset_index(drop=True), tolerance=1e-6).all()


def test_xlsx_round_trip_with_metadata_sheet():
    shown = selection()
    filters = Filters(kind=("company", "institute"), dep=("91", "94"))
    metadata = export_metadata(filters, len(shown), "2026-11-22", "fr",
                               now=dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone.utc))
    data = to_xlsx_bytes(shown, metadata)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False)
    assert list(sheets) == ["entities", "metadata"]
    pd.testing.assert_frame_equal(sheets["entities"], export_table(shown))
    meta = dict(zip(sheets["metadata"]["key"], sheets["metadata"]["value"]))
    assert meta["licence"].startswith("Licence Ouverte") and meta["data_date"] == "2026-11-22"
    assert meta["filters"] == '{"kind": "company,institute", "dep": "91,94"}'
    assert meta["rows"] == str(len(shown)) and meta["exported_at"] == "2026-11-22T10:00:00+00:00"
    assert "source" in meta
