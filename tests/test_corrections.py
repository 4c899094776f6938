"""The corrections loop on SQLite and on PostgreSQL (127.0.0.1:5432, trust auth: never skipped)."""

import datetime as dt
import multiprocessing
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from ecosystem.corrections.db import connect
from ecosystem.corrections.service import (ACCEPTED, DUPLICATE_WINDOW, PENDING, REJECTED, REVERTED, NotPending,
                                           RateLimited, accept, current_raw, data_version, export_current_csv,
                                           history, queue, reject, revert, status_of, submit)
from ecosystem.corrections.validation import check_submission
from ecosystem.loading import read_entities_csv, to_geodataframe
from ecosystem.validation import validate

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CONTACT = {"contact_name": "Claire Martin", "contact_email": "claire@example.org",
           "contact_organisation": "Genopole", "relation": "self", "comment": "Nouvelle adresse."}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'corrections.sqlite3'}"
        return
    name = f"test_corrections_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    connect.cache_clear()
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def factory(database_url):
    return connect(database_url)


def send(factory, entity_id="genopole", values=None, contact=CONTACT, token="session-1", **kwargs):
    seed = read_entities_csv().set_index("id")
    values = values or {"address": "2 rue Gaston Crémieux"}
    current = {k: seed.at[entity_id, k] for k in values if entity_id in seed.index and k in seed.columns}
    return submit(factory, entity_id=entity_id, values=values, current=current, contact=contact,
                  session_token=token, **kwargs)


def test_submit_accept_then_load_returns_the_changed_entity(factory):
    reference = send(factory)
    assert reference.startswith(f"CORR-{dt.date.today().year}-")
    [pending] = queue(factory)
    assert pending.reference == reference and pending.status == PENDING
    assert [(c.field, c.new_value) for c in pending.changes] == [("address", "2 rue Gaston Crémieux")]
    version = data_version(factory)
    accept(factory, pending.id, reviewer="alice")
    assert data_version(factory) != version
    live = current_raw(factory).set_index("id")
    assert live.at["genopole", "address"] == "2 rue Gaston Crémieux"
    assert live.at["genopole", "updated"] == dt.date.today().isoformat()
    assert read_entities_csv().set_index("id").at["genopole", "address"] != "2 rue Gaston Crémieux"  # seed kept
    assert validate(current_raw(factory)) == []
    status = status_of(factory, reference, "CLAIRE@example.org")
    assert status["status"] == ACCEPTED and status["decided_at"] is not None
    assert status_of(factory, reference, "someone@else.org") is None


def test_reject_needs_a_reason_and_changes_nothing(factory):
    reference = send(factory)
    [pending] = queue(factory)
    with pytest.raises(ValueError):
        reject(factory, pending.id, "alice", " ")
    reject(factory, pending.id, "alice", "Adresse non vérifiable.")
    assert status_of(factory, reference, CONTACT["contact_email"])["reason"] == "Adresse non vérifiable."
    assert queue(factory) == [] and queue(factory, status=REJECTED)[0].reference == reference
    assert current_raw(factory).equals(read_entities_csv())
    with pytest.raises(NotPending):
        accept(factory, pending.id, "bob")


def test_revert_restores_the_previous_value_and_keeps_history(factory):
    before = read_entities_csv().set_index("id").at["genopole", "website"]
    send(factory, values={"website": "https://www.genopole.fr/nouveau"})
    [first] = queue(factory)
    accept(factory, first.id, "alice")
    send(factory, values={"website": "https://www.genopole.fr/encore"}, token="session-2")
    [second] = queue(factory)
    accept(factory, second.id, "alice")
    assert current_raw(factory).set_index("id").at["genopole", "website"] == "https://www.genopole.fr/encore"
    revert(factory, second.id, "bob", "erreur de saisie")
    assert current_raw(factory).set_index("id").at["genopole", "website"] == "https://www.genopole.fr/nouveau"
    revert(factory, first.id, "bob")
    assert current_raw(factory).set_index("id").at["genopole", "website"] == before
    rows = history(factory, "genopole")
    websites = rows[rows["field"] == "website"]
    assert list(websites["old_value"]) == [before, "https://www.genopole.fr/nouveau"]
    assert websites["reverted_at"].notna().all() and set(rows["reviewer"]) == {"alice"}
    assert queue(factory, status=REVERTED)[0].reviews[-1].reviewer == "bob"
    assert current_raw(factory).equals(read_entities_csv())


