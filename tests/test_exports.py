import csv
import datetime as dt
import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from ecosystem.exports import (CODES, EXPORT_FORMATS, EXPORT_VARIANTS, MULTI_TEXT_COLUMNS, READABLE, READABLE_COLUMNS,
                               ExportRequest, column_label, export_metadata, export_table, formula_like, neutralise,
                               readable_table, to_csv_bytes, to_geojson_bytes, to_readable_csv_bytes,
                               to_readable_geojson_bytes, to_readable_xlsx_bytes, to_xlsx_bytes)
from ecosystem.filters import Filters, filter_entities
from ecosystem.i18n import field_label, t
from ecosystem.import_mapping import known_headers, suggest_columns
from ecosystem.import_plan import ERROR, UNCHANGED, plan_import
from ecosystem.import_read import checksum, read_upload
from ecosystem.loading import load_entities, read_entities_csv, to_geodataframe
from ecosystem.schema import COLUMNS, TAG_FACETS
from ecosystem.vocabulary import load_vocabulary


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


# --- Readable variant (issue 15): labels in the interface language, typed numbers and dates ------------------------

FILTERS = Filters(kind=("company", "institute"), dep=("91", "94"))
NOW = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.timezone.utc)  # 11:00 in Paris
OTHER = {"fr": "en", "en": "fr"}


def request(lang: str, **options) -> ExportRequest:
    return ExportRequest(options.pop("filters", FILTERS), options.pop("data_date", "2026-11-22"), lang, now=NOW,
                         **options)


def tagged(shown):
    """A row with several therapeutic areas and modalities, a year founded, a workforce and a review status."""
    rich = shown[(shown["therapeutic_areas"].map(len) > 1) & (shown["modalities"].map(len) > 0)
                 & shown["founded"].notna() & shown["workforce"].notna()]
    assert len(rich), "no organisation of the selection has several areas, a modality, a year and a workforce"
    return rich.iloc[0]


def labels_of(row, facet: str, lang: str) -> str:
    return " ; ".join(load_vocabulary().label(facet, key, lang) for key in row[facet])


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_readable_xlsx_has_labels_typed_cells_a_frozen_filtered_header_and_metadata_in_the_language(lang):
    shown = selection()
    book = openpyxl.load_workbook(io.BytesIO(to_readable_xlsx_bytes(shown, request(lang))))
    assert book.sheetnames == [t("export_sheet_entities", lang), t("export_sheet_metadata", lang)]
    sheet = book[t("export_sheet_entities", lang)]
    header = [cell.value for cell in sheet[1]]
    assert header == [column_label(c, lang) for c in READABLE_COLUMNS]
    assert not set(header) & set(COLUMNS)  # no internal key as a header
    assert {field_label(c, lang) for c in ("name", "therapeutic_areas", "status")} <= set(header)
    assert not set(header) & {column_label(c, OTHER[lang]) for c in ("kind", "therapeutic_areas", "status")}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}{len(shown) + 1}"
    assert sheet.max_row == len(shown) + 1

    rows = {row[header.index(column_label("id", lang))].value: dict(zip(READABLE_COLUMNS, row))
            for row in sheet.iter_rows(min_row=2)}
    entity = tagged(shown)
    cells = rows[entity["id"]]
    vocabulary = load_vocabulary()
    assert cells["kind"].value == vocabulary.label("kind", entity["kind"], lang)
    assert cells["category"].value == vocabulary.label("category", entity["category"], lang)
    assert cells["therapeutic_areas"].value == labels_of(entity, "therapeutic_areas", lang)
    assert " ; " in cells["therapeutic_areas"].value and "|" not in cells["therapeutic_areas"].value
    assert cells["status"].value == vocabulary.label("status", entity["status"], lang)
    assert cells["dep"].value in {"Essonne", "Val-de-Marne"} and cells["city"].value == entity["commune_name"]
    # Numbers are numbers: coordinates as floats, the year and the workforce as integers.
    for column in ("lat", "lon", "founded", "workforce"):
        assert cells[column].data_type == "n", column
    assert cells["lat"].value == pytest.approx(entity["lat"], abs=1e-6) and isinstance(cells["lat"].value, float)
    assert cells["founded"].value == entity["founded"] and isinstance(cells["founded"].value, int)
    assert cells["workforce"].value == entity["workforce"] and isinstance(cells["workforce"].value, int)
    assert cells["founded"].number_format == "0"  # a year is not written 2,013
    # Dates are dates.
    assert cells["updated"].is_date and cells["updated"].value.date() == entity["updated"]
    # Status labels of the whole sheet: "Vérifié" / "À vérifier" (FR), never the codes ok / to_review.
    statuses = {row["status"].value for row in rows.values()}
    assert statuses <= {vocabulary.label("status", key, lang) for key in ("ok", "to_review")} and statuses
    assert {row["kind"].value for row in rows.values()} == {vocabulary.label("kind", k, lang)
                                                             for k in ("company", "institute")}
    # Widths and wrapping: long text in wide wrapped columns, no column left at the default width.
    letter = {c: sheet.cell(row=1, column=i + 1).column_letter for i, c in enumerate(READABLE_COLUMNS)}
    assert all(sheet.column_dimensions[letter[c]].width >= 8 for c in READABLE_COLUMNS)
    assert sheet.column_dimensions[letter["description_fr"]].width >= 50 and cells["description_fr"].alignment.wrap_text

    meta_sheet = book[t("export_sheet_metadata", lang)]
    assert [c.value for c in meta_sheet[1]] == [t("export_meta_item", lang), t("export_meta_value", lang)]
    meta = {label.value: value for label, value in meta_sheet.iter_rows(min_row=2)}
    assert meta[t("export_meta_source", lang)].value == t("export_meta_source_text", lang)
    assert meta[t("export_meta_licence", lang)].value.startswith("Licence Ouverte")
    assert meta[t("export_meta_data_date", lang)].is_date
    assert meta[t("export_meta_data_date", lang)].value == dt.datetime(2026, 11, 22)
    filters = meta[t("export_meta_filters", lang)].value
    assert vocabulary.label("kind", "company", lang) in filters and "91 Essonne" in filters and "company" not in filters
    assert meta[t("export_meta_rows", lang)].value == len(shown) and meta[t("export_meta_rows", lang)].data_type == "n"
    assert meta[t("export_meta_language", lang)].value == t("export_meta_language_name", lang)
    assert meta[t("export_meta_exported_at", lang)].value == dt.datetime(2026, 11, 22, 11, 0)  # Paris time
    assert t("export_meta_variant", lang) in meta


