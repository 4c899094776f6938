"""Exports of a (filtered) selection, in two variants, each as CSV (comma, or semicolon for French Excel),
GeoJSON and XLSX with a metadata sheet.

- **Readable** (`READABLE`), for people: the interface's field labels as headers, labels in the interface language
  for coded values and tags (several joined with " ; "), the status, commune and département by name; in XLSX,
  numbers and dates typed, a frozen header row, an autofilter, column widths and wrapped long text, and the
  metadata sheet in the same language.
- **Codes** (`CODES`), for machines and re-import: the seed file's columns and codes, tags joined with `|`, so that
  a file can be read back (the import takes it as it is), compared, or handed to another tool.

Files people open in a spreadsheet (every CSV, every XLSX) are neutralised against formula injection (OWASP
"CSV injection"): text that a spreadsheet would run as a formula or a DDE command is written as text. Names and
descriptions come from the public correction form and from imports, so any of them may be hostile.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ecosystem.corrections.display import PARIS_TIME
from ecosystem.filters import Filters
from ecosystem.i18n import DEFAULT_LANGUAGE, field_label, has_message, t
from ecosystem.loading import join_list
from ecosystem.stats import departement_names, facet_label
from ecosystem.schema import CODED_COLUMNS, COLUMNS, FILTER_FACETS, TAG_FACETS
from ecosystem.urlstate import filters_to_query
from ecosystem.vocabulary import load_vocabulary

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


def guard_formula(cell) -> None:
    """openpyxl stores any string starting with '=' as a live formula: a formula-like cell is written as a string
    instead, with Excel's quote prefix so that editing the cell does not turn it into a formula either. The visible
    text is unchanged (no apostrophe, unlike CSV)."""
    if isinstance(cell.value, str) and formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def to_xlsx_bytes(gdf: pd.DataFrame, metadata: dict[str, str]) -> bytes:
    """The codes variant: two sheets, entities and metadata, every cell text as in the seed file; formula-like
    cells guarded (see `guard_formula`)."""
    sheets = {"entities": export_table(gdf),
              "metadata": pd.DataFrame(list(metadata.items()), columns=["key", "value"])}
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.map(xml_safe).to_excel(writer, sheet_name=name, index=False)
            for row in writer.sheets[name].iter_rows():
                for cell in row:
                    guard_formula(cell)
    return buffer.getvalue()




# --- Readable variant --------------------------------------------------------------------------------------------

# Columns of the readable export, in reading order: who, where, what, facts, texts, provenance, then the identifier.
READABLE_COLUMNS = (
    "name", "kind", "category",
    "address", "postcode", "city", "commune_code", "dep", "lat", "lon", "geo_precision",
    "website", "siren", "unit_code", "rnsr",
    *(facet for facet in FILTER_FACETS if facet in TAG_FACETS),
    "founded", "workforce", "description_fr", "description_en",
    "source", "updated", "verified", "status", "review_note", "id",
)
FLOAT_COLUMNS = ("lat", "lon")
INT_COLUMNS = ("founded", "workforce")
DATE_COLUMNS = ("updated", "verified")
# Long text: wide columns (width in characters), wrapped; rows tall enough for that many lines at most (the rest
# of a longer text is in the cell, shown when the row is enlarged or the cell selected).
WRAPPED_COLUMNS = {"description_fr": 70, "description_en": 70, "review_note": 50, "source": 50}
MAX_LINES = 6
LINE_HEIGHT = 15  # points, for the default 11-point font
# Text columns that may hold several values separated by '|' (several source pages, a joint unit's two codes).
MULTI_TEXT_COLUMNS = ("source", "unit_code")
# A field label to read a column's header from, where the column's name is not the field's name.
LABEL_FIELDS = {"geo_precision": "precision", "city": "commune"}
LIST_JOIN = " ; "
DATE_FORMATS = {"fr": "dd/mm/yyyy", "en": "yyyy-mm-dd"}
DATETIME_FORMATS = {"fr": "dd/mm/yyyy hh:mm", "en": "yyyy-mm-dd hh:mm"}
NUMBER_FORMATS = {"lat": "0.000000", "lon": "0.000000", "founded": "0", "workforce": "#,##0"}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def column_label(column: str, lang: str) -> str:
    """A readable export's header: the interface's field label, or an export_col_ message where that label is a
    form's hint ("Latitude (facultatif…)") or does not exist."""
    if has_message(f"export_col_{column}"):
        return t(f"export_col_{column}", lang)
    return field_label(LABEL_FIELDS.get(column, column), lang)


