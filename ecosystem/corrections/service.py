"""The corrections loop as plain functions over a session factory: submit, follow, moderate, apply, revert.

The seed file (data/entities.csv) is never written: the current dataset is the seed with, for each entity and
field, the latest accepted value that has not been reverted (`current_raw`). Each write happens in one
transaction, so a request is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pandas as pd
from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from ecosystem.corrections import lengths
from ecosystem.corrections.models import EntityHistory, FieldChange, Review, Submission, utcnow
from ecosystem.corrections.validation import (check_edits, clean_email, clean_entity_id, clean_reference,
                                              text_problem)
from ecosystem.loading import read_entities_csv
from ecosystem.placement import spread_colocated
from ecosystem.schema import COLUMNS
from ecosystem.text import slugify
from geo.geocoding import reference_point

PER_EMAIL_PER_HOUR = 5
PER_SESSION_PER_HOUR = 10
# The same request sent again within this delay (a double click, a reload) gets the first one's reference.
DUPLICATE_WINDOW = dt.timedelta(minutes=10)
PENDING, ACCEPTED, REJECTED, REVERTED = "pending", "accepted", "rejected", "reverted"
STATUSES = (PENDING, ACCEPTED, REJECTED, REVERTED)
# Identifier of a new organisation whose name has no letter or digit to make one from (only symbols, emoji).
UNNAMED_ENTITY_ID = "nouvelle-organisation"


class RateLimited(Exception):
    """Too many requests from one e-mail address or one browser session in the last hour."""


class NotPending(Exception):
    """The request was already decided (by another staff member, or twice): its status now, and the last
    decision's author and time (None when the request does not exist or has no decision recorded)."""

    def __init__(self, submission_id: int, status: str | None = None, reviewer: str | None = None,
                 decided_at: dt.datetime | None = None, reference: str | None = None):
        super().__init__(submission_id, status, reviewer, decided_at)
        self.submission_id, self.status, self.reviewer, self.decided_at = submission_id, status, reviewer, decided_at
        self.reference = reference


class InvalidEdit(Exception):
    """Staff edits that the public form would refuse: field -> (message key, parameters), as validation's."""

    def __init__(self, errors: dict[str, tuple[str, dict]]):
        super().__init__(errors)
        self.errors = errors


def session_fingerprint(token: str) -> str:
    """What is stored of a browser session: a hash, enough to count its requests."""
    return hashlib.sha256(token.encode()).hexdigest()


def reference_for(submission_id: int, when: dt.datetime) -> str:
    return f"CORR-{when.year}-{submission_id:06d}"


