import csv
import datetime as dt
import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd

from ecosystem.exports import (export_metadata, export_table, formula_like, neutralise, to_csv_bytes,
                               to_geojson_bytes, to_xlsx_bytes)
from ecosystem.filters import Filters, filter_entities
from ecosystem.loading import load_entities, read_entities_csv, to_geodataframe
from ecosystem.schema import COLUMNS, TAG_FACETS


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


# Formula injection (issue 12, point 1): what a spreadsheet would run, in every column people can fill.
HOSTILE_STARTS = ["=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "   =1+1",
                  "=HYPERLINK(\"http://evil.example\",\"clic\")", "\t", "@"]
NUMERIC_COLUMNS = ("lat", "lon")


def hostile_selection():
    """One row per hostile value, that value in every column but the coordinates; one negative longitude."""
    shown = selection().head(len(HOSTILE_STARTS)).copy()
    for column in COLUMNS:
        if column in NUMERIC_COLUMNS:
            continue
        shown[column] = shown[column].astype(object)  # typed columns (years, dates) take text here
        for position, value in enumerate(HOSTILE_STARTS):
            cell = [value] if column in TAG_FACETS else value
            shown.at[shown.index[position], column] = cell
    shown.at[shown.index[0], "lon"] = -0.5
    return shown


def test_every_csv_cell_a_spreadsheet_could_run_is_neutralised():
    shown = hostile_selection()
    for separator in (",", ";"):
        rows = list(csv.reader(io.StringIO(to_csv_bytes(shown, separator).decode("utf-8-sig"), newline=""),
                               delimiter=separator))
        header, body = rows[0], rows[1:]
        assert header == list(COLUMNS) and len(body) == len(HOSTILE_STARTS)
        for values, hostile in zip(body, HOSTILE_STARTS):
            for column, value in zip(header, values):
                if column in NUMERIC_COLUMNS:
                    assert not value.startswith("'")
                    continue
                assert value == "'" + hostile, (column, value)  # text kept after the apostrophe
        assert body[0][header.index("lon")] == "-0.500000"  # a true number stays a number


def test_no_xlsx_cell_is_a_formula_and_the_text_is_kept():
    shown = hostile_selection()
    metadata = export_metadata(Filters(text="=1+1"), len(shown), "=cmd|' /C calc'!A0", "fr", scope="@evil")
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(shown, metadata)))
    sheet = book["entities"]
    header = [cell.value for cell in sheet[1]]
    for row, hostile in zip(sheet.iter_rows(min_row=2), HOSTILE_STARTS):
        for column, cell in zip(header, row):
            assert cell.data_type != "f", (column, cell.value)
            if column in NUMERIC_COLUMNS:
                continue
            # XML reads a bare CR as a line feed (openpyxl writes it unescaped): the text is otherwise intact.
            assert cell.value == hostile.replace("\r", "\n"), (column, cell.value)
            assert cell.data_type == "s" and cell.quotePrefix, (column, cell.value)
    lon = sheet.cell(row=2, column=header.index("lon") + 1)
    assert lon.value == "-0.500000" and not lon.quotePrefix  # a number is not marked as text-only
    meta = {key.value: value for key, value in book["metadata"].iter_rows()}
    assert all(cell.data_type != "f" for row in book["metadata"].iter_rows() for cell in row)
    assert meta["data_date"].value == "=cmd|' /C calc'!A0" and meta["data_date"].quotePrefix
    assert meta["scope"].value == "@evil" and meta["scope"].quotePrefix
    assert list(json.loads(meta["filters"].value).values()) == ["=1+1"]
    assert not meta["rows"].quotePrefix and meta["rows"].value == str(len(shown))
    back = pd.read_excel(io.BytesIO(to_xlsx_bytes(shown, metadata)), dtype=str, keep_default_na=False)
    assert back.loc[0, "name"] == HOSTILE_STARTS[0]  # pandas reads the text, not a computed value


def test_formula_like_leaves_plain_text_and_numbers():
    for value in ("Genopole", "", "-0.5", "+3", "-1e5", "2,5", "a=b", "'quoted", "Institut - Paris"):
        assert not formula_like(value), value
    for value in HOSTILE_STARTS + [" -x", "\n=1", "-", "+33 1 23 45 67 89"]:
        assert formula_like(value), value
    assert neutralise("=1") == "'=1" and neutralise("Genopole") == "Genopole"


def test_geojson_is_not_neutralised():
    """GeoJSON goes to GIS tools and scripts, not spreadsheets: values exactly as stored."""
    back = json.loads(to_geojson_bytes(hostile_selection()))
    assert back["features"][0]["properties"]["name"] == HOSTILE_STARTS[0]


def test_an_illegal_xml_character_does_not_break_the_xlsx_export():
    shown = selection().head(1).copy()
    shown.at[shown.index[0], "name"] = "a\x00b"
    back = pd.read_excel(io.BytesIO(to_xlsx_bytes(shown, {"rows": "1"})), dtype=str, keep_default_na=False)
    assert back.loc[0, "name"] == "a\ufffdb"


def test_breakdown_tables_download_as_spreadsheet_safe_csv():
    from ecosystem.exports import table_csv_bytes

    table = pd.DataFrame({"label": ["=1+1", "Oncologie", "-0.5"], "count": [3, -2, 0]})
    rows = list(csv.DictReader(io.StringIO(table_csv_bytes(table).decode("utf-8-sig"))))
    assert [r["label"] for r in rows] == ["'=1+1", "Oncologie", "-0.5"]
    assert [r["count"] for r in rows] == ["3", "-2", "0"]  # numbers stay numbers
