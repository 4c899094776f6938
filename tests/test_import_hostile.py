"""Hostile spreadsheets through the import (issue 12, point 5): read whatever the file holds, refuse per row what
the correction form refuses (same function, same caps, same messages), never stop the whole file, and report it
on the page and on the command line without a traceback."""

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from db_support import database
from ecosystem.corrections import lengths
from ecosystem.corrections.db import connect
from ecosystem.corrections.service import current_raw, export_current_csv
from ecosystem.corrections.validation import TEXT_CAPS
from ecosystem.exports import to_csv_bytes
from ecosystem.i18n import t
from ecosystem.import_mapping import known_headers, suggest_columns
from ecosystem.import_plan import ERROR, OK, apply_import, plan_import
from ecosystem.import_read import UnreadableFile, checksum, read_upload, visible
from ecosystem.loading import read_entities_csv, to_geodataframe
from test_import import Upload, import_page  # the staff import page under AppTest, with a given upload

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Raison sociale", "Adresse", "Code postal", "Ville", "Type", "Site web", "Thématiques", "Description"]
MEGABYTE = "x" * 1_000_000
LONG_MARKER = "cellule-d-un-megaoctet"


def good(name: str, **cells) -> list[str]:
    """A valid row (Évry), with some cells replaced: keys are HEADER positions' short names."""
    row = dict(name=name, address="1 rue Exemple", postcode="91000", city="Evry-Courcouronnes", category="PME",
               website="https://example.org", tags="Oncologie", description="Une description.")
    row.update(cells)
    return list(row.values())


def too_long(field: str) -> str:
    return t("err_too_long", "fr", cap=TEXT_CAPS[field])


# (row, expected status, French reason expected in the report or "")
CASES = [
    (good("Labo Sain"), OK, ""),
    (good("Labo Méga", description=MEGABYTE), ERROR,
     f"colonne « Description » : {too_long('description_fr')}"),
    (good("Labo Méga Nom" + MEGABYTE), ERROR, f"colonne « Raison sociale » : {too_long('name')}"),
    (good("N" * (TEXT_CAPS["name"] + 1)), ERROR, f"colonne « Raison sociale » : {too_long('name')}"),
    (good("N" * TEXT_CAPS["name"]), OK, ""),  # at the cap: accepted, as by the form
    (good("Labo\x00Nul"), ERROR, "colonne « Raison sociale » : " + t("err_control", "fr")),
    (good("Labo Cloche", address="1 rue\x07 Exemple"), ERROR, "colonne « Adresse » : " + t("err_control", "fr")),
    (good("Labo Bidi \u202eeciffo"), ERROR, "colonne « Raison sociale » : " + t("err_bidi", "fr")),
    (good("Labo Isolat", description="texte \u2066isolé\u2069"), ERROR,
     "colonne « Description » : " + t("err_bidi", "fr")),
    (good("Labo C1", city="Evry\x85Courcouronnes"), ERROR, "colonne « Ville » : " + t("err_control", "fr")),
    (good("Labo Tags Nul", tags="Oncologie\x00"), ERROR, "colonne « Thématiques » : " + t("err_control", "fr")),
    (good("Labo\r\nDeux Lignes"), ERROR, "colonne « Raison sociale » : " + t("err_control", "fr")),
    (good("Labo Tab\tNom"), ERROR, "colonne « Raison sociale » : " + t("err_control", "fr")),
    (good("Labo Lignes", description="ligne 1\r\nligne 2\rligne 3\n\tretrait"), OK, ""),
    (good("Labo Alt Entrée", tags="Oncologie\r\nNeurologie-psychiatrie"), OK, ""),
    (good("=HYPERLINK(\"http://evil.example\";\"clic\")", address="-2+3", description="@SUM(A1:A9)"), OK, ""),
    (good("+33 Labo", description="=cmd|' /C calc'!A0"), OK, ""),
    (good("<script>alert(1)</script> Labo", description="'; DROP TABLE entities; --"), OK, ""),
]


