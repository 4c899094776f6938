"""What the import page tells staff about columns: which are required, which headers are recognised, and a
template to download (CSV and XLSX) with headers in staff's own words and one example row. The template reads
back through the import itself (tests/test_import.py)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
from openpyxl.styles import Font

from ecosystem.i18n import DEFAULT_LANGUAGE, t
from ecosystem.import_mapping import COLUMN_ALIASES, SIREN, THEMES
from ecosystem.import_plan import target_label

# The template's columns, in the order of the headers and example of messages "import_template_headers" and
# "import_template_example".
TEMPLATE_TARGETS = ("name", "kind", "address", "postcode", "city", "commune_code", "lat", "lon", "website", SIREN,
                    THEMES, "founded", "workforce", "description_fr", "source")
# Rule of each target shown to staff (message key); the others are optional.
RULES = {"name": "import_rule_required", "kind": "import_rule_kind", "postcode": "import_rule_place",
         "city": "import_rule_place", "commune_code": "import_rule_place", "lat": "import_rule_place",
         "lon": "import_rule_place", "category": "import_rule_review", THEMES: "import_rule_review"}
SHOWN_HEADERS = 8


def template_rows(lang: str = DEFAULT_LANGUAGE) -> tuple[list[str], list[str]]:
    headers = t("import_template_headers", lang).split("|")
    example = t("import_template_example", lang).split("|")
    assert len(headers) == len(example) == len(TEMPLATE_TARGETS), "template messages out of step"
    return headers, example


def template_csv(lang: str = DEFAULT_LANGUAGE) -> bytes:
    """As French spreadsheet software reads it by a double click: UTF-8 with BOM, ";" separated, CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(template_rows(lang))
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(lang: str = DEFAULT_LANGUAGE) -> bytes:
    headers, example = template_rows(lang)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inventaire" if lang == "fr" else "Inventory"
    sheet.append(headers)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, header in zip(sheet.columns, headers):
        sheet.column_dimensions[column[0].column_letter].width = max(12, len(header) + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def columns_table(lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Field, rule (required, a place, optional) and the headers recognised for it, required ones first."""
    targets = [*TEMPLATE_TARGETS[:2], "category", *TEMPLATE_TARGETS[2:], "therapeutic_areas", "activities",
               "modalities", "axes", "roles", "clusters", "description_en", "id"]
    order = {"import_rule_required": 0, "import_rule_kind": 1, "import_rule_place": 2, "import_rule_review": 3}
    targets.sort(key=lambda target: order.get(RULES.get(target, ""), 4))
    return pd.DataFrame([{t("import_col_field", lang): target_label(target, lang),
                          t("import_col_rule", lang): t(RULES.get(target, "import_rule_optional"), lang),
                          t("import_col_headers", lang): ", ".join(COLUMN_ALIASES.get(target, (target,))
                                                                   [:SHOWN_HEADERS])}
                         for target in targets])
