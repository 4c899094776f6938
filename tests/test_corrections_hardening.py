"""Issue 12 on the corrections loop, on SQLite and on PostgreSQL (never skipped): identifiers unique by
construction, one length per field, hostile look-ups, double submissions and two moderators at once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from ecosystem.corrections import lengths, service
from ecosystem.corrections.models import Base, EntityHistory, Review, Submission
from ecosystem.corrections.service import (ACCEPTED, PENDING, REJECTED, UNNAMED_ENTITY_ID, InvalidEdit,
                                           NotPending, accept, current_raw, data_version, history, new_entity_id,
                                           queue, reject, revert, status_of, submit)
from ecosystem.corrections.validation import (CONTACT_CAPS, TEXT_CAPS, check_submission, clean_email,
                                              clean_entity_id, clean_reference)
from ecosystem.loading import read_entities_csv
from ecosystem.validation import ID_PATTERN
from test_corrections import CONTACT, database_url, factory, send  # noqa: F401 (fixtures)

NEW = {"kind": "company", "category": "startup", "postcode": "91000", "city": "Évry-Courcouronnes",
       "website": "https://biotech.example", "roles": "rnd"}


def propose(factory, name, email="new@example.org", token="new", **values):
    """A new organisation through the public form's validation, then stored; returns (reference, submission)."""
    checked = check_submission(NEW | {"name": name} | values, CONTACT | {"contact_email": email}, new_entity=True,
                               consent=True)
    assert checked.ok, checked.errors
    reference = submit(factory, entity_id=None, values=checked.values, current={}, contact=checked.contact,
                       session_token=token)
    [submission] = [s for s in queue(factory, status=None) if s.reference == reference]
    return reference, submission


def service_factory(url):
    """The session factory for a database URL, as each thread or instance opens it (cached per process)."""
    from ecosystem.corrections.db import connect

    return connect(url)


def counts(factory):
    """What a decision writes: (history rows, reviews)."""
    with factory() as session:
        return (session.scalar(select(func.count()).select_from(EntityHistory)),
                session.scalar(select(func.count()).select_from(Review)))


# --- 2. Identifiers unique by construction ---------------------------------------------------------------------

# Names whose slugs collide with the seed or with each other, or are empty.
COLLIDING = ["Ｇｅｎｏｐｏｌｅ", "Genopole", "GENOPOLE!", "{{7*7}}", "{{ 7*7 }}", "${7*7}", "<%= 7*7 %>", "🧬🚀", "★★",
             "«»", "Généthon", "ＧＥＮＥＴＨＯＮ"]


def test_new_organisations_whose_names_slugify_alike_all_get_their_own_id(factory):
    seed = read_entities_csv()
    taken = set(seed["id"])
    for i, name in enumerate(COLLIDING):
        propose(factory, name, email=f"n{i}@example.org", token=f"n{i}")
    for submission in queue(factory):
        accept(factory, submission.id, "alice")
    accepted = queue(factory, status=ACCEPTED)
    ids = [submission.entity_id for submission in accepted]
    assert len(accepted) == len(COLLIDING) and len(set(ids)) == len(ids) and not set(ids) & taken
    assert all(ID_PATTERN.fullmatch(i) and len(i) <= lengths.ENTITY_ID for i in ids)
    assert {"genopole-2", "genopole-3", "genopole-4", "7-7", "7-7-2", "7-7-3", "7-7-4", UNNAMED_ENTITY_ID,
            f"{UNNAMED_ENTITY_ID}-2", f"{UNNAMED_ENTITY_ID}-3", "genethon-2", "genethon-3"} == set(ids)
    live = current_raw(factory)
    assert live["id"].is_unique and len(live) == len(seed) + len(COLLIDING)
    # The seed entries named alike are untouched; each new row carries its own name under its own id.
    assert live.set_index("id").loc[["genopole", "genethon"]].equals(seed.set_index("id").loc[["genopole", "genethon"]])
    rows = history(factory)
    for submission in accepted:  # the final id is recorded on the request and on every history row
        name = next(c.new_value for c in submission.changes if c.field == "name")
        mine = rows[rows["reference"] == submission.reference]
        assert set(mine["entity_id"]) == {submission.entity_id}
        assert live.set_index("id").at[submission.entity_id, "name"] == name


