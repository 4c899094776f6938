"""Staff imports with real-world-shaped files: encodings, delimiters, title rows, duplicates, bad communes."""

import csv
import io
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from ecosystem.corrections.db import connect
from ecosystem.corrections.service import current_raw, export_current_csv, history
from ecosystem.import_mapping import known_headers, map_tags, suggest_columns
from ecosystem.import_plan import ERROR, OK, WARNING, apply_import, plan_import
from ecosystem.import_read import checksum, read_upload
from ecosystem.loading import read_entities_csv
from ecosystem.validation import validate

HEADER = ["Raison sociale", "Adresse", "Code postal", "Ville", "Type", "Site web", "Thématiques", "Divers"]
ROWS = [
    ["Thérapies Évry Test", "1 rue Exemple", "91000", "Evry-Courcouronnes", "Start-up", "https://t1.example",
     "Oncologie; Maladies rares et génétiques", "interne"],
    ["Vecteurs Villejuif Test", "", "94800", "Villejuif", "PME", "https://t2.example", "Neurologie-psychiatrie", ""],
    ["Cellules Paris Test", "", "75013", "Paris", "CDMO (façonnier)", "https://t3.example", "Hématologie", "x"],
]


def csv_bytes(rows, delimiter=",", encoding="utf-8", title=None) -> bytes:
    """As spreadsheet software exports: quoted where needed, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if title:
        writer.writerows([[title], []])
    writer.writerows([HEADER, *rows])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, title="Inventaire Institut Paris Region — octobre 2026") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan(data: bytes, name: str, current=None):
    read = read_upload(data, name, known_headers())
    mapping = suggest_columns(list(read.table.columns))
    return read, plan_import(read, mapping, name, checksum(data), read_entities_csv() if current is None else current)


@pytest.mark.parametrize("data, name, encoding, delimiter", [
    (csv_bytes(ROWS, ";", "latin-1"), "inventaire.csv", "cp1252", ";"),
    (csv_bytes(ROWS, ";", "cp1252", title="Export du 12/10/2026"), "inventaire.csv", "cp1252", ";"),
    (b"\xef\xbb\xbf" + csv_bytes(ROWS, ","), "inventaire.csv", "utf-8-sig", ","),
    (csv_bytes(ROWS, "\t"), "inventaire.tsv", "utf-8-sig", "\t"),
    (xlsx_bytes(ROWS), "inventaire.xlsx", "xlsx", ""),
])
def test_every_shape_reads_to_the_same_rows(data, name, encoding, delimiter):
    read, result = plan(data, name)
    assert (read.encoding, read.delimiter) == (encoding, delimiter)
    assert list(read.table.columns) == HEADER
    assert read.table.iloc[0, 0] == "Thérapies Évry Test"
    report = result.report()
    assert list(report["status"]) == [OK, OK, OK], report
    assert list(report["change"]) == ["new", "new", "new"]
    assert result.ignored_columns == ["Divers"]
    rows = {r.row["name"]: r.row for r in result.results}
    assert rows["Thérapies Évry Test"]["commune_code"] == "91228"
    assert rows["Thérapies Évry Test"]["city"] == "Évry-Courcouronnes"
    assert rows["Thérapies Évry Test"]["therapeutic_areas"] == "oncology|rare_genetic"
    assert rows["Cellules Paris Test"]["commune_code"] == "75113" and rows["Cellules Paris Test"]["category"] == "cdmo"
    assert rows["Vecteurs Villejuif Test"]["kind"] == "company"


def test_problem_rows_are_reported_not_fatal():
    rows = ROWS + [
        ROWS[0],  # duplicated row
        ["Labo Ambigu", "", "91190", "", "PME", "", "Oncologie", ""],  # shared postcode, no commune name
        ["Labo Inconnu", "", "99999", "Nulle-Part", "PME", "", "Oncologie", ""],
        ["Labo Tags", "", "92260", "Fontenay-aux-Roses", "PME", "https://t4.example", "Oncologie; Astrologie", ""],
        ["Labo Type", "", "92260", "Fontenay-aux-Roses", "Boulangerie", "", "", ""],
        ["", "", "", "", "", "", "", ""],  # empty line
    ]
    read, result = plan(csv_bytes(rows, ";", "cp1252"), "inventaire.csv")
    assert read.skipped_empty_rows == 1
    report = result.report().set_index("name")
    assert report["status"].tolist() == [OK, OK, OK, ERROR, ERROR, ERROR, WARNING, ERROR]
    assert "ligne en double (ligne 2)" in report.iloc[3]["reasons"]
    assert "plusieurs communes possibles" in report.loc["Labo Ambigu", "reasons"]
    assert "inconnu" in report.loc["Labo Inconnu", "reasons"]
    assert "« Astrologie » inconnu" in report.loc["Labo Tags", "reasons"]
    assert ("therapeutic_areas", "Astrologie") in result.unknown_values  # listed, never silently dropped
    assert "category : « Boulangerie » inconnu" in report.loc["Labo Type", "reasons"]
    counts = result.counts()
    assert (counts["new"], counts["error"], counts["absent"]) == (4, 4, len(read_entities_csv()))


def test_existing_entities_are_matched_and_diffed():
    seed = read_entities_csv()
    genopole = seed.set_index("id").loc["genopole"]
    rows = [["GENOPOLE", "", genopole["postcode"], "Évry-Courcouronnes", "Biocluster", genopole["website"], "", ""],
            ["Genethon", "1 bis rue de l'Internationale", "91000", "Évry-Courcouronnes", "", "", "", ""]]
    _, result = plan(csv_bytes(rows, ";"), "maj.csv")
    changes = {r.row["id"]: (r.change, r.changed_fields) for r in result.results if r.row}
    assert changes["genopole"] == ("unchanged", [])
    genethon = next(i for i in seed["id"] if i.startswith("genethon"))
    assert changes[genethon][0] == "changed" and changes[genethon][1] == ["address"]


def test_tag_overrides_map_staff_choices():
    assert map_tags("therapeutic_areas", "Cancérologie; Neuro", overrides={"cancerologie": "oncology"}) == \
        (["oncology"], ["Neuro"])


def test_applying_a_good_file_then_exporting_gives_back_the_same_rows(tmp_path):
    factory = connect(f"sqlite:///{tmp_path / 'import.sqlite3'}")
    data = csv_bytes(ROWS, ";", "cp1252")
    _, result = plan(data, "inventaire.csv", current_raw(factory))
    progress = []
    applied = apply_import(factory, result, "alice", progress.append)
    assert applied == {"new": 3, "changed": 0} and progress[-1] == 1.0
    exported = pd.read_csv(io.BytesIO(export_current_csv(factory)), dtype=str, keep_default_na=False)
    assert validate(exported) == []
    imported = exported.set_index("id").loc[[r.row["id"] for r in result.results]]
    for r in result.results:
        assert imported.loc[r.row["id"]].to_dict() == {k: v for k, v in r.row.items() if k != "id"}
    log = history(factory)
    assert set(log["reference"]) == {result.reference} and result.reference.startswith("IMP-")
    _, again = plan(data, "inventaire.csv", current_raw(factory))  # re-importing the same file changes nothing
    assert again.counts()["unchanged"] == 3 and again.counts()["new"] == 0


def test_a_failed_import_changes_nothing(tmp_path, monkeypatch):
    factory = connect(f"sqlite:///{tmp_path / 'failed.sqlite3'}")
    _, result = plan(csv_bytes(ROWS, ";"), "inventaire.csv", current_raw(factory))

    def broken(_fraction):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        apply_import(factory, result, "alice", broken)
    assert history(factory).empty and current_raw(factory).equals(read_entities_csv())


def test_command_line_dry_run(tmp_path):
    path = tmp_path / "inventaire.csv"
    path.write_bytes(csv_bytes(ROWS + [["Labo Ambigu", "", "91190", "", "PME", "", "", ""]], ";", "cp1252"))
    env = {"CORRECTIONS_DB": str(tmp_path / "cli.sqlite3"), "PATH": ""}
    done = subprocess.run([sys.executable, "-m", "ecosystem", "import", str(path), "--dry-run"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "3 nouvelle(s)" in done.stdout and "1 erreur(s)" in done.stdout and "rien n'a été écrit" in done.stdout
    assert not (tmp_path / "cli.sqlite3").exists() or history(connect(f"sqlite:///{tmp_path / 'cli.sqlite3'}")).empty
