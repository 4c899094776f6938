"""Reading staff spreadsheets as they come: CSV in any delimiter and encoding, or XLSX, a title above the header.

The result is always a table of text with the file's own column names; mapping them onto the schema is
`import_mapping`'s job.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

import pandas as pd

from ecosystem.text import normalise_text

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")  # UTF-8 (with or without BOM) first; cp1252 covers Excel's "ANSI"
DELIMITERS = ",;\t|"
HEADER_SEARCH_ROWS = 15


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


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
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


def to_table(grid: pd.DataFrame, known_headers: set[str]) -> tuple[pd.DataFrame, int, int]:
    grid = grid.fillna("").astype(str).map(str.strip)
    position = header_index(grid, known_headers)
    header = [name or f"colonne_{i + 1}" for i, name in enumerate(grid.iloc[position])]
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
    """Read an uploaded CSV or XLSX file; raises ValueError when the file cannot be read at all."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            grid = pd.read_excel(io.BytesIO(data), header=None, dtype=str, engine="openpyxl")
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise ValueError(f"classeur illisible : {error}") from error
        table, position, empty = to_table(grid, known_headers)
        return ReadTable(table, "xlsx", "", position, empty)
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise ValueError("fichier vide")
    width = max(len(row) for row in rows)
    grid = pd.DataFrame([row + [""] * (width - len(row)) for row in rows])
    table, position, empty = to_table(grid, known_headers)
    return ReadTable(table, encoding, delimiter, position, empty)