def test_the_id_is_made_from_the_name_as_edited_by_staff(factory):
    _, submission = propose(factory, "Ｇｅｎｏｐｏｌｅ")
    assert submission.entity_id == "genopole"  # provisional: another entity's id, not used before acceptance
    assert queue(factory, entity_id="genopole") == []  # a provisional id does not list it under that entity
    accept(factory, submission.id, "alice", edited={"name": "Biotech Renommée"})
    [accepted] = queue(factory, status=ACCEPTED)
    assert accepted.entity_id == "biotech-renommee" and queue(factory, status=None, entity_id="biotech-renommee")


def test_an_id_is_never_given_twice_even_after_a_revert(factory):
    propose(factory, "Biotech Unique", token="a")
    first = queue(factory)[0]
    accept(factory, first.id, "alice")
    revert(factory, first.id, "alice", "doublon")
    assert "biotech-unique" not in set(current_raw(factory)["id"])
    propose(factory, "Biotech Unique", email="other@example.org", token="b")
    accept(factory, queue(factory)[0].id, "alice")
    assert "biotech-unique-2" in set(current_raw(factory)["id"])  # an old shared link never shows another one


def test_new_entity_id_fits_the_column_and_the_pattern():
    long_name = "Institut de recherche " + "très " * 60
    base = new_entity_id(long_name)
    assert len(base) == lengths.ENTITY_ID and ID_PATTERN.fullmatch(base)
    taken = {base}
    for expected in range(2, 13):  # suffixes replace the end of the name: always within the column
        candidate = new_entity_id(long_name, taken)
        assert candidate.endswith(f"-{expected}") and len(candidate) <= lengths.ENTITY_ID
        assert ID_PATTERN.fullmatch(candidate)
        taken.add(candidate)
    assert new_entity_id("a" * 119 + " b") == "a" * 119  # a cut never leaves a trailing hyphen
    assert new_entity_id("ﬃ" * 200) == "ffi" * 40  # a name that grows under normalisation is cut too
    assert new_entity_id("🧬") == UNNAMED_ENTITY_ID
    assert new_entity_id("🧬", {UNNAMED_ENTITY_ID}) == f"{UNNAMED_ENTITY_ID}-2"


def test_two_moderators_accepting_two_organisations_of_one_name_at_once_get_two_ids(database_url):
    factory = service_factory(database_url)
    for i in range(2):
        propose(factory, "Biotech Jumelle", email=f"j{i}@example.org", token=f"j{i}")
    first, second = queue(factory)
    start = threading.Barrier(2)

    def decide(submission_id):
        start.wait()
        accept(service_factory(database_url), submission_id, "alice")

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(decide, [first.id, second.id]))
    assert {s.entity_id for s in queue(factory, status=ACCEPTED)} == {"biotech-jumelle", "biotech-jumelle-2"}
    assert current_raw(factory)["id"].is_unique


def test_a_failed_acceptance_changes_nothing_and_the_request_can_be_decided_again(factory, monkeypatch):
    reference, submission = propose(factory, "Ｇｅｎｏｐｏｌｅ")
    version, before = data_version(factory), counts(factory)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "place_in_commune", broken)  # fails after the status update and the id choice
    with pytest.raises(RuntimeError):
        accept(factory, submission.id, "alice")
    [still] = queue(factory)
    assert still.reference == reference and still.status == PENDING and still.entity_id == "genopole"
    assert counts(factory) == before and data_version(factory) == version and not still.reviews
    monkeypatch.undo()
    accept(factory, submission.id, "alice")
    assert queue(factory, status=ACCEPTED)[0].entity_id == "genopole-2"


@pytest.mark.parametrize("edited, field, error", [
    ({"name": "Nom\x00caché"}, "name", "err_control"),  # PostgreSQL would refuse the NUL byte (DataError)
    ({"name": "abc\u202eexe"}, "name", "err_bidi"),
    ({"name": "x" * (lengths.NAME + 1)}, "name", "err_too_long"),
    ({"name": ""}, "name", "err_required"),
    ({"website": "javascript:alert(1)"}, "website", "err_url"),
    ({"category": "laboratoire"}, "category", "err_vocabulary"),
    ({"postcode": "13001"}, "city", "err_commune"),
    ({"commune_code": "13055"}, "commune_code", "err_commune"),
    ({"id": "hijack"}, "id", "err_unknown_field"),
])
def test_staff_edits_are_validated_like_the_public_form_and_a_refusal_changes_nothing(factory, edited, field,
                                                                                       error):
    _, submission = propose(factory, "Biotech Éditée")
    before = counts(factory)
    with pytest.raises(InvalidEdit) as refused:
        accept(factory, submission.id, "alice", edited=edited)
    assert refused.value.errors[field][0] == error
    assert queue(factory)[0].status == PENDING and counts(factory) == before