def test_readable_metadata_tells_the_scope_and_the_absence_of_filters():
    shown = selection().head(3)
    book = openpyxl.load_workbook(io.BytesIO(to_readable_xlsx_bytes(
        shown, request("fr", filters=Filters(), scope="Sélection manuelle de 3 acteurs dans l'annuaire"))))
    meta = {label.value: value.value for label, value in book[t("export_sheet_metadata", "fr")].iter_rows(min_row=2)}
    assert meta["Filtres"] == t("export_meta_no_filter", "fr")
    assert meta["Choix des lignes"] == "Sélection manuelle de 3 acteurs dans l'annuaire"
    text = openpyxl.load_workbook(io.BytesIO(to_readable_xlsx_bytes(shown, request("en", filters=Filters(
        text="car-t", axes=("oncology",))))))[t("export_sheet_metadata", "en")]
    meta = {label.value: value.value for label, value in text.iter_rows(min_row=2)}
    assert meta["Filters"] == "Search (“car-t”); Smart Santé axes (Oncology)"  # as the embed code says them


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("separator", [",", ";"])
def test_readable_csv_in_either_language(lang, separator):
    shown = selection()
    data = to_readable_csv_bytes(shown, lang, separator)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=separator))
    assert list(rows[0]) == [column_label(c, lang) for c in READABLE_COLUMNS] and len(rows) == len(shown)
    by_id = {row[column_label("id", lang)]: row for row in rows}
    entity = tagged(shown)
    row = by_id[entity["id"]]
    label = lambda column: row[column_label(column, lang)]  # noqa: E731
    vocabulary = load_vocabulary()
    assert label("kind") == vocabulary.label("kind", entity["kind"], lang)
    assert label("modalities") == labels_of(entity, "modalities", lang)
    assert label("therapeutic_areas") == labels_of(entity, "therapeutic_areas", lang)
    assert label("status") == vocabulary.label("status", entity["status"], lang)
    assert label("founded") == str(entity["founded"]) and label("updated") == entity["updated"].isoformat()
    decimal = "," if separator == ";" else "."  # French Excel reads "48,68" as a number, not "48.68"
    assert label("lat") == f"{entity['lat']:.6f}".replace(".", decimal)
    assert {r[column_label("status", lang)] for r in rows} <= {vocabulary.label("status", k, lang)
                                                              for k in ("ok", "to_review")}