def csv_bytes(rows, delimiter=";") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([HEADER, *rows])
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows) -> bytes:
    """A workbook of `rows`. openpyxl cuts a string at Excel's 32,767 characters when writing, so a longer cell
    is put into the sheet's XML afterwards, as a hand-made or damaged file would carry it."""
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append([LONG_MARKER if cell == MEGABYTE else cell for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item, content.replace(LONG_MARKER.encode(), MEGABYTE.encode()))
    return output.getvalue()


def plan(data: bytes, name: str, current=None, lang="fr"):
    read = read_upload(data, name, known_headers())
    return read, plan_import(read, suggest_columns(list(read.table.columns)), name, checksum(data),
                             read_entities_csv() if current is None else current, lang=lang)


def test_a_hostile_csv_is_read_whole_and_reported_row_by_row():
    read, result = plan(csv_bytes([row for row, _, _ in CASES]), "hostile.csv")
    assert len(read.table) == len(CASES)
    assert read.table.loc[1, "Description"] == MEGABYTE  # over the csv module's 128 KiB field limit
    report = result.report()
    for (row, status, reason), line in zip(CASES, report.itertuples()):
        assert line.status == status, (row[0][:40], line.reasons)
        if reason:
            assert reason in line.reasons, (row[0][:40], line.reasons)
        assert "commune" not in line.reasons  # a refused city is not reported twice
    assert report.loc[5, "name"] == "Labo\\u0000Nul"  # named in the report, the hidden character made visible
    assert report.loc[7, "name"] == "Labo Bidi \\u202eeciffo"
    assert len(report.loc[2, "name"]) <= 121  # a 1 MB name is cut in the report
    assert not any("\u202e" in str(value) or "\x00" in str(value) for value in report.to_numpy().ravel())
    rows = {r.row["name"]: r.row for r in result.results if r.row}
    assert rows["Labo Lignes"]["description_fr"] == "ligne 1\nligne 2\nligne 3\n\tretrait"  # as the form sends
    assert rows["Labo Alt Entrée"]["therapeutic_areas"] == "oncology|neuro_psychiatry"
    hyperlink = rows['=HYPERLINK("http://evil.example";"clic")']  # stored literally, neutralised on export
    assert (hyperlink["address"], hyperlink["description_fr"]) == ("-2+3", "@SUM(A1:A9)")
    assert result.counts()["new"] == sum(status == OK for _, status, _ in CASES)


def test_reasons_are_in_the_page_language():
    _, result = plan(csv_bytes([good("Labo Méga", description=MEGABYTE), good("Labo\x00Nul")]), "hostile.csv",
                     lang="en")
    reasons = list(result.report()["reasons"])
    assert reasons[0] == "column “Description”: " + t("err_too_long", "en", cap=TEXT_CAPS["description_fr"])
    assert reasons[1] == "column “Raison sociale”: " + t("err_control", "en")


def test_a_hostile_workbook_is_checked_the_same_way():
    # XML cannot carry NUL or most C0 controls; C1 controls, direction overrides and 1 MB strings it can.
    rows = [good("Labo Sain"), good("Labo Méga", description=MEGABYTE), good("Labo Bidi \u202eeciffo"),
            good("Labo C1", city="Evry\x85Courcouronnes"), good("@SUM(A1:A2)")]
    read, result = plan(xlsx_bytes(rows), "hostile.xlsx")
    assert read.table.loc[1, "Description"] == MEGABYTE
    assert list(result.report()["status"]) == [OK, ERROR, ERROR, ERROR, OK]


def test_hostile_header_names_are_shown_safely():
    data = csv_bytes([good("Labo Sain")]).replace(b"Description", ("Desc\u202eription" + "y" * 500).encode())
    read = read_upload(data, "entetes.csv", known_headers())
    header = list(read.table.columns)[-1]
    assert header.startswith("Desc\\u202eription") and len(header) <= 120 and "\u202e" not in header


def test_a_hostile_file_name_is_escaped_and_cut_before_it_is_stored():
    data = csv_bytes([good("Labo Sain")])
    name = "\u202e" + "n" * 400 + ".csv"
    _, result = plan(data, name)
    assert result.filename.startswith("\\u202e") and len(result.filename) <= 201
    assert "\u202e" not in result.results[0].row["source"] + result.results[0].row["review_note"]


def test_a_line_break_in_a_header_is_a_space():
    """Alt+Enter in a header cell ("Code⏎postal") still finds the column."""
    data = csv_bytes([good("Labo Sain")]).replace(b"Code postal", b'"Code\r\npostal"')
    read = read_upload(data, "entetes.csv", known_headers())
    assert "Code postal" in read.table.columns
    assert suggest_columns(list(read.table.columns))["Code postal"] == "postcode"


def test_applying_keeps_formulas_literal_in_the_seed_export_and_neutralises_the_public_one(tmp_path):
    factory = connect(f"sqlite:///{tmp_path / 'hostile.sqlite3'}")
    _, result = plan(csv_bytes([row for row, _, _ in CASES]), "hostile.csv", current_raw(factory))
    applied = apply_import(factory, result, "alice")
    assert applied["new"] == sum(status == OK for _, status, _ in CASES)
    seed_format = pd.read_csv(io.BytesIO(export_current_csv(factory)), dtype=str, keep_default_na=False)
    formula = seed_format[seed_format["name"].str.startswith("=HYPERLINK")].iloc[0]
    assert formula["address"] == "-2+3" and formula["description_fr"] == "@SUM(A1:A9)"  # round-trips exactly
    assert not seed_format["name"].str.contains("\x00|\u202e").any()  # refused rows were not stored
    public = pd.read_csv(io.BytesIO(to_csv_bytes(to_geodataframe(seed_format))), dtype=str, keep_default_na=False)
    neutralised = public[public["name"].str.contains("HYPERLINK")].iloc[0]
    assert neutralised["name"] == "'" + formula["name"] and neutralised["description_fr"] == "'@SUM(A1:A9)"


def test_more_new_rows_than_a_small_commune_has_slots_still_plan():
    """Vaudherland has 6 free slots on its spiral: the 7th new row used to end the import with StopIteration."""
    rows = [good(f"Labo Vaudherland {i}", postcode="95500", city="Vaudherland") for i in range(9)]
    _, result = plan(csv_bytes(rows), "vaudherland.csv")
    assert list(result.report()["status"]) == [OK] * 9
    assert all(r.row["commune_code"] == "95633" for r in result.results)


@pytest.mark.parametrize("data, name, key", [
    (b"", "vide.csv", "import_err_empty"),
    (b"\r\n;;\r\n  \r\n", "vide.csv", "import_err_empty"),
    (b"not a zip", "abime.xlsx", "import_err_workbook"),
])
def test_unreadable_files_raise_a_translated_reason(data, name, key):
    with pytest.raises(UnreadableFile) as raised:
        read_upload(data, name, known_headers())
    assert raised.value.key == key
    assert raised.value.message("en") != raised.value.message("fr") and str(raised.value) == raised.value.message("fr")


def test_visible_escapes_what_the_form_refuses():
    assert visible("Genopole — Évry\n") == "Genopole — Évry\\u000a"
    assert visible("a\u202eb\x00c") == "a\\u202eb\\u0000c"
    assert visible("x" * 10, 4) == "xxxx…"


# --- Command line --------------------------------------------------------------------------------------------

def run_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"CORRECTIONS_DB": str(tmp_path / "cli.sqlite3"), "PATH": ""}
    return subprocess.run([sys.executable, "-m", "ecosystem", "import", *args], capture_output=True, text=True,
                          env=env, timeout=180, cwd=ROOT)


