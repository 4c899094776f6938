"""Staff imports with real-world-shaped files: encodings, delimiters, title rows, kinds in a Type column, a mixed
themes column, missing categories and tags, organisations already on the map under other spellings, duplicated
rows, bad communes, default values, the template, the command line and the page."""

import csv
import io
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from ecosystem.corrections.db import connect
from ecosystem.corrections.models import EntityHistory, ImportBatch
from ecosystem.corrections.service import current_raw, export_current_csv, history
from ecosystem.i18n import t
from ecosystem.import_mapping import (KIND_OF_CATEGORY, THEMES, choice, known_headers, map_tags, suggest_columns)
from ecosystem.identifiers import siren_of
from ecosystem.text import name_key, website_domain
from ecosystem.import_plan import (ACCEPT, CHANGED, ERROR, NEW, OK, REJECT, TO_CONFIRM, UNCHANGED, WARNING,
                                   InvalidDefault, apply_import, plan_import, resolve_defaults)
from ecosystem.import_read import checksum, read_upload
from ecosystem.import_template import TEMPLATE_TARGETS, columns_table, template_csv, template_xlsx
from ecosystem.loading import read_entities_csv
from ecosystem.schema import TAG_FACETS
from ecosystem.validation import validate
from ecosystem.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Raison sociale", "Adresse", "Code postal", "Ville", "Type", "Site web", "Thématiques", "Divers"]
ROWS = [
    ["Thérapies Évry Test", "1 rue Exemple", "91000", "Evry-Courcouronnes", "Start-up", "https://t1.example",
     "Oncologie; Maladies rares et génétiques", "interne"],
    ["Vecteurs Villejuif Test", "", "94800", "Villejuif", "PME", "https://t2.example", "Neurologie-psychiatrie", ""],
    ["Cellules Paris Test", "", "75013", "Paris", "CDMO (façonnier)", "https://t3.example", "Hématologie", "x"],
]


def table_bytes(header, rows, delimiter=";", encoding="utf-8", title=None) -> bytes:
    """As spreadsheet software exports: quoted where needed, CRLF line ends, maybe a title above the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if title:
        writer.writerows([[title], []])
    writer.writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def csv_bytes(rows, delimiter=",", encoding="utf-8", title=None) -> bytes:
    return table_bytes(HEADER, rows, delimiter, encoding, title)


LONG_MARKER = "cellule-d-un-megaoctet"


def workbook_bytes(header, rows, title="Inventaire Institut Paris Region — octobre 2026") -> bytes:
    """A workbook with a title row. openpyxl cuts strings at Excel's 32,767 characters, so a longer cell is put
    into the sheet's XML afterwards, as a hand-made file would carry it."""
    long_cells = {cell for row in rows for cell in row if len(cell) > 32_767}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append([LONG_MARKER if cell in long_cells else cell for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    if not long_cells:
        return buffer.getvalue()
    [long_cell] = long_cells
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename).replace(LONG_MARKER.encode(), long_cell.encode()))
    return output.getvalue()


def xlsx_bytes(rows) -> bytes:
    return workbook_bytes(HEADER, rows)


def plan(data: bytes, name: str, current=None, **options):
    read = read_upload(data, name, known_headers())
    mapping = suggest_columns(list(read.table.columns))
    return read, plan_import(read, mapping, name, checksum(data),
                             read_entities_csv() if current is None else current, **options)


def seed_entry(entity_id: str) -> pd.Series:
    seed = read_entities_csv().set_index("id")
    assert entity_id in seed.index, f"{entity_id} is no longer in data/entities.csv: pick another organisation"
    return seed.loc[entity_id]


def luhn_siren(prefix: str) -> str:
    """A 9-digit number with a valid SIREN check digit."""
    for last in "0123456789":
        if siren_of(prefix + last):
            return prefix + last
    raise AssertionError(prefix)


# --- Shapes of files ---------------------------------------------------------------------------------------------

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
    assert rows["Thérapies Évry Test"]["axes"] == "oncology"  # "Oncologie" is an axis too
    assert rows["Cellules Paris Test"]["commune_code"] == "75113" and rows["Cellules Paris Test"]["category"] == "cdmo"
    assert rows["Vecteurs Villejuif Test"]["kind"] == "company" and rows["Vecteurs Villejuif Test"]["category"] == "sme"


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
    assert report["status"].tolist() == [OK, OK, OK, WARNING, ERROR, ERROR, WARNING, ERROR]
    assert t("import_r_duplicate", "fr", line=2) == report.iloc[3]["reasons"]  # counted once, nothing to fix
    assert "plusieurs communes possibles" in report.loc["Labo Ambigu", "reasons"]
    assert "inconnu" in report.loc["Labo Inconnu", "reasons"]
    assert "« Astrologie » inconnu, non repris" in report.loc["Labo Tags", "reasons"]
    assert (THEMES, "Astrologie") in result.unknown_values  # listed, never silently dropped
    assert "type « Boulangerie » inconnu" in report.loc["Labo Type", "reasons"]
    counts = result.counts()
    assert (counts["new"], counts["error"], counts["duplicates"]) == (4, 3, 1)
    assert counts["absent"] == len(read_entities_csv())


