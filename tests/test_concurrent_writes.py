"""An inventory import applied while a correction is accepted (issue 12, "Also prove"), on SQLite and PostgreSQL,
with threads: both end up applied, the history stays coherent and the data version changes at each commit.

"Coherent": for every entity and field, each history row's old value is the value that was live when it was
written (the previous row's new value, or the seed's) — a writer that read the dataset before the other one
committed would record a stale old value. "Changes at each commit": instances cache the dataset by
`data_version`, so one version must never stand for two different datasets — else an instance that cached the
first commit's dataset would never show the second.

Both orders are forced with test-only hooks (no production code waits for a test): the import reads the live
dataset then waits while the correction is accepted; the acceptance writes its history rows then waits while the
import runs. A free-running race is repeated on top, watched by a reader thread.
"""

import csv
import datetime as dt
import hashlib
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

import ecosystem.import_plan as import_plan
from db_support import database
from ecosystem.corrections.db import connect
from ecosystem.corrections.models import EntityHistory, ImportBatch
from ecosystem.corrections.service import (ACCEPTED, accept, current_raw, data_version, history, queue,
                                           submit)
from ecosystem.import_mapping import known_headers, suggest_columns
from ecosystem.import_plan import NEW, apply_import, plan_import
from ecosystem.import_read import checksum, read_upload
from ecosystem.loading import read_entities_csv
from ecosystem.schema import COLUMNS
from ecosystem.validation import validate

CONTACT = {"contact_name": "Claire Martin", "contact_email": "claire.concurrent@example.org",
           "contact_organisation": "", "relation": "self", "comment": ""}
ENTITY = "genopole"
HOLD = 2.0  # seconds a paused writer waits for the other one, at most (the other may be blocked by a lock)

# What these tests found: apply_import did not take the dataset lock that accept, reject and revert take
# (service.serialize_dataset_writes), so an import recorded old values read before a concurrent acceptance
# committed (both backends), and on PostgreSQL could commit after an acceptance that took lower history ids,
# leaving data_version unchanged by the acceptance. apply_import now takes it first in its transaction.


@pytest.fixture(params=["sqlite", "postgresql"])
def factory(request, tmp_path):
    with database(request.param, tmp_path) as url:
        yield connect(url)


def request_correction(factory, round_: int) -> int:
    """A pending request on ENTITY: its address (also changed by the import) and its English description."""
    values = {"address": f"{round_} rue de la Correction", "description_en": f"Corrected in round {round_}."}
    submit(factory, entity_id=ENTITY, values=values, current={}, contact=CONTACT, session_token=f"r{round_}")
    return next(r.id for r in queue(factory) if r.changes[0].new_value == values["address"])


