"""What staff read on the moderation, import and quality pages (ecosystem/corrections/display.py,
ImportPlan.readable_report, ecosystem/quality.py): only the fields whose value really changes (91228 → 91228 is no
change), field labels rather than column names, vocabulary labels for codes and tags, commune names, "—" for an
empty value, never "None" nor "nan"; statuses, changes and details in words from the message catalogue, in French
and in English."""

import datetime as dt
import re

import pandas as pd
import pytest

from ecosystem.corrections.db import connect
from ecosystem.corrections.display import (EMPTY, readable_diff, readable_history, readable_value, same_value,
                                           staff_field_label)
from ecosystem.corrections.service import accept, history, queue, revert, submit
from ecosystem.i18n import t
from ecosystem.import_mapping import known_headers, suggest_columns
from ecosystem.import_plan import ERROR, OK, WARNING, plan_import
from ecosystem.import_read import checksum, read_upload
from ecosystem.loading import read_entities_csv
from ecosystem.quality import likely_duplicates, not_verified, outside_commune
from ecosystem.schema import COLUMNS
from ecosystem.vocabulary import load_vocabulary
from tests.conftest import make_raw, make_row

LANGS = ["fr", "en"]
# Column names, history columns and Python/pandas empties that must never reach a staff member's eyes.
RAW_NAMES = ["commune_code", "entity_id", "old_value", "new_value", "therapeutic_areas", "geo_precision",
             "review_note", "applied_at", "reverted_at"]
RAW_EMPTIES = ["None", "nan", "NaN", "NaT", "<NA>"]
RAW_KEYS = ["error", "warning", "ok", "new", "changed", "unchanged", "to_confirm"]
CONTACT = {"contact_name": "Claire Martin", "contact_email": "claire.display@example.org",
           "contact_organisation": "", "relation": "self", "comment": ""}


def cells(frame: pd.DataFrame) -> list[str]:
    """Every header and every cell, as text."""
    return [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]


def assert_readable(frame: pd.DataFrame) -> None:
    text = " | ".join(cells(frame))
    for name in RAW_NAMES:
        assert name not in text, (name, text)
    for empty in RAW_EMPTIES:
        assert not re.search(rf"(^|[\s|]){re.escape(empty)}($|[\s|])", text), (empty, text)


# --- The comparison --------------------------------------------------------------------------------------------

CHANGES = [
    ("commune_code", "91228", "91228"),  # the same commune: no change
    ("postcode", "91000", " 91000 "),  # spaces around it: no change
    ("lat", "48.623745", "48.6237450"),  # equal as numbers
    ("therapeutic_areas", "oncology|haematology", "haematology|oncology"),  # the same tags in another order
    ("website", None, ""),  # empty either way
    ("address", None, "1 rue de l'Exemple"),
    ("modalities", "cell_therapy", "cell_therapy|gene_therapy"),
    ("kind", "company", "institute"),
    ("category", "startup", None),
]


@pytest.mark.parametrize("lang", LANGS)
def test_the_comparison_shows_only_real_changes_with_labels(lang):
    vocabulary = load_vocabulary()
    diff = readable_diff(CHANGES, lang)
    assert list(diff.columns) == [t("field", lang), t("current", lang), t("proposed", lang)]
    assert diff[t("field", lang)].tolist() == [staff_field_label(f, lang)
                                               for f in ("address", "modalities", "kind", "category")]
    assert_readable(diff)
    for unchanged in ("commune_code", "postcode", "lat", "therapeutic_areas", "website"):
        assert staff_field_label(unchanged, lang) not in diff[t("field", lang)].tolist()
    rows = {row[0]: (row[1], row[2]) for row in diff.itertuples(index=False)}
    assert rows[staff_field_label("address", lang)] == (EMPTY, "1 rue de l'Exemple")
    cell, gene = (vocabulary.label("modalities", k, lang) for k in ("cell_therapy", "gene_therapy"))
    assert rows[staff_field_label("modalities", lang)] == (cell, f"{cell} ; {gene}")
    assert rows[staff_field_label("kind", lang)] == (vocabulary.label("kind", "company", lang),
                                                      vocabulary.label("kind", "institute", lang))
    assert rows[staff_field_label("category", lang)] == (vocabulary.label("category", "startup", lang), EMPTY)
    for code in ("cell_therapy", "gene_therapy", "company", "institute", "startup"):
        assert code not in [part for cell in cells(diff) for part in cell.split(" ; ")], code


