"""Hostile input through every entry point and every output, on SQLite and PostgreSQL (issue 12).

A corpus of values an attacker or a careless copy-paste would send: markup, script URLs, SQL, template syntax,
spreadsheet formulas, control and bidirectional characters, NUL, CR/LF, full-width and combining letters, emoji,
a lone surrogate, 1 MB. Each goes into every text field of the correction form (a change request and the contact
block), into an imported spreadsheet, and out again through the profile card, the map's HTML, the moderation page
and the exports. For each value and field the outcome is one of:

- refused, with a message that exists in French and in English;
- stored literally (surrounding blanks trimmed, as the form trims), then rendered escaped and exported
  neutralised (spreadsheet formulas written as text).

`test_report` prints the figures (values × fields × backends, refused / stored / neutralised).
"""

from __future__ import annotations

import collections
import csv
import html
import io
import re

import openpyxl
import pytest

from ecosystem.corrections.service import accept, current_raw, queue, submit
from ecosystem.corrections.validation import check_submission
from ecosystem.exports import formula_like, to_csv_bytes, to_xlsx_bytes
from ecosystem.i18n import LANGUAGES, t
from ecosystem.loading import to_geodataframe
from ecosystem.profile import profile_html
from geo.mapping import base_map, entity_layers
from tests.test_corrections import database_url, factory  # noqa: F401  (fixtures: SQLite and PostgreSQL)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"'><svg/onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "javascript:alert(1)",
    "'; DROP TABLE submission; --",
    "1' OR '1'='1",
    "Robert\"); DELETE FROM entity_history; --",
    "{{7*7}}",
    "{% for x in range(9) %}{{ x }}{% endfor %}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "=HYPERLINK(\"http://evil.example\",\"cliquez\")",
    "+CMD|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "nul\x00octet",
    "sonnerie\x07",
    "ligne\r\nsuivante",
    "ligne\nsuivante",
    "sens\u202einversé",
    "isolé\u2066x\u2069",
    "zéro\u200blargeur",
    "ＧＥＮＯＰＯＬＥ ｐｌｅｉｎｅ ｌａｒｇｅｕｒ",
    "e\u0301\u0301\u0301\u0301 combinés",
    "ADN 🧬 et 🧪 🔬",
    "demi\ud83dsubstitut",
    "x" * 1_000_000,
    "%s %d %(name)s {0} {name}",
    "../../etc/passwd",
    "<!-- commentaire --> &amp; &lt;déjà échappé&gt;",
    "séparateur\u2028de ligne",
]
assert len(HOSTILE) >= 30

# Every free-text field of a change request, and of the contact block (the rest are numbers, codes, pickers).
ENTITY_FIELDS = ("name", "address", "city", "postcode", "website", "founded", "workforce", "lat", "lon",
                 "description_fr", "description_en")
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_organisation", "comment")
CONTACT = {"contact_name": "Claire Martin", "contact_email": "claire@example.org",
           "contact_organisation": "Genopole", "relation": "self", "comment": ""}
ENTITY = "genopole"
OUTCOMES: collections.Counter = collections.Counter()


def messages_exist(errors: dict) -> bool:
    return all(t(key, lang, **params) for key, params in errors.values() for lang in LANGUAGES)


def csv_cells(data: bytes, separator: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=separator))


def escaped_everywhere(value: str, rendered: str) -> bool:
    """No markup of `value` reaches `rendered` unescaped."""
    return "<" not in value or value not in rendered


@pytest.mark.parametrize("field", ENTITY_FIELDS + CONTACT_FIELDS)
def test_every_hostile_value_is_refused_or_stored_literally_rendered_escaped_and_exported_neutralised(factory,
                                                                                                      field):
    backend = factory.kw["bind"].dialect.name
    for n, value in enumerate(HOSTILE):
        contact = dict(CONTACT, contact_email=f"claire{n}.{field}@example.org")
        if field in CONTACT_FIELDS:
            proposed = {"address": f"{n} rue de l'Essai"}
            contact[field] = value
        else:
            proposed = {field: value}
        checked = check_submission(proposed, contact, new_entity=False, consent=True)
        if not checked.ok:
            assert messages_exist(checked.errors), (field, value[:40])
            OUTCOMES[(backend, "refused")] += 1
            continue
        reference = submit(factory, entity_id=ENTITY, values=checked.values, current={}, contact=checked.contact,
                           session_token=f"hostile-{field}-{n}")
        [stored] = [r for r in queue(factory) if r.reference == reference]
        kept = value.strip()
        if field in CONTACT_FIELDS:
            assert getattr(stored, field) == kept or (field == "comment" and stored.comment == kept)
        else:
            assert {c.field: c.new_value for c in stored.changes}[field] == kept
        OUTCOMES[(backend, "stored literally")] += 1
        if field in CONTACT_FIELDS:
            continue
        accept(factory, stored.id, reviewer="alice")
        live = to_geodataframe(current_raw(factory))
        row = live[live["id"] == ENTITY]
        assert str(row.iloc[0][field]) == kept or field in ("founded", "workforce", "lat", "lon")
        card = profile_html(row.iloc[0], "fr", "correction?id=genopole")
        assert escaped_everywhere(kept, card), (field, kept[:40])
        fmap = base_map("none", "fr")
        for layer in entity_layers(row, "fr", "correction?id="):
            layer.add_to(fmap)
        assert escaped_everywhere(kept, fmap.get_root().render()), (field, kept[:40])
        for separator in (",", ";"):  # read back as a spreadsheet would: text, never a formula
            cell = csv_cells(to_csv_bytes(row, separator), separator)[0][field]
            assert not formula_like(cell), (field, cell[:40])
            assert cell == kept or (formula_like(kept) and cell == "'" + kept), (field, cell[:40])
        sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(row, {"source": "x"})))["entities"]
        header = [cell.value for cell in sheet[1]]
        xlsx_cell = sheet.cell(row=2, column=header.index(field) + 1)
        assert xlsx_cell.data_type != "f", (field, kept[:40])
        if formula_like(kept):
            OUTCOMES[(backend, "exported neutralised")] += 1