def new_entity_id(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """Identifier of a new organisation: its name as a slug, cut to the id column's length, with -2, -3…
    when taken. The cut comes first and leaves room for the suffix, so the result always fits the column and
    matches the dataset's id pattern (a cut never leaves a trailing hyphen)."""
    base = slugify(name)[:lengths.ENTITY_ID].strip("-") or UNNAMED_ENTITY_ID
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[:lengths.ENTITY_ID - len(suffix)].rstrip("-") + suffix
    return candidate


def taken_entity_ids(session: Session, live: pd.DataFrame) -> set[str]:
    """Every identifier a new organisation must not take: the live dataset's (seed, imports, accepted
    organisations), and every id the history ever held (an organisation accepted then reverted keeps its id: a
    shared link never points at another one). Pending requests hold provisional ids only, which do not count."""
    return set(live["id"]) | set(session.scalars(select(EntityHistory.entity_id).distinct()))


def content_digest(kind: str, entity_id: str, values: dict[str, str], contact: dict[str, str]) -> str:
    """sha256 of what a request asks and who asks it (e-mail case-insensitive): equal for a resubmission."""
    canonical = {"kind": kind, "entity_id": entity_id, "values": {name: str(value) for name, value in values.items()},
                 "email": contact["contact_email"].strip().lower(), "name": contact["contact_name"].strip(),
                 "organisation": contact.get("contact_organisation", "").strip(),
                 "comment": contact.get("comment", "").strip(), "relation": contact["relation"]}
    encoded = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _serialize_identical_writers(session: Session, digest: str) -> None:
    """Make "look for the same request, else store it" atomic; the lock is held until the transaction ends.

    Not a unique constraint on (digest, time bucket): two clicks a second apart can fall on either side of a
    bucket edge. PostgreSQL: a transaction-level advisory lock keyed by the digest, so that the second of two
    identical requests waits for the first to commit, then sees its row (read committed: each statement reads
    the latest commits); different requests do not wait for each other. SQLite: BEGIN IMMEDIATE takes the
    database's single write lock before the look-up (readers are not blocked in WAL mode); a deferred
    transaction would read first and could miss a row committed just before its own insert.
    """
    _lock(session, int.from_bytes(bytes.fromhex(digest[:16]), "big", signed=True))


def _lock(session: Session, key: int) -> None:
    """Serialise transactions holding the same key until they end: a PostgreSQL transaction-level advisory
    lock; on SQLite, the database's single write lock (BEGIN IMMEDIATE, the transaction's first statement)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(key)))
    elif dialect == "sqlite":
        session.execute(text("BEGIN IMMEDIATE"))


# Key of the lock every decision takes (see serialize_dataset_writes).
DATASET_LOCK = int.from_bytes(hashlib.sha256(b"corrections: decisions and new identifiers").digest()[:8], "big",
                              signed=True)


def serialize_dataset_writes(session: Session) -> None:
    """Take the lock that decisions hold for their whole transaction; call it first in the transaction.

    Two staff members deciding at once then run one after the other on every instance: the second sees the
    first's decision (and is told who made it), a new organisation's identifier is chosen knowing every id
    committed before, and two organisations moved into one commune at once get different spiral slots.
    Anything else that writes the live dataset (an import) can take it too.
    """
    _lock(session, DATASET_LOCK)


def submit(factory: sessionmaker[Session], *, entity_id: str | None, values: dict[str, str],
           current: dict[str, str], contact: dict[str, str], session_token: str, language: str = "fr",
           now: dt.datetime | None = None) -> str:
    """Store a validated request (see validation.check_submission) and return its reference.

    `values` are the proposed fields, `current` what the submitter saw (recorded as the old values). A request
    for a new organisation has `entity_id=None`; its identifier is chosen when it is accepted. The same request sent
    again within DUPLICATE_WINDOW is not stored twice: its first reference is returned, and it does not count
    against the rate limits.
    """
    now = now or utcnow()
    fingerprint = session_fingerprint(session_token)
    email = contact["contact_email"].strip()
    kind = "new" if entity_id is None else "change"
    if entity_id is not None and clean_entity_id(entity_id) is None:
        raise ValueError("not an entity identifier")  # the page offers known ids only: a bug, not a person
    # A new organisation's id here is provisional (what its name gives, always within the column): the final
    # one is chosen at acceptance, when every id it must not take is known (see accept).
    target = entity_id or new_entity_id(values.get("name", ""))
    digest = content_digest(kind, target, values, contact)
    with factory.begin() as session:
        _serialize_identical_writers(session, digest)
        earlier = session.scalar(select(Submission.reference).where(
            Submission.content_digest == digest, Submission.submitted_at >= now - DUPLICATE_WINDOW)
            .order_by(Submission.id.desc()).limit(1))
        if earlier:
            return earlier
        hour_ago = now - dt.timedelta(hours=1)
        by_email = session.scalar(select(func.count()).select_from(Submission).where(
            func.lower(Submission.contact_email) == email.lower(), Submission.submitted_at >= hour_ago))
        by_session = session.scalar(select(func.count()).select_from(Submission).where(
            Submission.session_key == fingerprint, Submission.submitted_at >= hour_ago))
        if by_email >= PER_EMAIL_PER_HOUR or by_session >= PER_SESSION_PER_HOUR:
            raise RateLimited()
        submission = Submission(
            kind=kind, entity_id=target, status=PENDING, comment=contact.get("comment", ""),
            contact_name=contact["contact_name"], contact_email=email,
            contact_organisation=contact.get("contact_organisation", ""), relation=contact["relation"],
            language=language, session_key=fingerprint, submitted_at=now, content_digest=digest,
        )
        submission.changes = [FieldChange(field=name, old_value=current.get(name, ""), new_value=value)
                              for name, value in values.items()]
        session.add(submission)
        session.flush()  # the database's own counter makes the reference unique across writers
        submission.reference = reference_for(submission.id, now)
        return submission.reference


def status_of(factory: sessionmaker[Session], reference: str, email: str) -> dict | None:
    """Status of a request, only for the e-mail address that sent it (None otherwise: nothing leaks).

    Both values are checked before any query: text that is no reference or no e-mail address (control
    characters, a NUL byte that PostgreSQL would refuse, a 1 MB paste) is simply not found.
    """
    reference, email = clean_reference(reference), clean_email(email)
    if reference is None or email is None:
        return None
    with factory() as session:
        submission = session.scalar(select(Submission).options(selectinload(Submission.reviews))
                                    .where(Submission.reference == reference))
        if submission is None or submission.contact_email.lower() != email.lower():
            return None
        last = submission.reviews[-1] if submission.reviews else None
        return {"reference": submission.reference, "status": submission.status,
                "submitted_at": submission.submitted_at, "decided_at": last.decided_at if last else None,
                "reason": last.reason if last else ""}


def queue(factory: sessionmaker[Session], status: str | None = PENDING, entity_id: str | None = None,
          since: dt.datetime | None = None) -> list[Submission]:
    """Requests for the staff page, oldest first, with their proposed changes and reviews loaded.

    Filtered by entity, a new organisation's request is listed only once accepted: until then its id is
    provisional and may be another entity's (a name that slugifies alike). An unknown status or a malformed id
    matches nothing (checked before any query).
    """
    if (status and status not in STATUSES) or (entity_id and clean_entity_id(entity_id) is None):
        return []
    query = select(Submission).options(selectinload(Submission.changes), selectinload(Submission.reviews))
    if status:
        query = query.where(Submission.status == status)
    if entity_id:
        query = query.where(Submission.entity_id == entity_id,
                            or_(Submission.kind != "new", Submission.status.in_((ACCEPTED, REVERTED))))
    if since:
        query = query.where(Submission.submitted_at >= since)
    with factory() as session:
        return list(session.scalars(query.order_by(Submission.submitted_at, Submission.id)))


def decided_since(factory: sessionmaker[Session], submission_ids: list[int], not_by: str) -> list[NotPending]:
    """Which of these requests someone other than `not_by` decided: the status and the last decision of each
    (as NotPending carries them). The staff page asks it for the requests it showed as pending on its previous
    run and no longer finds pending: a click on one of them was lost, and the person is told why."""
    ids = [int(i) for i in submission_ids]
    if not ids:
        return []
    with factory() as session:
        submissions = session.scalars(select(Submission).options(selectinload(Submission.reviews))
                                      .where(Submission.id.in_(ids), Submission.status != PENDING)
                                      .order_by(Submission.id)).all()
    return [NotPending(s.id, s.status, s.reviews[-1].reviewer, s.reviews[-1].decided_at, s.reference)
            for s in submissions if s.reviews and s.reviews[-1].reviewer != not_by]


def _decide(session: Session, submission_id: int, decision: str, reviewer: str, reason: str,
            expected: str = PENDING) -> Submission:
    # Conditional update: if two staff members decide at once, only one wins (the callers also hold the dataset
    # lock, so the loser finds the winner's decision committed and can say whose it is).
    claimed = session.execute(update(Submission).where(Submission.id == submission_id,
                                                       Submission.status == expected)
                              .values(status=decision)).rowcount
    if claimed != 1:
        status, reference = session.execute(select(Submission.status, Submission.reference)
                                            .where(Submission.id == submission_id)).one_or_none() or (None, None)
        last = session.scalar(select(Review).where(Review.submission_id == submission_id)
                              .order_by(Review.id.desc()).limit(1))
        raise NotPending(submission_id, status, last.reviewer if last else None, last.decided_at if last else None,
                         reference)
    session.add(Review(submission_id=submission_id, reviewer=reviewer, decision=decision, reason=reason))
    return session.get(Submission, submission_id, options=[selectinload(Submission.changes)])


def accept(factory: sessionmaker[Session], submission_id: int, reviewer: str,
           edited: dict[str, str] | None = None, today: dt.date | None = None) -> list[EntityHistory]:
    """Make a request live: one history row per field (staff edits override the proposal).

    All or nothing, in one transaction: if anything fails (edits refused, raising InvalidEdit; a decision
    already made, NotPending; any other error), nothing is written and the request stays pending, to be
    decided again. A new organisation gets its final identifier here, under the dataset lock: from its name
    (as edited), with a numeric suffix when the id is taken; the request then records that id.
    """
    today = today or dt.date.today()
    with factory.begin() as session:
        serialize_dataset_writes(session)
        submission = _decide(session, submission_id, ACCEPTED, reviewer, "")
        new = submission.kind == "new"
        live = current_raw(factory, session=session)
        current = live.set_index("id")
        proposal = {change.field: change.new_value for change in submission.changes}
        live_row = {} if new or submission.entity_id not in current.index else current.loc[submission.entity_id]
        checked = check_edits(edited or {}, proposal, new_entity=new, current=dict(live_row))
        if not checked.ok:
            raise InvalidEdit(checked.errors)
        values = proposal | checked.values
        values["updated"] = today.isoformat()
        if new:
            submission.entity_id = new_entity_id(values.get("name", ""), taken_entity_ids(session, live))
            values["id"] = submission.entity_id
            values.setdefault("status", "ok")
            values.setdefault("source", values.get("website", ""))
        entity_id = submission.entity_id
        if {"lat", "lon"} & set(values):
            values["geo_precision"] = "manual"
        elif "commune_code" in values:
            values.update(place_in_commune(live, entity_id, values["commune_code"]))
        known = entity_id in current.index
        rows = [EntityHistory(entity_id=entity_id, field=name, new_value=value, reference=submission.reference,
                              reviewer=reviewer,
                              old_value=str(current.at[entity_id, name]) if known and name in current.columns
                              else "")
                for name, value in values.items()]
        session.add_all(rows)
        return rows


def place_in_commune(live: pd.DataFrame, entity_id: str, commune_code: str) -> dict[str, str]:
    """Commune-precision point for an entity moving to (or created in) a commune: a free spiral slot there."""
    lon, lat = reference_point(commune_code)
    row = {column: "" for column in COLUMNS} | {"id": entity_id, "commune_code": commune_code,
                                                "lon": f"{lon:.6f}", "lat": f"{lat:.6f}",
                                                "geo_precision": "commune"}
    others = live[(live["id"] != entity_id) & (live["commune_code"] == commune_code)]
    spread = spread_colocated(pd.concat([others, pd.DataFrame([row])], ignore_index=True))
    placed = spread[spread["id"] == entity_id].iloc[0]
    return {"lon": placed["lon"], "lat": placed["lat"], "geo_precision": "commune"}


def reject(factory: sessionmaker[Session], submission_id: int, reviewer: str, reason: str) -> None:
    if not reason.strip():
        raise ValueError("a rejection needs a reason")
    problem = text_problem(reason.strip(), lengths.REASON, multiline=True)
    if problem:  # the reason is shown to the requester: checked like their own text, before any query
        raise InvalidEdit({"reason": problem})
    with factory.begin() as session:
        serialize_dataset_writes(session)
        _decide(session, submission_id, REJECTED, reviewer, reason.strip())


def revert(factory: sessionmaker[Session], submission_id: int, reviewer: str, reason: str = "") -> None:
    """Take an accepted request back: its values stop applying; the history keeps them, marked reverted."""
    with factory.begin() as session:
        serialize_dataset_writes(session)
        submission = _decide(session, submission_id, REVERTED, reviewer, reason, expected=ACCEPTED)
        session.execute(update(EntityHistory).where(EntityHistory.reference == submission.reference,
                                                    EntityHistory.reverted_at.is_(None))
                        .values(reverted_at=utcnow()))


def history(factory: sessionmaker[Session], entity_id: str | None = None) -> pd.DataFrame:
    query = select(EntityHistory).order_by(EntityHistory.id)
    if entity_id:
        # A malformed id matches nothing; it is not sent to the database (see validation.clean_entity_id).
        query = query.where(EntityHistory.entity_id == (clean_entity_id(entity_id) or ""))
    with factory() as session:
        rows = session.scalars(query).all()
    return pd.DataFrame([{"entity_id": r.entity_id, "field": r.field, "old_value": r.old_value,
                          "new_value": r.new_value, "reference": r.reference, "reviewer": r.reviewer,
                          "applied_at": r.applied_at, "reverted_at": r.reverted_at} for r in rows],
                        columns=["entity_id", "field", "old_value", "new_value", "reference", "reviewer",
                                 "applied_at", "reverted_at"])


def data_version(factory: sessionmaker[Session]) -> str:
    """Changes whenever the live dataset does (a change applied or reverted): a cache key for every instance."""
    with factory() as session:
        last, reverted = session.execute(select(func.max(EntityHistory.id),
                                                func.count(EntityHistory.reverted_at))).one()
    return f"{last or 0}-{reverted or 0}"


def current_raw(factory: sessionmaker[Session], seed: pd.DataFrame | None = None,
                session: Session | None = None) -> pd.DataFrame:
    """The seed table with every live change applied, in the seed's format (new organisations appended)."""
    table = (seed if seed is not None else read_entities_csv()).copy()
    query = select(EntityHistory).where(EntityHistory.reverted_at.is_(None)).order_by(EntityHistory.id)
    if session is None:
        with factory() as own:
            changes = own.scalars(query).all()
    else:
        changes = session.scalars(query).all()
    position = {entity: i for i, entity in enumerate(table["id"])}
    new_rows: dict[str, dict] = {}
    for change in changes:
        if change.field not in COLUMNS:
            continue
        if change.entity_id in position:
            table.iat[position[change.entity_id], table.columns.get_loc(change.field)] = change.new_value
        else:
            new_rows.setdefault(change.entity_id, {column: "" for column in COLUMNS} | {"id": change.entity_id})
            new_rows[change.entity_id][change.field] = change.new_value
    if new_rows:
        table = pd.concat([table, pd.DataFrame(list(new_rows.values()), columns=list(COLUMNS))], ignore_index=True)
    return table[list(COLUMNS)].astype(object)


def export_current_csv(factory: sessionmaker[Session]) -> bytes:
    """The current dataset in the seed file's exact format (ready to be committed back as data/entities.csv).

    Deliberately not neutralised against spreadsheet formulas, unlike the public exports (ecosystem/exports.py):
    this is the staff's file to commit back as the seed, offered only on the moderation page and on the command
    line, never to the public. It must round-trip exactly; a quote added before "=…" would alter the data.
    """
    return current_raw(factory).to_csv(index=False, lineterminator="\n").encode("utf-8")