# --- Kinds from a Type column --------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Type", "Nature", "Statut", "Type de structure", "TYPE D'ACTEUR"])
def test_a_type_nature_or_statut_column_is_the_kind(header):
    assert suggest_columns([header, "Catégorie"]) == {header: "kind", "Catégorie": "category"}


@pytest.mark.parametrize("written, kind", [
    ("Entreprise", "company"), ("Société", "company"), ("Start-up", "company"), ("PME", "company"),
    ("Institut", "institute"), ("Laboratoire", "institute"), ("Unité", "institute"), ("Université", "institute"),
    ("Hôpital", "institute"), ("Association de recherche", "institute"),
    ("Parc", "cluster_site"), ("Incubateur", "cluster_site"), ("Pépinière", "cluster_site"),
    ("Campus", "cluster_site"), ("Pôle", "cluster_site"), ("Cluster", "cluster_site"),
    ("STARTUPS", "company"), ("incubateurs", "cluster_site"),  # case, plural
])
def test_the_type_value_gives_the_kind_and_the_category_it_names(written, kind):
    rows = [["Acteur Type Test", "", "91000", "Évry-Courcouronnes", written, "", "Oncologie", ""]]
    _, result = plan(csv_bytes(rows, ";"), "types.csv")
    [row] = result.results
    assert row.status in (OK, WARNING), row.reasons
    assert row.row["kind"] == kind
    # The category is set where the vocabulary says the value names one (read through the API, not a word list).
    named = load_vocabulary().find("category", written) or ""
    assert row.row["category"] == named
    if named:
        assert KIND_OF_CATEGORY[named] == kind and row.status == OK
    else:
        assert t("import_r_no_category", "fr") in row.reasons and row.row["status"] == "to_review"


def test_the_kind_implied_by_each_category_agrees_with_the_map():
    seed = read_entities_csv()
    assert set(KIND_OF_CATEGORY) == set(load_vocabulary().keys("category"))
    for category, kinds in seed.groupby("category")["kind"]:
        assert kinds.value_counts().index[0] == KIND_OF_CATEGORY[category], category


def test_a_category_column_still_wins_over_the_category_a_type_names():
    header = ["Raison sociale", "Code postal", "Ville", "Type", "Catégorie"]
    data = table_bytes(header, [["Incubé Test", "91000", "Évry-Courcouronnes", "Entreprise", "Start-up"],
                                ["Pépinière Test", "91000", "Évry-Courcouronnes", "Incubateur", "Biocluster"]])
    _, result = plan(data, "cat.csv")
    rows = [(r.row["kind"], r.row["category"]) for r in result.results]
    assert rows == [("company", "startup"), ("cluster_site", "biocluster")]


# --- A themes column routed value by value ---------------------------------------------------------------------------

def test_a_mixed_themes_column_is_routed_value_by_value():
    vocabulary = load_vocabulary()
    cell = "Thérapie génique; CDMO; Oncologie; neuro; AAV; CAR-T"
    _, result = plan(csv_bytes([["Mixte Test", "", "91000", "Évry-Courcouronnes", "Start-up", "", cell, ""]], ";"),
                     "themes.csv")
    [row] = result.results
    assert row.status == OK, row.reasons
    expected: dict[str, set[str]] = {}
    for value in cell.split("; "):
        found = vocabulary.find_anywhere(value, TAG_FACETS)
        assert found, f"{value} is in no facet of the vocabulary"
        for facet, key in found:
            expected.setdefault(facet, set()).add(key)
    assert {facet: set(row.row[facet].split("|")) for facet in TAG_FACETS if row.row[facet]} == expected
    assert "gene_therapy" in row.row["modalities"] and "oncology" in row.row["therapeutic_areas"]
    assert "oncology" in row.row["axes"] and "bioproduction_cdmo" in row.row["roles"]
    # Where each value went: in the row's report and in the file's routing table.
    assert [value for value, _ in row.routes] == cell.split("; ")
    assert "Oncologie → Aires thérapeutiques, Axes Smart Santé" in result.report().loc[0, "themes"]
    routing = result.routing().set_index("value")
    assert routing.loc["CDMO", "went"] == "Rôles dans la chaîne de valeur : Bioproduction / CDMO"
    assert routing.loc["Thérapie génique", "rows"] == 1