def test_a_moved_entity_is_placed_in_its_new_commune(factory):
    checked = check_submission({"postcode": "94800", "city": "Villejuif"}, CONTACT | {"relation": "self"},
                               new_entity=False, consent=True)
    assert checked.ok and checked.values["commune_code"] == "94076"
    send(factory, values=checked.values)
    accept(factory, queue(factory)[0].id, "alice")
    entities = to_geodataframe(current_raw(factory)).set_index("id")
    assert entities.at["genopole", "commune_code"] == "94076"
    assert validate(current_raw(factory)) == []  # inside Villejuif, on a free slot


def test_an_arrondissement_given_for_an_entry_known_only_in_paris_places_it(factory):
    seed = read_entities_csv().set_index("id")
    vague = seed.index[seed["commune_code"] == "75056"][0]
    checked = check_submission({"postcode": "75010"}, CONTACT, new_entity=False, consent=True)
    assert checked.ok and checked.values["commune_code"] == "75110"
    send(factory, entity_id=vague, values=checked.values)
    accept(factory, queue(factory)[0].id, "alice")
    live = current_raw(factory)
    assert live.set_index("id").at[vague, "commune_code"] == "75110"
    assert validate(live) == []  # the point moved into the 10th arrondissement


def test_new_organisation_becomes_a_valid_row(factory):
    values = {"name": "Biotech Nouvelle", "kind": "company", "category": "startup", "postcode": "91000",
              "city": "Évry-Courcouronnes", "website": "https://biotech-nouvelle.example", "roles": "rnd",
              "modalities": "gene_therapy", "description_fr": "Start-up de thérapie génique."}
    checked = check_submission(values, CONTACT, new_entity=True, consent=True)
    assert checked.ok, checked.errors
    reference = submit(factory, entity_id=None, values=checked.values, current={}, contact=checked.contact,
                       session_token="s")
    accept(factory, queue(factory)[0].id, "alice")
    live = current_raw(factory)
    row = live.set_index("id").loc["biotech-nouvelle"]
    assert row["commune_code"] == "91228" and row["geo_precision"] == "commune" and row["source"]
    assert validate(live) == [] and len(live) == len(read_entities_csv()) + 1
    assert reference in set(history(factory)["reference"])


def test_export_current_dataset_in_the_seed_format(factory, tmp_path):
    send(factory, values={"description_fr": "Texte corrigé, « guillemets », virgules, et\nretour à la ligne."})
    accept(factory, queue(factory)[0].id, "alice")
    path = tmp_path / "entities.csv"
    path.write_bytes(export_current_csv(factory))
    exported = read_entities_csv(path)
    assert list(exported.columns) == list(read_entities_csv().columns)
    assert exported.equals(current_raw(factory)) and validate(exported) == []


def test_rate_limit_per_email_and_per_session(factory):
    for i in range(5):
        send(factory, values={"address": f"{i} bis rue Gaston Crémieux"}, token=f"t{i}")
    with pytest.raises(RateLimited):
        send(factory, token="t-new")
    for i in range(10):  # ten different addresses from one browser session
        send(factory, contact=CONTACT | {"contact_email": f"p{i}@example.org"}, token="same-session")
    with pytest.raises(RateLimited):
        send(factory, contact=CONTACT | {"contact_email": "z@example.org"}, token="same-session")
    assert send(factory, contact=CONTACT | {"contact_email": "z@example.org"}, token="other-session")
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)
    assert send(factory, token="t-new", now=later)  # the window has passed