def test_hostile_names_of_new_organisations_get_unique_ids_and_literal_names(factory):
    """Proposals of missing organisations named with the corpus (full-width, template-like, symbols only, which
    slugify alike or to nothing): every acceptable one is accepted under an id of its own."""
    backend = factory.kw["bind"].dialect.name
    accepted = []
    for n, value in enumerate(HOSTILE):
        proposed = {"name": value, "kind": "company", "category": "startup", "postcode": "91000",
                    "city": "Évry-Courcouronnes", "website": "https://example.org"}
        contact = dict(CONTACT, contact_email=f"new{n}@example.org")
        checked = check_submission(proposed, contact, new_entity=True, consent=True)
        if not checked.ok:
            assert messages_exist(checked.errors)
            OUTCOMES[(backend, "new organisation refused")] += 1
            continue
        reference = submit(factory, entity_id=None, values=checked.values, current={}, contact=checked.contact,
                           session_token=f"new-{n}")
        [request] = [r for r in queue(factory) if r.reference == reference]
        accept(factory, request.id, reviewer="alice")
        accepted.append(checked.values["name"])
    live = current_raw(factory)
    assert live["id"].is_unique and len(live) == len(set(live["id"]))
    assert list(live.tail(len(accepted))["name"]) == accepted  # literally, in the order accepted
    OUTCOMES[(backend, "new organisation accepted")] += len(accepted)


def test_hostile_names_in_an_imported_spreadsheet_are_refused_or_kept_literally():
    from ecosystem.import_mapping import known_headers, suggest_columns
    from ecosystem.import_plan import ERROR, plan_import
    from ecosystem.import_read import checksum, read_upload
    from ecosystem.loading import read_entities_csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Raison sociale", "Adresse", "Code postal", "Ville", "Type", "Thématiques"])
    for n, value in enumerate(HOSTILE):
        if "\ud83d" in value:  # a lone surrogate cannot be written to a file at all
            continue
        # A valid row but for the hostile value, in its name and its address.
        writer.writerow([f"Essai {n} {value}", value, "91000", "Évry-Courcouronnes", "Start-up", "Oncologie"])
    data = buffer.getvalue().encode("utf-8")
    read = read_upload(data, "hostile.csv", known_headers())
    plan = plan_import(read, suggest_columns(list(read.table.columns)), "hostile.csv", checksum(data),
                       current=read_entities_csv(), lang="fr")
    assert len(plan.results) == len(HOSTILE) - 1
    deceptive = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069]")
    for result, value in zip(plan.results, [v for v in HOSTILE if "\ud83d" not in v]):
        if result.status == ERROR:
            OUTCOMES[("import", "refused")] += 1
            assert result.reasons
        else:
            OUTCOMES[("import", "stored literally")] += 1
            assert result.row["address"] == value.strip().replace("\r\n", "\n")
            assert not deceptive.search(result.row["name"] + result.row["address"])
    plan.report()  # the page's table: no exception


def test_the_moderation_page_shows_hostile_requests_escaped(factory, monkeypatch):
    """Every hostile value pending in the queue, as a contact name, a comment and a proposed name: the staff page
    renders without an exception and no markup reaches its HTML unescaped."""
    from pathlib import Path

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ecosystem.corrections.db import connect

    for n, value in enumerate(HOSTILE):  # what the form refuses never reaches the queue
        checked = check_submission({"description_fr": value}, dict(CONTACT, comment=value,
                                   contact_email=f"m{n}@example.org"), new_entity=False, consent=True)
        if checked.ok:
            submit(factory, entity_id=ENTITY, values=checked.values, current={}, contact=checked.contact,
                   session_token=f"moderation-{n}")
    url = factory.kw["bind"].url.render_as_string(hide_password=False)
    if url.startswith("sqlite"):
        monkeypatch.setenv("CORRECTIONS_DB", url.removeprefix("sqlite:///"))
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    connect.cache_clear()
    try:
        app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
        app.session_state["staff_user"] = "alice"
        app.run()
        app.switch_page("views/moderation.py")
        app.run()
        assert not app.exception, app.exception
        shown = " ".join(element.proto.body for element in app.get("html"))
        assert all(escaped_everywhere(value.strip(), shown) for value in HOSTILE)
        OUTCOMES[(factory.kw["bind"].dialect.name, "moderation page rendered")] += 1
    finally:
        st.cache_resource.clear()
        connect.cache_clear()


def test_report(capsys):
    """Figures for the issue's closing note (printed with -s)."""
    with capsys.disabled():
        print(f"\nhostile corpus: {len(HOSTILE)} values × {len(ENTITY_FIELDS) + len(CONTACT_FIELDS)} form "
              f"fields × 2 backends; outcomes {dict(sorted(OUTCOMES.items()))}")