def import_plan_for(factory, round_: int):
    """A staff file changing ENTITY's address and adding one new company, planned against the live data."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([["Raison sociale", "Adresse", "Code postal", "Ville", "Type", "Site web", "Thématiques"],
                      ["Genopole", f"{round_} rue de l'Import", "91000", "Évry-Courcouronnes", "Biocluster",
                       "https://genopole.fr", ""],
                      [f"Import Concurrent {round_}", "", "94800", "Villejuif", "Start-up",
                       f"https://import-{round_}.example", "Oncologie"]])
    data = buffer.getvalue().encode("utf-8")
    read = read_upload(data, f"inventaire-{round_}.csv", known_headers())
    plan = plan_import(read, suggest_columns(list(read.table.columns)), f"inventaire-{round_}.csv", checksum(data),
                       current_raw(factory))
    assert [r.change for r in plan.results] == ["changed", NEW], plan.report()
    return plan


def assert_history_is_coherent(factory) -> None:
    seed = read_entities_csv().set_index("id")
    live: dict[tuple[str, str], str] = {}
    for row in history(factory).itertuples():
        key = (row.entity_id, row.field)
        before = live.get(key, str(seed.at[row.entity_id, row.field]) if row.entity_id in seed.index else "")
        assert row.old_value == before, f"{row.reference} recorded {key} old value {row.old_value!r}, " \
                                        f"but {before!r} was live"
        live[key] = row.new_value


def dataset_digest(factory) -> str:
    return hashlib.sha256(current_raw(factory).to_csv(index=False).encode()).hexdigest()


def stable_observation(factory) -> tuple[str, str] | None:
    """(data version, digest of the dataset) read with no commit in between, or None."""
    version = data_version(factory)
    digest = dataset_digest(factory)
    return (version, digest) if data_version(factory) == version else None


def check_both_applied(factory, plan, request_id: int, round_: int) -> None:
    [accepted] = [r for r in queue(factory, status=ACCEPTED) if r.id == request_id]
    live = current_raw(factory).set_index("id")
    assert live.at[ENTITY, "description_en"] == f"Corrected in round {round_}."
    rows = history(factory)
    address = rows[(rows["entity_id"] == ENTITY) & (rows["field"] == "address")]
    assert live.at[ENTITY, "address"] == address["new_value"].iloc[-1]  # the later write wins, visibly
    assert {accepted.reference, plan.reference} <= set(address["reference"])
    new_id = next(r.row["id"] for r in plan.results if r.change == NEW)
    assert live.at[new_id, "name"] == f"Import Concurrent {round_}"
    assert validate(current_raw(factory)) == []
    assert_history_is_coherent(factory)


def writes_history(session) -> bool:
    return any(isinstance(instance, (EntityHistory, ImportBatch)) for instance in session.new)


def run_both(factory, plan, request_id, start_first: str, pause) -> list[str]:
    """Starts `start_first` (accept or import), lets it reach its pause, then starts the other; returns the data
    versions seen: before, after the first commit, after the second.

    So that "after the first commit" is read before the second commit whatever the timing, a writer about to
    commit once the other has committed waits (test-only listener) until that version has been read."""
    done = {"accept": threading.Event(), "import": threading.Event()}
    observed = threading.Event()
    errors = []

    def run(name):
        try:
            if name == "accept":
                accept(factory, request_id, "alice")
            else:
                apply_import(factory, plan, "bob")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(f"{name}: {error!r}")
        finally:
            done[name].set()

    def second_commit_waits(session, _context):
        name = threading.current_thread().name
        if name in done and writes_history(session) and done["import" if name == "accept" else "accept"].is_set():
            observed.wait(30)

    versions = [data_version(factory)]
    other = "import" if start_first == "accept" else "accept"
    event.listen(Session, "after_flush", second_commit_waits)
    try:
        with pause(lambda: done[other].wait(HOLD)) as paused:
            first = threading.Thread(target=run, args=(start_first,), name=start_first)
            first.start()
            assert paused.wait(30), f"{start_first} never reached its pause"
            second = threading.Thread(target=run, args=(other,), name=other)
            second.start()
            while not (done["accept"].is_set() or done["import"].is_set()):
                time.sleep(0.01)
            versions.append(data_version(factory))
            observed.set()
            first.join(60)
            second.join(60)
    finally:
        event.remove(Session, "after_flush", second_commit_waits)
    assert not errors, errors
    versions.append(data_version(factory))
    return versions


class import_pauses_after_reading:
    """The import reads the live dataset, then waits (test-only: a wrapper around current_raw)."""

    def __init__(self, wait):
        self.wait, self.paused = wait, threading.Event()

    def __enter__(self):
        self.original = import_plan.current_raw

        def read_then_wait(*args, **kwargs):
            table = self.original(*args, **kwargs)
            if threading.current_thread().name == "import":
                self.paused.set()
                self.wait()
            return table

        import_plan.current_raw = read_then_wait
        return self.paused

    def __exit__(self, *_):
        import_plan.current_raw = self.original


class accept_pauses_after_writing:
    """The acceptance sends its history rows to the database (ids taken), then waits before committing
    (test-only: a SQLAlchemy after_flush listener)."""

    def __init__(self, wait):
        self.wait, self.paused = wait, threading.Event()

    def hook(self, session, _context):
        if threading.current_thread().name == "accept" and not self.paused.is_set() and writes_history(session):
            self.paused.set()
            self.wait()

    def __enter__(self):
        event.listen(Session, "after_flush", self.hook)
        return self.paused

    def __exit__(self, *_):
        event.remove(Session, "after_flush", self.hook)


@pytest.mark.parametrize("start_first, pause", [("import", import_pauses_after_reading),
                                                ("accept", accept_pauses_after_writing)],
                         ids=["import-reads-then-waits", "accept-writes-then-waits"])
def test_an_import_and_an_acceptance_interleaved_both_apply_coherently(factory, start_first, pause):
    request_id = request_correction(factory, 1)
    plan = import_plan_for(factory, 1)
    before, after_first, after_both = run_both(factory, plan, request_id, start_first, pause)
    assert len({before, after_first, after_both}) == 3, \
        f"the data version did not change at each commit: {before} → {after_first} → {after_both}"
    check_both_applied(factory, plan, request_id, 1)


def test_imports_and_acceptances_racing_freely_keep_one_dataset_per_version(factory):
    seen: dict[str, str] = {}  # data version -> digest of the dataset it stands for
    stop = threading.Event()
    clashes = []

    def watch():
        while not stop.is_set():
            observation = stable_observation(factory)
            if observation:
                version, digest = observation
                if seen.setdefault(version, digest) != digest:
                    clashes.append(version)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for round_ in range(1, 5):
            request_id = request_correction(factory, round_)
            plan = import_plan_for(factory, round_)
            start = threading.Barrier(2)

            def go(action):
                start.wait()
                return action()

            with ThreadPoolExecutor(2) as pool:
                futures = [pool.submit(go, lambda: accept(factory, request_id, "alice")),
                           pool.submit(go, lambda: apply_import(factory, plan, "bob"))]
                for future in futures:
                    future.result(timeout=120)
            check_both_applied(factory, plan, request_id, round_)
            final = stable_observation(factory)
            assert final and seen.setdefault(final[0], final[1]) == final[1]
    finally:
        stop.set()
        watcher.join()
    assert not clashes, f"one data version stood for two datasets: {clashes}"
    assert len(seen) >= 2