def test_the_same_request_sent_twice_is_stored_once_with_one_reference(factory):
    first = send(factory)
    # Another tab, the address typed in capitals: still the same request.
    again = send(factory, contact=CONTACT | {"contact_email": "CLAIRE@Example.org"}, token="session-2")
    assert again == first
    assert [submission.reference for submission in queue(factory)] == [first]
    new = {"name": "Biotech Deux Fois", "kind": "company", "category": "startup"}
    created = submit(factory, entity_id=None, values=new, current={}, contact=CONTACT, session_token="s")
    assert submit(factory, entity_id=None, values=new, current={}, contact=CONTACT, session_token="s") == created
    assert len(queue(factory)) == 2


def test_requests_differing_in_any_part_get_their_own_reference(factory):
    other = CONTACT | {"contact_email": "paul@example.org"}
    references = [
        send(factory),
        send(factory, values={"address": "3 rue Gaston Crémieux"}),
        send(factory, contact=CONTACT | {"comment": "Adresse du siège."}),
        send(factory, contact=CONTACT | {"relation": "other"}),
        send(factory, contact=CONTACT | {"contact_name": "C. Martin"}),
        send(factory, contact=other),
        send(factory, entity_id="genethon", contact=other),
        submit(factory, entity_id=None, values={"name": "Genopole"}, current={}, contact=other, session_token="s"),
    ]
    assert len(set(references)) == len(references) == len(queue(factory))


def test_the_same_request_after_the_window_is_a_new_request(factory):
    start = dt.datetime.now(dt.timezone.utc)
    first = send(factory, now=start)
    assert send(factory, now=start + DUPLICATE_WINDOW - dt.timedelta(seconds=1)) == first
    later = send(factory, now=start + DUPLICATE_WINDOW + dt.timedelta(seconds=1))
    assert later != first and len(queue(factory)) == 2


def test_a_request_sent_again_does_not_count_against_the_rate_limit(factory):
    references = [send(factory, values={"address": f"{i} rue Gaston Crémieux"}) for i in range(5)]
    for _ in range(3):  # the limit is reached, but this is the fifth request again: its reference, no refusal
        assert send(factory, values={"address": "4 rue Gaston Crémieux"}) == references[-1]
    assert len(queue(factory)) == 5
    with pytest.raises(RateLimited):  # a genuinely new request is still refused
        send(factory, values={"address": "5 rue Gaston Crémieux"})


def test_identical_requests_sent_at_once_store_exactly_one(database_url):
    connect(database_url)  # migrate once, before the writers start
    writers = 8
    for attempt in range(5):
        start = threading.Barrier(writers)

        def click(_):
            start.wait()  # all the writers submit at the same moment
            return send(connect(database_url), values={"address": f"{attempt} rue Gaston Crémieux"})

        with ThreadPoolExecutor(writers) as pool:
            references = set(pool.map(click, range(writers)))
        assert len(references) == 1
    assert len(queue(connect(database_url))) == 5


def _writer(args):
    database_url, worker, count = args
    factory = connect(database_url)
    references = []
    for i in range(count):
        contact = CONTACT | {"contact_email": f"w{worker}-{i}@example.org"}
        references.append(send(factory, contact=contact, token=f"w{worker}-{i}"))
    return references


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_eight_concurrent_writers_store_exactly_1600_requests(database_url, mode):
    connect(database_url)  # migrate once, before the writers start
    jobs = [(database_url, worker, 200) for worker in range(8)]
    if mode == "threads":
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(_writer, jobs))
    else:
        with multiprocessing.get_context("spawn").Pool(8) as pool:
            results = pool.map(_writer, jobs)
    references = [reference for batch in results for reference in batch]
    assert len(references) == len(set(references)) == 1600
    assert len(queue(connect(database_url))) == 1600