@pytest.mark.parametrize("reason, error", [("Motif\x00", "err_control"), ("\u202eMotif", "err_bidi"),
                                           ("x" * 1_000_000, "err_too_long")])
def test_a_refusal_reason_is_checked_before_any_query(factory, reason, error):
    send(factory)
    with pytest.raises(InvalidEdit) as refused:
        reject(factory, queue(factory)[0].id, "alice", reason)
    assert refused.value.errors == {"reason": (error, {"cap": lengths.REASON} if error == "err_too_long" else {})}
    assert queue(factory)[0].status == PENDING and counts(factory) == (0, 0)
    reject(factory, queue(factory)[0].id, "alice", "Motif\nsur deux lignes.")  # a line break is fine
    assert queue(factory, status=REJECTED)


def test_an_edited_postcode_places_the_organisation_in_its_commune(factory):
    _, submission = propose(factory, "Biotech Déplacée")
    accept(factory, submission.id, "alice", edited={"postcode": "94800", "city": "Villejuif"})
    row = current_raw(factory).set_index("id").loc["biotech-deplacee"]
    assert row["commune_code"] == "94076" and row["city"] == "Villejuif"


# --- 3. One length per field, at the maximum on both backends ----------------------------------------------------

def at_most(cap: int, unit: str = "Ab ") -> str:
    """Text of exactly `cap` characters that validation keeps as it is (nothing to strip at either end)."""
    return (unit * cap)[:cap - 1] + "z"


def maximal_email() -> str:
    email = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61
    assert len(email) == lengths.EMAIL
    return email


def test_every_field_at_its_maximum_length_is_stored_accepted_and_found(factory):
    contact = {"contact_name": at_most(lengths.CONTACT_NAME), "contact_email": maximal_email(),
               "contact_organisation": at_most(lengths.ORGANISATION), "relation": "other",
               "comment": at_most(lengths.COMMENT)}
    values = NEW | {"name": at_most(lengths.NAME, "Ｂｉｏ ﬃ "), "address": at_most(lengths.ADDRESS),
                    "website": "https://example.org/" + "p" * (lengths.WEBSITE - 20),
                    "description_fr": at_most(lengths.DESCRIPTION), "description_en": at_most(lengths.DESCRIPTION),
                    "founded": "2020", "workforce": "1000000"}
    assert all(len(values[name]) == TEXT_CAPS[name] for name in ("name", "address", "website", "description_fr",
                                                                  "founded", "workforce"))
    assert all(len(contact[name]) == cap for name, cap in CONTACT_CAPS.items())
    checked = check_submission(values, contact, new_entity=True, consent=True)
    assert checked.ok, checked.errors
    reference = submit(factory, entity_id=None, values=checked.values, current={}, contact=checked.contact,
                       session_token="max")
    [submission] = queue(factory)
    # The provisional id: the slug (600 characters) cut to its column, without the hyphen the cut left last.
    assert lengths.ENTITY_ID - 1 <= len(submission.entity_id) <= lengths.ENTITY_ID
    accept(factory, submission.id, "a" * lengths.REVIEWER)
    [accepted] = queue(factory, status=ACCEPTED)
    assert len(accepted.entity_id) <= lengths.ENTITY_ID and ID_PATTERN.fullmatch(accepted.entity_id)
    row = current_raw(factory).set_index("id").loc[accepted.entity_id]
    assert row["name"] == values["name"] and row["description_en"] == values["description_en"]
    assert status_of(factory, reference, maximal_email().upper())["status"] == ACCEPTED

    # A change at the maximum of the fields only a change has (coordinates, postcode, year, workforce).
    coordinates = {"lat": "48.623745".ljust(lengths.COORDINATE, "0"), "lon": "2.429457".ljust(lengths.COORDINATE, "0")}
    assert all(len(value) == lengths.COORDINATE for value in coordinates.values())
    checked = check_submission(coordinates | {"postcode": "91000"}, contact | {"contact_email": "b@example.org"},
                               new_entity=False, consent=True)
    assert checked.ok, checked.errors
    send(factory, values=checked.values, contact=checked.contact, token="max-change")
    accept(factory, queue(factory)[0].id, "alice")
    live = current_raw(factory).set_index("id")
    assert live.at["genopole", "lat"] == coordinates["lat"] and live.at["genopole", "geo_precision"] == "manual"

    # The city's cap: no commune has a 100-letter name, so the service stores one as it is given.
    send(factory, values={"city": "C" * lengths.CITY}, contact=CONTACT | {"contact_email": "c@example.org"})
    assert queue(factory)[0].changes[0].new_value == "C" * lengths.CITY


