"""The removal log: a removed organisation is recognised under its usual spellings, and flagged where it could
come back (an imported spreadsheet, a proposal of a "missing" organisation)."""

import csv
import io

from ecosystem.import_mapping import known_headers, suggest_columns
from ecosystem.import_plan import WARNING, plan_import
from ecosystem.import_read import checksum, read_upload
from ecosystem.loading import read_entities_csv
from ecosystem.removed import load_removed, removal_of


def test_a_removed_organisation_is_recognised_by_name_legal_form_or_id():
    removed = load_removed()
    first = removed.iloc[0]
    assert removal_of(first["name"]).id == first["id"]
    assert removal_of(f"{first['name'].upper()} SAS").id == first["id"]
    assert removal_of("Nom qui n'existe pas", entity_id=first["id"]).id == first["id"]
    assert removal_of("Genopole") is None


def test_an_import_naming_a_removed_organisation_brings_it_back_to_review_with_the_reason():
    name = load_removed().iloc[0]["name"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Raison sociale", "Code postal", "Ville", "Type"])
    writer.writerow([name, "92200", "Neuilly-sur-Seine", "Entreprise"])
    data = buffer.getvalue().encode("utf-8")
    read = read_upload(data, "retour.csv", known_headers())
    plan = plan_import(read, suggest_columns(list(read.table.columns)), "retour.csv", checksum(data),
                       current=read_entities_csv(), lang="fr")
    [row] = plan.results
    assert row.status == WARNING and any("retirée de la carte" in reason for reason in row.reasons)
    assert row.row["status"] == "to_review" and "retirée de la carte" in row.row["review_note"]


def test_the_moderation_page_says_when_a_proposed_organisation_was_removed():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from ecosystem.corrections.db import connect
    from ecosystem.corrections.service import submit

    removal = load_removed().iloc[0]
    submit(connect(), entity_id=None, values={"name": removal["name"], "kind": "company", "category": "startup",
                                              "postcode": "92200", "city": "Neuilly-sur-Seine",
                                              "website": "https://example.org"},
           current={}, contact={"contact_name": "Ana", "contact_email": "ana.removed@example.org",
                                "contact_organisation": "", "relation": "other", "comment": ""},
           session_token="removed-test")
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    app.session_state["staff_user"] = "removal-reader"
    app.run()
    app.switch_page("views/moderation.py")
    app.run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert f"retirée de la carte le {removal['removed_on']}" in warnings and removal["reason"][:30] in warnings