def _blank(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value) -> str:
    return "" if _blank(value) else str(value)


def _number(value, kind: type):
    """A typed number, or the value as text when it is not one (kept for people to see, never dropped)."""
    if _blank(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number) or math.isinf(number):
        return None
    if kind is int:
        return int(number) if number.is_integer() else number
    return round(number, 6)


def _date(value):
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    return str(value)


def _tags(value, facet: str, lang: str) -> str:
    vocabulary = load_vocabulary()
    keys = value if isinstance(value, (list, tuple)) else [part for part in _text(value).split("|") if part]
    return LIST_JOIN.join(vocabulary.label(facet, str(key), lang) for key in keys if not _blank(key))


def readable_table(gdf: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The selection as people read it, in `lang`: label headers, labels for codes and tags, the commune and the
    département by name; typed values (float, int, datetime.date, None for an empty cell), text otherwise."""
    vocabulary = load_vocabulary()
    rows = pd.DataFrame(gdf)
    columns: dict[str, list] = {}
    for column in READABLE_COLUMNS:
        if column in TAG_FACETS:
            values = [_tags(v, column, lang) for v in rows[column]]
        elif column in CODED_COLUMNS:
            values = [vocabulary.label(column, _text(v), lang) if _text(v) else "" for v in rows[column]]
        elif column == "dep":
            codes = rows["dep"] if "dep" in rows else rows["commune_code"].map(lambda c: _text(c)[:2])
            values = [departement_names().get(_text(code), _text(code)) for code in codes]
        elif column == "city":
            official = rows["commune_name"] if "commune_name" in rows else rows["city"]
            values = [_text(name) or _text(city) for name, city in zip(official, rows["city"])]
        elif column in FLOAT_COLUMNS:
            values = [_number(v, float) for v in rows[column]]
        elif column in INT_COLUMNS:
            values = [_number(v, int) for v in rows[column]]
        elif column in DATE_COLUMNS:
            values = [_date(v) for v in rows[column]]
        elif column in MULTI_TEXT_COLUMNS:
            values = [LIST_JOIN.join(part.strip() for part in _text(v).split("|") if part.strip())
                      for v in rows[column]]
        else:
            values = [_text(v) for v in rows[column]]
        columns[column_label(column, lang)] = values
    return pd.DataFrame(columns, dtype=object)


def _csv_cell(value, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".replace(".", decimal)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_readable_csv_bytes(gdf: pd.DataFrame, lang: str, separator: str = ",") -> bytes:
    """The readable variant as CSV, UTF-8 with a byte-order mark; with ';' (French Excel) decimals take a comma,
    so that French Excel reads the coordinates as numbers. Dates are ISO (2026-11-22), which every spreadsheet
    reads as a date. Formula-like text is neutralised (see `neutralise`)."""
    decimal = "," if separator == ";" else "."
    table = readable_table(gdf, lang).map(lambda v: _csv_cell(v, decimal))
    return table_csv_bytes(table, separator)


def to_readable_geojson_bytes(gdf: pd.DataFrame, lang: str) -> bytes:
    """The readable variant for GIS tools: label keys and values, numbers as numbers, dates ISO; not neutralised
    (see `to_geojson_bytes`)."""
    table = readable_table(gdf, lang)
    features = []
    for (_, row), lon, lat in zip(table.iterrows(), gdf["lon"], gdf["lat"]):
        properties = {key: value.isoformat() if isinstance(value, dt.date) else value for key, value in row.items()}
        geometry = None if _blank(lon) or _blank(lat) else {"type": "Point", "coordinates": [float(lon), float(lat)]}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def describe_filters(filters: Filters, lang: str, nothing: str = "") -> str:
    """The filters in words ("Type d'acteur (Entreprise, Institut) ; Département (91 Essonne)"), or `nothing`
    (by default: "none, every player")."""
    vocabulary = load_vocabulary()
    parts = [t("filter_words", lang, label=t("search_short", lang), values=t("quoted", lang, text=filters.text))
             ] if filters.text.strip() else []
    for facet in FILTER_FACETS:
        keys = filters.selected(facet)
        if keys:
            labels = ", ".join(facet_label(facet, key, vocabulary, lang) for key in keys)
            parts.append(t("filter_words", lang, label=t(f"facet_{facet}", lang), values=labels))
    return t("list_separator", lang).join(parts) if parts else (nothing or t("export_meta_no_filter", lang))


@dataclass(frozen=True)
class ExportRequest:
    """What a file says about itself: how the rows were chosen (filters, and `scope` when the filters alone do
    not say: a proximity search, a hand-picked shortlist), the date of the data, the language, the export time."""

    filters: Filters = field(default_factory=Filters)
    data_date: str = ""
    lang: str = DEFAULT_LANGUAGE
    scope: str = ""
    now: dt.datetime | None = None

    def metadata(self, rows: int) -> dict[str, str]:
        """The codes variant's metadata: keys and text values."""
        return export_metadata(self.filters, rows, self.data_date, self.lang, self.now, self.scope)

    def readable_metadata(self, rows: int) -> list[tuple[str, object]]:
        """The readable variant's metadata: (label, typed value) in the request's language."""
        lang = self.lang
        now = (self.now or dt.datetime.now(dt.timezone.utc)).astimezone(PARIS_TIME).replace(tzinfo=None)
        items = [
            ("export_meta_source", t("export_meta_source_text", lang)),
            ("export_meta_licence", LICENCE),
            ("export_meta_data_date", _date(self.data_date) or ""),
            ("export_meta_filters", describe_filters(self.filters, lang)),
            *([("export_meta_scope", self.scope)] if self.scope else []),
            ("export_meta_rows", rows),
            ("export_meta_language", t("export_meta_language_name", lang)),
            ("export_meta_variant", t("export_meta_variant_readable", lang)),
            ("export_meta_exported_at", now.replace(second=0, microsecond=0)),
        ]
        return [(t(key, lang), value) for key, value in items]


def is_link(value) -> bool:
    """One web address (a cell holds one link: several source pages stay plain text)."""
    return isinstance(value, str) and bool(re.fullmatch(r"https?://[^\s;|]+", value))


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF4")
LINK_FONT = Font(color="0563C1", underline="single")


def _write(sheet, row: int, column: int, value, lang: str, number_format: str | None = None):
    """One cell: blank for None or empty text, typed otherwise; text made XML-safe and guarded against formulas."""
    cell = sheet.cell(row=row, column=column)
    if value is None or (isinstance(value, str) and value == ""):
        return cell
    cell.value = xml_safe(value)
    guard_formula(cell)
    if isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMATS.get(lang, DATETIME_FORMATS["en"])
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMATS.get(lang, DATE_FORMATS["en"])
    elif number_format and isinstance(value, (int, float)):
        cell.number_format = number_format
    return cell


def _width(header: str, values, column: str) -> float:
    """Wide enough for most values (the header may wrap), never wider than a screen's share."""
    if column in WRAPPED_COLUMNS:
        return WRAPPED_COLUMNS[column]
    if column in DATE_COLUMNS:
        return max(12, min(len(header), 16) + 2)
    lengths = sorted(len(_csv_cell(v, ".")) for v in values)
    typical = lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0  # the 90th percentile: one outlier aside
    return float(min(max(typical, min(len(header), 18), 8) + 2, 45))


def _lines(text: str, width: float) -> int:
    """Lines a text takes once wrapped in a column `width` characters wide (a cautious estimate: spreadsheets do
    not size rows written by a program themselves, and text would spill over the next row)."""
    return sum(max(1, len(textwrap.wrap(part, max(1, int(width))))) for part in text.split("\n"))


def to_readable_xlsx_bytes(gdf: pd.DataFrame, request: ExportRequest) -> bytes:
    """The readable variant as a workbook: the selection (label headers, typed numbers and dates, frozen header
    row, autofilter, column widths, long text wrapped, web addresses as links) and its metadata sheet, both in
    the request's language. Every text cell is guarded against formulas (see `guard_formula`)."""
    lang = request.lang
    table = readable_table(gdf, lang)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = t("export_sheet_entities", lang)
    top = Alignment(vertical="top")
    wrapped = Alignment(vertical="top", wrap_text=True)
    for position, (column, header) in enumerate(zip(READABLE_COLUMNS, table.columns), start=1):
        head = _write(sheet, 1, position, header, lang)
        head.font, head.fill, head.alignment = HEADER_FONT, HEADER_FILL, wrapped
        values = table[header].tolist()
        for row, value in enumerate(values, start=2):
            cell = _write(sheet, row, position, value, lang, NUMBER_FORMATS.get(column))
            cell.alignment = wrapped if column in WRAPPED_COLUMNS else top
            if column in ("website", "source") and is_link(value):
                cell.hyperlink, cell.font = value, LINK_FONT
        sheet.column_dimensions[get_column_letter(position)].width = _width(header, values, column)
    widths = [sheet.column_dimensions[get_column_letter(p)].width for p in range(1, len(table.columns) + 1)]
    sheet.row_dimensions[1].height = LINE_HEIGHT * max(_lines(h, w) for h, w in zip(table.columns, widths))
    for row, values in enumerate(table.itertuples(index=False), start=2):
        lines = max((_lines(v, WRAPPED_COLUMNS[c]) for c, v in zip(READABLE_COLUMNS, values)
                     if c in WRAPPED_COLUMNS and isinstance(v, str) and v), default=1)
        if lines > 1:
            sheet.row_dimensions[row].height = LINE_HEIGHT * min(lines, MAX_LINES)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"

    meta = book.create_sheet(t("export_sheet_metadata", lang))
    for position, header in enumerate((t("export_meta_item", lang), t("export_meta_value", lang)), start=1):
        head = _write(meta, 1, position, header, lang)
        head.font, head.fill = HEADER_FONT, HEADER_FILL
    meta.column_dimensions["A"].width, meta.column_dimensions["B"].width = 30, 100
    for row, (label, value) in enumerate(request.readable_metadata(len(table)), start=2):
        _write(meta, row, 1, label, lang).font = HEADER_FONT
        _write(meta, row, 2, value, lang).alignment = Alignment(vertical="top", wrap_text=True, horizontal="left")
        if isinstance(value, str) and _lines(value, 100) > 1:
            meta.row_dimensions[row].height = LINE_HEIGHT * min(_lines(value, 100), MAX_LINES)
    meta.freeze_panes = "A2"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- The formats offered ------------------------------------------------------------------------------------------

READABLE, CODES = "readable", "codes"
EXPORT_VARIANTS = (READABLE, CODES)


@dataclass(frozen=True)
class ExportFormat:
    """One downloadable file: its variant, message key (export_<key>), file-name suffix, MIME type and builder."""

    variant: str
    key: str
    suffix: str
    mime: str
    build: Callable[[pd.DataFrame, ExportRequest], bytes]

    def file_name(self, stem: str, lang: str) -> str:
        """`biotherapies-idf-fr.xlsx` (readable, in its language), `biotherapies-idf-codes.xlsx` (codes)."""
        return f"{stem}-{CODES if self.variant == CODES else lang}{self.suffix}"


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = {
    READABLE: (
        ExportFormat(READABLE, "csv", ".csv", "text/csv", lambda rows, r: to_readable_csv_bytes(rows, r.lang)),
        ExportFormat(READABLE, "csv_semicolon", "-excel.csv", "text/csv",
                     lambda rows, r: to_readable_csv_bytes(rows, r.lang, ";")),
        ExportFormat(READABLE, "geojson", ".geojson", "application/geo+json",
                     lambda rows, r: to_readable_geojson_bytes(rows, r.lang)),
        ExportFormat(READABLE, "xlsx", ".xlsx", XLSX_MIME, to_readable_xlsx_bytes),
    ),
    CODES: (
        ExportFormat(CODES, "csv", ".csv", "text/csv", lambda rows, _: to_csv_bytes(rows)),
        ExportFormat(CODES, "csv_semicolon", "-excel.csv", "text/csv", lambda rows, _: to_csv_bytes(rows, ";")),
        ExportFormat(CODES, "geojson", ".geojson", "application/geo+json", lambda rows, _: to_geojson_bytes(rows)),
        ExportFormat(CODES, "xlsx", ".xlsx", XLSX_MIME,
                     lambda rows, r: to_xlsx_bytes(rows, r.metadata(len(rows)))),
    ),
}