def test_readable_geojson_has_labels_and_typed_values():
    shown = selection()
    back = json.loads(to_readable_geojson_bytes(shown, "en"))
    entity = tagged(shown)
    [feature] = [f for f in back["features"] if f["properties"]["Identifier"] == entity["id"]]
    assert feature["properties"]["Therapeutic areas"] == labels_of(entity, "therapeutic_areas", "en")
    assert feature["properties"]["Founded"] == entity["founded"] and isinstance(feature["properties"]["Latitude"],
                                                                                float)
    assert feature["geometry"]["coordinates"] == pytest.approx([entity["lon"], entity["lat"]])


def test_readable_table_keeps_a_value_it_cannot_type_as_text():
    shown = selection().head(2).copy()
    shown["founded"] = shown["founded"].astype(object)
    shown.at[shown.index[0], "founded"] = "vers 1990"
    shown.at[shown.index[1], "founded"] = pd.NA
    table = readable_table(shown, "fr")
    assert list(table[column_label("founded", "fr")]) == ["vers 1990", None]


def test_every_readable_cell_a_spreadsheet_could_run_is_neutralised():
    shown = hostile_selection()
    neutral = {"lat", "lon", "dep", "city", "commune_code", "id"}  # numbers, names from official tables, id kept
    for lang in ("fr", "en"):
        for separator in (",", ";"):
            rows = list(csv.reader(io.StringIO(to_readable_csv_bytes(shown, lang, separator).decode("utf-8-sig"),
                                               newline=""), delimiter=separator))
            for values, hostile in zip(rows[1:], HOSTILE_STARTS):
                for column, value in zip(READABLE_COLUMNS, values):
                    assert not formula_like(value), (column, value)
                    if column not in neutral and hostile.strip():
                        written = (" ; ".join(part.strip() for part in hostile.split("|"))
                                   if column in MULTI_TEXT_COLUMNS else hostile)
                        assert value == "'" + written, (column, value)
        book = openpyxl.load_workbook(io.BytesIO(to_readable_xlsx_bytes(
            shown, request(lang, filters=Filters(text="=1+1"), data_date="=cmd|' /C calc'!A0", scope="@evil"))))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str) and formula_like(cell.value):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
        sheet = book[t("export_sheet_entities", lang)]
        name = sheet.cell(row=2, column=READABLE_COLUMNS.index("name") + 1)
        assert name.value == HOSTILE_STARTS[0] and name.quotePrefix and name.data_type == "s"
        lon = sheet.cell(row=2, column=READABLE_COLUMNS.index("lon") + 1)
        assert lon.value == -0.5 and lon.data_type == "n"  # a true number stays a number
        meta = {label.value: value for label, value in book[t("export_sheet_metadata", lang)].iter_rows(min_row=2)}
        assert meta[t("export_meta_data_date", lang)].quotePrefix
        assert meta[t("export_meta_scope", lang)].value == "@evil" and meta[t("export_meta_scope", lang)].quotePrefix


# --- Both variants on the page, the codes one read back by the import ----------------------------------------------

def test_every_format_in_both_variants_builds_and_names_its_variant():
    shown = selection().head(5)
    names = set()
    for variant in EXPORT_VARIANTS:
        for spec in EXPORT_FORMATS[variant]:
            assert spec.build(shown, request("fr"))
            name = spec.file_name("biotherapies-idf", "fr")
            assert ("-codes" in name) == (variant == CODES) and ("-fr" in name) == (variant == READABLE)
            names.add(name)
            assert t(f"export_{spec.key}", "fr") and t(f"export_variant_{variant}", "en")
    assert len(names) == 8 and "biotherapies-idf-codes.csv" in names and "biotherapies-idf-fr.xlsx" in names


@pytest.mark.parametrize("fmt", ["csv", "csv_semicolon", "xlsx"])
def test_the_codes_variant_round_trips_through_the_import(fmt):
    """Every organisation exported in codes and read back by the import: no error, each matched as unchanged."""
    shown = load_entities()
    [spec] = [s for s in EXPORT_FORMATS[CODES] if s.key == fmt]
    data, name = spec.build(shown, request("fr")), spec.file_name("biotherapies-idf", "fr")
    read = read_upload(data, name, known_headers())
    plan = plan_import(read, suggest_columns(list(read.table.columns)), name, checksum(data), read_entities_csv())
    counts = plan.counts()
    assert counts["error"] == 0, plan.report().query("status == @ERROR")
    assert counts[UNCHANGED] == counts["rows"] == len(shown) and counts["new"] == 0, counts
    assert all(r.change == UNCHANGED for r in plan.results)