def test_partial_and_unknown_theme_values_are_listed_with_suggestions_never_applied():
    rows = [["Partiel Test", "", "91000", "Évry-Courcouronnes", "Start-up", "",
             "Thérapie; maladies rares; Oncologie pédiatrique; Zzyzx", ""]]
    _, result = plan(csv_bytes(rows, ";"), "partiel.csv")
    [row] = result.results
    assert row.status == WARNING
    suggested = {value: {key for _, key, _ in found} for (_, value), found in result.suggested.items()}
    assert {"gene_therapy", "cell_therapy"} <= suggested["Thérapie"]  # the first word of two labels
    assert "oncology" in suggested["Oncologie pédiatrique"]
    assert suggested["Zzyzx"] == set()
    assert set(result.unknown_values) == {(THEMES, "Thérapie"), (THEMES, "Oncologie pédiatrique"), (THEMES, "Zzyzx")}
    # "maladies rares" names a key (or is at least suggested it): never lost
    assert "rare_genetic" in row.row["therapeutic_areas"] or "rare_genetic" in suggested.get("maladies rares", ())
    # Nothing suggested was applied by itself
    assert "gene_therapy" not in row.row["modalities"] and "cell_therapy" not in row.row["modalities"]
    assert "Thérapie génique (Modalités)" in result.report().loc[0, "reasons"]
    assert "Zzyzx" in result.routing()["value"].tolist()
    # A staff choice maps the value; "not kept" leaves it out and listed
    overrides = {THEMES: {"therapie": choice("modalities", "gene_therapy"), "zzyzx": ""}}
    _, chosen = plan(csv_bytes(rows, ";"), "partiel.csv", tag_overrides=overrides)
    assert "gene_therapy" in chosen.results[0].row["modalities"]
    assert (THEMES, "Thérapie") not in chosen.unknown_values and (THEMES, "Zzyzx") in chosen.unknown_values


def test_tag_overrides_map_staff_choices():
    assert map_tags("therapeutic_areas", "Astrologie; Zzyzx", overrides={"astrologie": "oncology"}) == \
        (["oncology"], ["Zzyzx"])
    assert map_tags("therapeutic_areas", "Astrologie", overrides={"astrologie": "therapeutic_areas:other"}) == \
        (["other"], [])


# --- Required columns, warnings, defaults ----------------------------------------------------------------------------

def test_required_are_a_name_a_kind_and_a_place():
    header = ["Raison sociale", "Type", "Code postal", "Ville", "Code INSEE", "Latitude", "Longitude", "Domaines"]
    genopole = seed_entry("genopole")
    rows = [
        ["Sans Type Test", "", "91000", "Évry-Courcouronnes", "", "", "", "Oncologie"],
        ["Sans Lieu Test", "Entreprise", "", "", "", "", "", "Oncologie"],
        ["Insee Test", "Start-up", "", "", "94076", "", "", "Oncologie"],
        ["Point Test", "Start-up", "", "", "", genopole["lat"], genopole["lon"], "Oncologie"],
        ["Code Postal Seul Test", "Start-up", "94800", "", "", "", "", "Oncologie"],
        ["", "Entreprise", "94800", "Villejuif", "", "", "", "Oncologie"],
        ["Insee Inconnu Test", "Entreprise", "", "", "99999", "", "", "Oncologie"],
    ]
    _, result = plan(table_bytes(header, rows), "requis.csv")
    by_name = {r.name: r for r in result.results}
    assert [r.status for r in result.results] == [ERROR, ERROR, OK, OK, OK, ERROR, ERROR], result.report()
    assert by_name["Sans Type Test"].reasons == [t("import_r_no_kind", "fr")]
    assert by_name["Sans Lieu Test"].reasons == [t("import_r_no_place", "fr")]
    assert by_name["Insee Test"].row["city"] == "Villejuif" and by_name["Insee Test"].row["commune_code"] == "94076"
    assert by_name["Point Test"].row["geo_precision"] == "manual"
    assert by_name["Point Test"].row["commune_code"] == genopole["commune_code"]
    assert by_name["Code Postal Seul Test"].row["commune_code"] == "94076"
    assert result.results[5].reasons == [t("import_r_no_name", "fr")]
    assert "99999" in by_name["Insee Inconnu Test"].reasons[0]


def test_missing_category_and_tags_are_warnings_and_the_row_comes_in_to_review(tmp_path):
    header = ["Raison sociale", "Code postal", "Ville", "Type", "Thématiques", "Statut de la fiche"]
    rows = [["Nom Et Lieu Test", "91000", "Évry-Courcouronnes", "Entreprise", "", "ok"],
            ["Complet Test", "91000", "Évry-Courcouronnes", "Start-up", "Oncologie", ""]]
    factory = connect(f"sqlite:///{tmp_path / 'review.sqlite3'}")
    _, result = plan(table_bytes(header, rows, ";", "cp1252"), "noms.csv", current_raw(factory))
    bare, full = result.results
    assert bare.status == WARNING and full.status == OK
    assert bare.reasons == [t("import_r_no_category", "fr"), t("import_r_no_tags", "fr")]
    assert bare.row["status"] == "to_review"
    assert "catégorie absente" in bare.row["review_note"] and "aucune étiquette" in bare.row["review_note"]
    assert "noms.csv" in bare.row["review_note"]
    apply_import(factory, result, "alice")
    live = current_raw(factory).set_index("id")
    assert live.loc[bare.row["id"], "status"] == "to_review" and live.loc[bare.row["id"], "category"] == ""
    # Reasons in the page's language, the review note always in French (it is data).
    _, english = plan(table_bytes(header, rows), "noms.csv", lang="en")
    assert english.results[0].reasons == [t("import_r_no_category", "en"), t("import_r_no_tags", "en")]
    assert "catégorie absente" in english.results[0].row["review_note"]