def test_labels_are_words_not_column_names():
    assert staff_field_label("commune_code", "fr") == "Commune (code INSEE)"
    assert staff_field_label("commune_code", "en") == "Commune (INSEE code)"
    for lang in LANGS:
        for column in COLUMNS:
            label = staff_field_label(column, lang)
            assert label and label != column and "_" not in label, (column, lang, label)


@pytest.mark.parametrize("lang", LANGS)
def test_a_commune_change_names_both_communes(lang):
    diff = readable_diff([("commune_code", "91228", "75113")], lang)
    [row] = diff.itertuples(index=False)
    assert row[0] == staff_field_label("commune_code", lang)
    assert row[1] == "Évry-Courcouronnes (91228)" and row[2].endswith("(75113)") and row[2] != "75113"


def test_nothing_left_to_change_is_an_empty_comparison():
    assert readable_diff([("commune_code", "91228", "91228"), ("roles", "rnd|cdmo", "cdmo|rnd")], "fr").empty


def test_values_as_people_read_them():
    assert readable_value("address", None) == readable_value("address", float("nan")) == EMPTY
    assert readable_value("address", pd.NaT) == readable_value("address", "  ") == EMPTY
    assert readable_value("roles", "rnd", "fr") == load_vocabulary().label("roles", "rnd", "fr")
    assert same_value("commune_code", "91228", "91228") and not same_value("commune_code", "91228", "75113")
    assert same_value("lat", "48.5", "48.50") and not same_value("lat", "48.5", "48.6")
    assert same_value("roles", "a|b", "b|a") and not same_value("roles", "a|b", "a")
    assert same_value("address", None, "") and same_value("address", float("nan"), " ")


# --- The history ------------------------------------------------------------------------------------------------

def history_frame() -> pd.DataFrame:
    applied = dt.datetime(2026, 11, 30, 9, 5)  # stored in UTC: 10:05 in Paris
    rows = [("alpha", "commune_code", "91228", "91228", "CORR-2026-000001", applied, None),
            ("alpha", "address", None, "1 rue de l'Exemple", "CORR-2026-000001", applied, None),
            ("alpha", "updated", "2026-11-30", "2026-11-30", "CORR-2026-000001", applied, None),
            ("alpha", "lat", "48.623745", "48.623745", "CORR-2026-000001", applied, None),
            ("beta", "therapeutic_areas", "oncology", "oncology|haematology", "CORR-2026-000002",
             applied + dt.timedelta(hours=1), applied + dt.timedelta(hours=2))]
    return pd.DataFrame([{"entity_id": e, "field": f, "old_value": o, "new_value": n, "reference": r,
                          "reviewer": "alice", "applied_at": a, "reverted_at": v} for e, f, o, n, r, a, v in rows])


@pytest.mark.parametrize("lang", LANGS)
def test_the_history_shows_real_changes_newest_first_with_labels(lang):
    vocabulary = load_vocabulary()
    shown = readable_history(history_frame(), {"alpha": "Alpha Thérapies", "beta": "Béta Bio"}, lang)
    assert list(shown.columns) == [t(k, lang) for k in ("entity", "field", "staff_old_value", "staff_new_value",
                                                        "staff_reference", "staff_reviewer", "staff_applied_at",
                                                        "staff_reverted_at")]
    assert_readable(shown)
    field = t("field", lang)
    assert shown[field].tolist() == [staff_field_label("therapeutic_areas", lang), staff_field_label("address", lang)]
    assert shown[t("entity", lang)].tolist() == ["Béta Bio", "Alpha Thérapies"]
    beta, alpha = shown.to_dict("records")
    oncology, haematology = (vocabulary.label("therapeutic_areas", k, lang) for k in ("oncology", "haematology"))
    assert beta[t("staff_old_value", lang)] == oncology
    assert beta[t("staff_new_value", lang)] == f"{oncology} ; {haematology}"
    assert beta[t("staff_reverted_at", lang)] == "2026-11-30 12:05"
    assert alpha[t("staff_old_value", lang)] == EMPTY and alpha[t("staff_reverted_at", lang)] == EMPTY
    assert alpha[t("staff_applied_at", lang)] == "2026-11-30 10:05"  # Paris time
    for unchanged in ("commune_code", "updated", "lat"):
        assert staff_field_label(unchanged, lang) not in shown[field].tolist()
    assert "91228" not in " ".join(cells(shown))


