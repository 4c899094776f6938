"""Crash safety (issue 12, "Also prove"), on SQLite and PostgreSQL: a process killed (SIGKILL) in the middle of
applying an import or accepting a correction leaves the data untouched — no history row, the request still
pending, no import batch, the same data version — and the app works afterwards: the same operation then
succeeds, and a fresh process reads the dataset with it.

The writer runs in a subprocess that pauses inside its transaction, once its rows have been sent to the
database but before the commit, through a SQLAlchemy listener installed by the test's own script (no production
code waits for a test); the test then kills it.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db_support import database
from ecosystem.corrections.db import connect
from ecosystem.corrections.models import EntityHistory, ImportBatch, Review
from ecosystem.corrections.service import (ACCEPTED, PENDING, accept, current_raw, data_version, history, queue,
                                           submit)
from ecosystem.import_mapping import known_headers, suggest_columns
from ecosystem.import_plan import apply_import, plan_import
from ecosystem.import_read import checksum, read_upload
from ecosystem.loading import read_entities_csv
from ecosystem.validation import validate

ROOT = Path(__file__).resolve().parent.parent
CONTACT = {"contact_name": "Claire Martin", "contact_email": "claire.crash@example.org",
           "contact_organisation": "", "relation": "self", "comment": ""}
ADDRESS = "3 rue du Redémarrage"
NEW_COMPANY = "Reprise Après Panne"
INVENTORY = ("Raison sociale;Adresse;Code postal;Ville;Type;Site web;Thématiques\r\n"
             f"Genopole;{ADDRESS};91000;Évry-Courcouronnes;Biocluster;https://genopole.fr;\r\n"
             f"{NEW_COMPANY};;94800;Villejuif;Start-up;https://reprise.example;Oncologie\r\n")

# The writer's script: pauses (forever) inside the transaction at the first flush that sends a `stop_at` row,
# after telling the test so on stdout.
WRITER = textwrap.dedent("""
    import json, sys, time
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from ecosystem.corrections import models
    from ecosystem.corrections.db import connect

    job = json.loads(sys.argv[1])
    stop_at = getattr(models, job["stop_at"])

    @event.listens_for(Session, "after_flush")
    def pause(session, _context):
        if any(isinstance(instance, stop_at) for instance in session.new):
            print("paused", flush=True)
            time.sleep(3600)

    factory = connect(job["url"])
    if job["operation"] == "accept":
        from ecosystem.corrections.service import accept
        accept(factory, job["request_id"], "alice")
    else:
        from ecosystem.corrections.service import current_raw
        from ecosystem.import_mapping import known_headers, suggest_columns
        from ecosystem.import_plan import apply_import, plan_import
        from ecosystem.import_read import checksum, read_upload
        data = job["inventory"].encode("utf-8")
        read = read_upload(data, "inventaire.csv", known_headers())
        plan = plan_import(read, suggest_columns(list(read.table.columns)), "inventaire.csv", checksum(data),
                           current_raw(factory))
        apply_import(factory, plan, "bob")
    print("finished", flush=True)
""")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    with database(request.param, tmp_path) as url:
        yield url


def assert_a_transaction_is_open(database_url: str) -> None:
    """While the writer is paused: its transaction is open and holds written rows (PostgreSQL: a session of the
    database idle in transaction, with a transaction id, i.e. it has written; SQLite: the write lock is held)."""
    if database_url.startswith("sqlite:///"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                connection.execute("BEGIN IMMEDIATE")
        finally:
            connection.close()
        return
    with connect(database_url)() as session:
        writing = session.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction' AND backend_xid IS NOT NULL")).scalar()
    assert writing == 1


def kill_inside_the_transaction(job: dict) -> None:
    writer = subprocess.Popen([sys.executable, "-c", WRITER, json.dumps(job)], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        line = writer.stdout.readline()  # blocks until the writer pauses (or ends)
        assert line.strip() == "paused", f"the writer did not pause: {line!r} {writer.stderr.read()[-2000:]}"
        assert_a_transaction_is_open(job["url"])
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
    assert writer.returncode == -signal.SIGKILL


def counts(factory) -> dict[str, int]:
    with factory() as session:
        return {table.__tablename__: session.scalar(select(func.count()).select_from(table))
                for table in (EntityHistory, ImportBatch, Review)}


def exported_by_a_fresh_process(database_url: str, tmp_path) -> "dict":
    """The current dataset as `python -m ecosystem export-current` writes it, from a new process."""
    path = tmp_path / "exported.csv"
    env = {**os.environ, "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgresql://")}
    if database_url.startswith("sqlite:///"):
        env.pop("DATABASE_URL")
        env["CORRECTIONS_DB"] = database_url.removeprefix("sqlite:///")
    done = subprocess.run([sys.executable, "-m", "ecosystem", "export-current", str(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    exported = read_entities_csv(path)
    assert validate(exported) == []
    return exported.set_index("id")


@pytest.mark.parametrize("stop_at", ["Review", "EntityHistory"],
                         ids=["killed-after-claiming-the-decision", "killed-after-writing-the-history"])
def test_an_acceptance_killed_midway_leaves_the_request_pending_and_the_data_untouched(database_url, stop_at,
                                                                                         tmp_path):
    factory = connect(database_url)
    reference = submit(factory, entity_id="genopole", values={"address": ADDRESS}, current={}, contact=CONTACT,
                       session_token="crash")
    [request] = queue(factory)
    version = data_version(factory)

    kill_inside_the_transaction({"url": database_url, "operation": "accept", "request_id": request.id,
                                 "stop_at": stop_at})

    assert counts(factory) == {"entity_history": 0, "import_batch": 0, "review": 0}
    assert [r.reference for r in queue(factory, status=PENDING)] == [reference]
    assert data_version(factory) == version
    assert current_raw(factory).equals(read_entities_csv())

    accept(factory, request.id, "alice")  # the request is still actionable, and nothing waits on a dead lock
    assert [r.reference for r in queue(factory, status=ACCEPTED)] == [reference]
    assert data_version(factory) != version
    assert exported_by_a_fresh_process(database_url, tmp_path).at["genopole", "address"] == ADDRESS


def test_an_import_killed_midway_leaves_no_batch_and_the_data_untouched(database_url, tmp_path):
    factory = connect(database_url)
    version = data_version(factory)

    kill_inside_the_transaction({"url": database_url, "operation": "import", "inventory": INVENTORY,
                                 "stop_at": "EntityHistory"})

    assert counts(factory) == {"entity_history": 0, "import_batch": 0, "review": 0}
    assert data_version(factory) == version and history(factory).empty
    assert current_raw(factory).equals(read_entities_csv())

    data = INVENTORY.encode("utf-8")  # the same file, applied again, goes through whole
    read = read_upload(data, "inventaire.csv", known_headers())
    plan = plan_import(read, suggest_columns(list(read.table.columns)), "inventaire.csv", checksum(data),
                       current_raw(factory))
    assert apply_import(factory, plan, "bob") == {"new": 1, "changed": 1}
    assert counts(factory)["import_batch"] == 1 and data_version(factory) != version
    exported = exported_by_a_fresh_process(database_url, tmp_path)
    assert exported.at["genopole", "address"] == ADDRESS
    assert NEW_COMPANY in set(exported["name"])