def test_default_values_fill_rows_without_one_and_never_replace_a_value():
    header = ["Raison sociale", "Code postal", "Ville", "Type"]
    rows = [["Sans Type Défaut Test", "91000", "Évry-Courcouronnes", ""],
            ["Institut Défaut Test", "91000", "Évry-Courcouronnes", "Institut"],
            ["GENOPOLE", "", "", ""]]  # on the map as a cluster site: its kind stays
    data = table_bytes(header, rows)
    _, without = plan(data, "defauts.csv")
    assert [r.status for r in without.results] == [ERROR, WARNING, OK]
    _, result = plan(data, "defauts.csv", defaults={"kind": "Entreprise", "roles": "rnd", "category": ""})
    first, second, genopole = result.results
    assert (first.row["kind"], first.row["roles"]) == ("company", "rnd")
    assert (second.row["kind"], second.row["roles"]) == ("institute", "rnd")
    assert genopole.change == UNCHANGED and genopole.row["kind"] == "cluster_site"
    assert first.status == WARNING and first.reasons == [t("import_r_no_category", "fr")]  # tags came by default
    assert resolve_defaults({"kind": "company", "category": "PME", "city": "Évry"}) == \
        {"kind": "company", "category": "sme", "city": "Évry"}
    with pytest.raises(InvalidDefault, match="couleur"):
        resolve_defaults({"couleur": "bleu"})
    with pytest.raises(InvalidDefault, match="boulangerie"):
        resolve_defaults({"kind": "boulangerie"})
    with pytest.raises(InvalidDefault):
        resolve_defaults({"source": "a\u202eb"})


# --- Organisations already on the map -------------------------------------------------------------------------------

def test_names_domains_and_sirens_are_compared_as_people_write_them():
    assert name_key("Cellectis SA") == name_key("CELLECTIS") == name_key("S.A.S. Cellectis") == "cellectis"
    assert name_key("Généthon") == name_key("GENETHON") == name_key("Genethon, Inc.")
    assert name_key("SA") == "sa" and name_key("Ose Immunotherapeutics SE") == "ose immunotherapeutics"
    assert website_domain("https://www.Cellectis.com/fr/") == website_domain("cellectis.com") == "cellectis.com"
    assert website_domain("http://www.genethon.fr:8080") == "genethon.fr" and website_domain("") == ""
    siren = luhn_siren("41091009")
    assert siren_of(siren) == siren and siren_of(f"{siren[:3]} {siren[3:6]} {siren[6:]} 00045") == siren
    wrong_check_digit = siren[:8] + str((int(siren[8]) + 1) % 10)
    assert siren_of("") == "" and siren_of("12345") is None and siren_of(wrong_check_digit) is None


def test_an_organisation_already_on_the_map_is_matched_never_created_twice():
    cellectis, genethon = seed_entry("cellectis"), seed_entry("genethon")
    rows = [["Cellectis SA", "8 rue de la Croix Jarry", "75013", "Paris", "Entreprise", "", "", ""],
            ["GENETHON", "", genethon["postcode"], genethon["city"], "Association de recherche", "", "", ""],
            ["Genopole", "", "", "", "", "", "", ""]]
    _, result = plan(csv_bytes(rows, ";"), "connues.csv")
    changes = {r.row["id"]: (r.change, r.changed_fields, r.match.why) for r in result.results}
    assert changes["cellectis"] == (CHANGED, ["address"], "name")
    assert changes["genethon"] == (UNCHANGED, [], "name")
    assert changes["genopole"] == (UNCHANGED, [], "name")
    assert result.results[0].row["name"] == cellectis["name"]  # the map's spelling is kept
    assert result.counts()["new"] == 0 and result.counts()["matched"] == 3


def test_existing_entities_are_matched_and_diffed():
    genopole = seed_entry("genopole")
    rows = [["GENOPOLE", "", genopole["postcode"], "Évry-Courcouronnes", "Biocluster", genopole["website"], "", ""],
            ["Genethon", "1 bis rue de l'Internationale", "91000", "Évry-Courcouronnes", "", "", "", ""]]
    _, result = plan(csv_bytes(rows, ";"), "maj.csv")
    changes = {r.row["id"]: (r.change, r.changed_fields) for r in result.results if r.row}
    assert changes["genopole"] == ("unchanged", [])
    assert changes["genethon"] == ("changed", ["address"])


def test_tags_of_a_matched_entry_are_added_never_removed():
    genethon = seed_entry("genethon")
    rows = [["Généthon", "", "", "", "", "", "Microbiome", ""]]
    _, result = plan(csv_bytes(rows, ";"), "tags.csv")
    [row] = result.results
    assert row.changed_fields == ["modalities"]
    assert row.row["modalities"].split("|") == [*genethon["modalities"].split("|"), "microbiome"]
    assert row.row["therapeutic_areas"] == genethon["therapeutic_areas"]