def test_the_history_of_an_accepted_request_leaves_out_what_it_did_not_change(tmp_path):
    """Through the service: a request that repeats the entry's commune (as the public form sends it) is accepted;
    the stored history rewrites the commune, the point and the date as they were; the page shows none of them."""
    factory = connect(f"sqlite:///{tmp_path / 'corrections.sqlite3'}")
    entry = read_entities_csv().set_index("id").loc["biocitech"]
    reference = submit(factory, entity_id="biocitech",
                       values={"address": "102 avenue Gaston Roussel", "commune_code": entry["commune_code"],
                               "roles": "support_incubation|rnd"},
                       current={"address": entry["address"], "commune_code": entry["commune_code"],
                                "roles": entry["roles"]},
                       contact=CONTACT, session_token="display-test")
    [request] = [r for r in queue(factory) if r.reference == reference]
    accept(factory, request.id, "alice")
    stored = history(factory)
    assert ((stored["field"] == "commune_code") & (stored["old_value"] == stored["new_value"])).any()
    for lang in LANGS:
        shown = readable_history(stored, {"biocitech": "Biocitech"}, lang)
        assert_readable(shown)
        assert set(shown[t("field", lang)]) == {staff_field_label("address", lang), staff_field_label("roles", lang)}
        assert set(shown[t("entity", lang)]) == {"Biocitech"}
        assert set(shown[t("staff_reference", lang)]) == {reference}
        roles = shown[shown[t("field", lang)] == staff_field_label("roles", lang)].iloc[0]
        assert "support_incubation" not in roles[t("staff_new_value", lang)]
        assert load_vocabulary().label("roles", "rnd", lang) in roles[t("staff_new_value", lang)]
    revert(factory, request.id, "alice")
    shown = readable_history(history(factory), {"biocitech": "Biocitech"}, "fr")
    assert EMPTY not in shown[t("staff_reverted_at", "fr")].tolist()  # reverted: the time, never "None"
    assert_readable(shown)


# --- The import report ------------------------------------------------------------------------------------------