def test_command_line_dry_run_reports_hostile_rows_and_exits_0(tmp_path):
    path = tmp_path / "hostile.csv"
    path.write_bytes(csv_bytes([row for row, _, _ in CASES]))
    done = run_cli(str(path), "--dry-run", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stderr == ""
    lines = [line for line in done.stdout.splitlines() if line.startswith("  ligne ")]
    assert len(lines) == len(CASES)
    for line, (_, status, reason) in zip(lines, CASES):
        assert f"[{status}]" in line and reason in line
    assert "Labo\\u0000Nul" in done.stdout and "\u202e" not in done.stdout and "\x00" not in done.stdout
    assert MEGABYTE not in done.stdout
    errors = sum(status == ERROR for _, status, _ in CASES)
    assert t("import_n_error", count=errors) in done.stdout and "rien n'a été écrit" in done.stdout


@pytest.mark.parametrize("content, name, reason", [
    (None, "absent.csv", "impossible d'ouvrir le fichier"),
    (b"", "vide.csv", t("import_err_empty", "fr")),
    (b"PK\x03\x04 damaged", "abime.xlsx", "classeur illisible"),
])
def test_command_line_unreadable_file_exits_1_with_the_reason(tmp_path, content, name, reason):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    done = run_cli(str(path), "--dry-run", tmp_path=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and done.stderr.startswith("Fichier illisible : ") and reason in done.stderr


def test_command_line_help_gives_the_exit_codes(tmp_path):
    done = run_cli("--help", tmp_path=tmp_path)
    text = " ".join(done.stdout.split())  # argparse wraps the epilog
    assert done.returncode == 0 and "Codes de sortie" in text and "0 dès que le fichier" in text
    assert "1 si le fichier est illisible" in text and "2 pour une commande mal formée" in text
    assert "--set" in text and "--accept-matches" in text


@pytest.mark.parametrize("args", [["--set", "kind"], ["--set", "couleur=bleu"], ["--set", "kind=boulangerie"],
                                  ["--unknown-option"]])
def test_command_line_usage_errors_exit_2(tmp_path, args):
    path = tmp_path / "inventaire.csv"
    path.write_bytes(csv_bytes([good("Labo Sain")]))
    done = run_cli(str(path), "--dry-run", *args, tmp_path=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.startswith("usage:")


# --- The staff page -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fr", "en"])
def test_import_page_reports_hostile_rows_without_an_exception(monkeypatch, lang):
    rows = [good("Labo Sain"), good("Labo Méga", description=MEGABYTE), good("Labo\x00Nul"),
            good("Labo Bidi \u202eeciffo"), good("=1+1")]
    app = import_page(monkeypatch, Upload("hostile.csv", csv_bytes(rows)), lang)
    assert not app.exception
    report = app.dataframe[-1].value
    assert list(report[t("status", lang)]) == [t(f"staff_import_status_{status}", lang)
                                               for status in (OK, ERROR, ERROR, ERROR, OK)]
    reasons = list(report[t("report_reasons", lang)])
    assert t("err_too_long", lang, cap=TEXT_CAPS["description_fr"]) in reasons[1]
    assert t("err_control", lang) in reasons[2] and t("err_bidi", lang) in reasons[3]
    preview = next(frame.value for frame in app.dataframe if "Description" in frame.value.columns)
    assert len(preview.iloc[1]["Description"]) <= 201 and preview.iloc[2]["Raison sociale"] == "Labo\\u0000Nul"
    apply = next(button for button in app.button if button.label == t("apply_import", lang))
    assert not apply.disabled  # the good rows can still be applied


def test_import_page_says_why_a_file_is_unreadable(monkeypatch):
    app = import_page(monkeypatch, Upload("abime.xlsx", b"not a zip"), "en")
    assert not app.exception
    message = app.error[0].value
    assert message.startswith(t("unreadable", "en", error="")) and "unreadable workbook" in message


# --- Identifiers and the database's columns ---------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def backend_factory(request, tmp_path):
    with database(request.param, tmp_path) as url:
        yield connect(url)


def test_rows_at_the_form_s_maximum_lengths_apply_on_both_backends(backend_factory):
    """A name at the form's cap gives an id cut to the id column (PostgreSQL refused the 200-character slug)."""
    longest = {"name": "N" * TEXT_CAPS["name"], "address": "A" * TEXT_CAPS["address"],
               "description": "D" * TEXT_CAPS["description_fr"]}
    data = csv_bytes([good(longest["name"], address=longest["address"], description=longest["description"]),
                      good("É" * TEXT_CAPS["name"])])
    _, result = plan(data, "x" * 300 + ".csv", current_raw(backend_factory))
    assert list(result.report()["status"]) == [OK, OK]
    assert all(len(r.row["id"]) <= lengths.ENTITY_ID for r in result.results)
    assert apply_import(backend_factory, result, "alice") == {"new": 2, "changed": 0}
    live = current_raw(backend_factory).set_index("id")
    stored = live.loc[result.results[0].row["id"]]
    assert (stored["name"], stored["address"]) == (longest["name"], longest["address"])


def test_an_id_column_longer_than_the_id_column_is_refused():
    header = HEADER + ["Identifiant"]
    rows = [good("Labo Long Id") + ["a" * (lengths.ENTITY_ID + 1)], good("Labo Bon Id") + ["labo-bon-id"]]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    _, result = plan(buffer.getvalue().encode(), "ids.csv")
    report = result.report()
    assert list(report["status"]) == [ERROR, OK]
    assert t("err_too_long", "fr", cap=lengths.ENTITY_ID) in report.loc[0, "reasons"]
    assert result.results[1].row["id"] == "labo-bon-id"


def test_a_new_id_taken_since_the_plan_was_made_is_not_overwritten(tmp_path):
    factory = connect(f"sqlite:///{tmp_path / 'ids.sqlite3'}")
    current = current_raw(factory)
    _, first = plan(csv_bytes([good("Labo Conflit", website="https://first.example")]), "a.csv", current)
    _, second = plan(csv_bytes([good("Labo Conflit", website="https://second.example")]), "b.csv", current)
    assert first.results[0].row["id"] == second.results[0].row["id"] == "labo-conflit"
    apply_import(factory, first, "alice")
    apply_import(factory, second, "bob")  # planned before the first was applied
    live = current_raw(factory).set_index("id")
    assert live.loc["labo-conflit", "website"] == "https://first.example"
    assert second.results[0].row["id"] == "labo-conflit-2"
    assert live.loc["labo-conflit-2", "website"] == "https://second.example"


def test_command_line_refuses_a_hostile_reviewer_name(tmp_path):
    path = tmp_path / "inventaire.csv"
    path.write_bytes(csv_bytes([good("Labo Sain")]))
    done = run_cli(str(path), "--reviewer", "alice\x1b[31m", tmp_path=tmp_path)
    assert done.returncode == 2 and t("err_control", "fr") in done.stderr and "Traceback" not in done.stderr
    done = run_cli(str(path), "--reviewer", "a" * (lengths.REVIEWER + 1), tmp_path=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