HOSTILE = {
    "script": "<script>alert('x')</script>",
    "handler": '<img src=x onerror="alert(1)">',
    "sql": "'; DROP TABLE submission; --",
    "emoji": "Thérapie 🧬 génique 🚀",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_markup_and_sql_are_stored_literally(factory, name):
    value = HOSTILE[name]
    checked = check_submission({"description_fr": value}, CONTACT | {"comment": value}, new_entity=False,
                               consent=True)
    assert checked.ok, checked.errors
    reference = send(factory, values=checked.values, contact=checked.contact)
    [stored] = queue(factory)
    assert stored.changes[0].new_value == value and stored.comment == value
    accept(factory, stored.id, "alice")
    assert current_raw(factory).set_index("id").at["genopole", "description_fr"] == value
    assert reference


@pytest.mark.parametrize("value, error", [
    ("x" * 1_000_000, "err_too_long"),
    ("Nom\x00caché", "err_control"),
    ("Nom\x1b[31m", "err_control"),
    ("abc\u202eexe.pdf", "err_bidi"),
    ("\u2066isolé\u2069", "err_bidi"),
])
def test_oversized_or_deceptive_text_is_refused_and_nothing_is_saved(factory, value, error):
    for field in ("name", "description_fr", "address"):
        checked = check_submission({field: value}, CONTACT, new_entity=False, consent=True)
        assert checked.errors[field][0] == error
    checked = check_submission({"description_fr": "ok"}, CONTACT | {"contact_name": value}, new_entity=False,
                               consent=True)
    assert checked.errors["contact_name"][0] == error
    assert queue(factory) == []


@pytest.mark.parametrize("proposed, contact, field, error", [
    ({"category": "laboratoire"}, {}, "category", "err_vocabulary"),
    ({"modalities": "gene_therapy|telepathy"}, {}, "modalities", "err_vocabulary"),
    ({"website": "javascript:alert(1)"}, {}, "website", "err_url"),
    ({"website": "ftp://example.org"}, {}, "website", "err_url"),
    ({"postcode": "13001", "city": "Marseille"}, {}, "city", "err_commune"),
    ({"postcode": "91190"}, {}, "city", "err_commune"),  # shared postcode: ambiguous, never guessed
    ({"lat": "43.29", "lon": "5.37"}, {}, "lat", "err_outside_region"),
    ({"founded": "1066"}, {}, "founded", "err_year"),
    ({"id": "hijack"}, {}, "id", "err_unknown_field"),
    ({"name": "ok"}, {"contact_email": "not-an-email"}, "contact_email", "err_email"),
    ({"name": "ok"}, {"relation": "boss"}, "relation", "err_required"),
])
def test_each_field_is_validated_server_side(proposed, contact, field, error):
    checked = check_submission(proposed, CONTACT | contact, new_entity=False, consent=True)
    assert checked.errors[field][0] == error


def test_consent_honeypot_and_empty_requests():
    assert check_submission({"name": "x"}, CONTACT, new_entity=False, consent=False).errors["consent"][0] == \
        "err_consent"
    assert check_submission({"name": "x"}, CONTACT, new_entity=False, consent=True,
                            honeypot="http://spam").errors == {"form": ("err_rejected", {})}
    assert check_submission({}, CONTACT, new_entity=False, consent=True).errors["form"][0] == "err_nothing_changed"
    missing = check_submission({"name": "Nouvelle"}, CONTACT, new_entity=True, consent=True).errors
    assert {"kind", "category", "postcode", "city", "website"} <= set(missing)


def test_every_error_message_exists_in_both_languages():
    import re
    from pathlib import Path

    from ecosystem.i18n import messages

    source = (Path(__file__).resolve().parent.parent / "ecosystem" / "corrections" / "validation.py").read_text()
    keys = set(re.findall(r'"(err_[a-z_]+)"', source))
    assert keys and all(key in messages() for key in keys | {"err_rate_limited"})