def import_plan(lang: str):
    seed = read_entities_csv()
    first, second = seed.iloc[0], seed.iloc[1]
    header = ["Raison sociale", "Code postal", "Ville", "Type", "Catégorie", "Thématiques", "Adresse"]
    rows = [["Nouvelle Test Complète", "91000", "Evry-Courcouronnes", "Entreprise", "Start-up", "Oncologie", ""],
            ["Nouvelle Test Sans Catégorie", "91000", "Evry-Courcouronnes", "Entreprise", "", "", ""],
            ["Erreur Test", "99999", "Nulle-Part", "Entreprise", "Start-up", "Oncologie", ""],
            [first["name"], first["postcode"], first["city"], "", "", "", "9 rue Changée"],
            [second["name"], "", "", "", "", "", ""]]
    data = ("\r\n".join(";".join(row) for row in [header, *rows]) + "\r\n").encode("utf-8")
    read = read_upload(data, "inventaire.csv", known_headers())
    mapping = suggest_columns(list(read.table.columns))
    return plan_import(read, mapping, "inventaire.csv", checksum(data), seed, lang=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_import_report_speaks_words_not_keys(lang):
    plan = import_plan(lang)
    raw = plan.report()
    assert raw["status"].tolist() == [OK, WARNING, ERROR, OK, OK]  # the plan itself still works with keys
    assert raw["change"].tolist() == ["new", "new", "", "changed", "unchanged"]
    shown = plan.readable_report(lang)
    assert list(shown.columns) == [t(k, lang) for k in ("report_line", "field_name", "status", "report_change",
                                                        "import_report_match", "report_fields",
                                                        "import_report_themes", "report_reasons")]
    statuses, changes = shown[t("status", lang)].tolist(), shown[t("report_change", lang)].tolist()
    assert statuses == [t(f"staff_import_status_{s}", lang) for s in (OK, WARNING, ERROR, OK, OK)]
    assert changes == [t(f"staff_import_change_{c}", lang) for c in ("new", "new")] + [EMPTY] + \
        [t(f"staff_import_change_{c}", lang) for c in ("changed", "unchanged")]
    if lang == "fr":
        assert statuses == ["Correcte", "Avertissement", "Erreur", "Correcte", "Correcte"]
        assert changes == ["Nouvelle fiche", "Nouvelle fiche", EMPTY, "Fiche modifiée", "Fiche inchangée"]
    for value in cells(shown):
        assert value not in RAW_KEYS, value
    assert_readable(shown)
    fields = shown[t("report_fields", lang)].tolist()
    assert fields[3] == staff_field_label("address", lang)
    assert staff_field_label("commune_code", lang) in fields[0] and "commune_code" not in fields[0]
    assert "" not in cells(shown)  # an empty cell is "—"


# --- The quality page's details ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_quality_details_are_sentences_in_the_page_language(lang):
    raw = make_raw(
        make_row(id="a", name="Alpha Biotech", website="https://alpha.example", verified="2024-01-10"),
        make_row(id="b", name="Alpha Biotech SA", website="https://beta.example"),
        make_row(id="c", name="Gamma", website="https://www.alpha.example/contact", verified="2026-11-01"),
        make_row(id="d", name="Delta", commune_code="94076", lat="48.623745", lon="2.429457",
                 website="https://delta.example", verified="2026-11-01"),
        make_row(id="g", name="Zeta", website="https://zeta.example", siren="552032534", verified="2026-11-01"),
        make_row(id="h", name="Zeta Bis", website="https://zeta2.example", siren="552032534",
                 verified="2026-11-01"),
    )
    stale = not_verified(raw, 12, today=dt.date(2026, 11, 22), lang=lang).set_index("id")["detail"]
    assert stale["b"] == t("staff_never_verified", lang)
    assert stale["a"] == t("staff_verified_on", lang, date="2024-01-10") and "2024-01-10" in stale["a"]
    [outside] = outside_commune(raw, lang)["detail"]
    assert "Villejuif (94076)" in outside and re.search(r"\d m ", outside)
    template = t("staff_outside_commune", lang, lat="48.623745", lon="2.429457", distance="DISTANCE",
                 commune="Villejuif (94076)")
    assert re.fullmatch(re.escape(template).replace("DISTANCE", r"\d[\d\u202f\u00a0 ,]*"), outside), outside
    pairs = {(row.id, row.other_id): row.detail for row in likely_duplicates(raw, lang).itertuples()}
    assert pairs[("a", "c")] == t("staff_duplicate_website", lang, domain="alpha.example")
    assert pairs[("g", "h")] == t("staff_duplicate_siren", lang, siren="552032534")
    assert pairs[("a", "b")].startswith(t("staff_duplicate_names", lang, ratio="").split("(")[0])
    details = [*stale, outside, *pairs.values()]
    for detail in details:
        assert detail and detail not in RAW_KEYS and detail.lower() not in RAW_KEYS
        assert not any(empty in detail.split() for empty in RAW_EMPTIES)
    if lang == "en":  # nothing left in French
        assert not any(word in " ".join(details) for word in ("jamais", "vérifiée", "même", "noms proches", "hors de"))
    else:
        assert "jamais vérifiée" in details and "même SIREN (552032534)" in details
