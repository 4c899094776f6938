"""Exports of a (filtered) selection: CSV for French Excel, GeoJSON, XLSX with a metadata sheet.

Every export carries the seed file's columns, tags joined with `|`, so that a file can be read back, compared,
or handed to another tool.

Files people open in a spreadsheet (both CSV variants, XLSX) are neutralised against formula injection (OWASP
"CSV injection"): text that a spreadsheet would run as a formula or a DDE command is written as text. Names and
descriptions come from the public correction form and from imports, so any of them may be hostile.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ecosystem.filters import Filters
from ecosystem.loading import join_list
from ecosystem.schema import COLUMNS, TAG_FACETS
from ecosystem.urlstate import filters_to_query

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
SOURCE = ("Carte des biothérapies et de la bioproduction en Île-de-France — données compilées à partir de pages "
          "publiques (colonne source) ; limites administratives INSEE/IGN")


def export_table(gdf: pd.DataFrame) -> pd.DataFrame:
    """The selection in the seed file's format: seed columns, text values, tags joined with '|'."""
    table = pd.DataFrame(gdf).copy()
    for facet in TAG_FACETS:
        table[facet] = table[facet].map(join_list)
    for column in ("lat", "lon"):
        table[column] = table[column].map(lambda v: f"{v:.6f}")
    for column in ("founded", "workforce", "updated"):
        table[column] = table[column].map(lambda v: "" if pd.isna(v) else str(v))
    return table[list(COLUMNS)].fillna("").astype(str).reset_index(drop=True)


FORMULA_STARTS = ("=", "+", "-", "@")
NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def formula_like(value: str) -> bool:
    """Whether a spreadsheet could run `value` as a formula: it starts with = + - @, possibly after blanks, or with
    a tab or carriage return (OWASP). A plain number ("-0.500000", "+3") is data, not a formula: left alone so that
    a negative longitude stays a number."""
    if not value or NUMBER.fullmatch(value.strip()):
        return False
    return value[0] in "\t\r" or value.lstrip().startswith(FORMULA_STARTS)


def neutralise(value: str) -> str:
    """A leading apostrophe makes spreadsheets read the cell as text (OWASP); the rest of the value is kept."""
    return "'" + value if formula_like(value) else value


def to_csv_bytes(gdf: pd.DataFrame, separator: str = ",") -> bytes:
    """UTF-8 with a byte-order mark, which French Excel needs to read accents; ';' for Excel's French locale.
    Formula-like values are neutralised (see `neutralise`)."""
    return table_csv_bytes(export_table(gdf), separator)


def table_csv_bytes(table: pd.DataFrame, separator: str = ",") -> bytes:
    """Any table (a breakdown, a cross-tabulation) as a spreadsheet-safe CSV: text cells neutralised, numbers kept."""
    safe = table.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return safe.to_csv(index=False, sep=separator, lineterminator="\r\n").encode("utf-8-sig")


def to_geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """Values exactly as stored, not neutralised: GeoJSON is read by GIS tools and scripts, not opened in a
    spreadsheet, and an apostrophe added there would only alter the data."""
    table = export_table(gdf)
    points = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(gdf["lon"], gdf["lat"]), crs="EPSG:4326")
    return points.to_json(drop_id=True, ensure_ascii=False).encode("utf-8")


def export_metadata(filters: Filters, rows: int, data_date: str, lang: str,
                    now: dt.datetime | None = None, scope: str = "") -> dict[str, str]:
    """What an exported file holds and where it comes from; `scope` says how the rows were chosen when the
    filters alone do not (a proximity search, a hand-picked shortlist)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    applied = filters_to_query(filters)
    return {
        "source": SOURCE,
        "licence": LICENCE,
        "data_date": data_date,
        "filters": json.dumps(applied, ensure_ascii=False) if applied else "aucun / none",
        **({"scope": scope} if scope else {}),
        "rows": str(rows),
        "language": lang,
        "exported_at": now.isoformat(timespec="seconds"),
    }


def xml_safe(value):
    """XML cannot carry most control characters (openpyxl raises on them). The form and the import refuse them;
    this only keeps an older value from breaking the whole export."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def to_xlsx_bytes(gdf: pd.DataFrame, metadata: dict[str, str]) -> bytes:
    """Two sheets, entities and metadata. openpyxl stores any string starting with '=' as a live formula: every
    formula-like cell is written as a string instead, with Excel's quote prefix so that editing the cell does not
    turn it into a formula either. The visible text is unchanged (no apostrophe, unlike CSV)."""
    sheets = {"entities": export_table(gdf),
              "metadata": pd.DataFrame(list(metadata.items()), columns=["key", "value"])}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.map(xml_safe).to_excel(writer, sheet_name=name, index=False)
            for row in writer.sheets[name].iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and formula_like(cell.value):
                        cell.data_type = "s"
                        cell.quotePrefix = True
    return buffer.getvalue()


@dataclass(frozen=True)
class ExportFormat:
    """One downloadable format: its message key (export_<key>), file-name suffix, MIME type and builder."""

    key: str
    suffix: str
    mime: str
    build: Callable[[pd.DataFrame, dict[str, str]], bytes]


EXPORT_FORMATS = (
    ExportFormat("csv", ".csv", "text/csv", lambda rows, _: to_csv_bytes(rows)),
    ExportFormat("csv_semicolon", "-excel.csv", "text/csv", lambda rows, _: to_csv_bytes(rows, ";")),
    ExportFormat("geojson", ".geojson", "application/geo+json", lambda rows, _: to_geojson_bytes(rows)),
    ExportFormat("xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 to_xlsx_bytes),
)