@pytest.mark.parametrize("name, cap", [*TEXT_CAPS.items(), *CONTACT_CAPS.items()])
def test_one_character_past_the_cap_is_refused_and_the_cap_itself_is_not_too_long(name, cap):
    def error(value):
        proposed = {} if name in CONTACT_CAPS else {name: value}
        contact = CONTACT | ({name: value} if name in CONTACT_CAPS else {})
        return check_submission(proposed or {"description_fr": "ok"}, contact, new_entity=False,
                                consent=True).errors.get(name, (None,))[0]

    assert error("1" * (cap + 1)) == "err_too_long"
    assert error("1" * cap) != "err_too_long"


def test_the_database_columns_have_the_constants_lengths(database_url):
    """The schema built by the migrations, the models and lengths.py agree (no migration needed)."""
    factory = service_factory(database_url)
    expected = {(table.name, column.name): column.type.length for table in Base.metadata.tables.values()
                for column in table.columns if getattr(column.type, "length", None)}
    assert expected[("submission", "entity_id")] == expected[("entity_history", "entity_id")] == lengths.ENTITY_ID
    assert expected[("submission", "contact_email")] == lengths.EMAIL
    with factory() as session:
        if database_url.startswith("postgresql"):
            found = {(table, column): length for table, column, length in session.execute(text(
                "SELECT table_name, column_name, character_maximum_length FROM information_schema.columns "
                "WHERE table_schema = 'public' AND character_maximum_length IS NOT NULL"))}
        else:  # SQLite keeps the declared type: VARCHAR(120)
            found = {}
            for table in {table for table, _ in expected}:
                for row in session.execute(text(f"PRAGMA table_info({table})")):
                    if row.type.startswith("VARCHAR("):
                        found[(table, row.name)] = int(row.type[8:-1])
    assert {key: found.get(key) for key in expected} == expected


# --- 4. Every value that reaches a query is checked first ----------------------------------------------------------

HOSTILE_LOOKUPS = ["CORR-2026-\x00", "CORR-2026-000001\x00", "\x00", "CORR-2026-0000\x1b[31m01",
                   "\u202eCORR-2026-000001", "CORR-2026-000001\u2066", "C" * 1_000_000, "\x00" * 1_000_000, "' OR 1=1 --", "CORR-%",
                   "CORR-2026-000001\r\nX", "ＣＯＲＲ-２０２６-０００００１", "", None]


@pytest.mark.parametrize("hostile", HOSTILE_LOOKUPS, ids=[f"v{i}" for i in range(len(HOSTILE_LOOKUPS))])
def test_status_lookup_with_hostile_text_is_simply_not_found(factory, hostile):
    reference = send(factory)
    assert status_of(factory, hostile, CONTACT["contact_email"]) is None
    assert status_of(factory, reference, hostile) is None
    assert status_of(factory, hostile, hostile) is None
    assert status_of(factory, f" {reference.lower()} ", f" {CONTACT['contact_email'].upper()} ")["status"] == PENDING


@pytest.mark.parametrize("hostile", [v for v in HOSTILE_LOOKUPS if v],
                         ids=[f"v{i}" for i, v in enumerate(HOSTILE_LOOKUPS) if v])
def test_queue_and_history_with_a_hostile_entity_id_match_nothing(factory, hostile):
    send(factory)
    accept(factory, queue(factory)[0].id, "alice")
    assert queue(factory, status=None, entity_id=hostile) == [] and queue(factory, status=hostile) == []
    assert history(factory, hostile).empty and not history(factory, "genopole").empty
    with pytest.raises(ValueError):
        send(factory, entity_id=hostile)  # never a query: the page offers known ids only
    assert len(queue(factory, status=None)) == 1