def test_a_siren_or_siret_column_matches_the_map_s_siren():
    onxeo = seed_entry("onxeo-valerio-therapeutics")
    assert onxeo["siren"], "the seed lost Onxeo's SIREN: pick another organisation with one"
    nanobiotix = seed_entry("nanobiotix")
    other = luhn_siren("90000000")
    header = ["Raison sociale", "Code postal", "Ville", "Type", "N° SIRET"]
    rows = [["Valerio Therapeutics", "", "", "", f"{onxeo['siren']}00045"],
            ["Nanobiotix", "", "", "", other],
            ["Siren Illisible Test", "91000", "Évry-Courcouronnes", "Start-up", "12 34"]]
    _, result = plan(table_bytes(header, rows), "siren.csv")
    valerio, homonym, unreadable = result.results
    assert (valerio.match.entity_id, valerio.match.why, valerio.change) == (onxeo.name, "siren", UNCHANGED)
    assert homonym.match.entity_id == nanobiotix.name and homonym.match.why == "siren_differs"
    assert homonym.change == TO_CONFIRM  # same name, another SIREN: staff say
    assert unreadable.status == WARNING and t("import_r_siren", "fr", value="12 34") in unreadable.reasons
    # Live data without a siren column: names still match
    _, without = plan(table_bytes(header, rows), "siren.csv", current=read_entities_csv().drop(columns="siren"))
    assert without.results[1].match.why == "name" and without.results[1].change in (CHANGED, UNCHANGED)


def test_uncertain_matches_wait_for_staff_to_confirm_or_reject():
    mutabilis = seed_entry("mutabilis")
    cellectis = seed_entry("cellectis")
    rows = [["Laboratoires Mutabilis", "", "", "", "PME", "http://www.mutabilis.fr/", "Phages", ""],
            ["Cellectiss", "", "75013", "Paris", "Entreprise", "", "Oncologie", ""]]
    assert mutabilis["website"] and "mutabilis.fr" in mutabilis["website"]
    data = csv_bytes(rows, ";")
    _, pending = plan(data, "incertain.csv")
    website, similar = pending.results
    assert (website.match.entity_id, website.match.why, website.change) == ("mutabilis", "domain", TO_CONFIRM)
    assert (similar.match.entity_id, similar.match.why, similar.change) == ("cellectis", "similar", TO_CONFIRM)
    assert website.status == WARNING and website.row is None and pending.counts()[TO_CONFIRM] == 2
    assert "mutabilis.fr" in pending.report().loc[0, "match"]
    _, decided = plan(data, "incertain.csv", decisions={website.line: ACCEPT, similar.line: REJECT})
    website, similar = decided.results
    assert (website.row["id"], website.change) == ("mutabilis", CHANGED)
    assert website.row["name"] == mutabilis["name"] and "phages" in website.row["modalities"]
    assert similar.change == NEW and similar.row["id"] != "cellectis" and similar.row["name"] == "Cellectiss"
    assert cellectis["name"] == "Cellectis"
    _, accepted = plan(data, "incertain.csv", accept_matches=True)
    assert [r.change for r in accepted.results] == [CHANGED, UNCHANGED]


def test_names_differing_by_a_number_are_not_proposed_as_one():
    rows = [["Import Numéro 1 Test", "", "91000", "Évry-Courcouronnes", "Start-up", "", "Oncologie", ""]]
    current = pd.concat([read_entities_csv(), pd.DataFrame([{**read_entities_csv().iloc[0].to_dict(),
                                                              "id": "import-numero-2-test",
                                                              "name": "Import Numéro 2 Test", "website": ""}])],
                        ignore_index=True)
    _, result = plan(csv_bytes(rows, ";"), "numeros.csv", current=current)
    assert result.results[0].match is None and result.results[0].change == NEW


def test_two_rows_for_one_organisation_with_different_values_are_an_error():
    rows = [["Cellectis", "1 rue A", "", "", "", "", "", ""], ["CELLECTIS SA", "2 rue B", "", "", "", "", "", ""]]
    _, result = plan(csv_bytes(rows, ";"), "conflit.csv")
    assert [r.status for r in result.results] == [OK, ERROR]
    assert result.results[1].reasons == [t("import_r_conflict", "fr", line=2)]


# --- A staff export of twelve rows, in every shape -------------------------------------------------------------------

STAFF_HEADER = ["Raison sociale", "Adresse", "Code postal", "Ville", "Type", "Site web", "Thématiques", "Description"]
MEGABYTE = "x" * 1_000_000
KNOWN = ("cellectis", "genethon", "mutabilis", "servier-site-de-gif-sur-yvette")


