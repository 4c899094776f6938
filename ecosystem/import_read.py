"""Reading staff spreadsheets as they come: CSV in any delimiter and encoding, or XLSX, a title above the header.

The result is always a table of text with the file's own column names; mapping them onto the schema is
`import_mapping`'s job, checking each value `import_plan`'s. Hostile content (a 1 MB cell, NUL, control or
direction characters, line breaks inside cells) is read as it is, so that the plan can report it row by row; only
a file that cannot be read at all raises `UnreadableFile`.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

import pandas as pd

from ecosystem.corrections.validation import text_problem
from ecosystem.i18n import t
from ecosystem.text import normalise_text

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # UTF-8 (with or without BOM) first; cp1252 covers Excel's "ANSI"
DELIMITERS = ",;\t|"
HEADER_SEARCH_ROWS = 15
SNIFF_CHARACTERS = 100_000  # enough lines to guess the delimiter; a huge first cell must not slow the guess down
# The csv module refuses fields over 128 KiB by default, a guard for streamed input. The whole file is already in
# memory here, so the guard protects nothing: a longer cell is read, then refused by the length caps of the plan.
FIELD_SIZE_LIMIT = 2**31 - 1  # the largest value accepted on every platform (a C long)
HEADER_CAP = 100  # a column name longer than this is cut in the mapping step (it labels a select box)


class UnreadableFile(ValueError):
    """A file that cannot be read at all: a message key of data/messages.toml and its parameters, so that the
    page says why in the reader's language (str() gives the French text, for the command line and logs)."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(t(key, "fr", **params))

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


@dataclass
class ReadTable:
    table: pd.DataFrame
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 0  # 0-based row of the header in the file
    skipped_empty_rows: int = 0
    notes: list[str] = field(default_factory=list)


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValueError("encodage non reconnu")  # latin-1 decodes any byte: not reached


def visible(value: str, limit: int | None = None) -> str:
    """`value` safe to show in a report, a label or a terminal: cut to `limit` characters (with "…"), and every
    character the correction form refuses (control, direction override) written as a \\uXXXX escape, so that it
    can neither hide nor reorder the text around it."""
    head = value if limit is None else value[:limit + 1]  # never escape a whole 1 MB cell to show 120 characters
    shown = "".join(f"\\u{ord(c):04x}" if text_problem(c, 1, multiline=False) else c for c in head)
    return shown if limit is None or len(shown) <= limit else shown[:limit] + "…"


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text[:SNIFF_CHARACTERS].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        return max(counts, key=counts.get)


def header_index(grid: pd.DataFrame, known_headers: set[str]) -> int:
    """The header is the first of the top rows naming at least two known columns; else the fullest row."""
    top = grid.head(HEADER_SEARCH_ROWS)
    for position, (_, row) in enumerate(top.iterrows()):
        names = {normalise_text(str(value)) for value in row if str(value).strip()}
        if len(names & known_headers) >= 2:
            return position
    filled = top.apply(lambda row: sum(bool(str(v).strip()) for v in row), axis=1)
    return int(filled.to_numpy().argmax()) if len(filled) else 0


def one_line_end(value: str) -> str:
    """A cell stripped, its line breaks as the form sends them (LF): Windows tools write CR LF inside cells, and a
    bare CR would otherwise be refused as a control character."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def column_name(cell: str) -> str:
    """A header cell as a column name: line breaks (Alt+Enter in "Code\\npostal") and runs of blanks as one
    space, then `visible`, as it labels a select box and is printed by the command line."""
    return visible(" ".join(cell.split()), HEADER_CAP)


def to_table(grid: pd.DataFrame, known_headers: set[str]) -> tuple[pd.DataFrame, int, int]:
    grid = grid.fillna("").astype(str).map(one_line_end)
    position = header_index(grid, known_headers)
    header = [column_name(name) or f"colonne_{i + 1}" for i, name in enumerate(grid.iloc[position])]
    body = grid.iloc[position + 1:].copy()
    body.columns = _unique(header)
    empty = (body == "").all(axis=1)
    return body[~empty].reset_index(drop=True), position, int(empty.sum())


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def read_upload(data: bytes, filename: str, known_headers: set[str]) -> ReadTable:
    """Read an uploaded CSV or XLSX file; raises UnreadableFile when the file cannot be read at all."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            grid = pd.read_excel(io.BytesIO(data), header=None, dtype=str, engine="openpyxl")
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise UnreadableFile("import_err_workbook", detail=visible(str(error), 300)) from error
        if grid.empty:
            raise UnreadableFile("import_err_empty")
        table, position, empty = to_table(grid, known_headers)
        return ReadTable(table, "xlsx", "", position, empty)
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(FIELD_SIZE_LIMIT)  # process-wide, always the same value: safe for concurrent sessions
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UnreadableFile("import_err_csv", detail=visible(str(error), 300)) from error
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise UnreadableFile("import_err_empty")
    width = max(len(row) for row in rows)
    grid = pd.DataFrame([row + [""] * (width - len(row)) for row in rows])
    table, position, empty = to_table(grid, known_headers)
    return ReadTable(table, encoding, delimiter, position, empty)