def test_the_cleaners():
    assert clean_reference(" corr-2026-000123 ") == "CORR-2026-000123"
    assert clean_reference("CORR-2026-1234567890") == "CORR-2026-1234567890"  # a ten-digit counter still fits
    assert len("CORR-2026-1234567890") == lengths.REFERENCE and clean_reference("CORR-2026-12345678901") is None
    assert clean_email(" Claire@Example.org ") == "Claire@Example.org" and clean_email(maximal_email())
    assert clean_email("a" + maximal_email()) is None and clean_email("claire@example.org\x00") is None
    assert clean_entity_id("genopole") == "genopole" and clean_entity_id("a" * (lengths.ENTITY_ID + 1)) is None
    assert clean_entity_id("Genopole") is None and clean_entity_id("geno pole") is None


# --- 7. Double submission at the service level (both backends) ---------------------------------------------------

def test_a_new_organisation_sent_twice_at_once_is_stored_once(database_url):
    service_factory(database_url)
    start = threading.Barrier(6)

    def click(_):
        start.wait()
        return propose(service_factory(database_url), "Biotech Impatiente")[0]

    with ThreadPoolExecutor(6) as pool:
        references = set(pool.map(click, range(6)))
    assert len(references) == 1 and len(queue(service_factory(database_url))) == 1


def test_a_resubmission_after_the_first_is_decided_returns_it_and_stores_nothing(factory):
    first = send(factory)
    reject(factory, queue(factory)[0].id, "alice", "Déjà à jour.")
    assert send(factory) == first and len(queue(factory, status=None)) == 1


def test_the_same_values_typed_with_other_surrounding_spaces_are_the_same_request(factory):
    """What the form sends is validated (stripped) before the digest: stray spaces are no new request."""
    references = set()
    for padding in ("", " ", "\t", "  \n"):
        checked = check_submission({"address": f"{padding}2 rue Gaston Crémieux{padding}"},
                                   {name: f"{padding}{value}{padding}" if name != "relation" else value
                                    for name, value in CONTACT.items()}, new_entity=False, consent=True)
        assert checked.ok, checked.errors
        references.add(send(factory, values=checked.values, contact=checked.contact, token=padding or "x"))
    assert len(references) == 1 and len(queue(factory)) == 1


# --- Two moderators deciding the same request at the same moment ----------------------------------------------------

def race(database_url, monkeypatch, first, second):
    """Two staff members decide one request at the same instant; acceptance is slowed down so that the other
    decision arrives while it is under way. Returns {reviewer: None or the NotPending raised}."""
    factory = service_factory(database_url)
    send(factory, values={"address": "2 rue Gaston Crémieux", "website": "https://www.genopole.fr/course"})
    [request] = queue(factory)
    slow = service.current_raw

    def slowly(*args, **kwargs):
        time.sleep(0.3)
        return slow(*args, **kwargs)

    monkeypatch.setattr(service, "current_raw", slowly)
    start = threading.Barrier(2)
    actions = {"alice": first, "bob": second}

    def decide(reviewer):
        start.wait()
        try:
            if actions[reviewer] == "accept":
                accept(service_factory(database_url), request.id, reviewer)
            else:
                reject(service_factory(database_url), request.id, reviewer, "Non vérifiable.")
        except NotPending as error:
            return reviewer, error
        return reviewer, None

    with ThreadPoolExecutor(2) as pool:
        outcome = dict(pool.map(decide, actions))
    monkeypatch.undo()
    return request, outcome


@pytest.mark.parametrize("first, second", [("accept", "accept"), ("accept", "reject"), ("reject", "accept")])
def test_two_moderators_at_once_exactly_one_decision_applies(database_url, monkeypatch, first, second):
    for round_ in range(3):
        factory = service_factory(database_url)
        request, outcome = race(database_url, monkeypatch, first, second)
        winners = [reviewer for reviewer, error in outcome.items() if error is None]
        assert len(winners) == 1, outcome
        [winner] = winners
        [loser] = set(outcome) - {winner}
        decision = {"alice": first, "bob": second}[winner]
        status = ACCEPTED if decision == "accept" else REJECTED
        error = outcome[loser]
        assert (error.reviewer, error.status) == (winner, status) and error.decided_at is not None
        [decided] = queue(factory, status=status)
        assert [review.reviewer for review in decided.reviews] == [winner]  # one decision recorded, not two
        rows = history(factory)
        written = rows[rows["reference"] == request.reference]
        if status == ACCEPTED:  # the whole acceptance once: the two fields and the date, nothing twice
            assert sorted(written["field"]) == ["address", "updated", "website"]
            assert set(written["reviewer"]) == {winner}
        else:
            assert written.empty and current_raw(factory).equals(read_entities_csv())
        with factory() as session:  # next round on a clean queue
            session.query(Review).delete()
            session.query(EntityHistory).delete()
            session.query(Submission).delete()
            session.commit()