def staff_rows(hostile_name: str) -> list[list[str]]:
    return [
        ["Cellectis SA", "8 rue de la Croix Jarry", "75013", "Paris", "Entreprise", "https://www.cellectis.com/",
         "Thérapie génique; Oncologie; CAR-T", ""],
        ["GENETHON", "1 bis rue de l'Internationale", "91000", "Evry", "Association de recherche", "",
         "Thérapie génique; maladies rares; CDMO", ""],
        ["Laboratoires Mutabilis", "", "93230", "Romainville", "PME", "http://www.mutabilis.fr", "Phages", ""],
        ["Néovec Thérapeutiques", "", "94800", "Villejuif", "Start-up", "https://neovec.example",
         "Thérapie génique; CDMO; Oncologie; neuro", "Vecteurs AAV pour l'oncologie."],
        ["Laboratoire de Biologie Cellulaire d'Orsay", "", "91400", "Orsay", "Laboratoire", "",
         "Thérapie; maladies rares", ""],
        ["Pépinière Bio Sud", "", "91000", "Évry-Courcouronnes", "Incubateur", "", "", ""],
        ["Société Anticorps Essonne", "", "91300", "Massy", "Société", "", "Anticorps", ""],
        ["Néovec Thérapeutiques", "", "94800", "Villejuif", "Start-up", "https://neovec.example",
         "Thérapie génique; CDMO; Oncologie; neuro", "Vecteurs AAV pour l'oncologie."],  # the same row again
        ["Servier — site de Gif-sur-Yvette", "", "91190", "", "Entreprise", "", "Oncologie", ""],  # shared postcode
        ["Biotech Nulle Part", "", "99999", "Nulle-Part", "Start-up", "", "Oncologie", ""],  # unknown postcode
        ["Gros Labo", "", "75005", "Paris", "Laboratoire", "", "Oncologie", MEGABYTE],  # a 1 MB cell
        [hostile_name, "", "75005", "Paris", "Laboratoire", "", "Oncologie", ""],
    ]


TITLE = "Inventaire des acteurs biothérapies — export du 12/10/2026"
STAFF_EXPORTS = {
    # Excel's "CSV (séparateur : point-virgule)" on Windows: cp1252, which cannot carry a direction override; its
    # hostile row holds a control character instead.
    "cp1252": (table_bytes(STAFF_HEADER, staff_rows("Labo \x07Cloche"), ";", "cp1252", TITLE), "inventaire.csv"),
    "utf-8": (b"\xef\xbb\xbf" + table_bytes(STAFF_HEADER, staff_rows("Labo \u202eeciffo"), ";", "utf-8", TITLE),
              "inventaire.csv"),
    "xlsx": (workbook_bytes(STAFF_HEADER, staff_rows("Labo \u202eeciffo"), TITLE), "inventaire.xlsx"),
}


@pytest.mark.parametrize("shape", list(STAFF_EXPORTS))
def test_a_twelve_row_staff_export_goes_in(shape):
    for entity_id in KNOWN:
        seed_entry(entity_id)
    data, name = STAFF_EXPORTS[shape]
    read, result = plan(data, name)
    assert len(read.table) == 12 and read.header_row == 2
    report = result.report()
    counts = result.counts()
    assert counts["ok"] + counts["warning"] >= 9 and counts["error"] == 3, report
    assert (counts["matched"], counts[TO_CONFIRM], counts["new"], counts["duplicates"]) == (3, 1, 4, 1)
    matched = {r.match.entity_id for r in result.results if r.match}
    assert matched == set(KNOWN)
    reasons = report.set_index("name")["reasons"]
    assert "plusieurs communes possibles" in reasons["Servier — site de Gif-sur-Yvette"]  # ambiguous: reported
    assert "code postal 99999 inconnu" in reasons["Biotech Nulle Part"]  # unknown: reported, an error
    assert t("err_too_long", "fr", cap=1200) in reasons["Gros Labo"]
    assert (THEMES, "Thérapie") in result.unknown_values
    new = {r.row["name"]: r.row for r in result.results if r.change == NEW}
    assert new["Pépinière Bio Sud"]["kind"] == "cluster_site" and new["Pépinière Bio Sud"]["status"] == "to_review"
    assert new["Laboratoire de Biologie Cellulaire d'Orsay"]["kind"] == "institute"
    assert new["Néovec Thérapeutiques"]["category"] == "startup"


def run_cli(*args: str, database: Path) -> subprocess.CompletedProcess:
    env = {"CORRECTIONS_DB": str(database), "PATH": ""}
    return subprocess.run([sys.executable, "-m", "ecosystem", "import", *args], capture_output=True, text=True,
                          env=env, timeout=180, cwd=ROOT)


def written(database: Path) -> tuple[int, int]:
    """(history rows, import batches) in the database; (0, 0) when it does not even exist."""
    if not database.exists():
        return 0, 0
    with connect(f"sqlite:///{database}")() as session:
        return (session.scalar(select(func.count()).select_from(EntityHistory)),
                session.scalar(select(func.count()).select_from(ImportBatch)))


def test_command_line_dry_run_writes_nothing_then_applying_creates_no_duplicate(tmp_path):
    database = tmp_path / "cli.sqlite3"
    path = tmp_path / "inventaire.csv"
    path.write_bytes(STAFF_EXPORTS["cp1252"][0])
    done = run_cli(str(path), "--dry-run", database=database)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    out = done.stdout
    assert "2 ok, 7 avertissements, 3 erreurs" in out and "rien n'a été écrit" in out
    assert t("import_cli_uncertain", "fr") in out and "« Laboratoires Mutabilis » ↔ « Mutabilis »" in out
    assert "« CDMO » → Rôles dans la chaîne de valeur : Bioproduction / CDMO" in out
    assert "« Thérapie » (1) (suggestions : Thérapie génique (Modalités)" in out
    assert written(database) == (0, 0)  # nothing written on --dry-run

    done = run_cli(str(path), database=database)
    assert done.returncode == 0 and "4 nouvelles fiches, 2 modifiées" in done.stdout
    live = current_raw(connect(f"sqlite:///{database}"))
    keys = live["name"].map(name_key)
    assert not keys.duplicated().any(), live[keys.duplicated(keep=False)]["name"].tolist()
    assert len(live) == len(read_entities_csv()) + 4
    assert "Laboratoires Mutabilis" not in set(live["name"])  # uncertain: not applied, not created either

    again = run_cli(str(path), "--accept-matches", database=database)
    assert again.returncode == 0 and "0 nouvelle fiche, 1 modifiée" in again.stdout, again.stdout
    live = current_raw(connect(f"sqlite:///{database}"))
    assert len(live) == len(read_entities_csv()) + 4
    assert "phages" in live.set_index("id").loc["mutabilis", "modalities"]


def test_command_line_defaults(tmp_path):
    path = tmp_path / "noms.csv"
    path.write_bytes(table_bytes(["Raison sociale", "Code postal", "Ville"],
                                 [["Défaut Un Test", "91000", "Évry-Courcouronnes"],
                                  ["Défaut Deux Test", "94800", "Villejuif"]], ";", "cp1252"))
    database = tmp_path / "cli.sqlite3"
    without = run_cli(str(path), "--dry-run", database=database)
    assert without.returncode == 0 and "0 ok, 0 avertissement, 2 erreurs" in without.stdout
    done = run_cli(str(path), "--dry-run", "--set", "kind=company", "--set", "roles=R&D", database=database)
    assert done.returncode == 0 and "0 ok, 2 avertissements, 0 erreur" in done.stdout, done.stdout
    assert "Valeurs par défaut : kind = company, roles = rnd" in done.stdout


# --- The README's three-row file, the template --------------------------------------------------------------------

README_HEADER = ["Raison sociale", "Code postal", "Ville", "Type"]
README_ROWS = [["Alpha Vecteurs Test", "91000", "Évry-Courcouronnes", "Entreprise"],
               ["Institut Bêta Test", "75013", "Paris", "Institut"],
               ["Gamma Incubateur Test", "94800", "Villejuif", "Incubateur"]]


def test_the_readme_s_three_row_file_imports(tmp_path):
    factory = connect(f"sqlite:///{tmp_path / 'readme.sqlite3'}")
    data = table_bytes(README_HEADER, README_ROWS, ";", "cp1252")
    _, result = plan(data, "trois.csv", current_raw(factory))
    assert [r.status for r in result.results] == [WARNING] * 3, result.report()
    assert [r.row["kind"] for r in result.results] == ["company", "institute", "cluster_site"]
    assert apply_import(factory, result, "alice") == {"new": 3, "changed": 0}
    live = current_raw(factory).set_index("name")
    assert set(live.loc[[row[0] for row in README_ROWS], "status"]) == {"to_review"}
    problems = validate(current_raw(factory))
    # The only remarks left are the ones the rows were imported to review for (no category, no tag).
    assert all(p.column in ("category", "roles") and p.value == "" for p in problems), problems


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_reads_back_through_the_import(lang, kind):
    data = template_csv(lang) if kind == "csv" else template_xlsx(lang)
    read, result = plan(data, f"modele.{kind}")
    assert list(suggest_columns(list(read.table.columns)).values()) == list(TEMPLATE_TARGETS)
    [row] = result.results
    assert (row.status, row.change) == (OK, NEW), row.reasons
    assert row.row["kind"] == "company" and row.row["modalities"] and row.row["commune_code"] == "91228"


def test_the_columns_table_lists_required_columns_first():
    table = columns_table("fr")
    rules = table[t("import_col_rule", "fr")].tolist()
    assert rules[:2] == [t("import_rule_required", "fr"), t("import_rule_kind", "fr")]
    assert rules[2:7] == [t("import_rule_place", "fr")] * 5
    assert "raison sociale" in table.iloc[0][t("import_col_headers", "fr")]


# --- Applying ---------------------------------------------------------------------------------------------------

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


def test_a_failed_import_changes_nothing(tmp_path):
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
    done = run_cli(str(path), "--dry-run", database=tmp_path / "cli.sqlite3")
    assert done.returncode == 0, done.stderr
    assert "3 nouvelles" in done.stdout and "1 erreur" in done.stdout and "rien n'a été écrit" in done.stdout
    assert written(tmp_path / "cli.sqlite3") == (0, 0)


# --- The staff page ------------------------------------------------------------------------------------------------

@dataclass
class Upload:
    """What st.file_uploader returns, for AppTest (which cannot upload a file)."""

    name: str
    data: bytes

    def getvalue(self) -> bytes:
        return self.data


def import_page(monkeypatch, upload: Upload | None, lang: str = "fr") -> AppTest:
    monkeypatch.setattr(st, "file_uploader", lambda *args, **kwargs: upload)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if lang != "fr":
        app.query_params["lang"] = lang
    app.run()
    app.session_state["staff_user"] = "alice"
    app.switch_page("views/importer.py")
    return app.run()