# --- The pages on both backends (AppTest) --------------------------------------------------------------------------

@pytest.fixture
def app_database(database_url, monkeypatch):
    """Points the app's own database (views._shared.corrections_db, i.e. connect()) at this test's database,
    SQLite or PostgreSQL, and returns its session factory; the process-wide caches are cleared before and
    after, so that no other test sees it."""
    import streamlit as st

    from ecosystem.corrections.db import connect

    if database_url.startswith("sqlite"):
        monkeypatch.setenv("CORRECTIONS_DB", database_url.removeprefix("sqlite:///"))
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", database_url)

    def forget():
        connect.cache_clear()
        st.cache_resource.clear()
        st.cache_data.clear()

    forget()
    yield connect()
    forget()


def status_page(lang: str = "fr"):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    if lang != "fr":
        app.query_params["lang"] = lang
    app.run()
    app.session_state["kept_correction_mode"] = "status"  # the "follow a request" mode (views/_state.kept)
    app.switch_page("views/correction.py")
    return app.run()


def look_up(app, lang: str, reference: str, email: str):
    """Types both values into the status form (widgets found afresh: a rerun replaces them) and sends it.

    Longer text is cut at max_chars first, as a browser does (and as Streamlit does again on the server when a
    client sends more); the service is tested with the whole megabyte above.
    """
    from ecosystem.i18n import t

    reference, email = reference[:lengths.REFERENCE], email[:lengths.EMAIL]
    fields = {widget.label: widget for widget in app.text_input}
    fields[t("reference", lang)].input(reference)
    fields[t("contact_email", lang)].input(email)
    app.button[0].click().run()
    typed = {widget.label: widget.value for widget in app.text_input}
    assert typed[t("reference", lang)] == reference  # what the page looked up
    assert typed[t("contact_email", lang)] == email[:lengths.EMAIL]
    return app


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_status_page_answers_not_found_to_hostile_text_on_both_backends(app_database, lang):
    from ecosystem.i18n import t

    reference = send(app_database)
    app = status_page(lang)
    assert not app.exception
    fields = {widget.label: widget for widget in app.text_input}
    assert fields[t("reference", lang)].proto.max_chars == lengths.REFERENCE
    assert fields[t("contact_email", lang)].proto.max_chars == lengths.EMAIL
    for hostile_reference, hostile_email in [(reference[:-1] + "\x00", CONTACT["contact_email"]),
                                             ("\x00" + reference, CONTACT["contact_email"]),
                                             (reference, CONTACT["contact_email"] + "\x00"),
                                             ("\u202e" + reference, CONTACT["contact_email"]),
                                             (reference, "\u202e" + CONTACT["contact_email"]),
                                             ("\x1b[31m" * 200_000, "\x00" * 1_000_000),
                                             ("' OR 1=1 --", "x' OR '1'='1")]:
        look_up(app, lang, hostile_reference, hostile_email)
        assert not app.exception and not app.error, [e.value for e in app.error]
        assert [w.value for w in app.warning] == [t("status_unknown", lang)]
    look_up(app, lang, reference.lower(), CONTACT["contact_email"])
    assert not app.exception and not app.warning and reference in app.info[0].value


def test_the_form_caps_are_the_length_constants():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from ecosystem.i18n import t

    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60)
    app.run()
    app.query_params["id"] = "genopole"
    app.switch_page("views/correction.py")
    app.run()
    assert not app.exception
    caps = {name: cap for name, cap in (TEXT_CAPS | CONTACT_CAPS).items()}
    labels = {"name": "field_name", "address": "field_address", "postcode": "field_postcode", "city": "field_city",
              "website": "website", "founded": "field_founded", "workforce": "field_workforce",
              "description_fr": "field_description_fr", "description_en": "field_description_en",
              "lat": "field_lat", "lon": "field_lon", "contact_name": "contact_name",
              "contact_email": "contact_email", "contact_organisation": "contact_organisation", "comment": "comment"}
    shown = {widget.label: widget.proto.max_chars for widget in [*app.text_input, *app.text_area]}
    assert {name: shown[t(key)] for name, key in labels.items()} == caps