def report_of(app: AppTest, lang: str = "fr") -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if t("report_reasons", lang) in frame.value.columns)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_page_lists_columns_and_offers_the_template_before_any_file(monkeypatch, lang):
    app = import_page(monkeypatch, None, lang)
    assert not app.exception
    assert any(t("import_col_rule", lang) in frame.value.columns for frame in app.dataframe)
    assert "**" in t("import_intro", lang) and any("**" in m.value for m in app.markdown)
    downloads = [element for element in app.main if type(element).__name__ == "DownloadButton"]
    assert len(downloads) == 2


def test_the_page_maps_values_confirms_matches_and_applies_defaults(monkeypatch):
    data, name = STAFF_EXPORTS["utf-8"]
    app = import_page(monkeypatch, Upload(name, data))
    assert not app.exception
    report = report_of(app)
    assert report[t("report_change", "fr")].tolist().count(t("staff_import_change_to_confirm", "fr")) == 1
    [question] = app.radio
    assert "Laboratoires Mutabilis" in question.label and question.value == ""
    # Unknown values: never preselected, suggestions first
    [therapy] = [box for box in app.selectbox if "« Thérapie »" in box.label]
    assert therapy.value is None and therapy.options[1].endswith(t("import_suggested", "fr"))
    therapy.set_value(choice("modalities", "gene_therapy"))
    question.set_value(ACCEPT)
    app.run()
    assert not app.exception
    report = report_of(app)
    assert t("staff_import_change_to_confirm", "fr") not in report[t("report_change", "fr")].tolist()
    mutabilis = report[report[t("field_name", "fr")] == "Laboratoires Mutabilis"].iloc[0]
    assert mutabilis[t("report_change", "fr")] == "Fiche modifiée" == t(f"staff_import_change_{CHANGED}", "fr")
    assert "mutabilis" in mutabilis[t("import_report_match", "fr")]
    routing = next(frame.value for frame in app.dataframe if t("import_routing_went", "fr") in frame.value.columns)
    assert "CDMO" in routing[t("import_routing_value", "fr")].tolist()
    apply = next(button for button in app.button if button.label == t("apply_import", "fr"))
    assert not apply.disabled


def test_the_page_s_default_kind_makes_a_file_without_types_usable(monkeypatch):
    data = table_bytes(["Raison sociale", "Code postal", "Ville"],
                       [["Page Défaut Test", "91000", "Evry-Courcouronnes"]])
    app = import_page(monkeypatch, Upload("noms.csv", data))
    assert report_of(app)[t("status", "fr")].tolist() == ["Erreur"]
    [kind] = [box for box in app.selectbox if box.label == t("import_default_for", "fr", field=t("field_kind", "fr"))]
    kind.select("company")
    app.run()
    assert report_of(app)[t("status", "fr")].tolist() == ["Avertissement"]


def test_a_rejected_match_under_the_very_same_name_asks_for_a_distinct_name():
    nanobiotix = seed_entry("nanobiotix")
    header = ["Raison sociale", "Code postal", "Ville", "Type", "SIREN"]
    data = table_bytes(header, [[nanobiotix["name"], "91000", "Évry-Courcouronnes", "Start-up", luhn_siren("90000000")]])
    _, pending = plan(data, "homonyme.csv")
    [row] = pending.results
    assert row.change == TO_CONFIRM and row.match.why == "siren_differs"
    _, rejected = plan(data, "homonyme.csv", decisions={row.line: REJECT})
    [row] = rejected.results
    assert row.status == ERROR and row.reasons == [t("import_r_same_name", "fr", name=nanobiotix["name"])]


def test_the_import_summary_gives_each_count_its_own_plural_form():
    from ecosystem.import_plan import applied_text, summary_text

    counts = {"ok": 0, "warning": 1, "error": 2, "new": 1, "changed": 0, "unchanged": 3, "absent": 1,
              "matched": 1, "to_confirm": 2, "duplicates": 0}
    assert summary_text(counts, "fr") == ("0 ok, 1 avertissement, 2 erreurs — 1 nouvelle, 0 modifiée, 3 inchangées, "
                                          "1 fiche absente du fichier (non supprimée). 1 organisation reconnue sur la "
                                          "carte, 2 correspondances à confirmer, 0 ligne en double prise en compte "
                                          "une fois.")
    assert summary_text(counts, "en").startswith("0 ok, 1 warning, 2 errors — 1 new, 0 changed, 3 unchanged, 1 entry "
                                                 "absent from the file (not deleted). 1 organisation recognised")
    assert "(s)" not in summary_text(counts, "fr") + summary_text(counts, "en")
    assert applied_text("IMP-1", {"new": 1, "changed": 2}, "fr") == ("Import appliqué (IMP-1) : 1 nouvelle fiche, "
                                                                     "2 modifiées.")
    assert applied_text("IMP-1", {"new": 0, "changed": 1}, "en") == "Import applied (IMP-1): 0 new entries, 1 changed."
