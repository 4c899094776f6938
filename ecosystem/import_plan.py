"""From a read spreadsheet to a checked import plan, and applying it in one transaction.

Each source row becomes a seed-format row, or an error saying why not. Communes come from the official tables
(postcode + city) or from given coordinates; an ambiguous or unknown commune is an error, never a guess. Rows
matching an existing entity (same id, or same normalised name) update it with the file's non-empty values.

Every imported value first passes the correction form's own text check (`text_problem`, same length caps):
whatever the public may not type (control or direction characters, over-long text) cannot come in through a
spreadsheet either. A refused cell makes its row an error, with the reason; the rest of the file still imports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from ecosystem.corrections import lengths
from ecosystem.corrections.models import EntityHistory, ImportBatch
from ecosystem.corrections.service import current_raw, new_entity_id, serialize_dataset_writes, taken_entity_ids
from ecosystem.corrections.validation import MULTILINE, TEXT_CAPS, text_problem
from ecosystem.i18n import DEFAULT_LANGUAGE, t
from ecosystem.import_mapping import KIND_OF_CATEGORY, map_tags, map_value, suggest_key
from ecosystem.import_read import ReadTable, visible
from ecosystem.loading import join_list
from ecosystem.placement import spread_colocated
from ecosystem.schema import COLUMNS, TAG_FACETS
from ecosystem.text import normalise_text
from ecosystem.validation import points_outside_their_commune, validate_row
from ecosystem.vocabulary import load_vocabulary
from geo.boundaries import commune_at
from geo.geocoding import find_commune, reference_point

OK, WARNING, ERROR = "ok", "warning", "error"
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
BOOKKEEPING = ("updated", "status", "source", "review_note", "geo_precision", "lat", "lon")
PLACE_FIELDS = {"postcode", "city", "commune_code", "lat", "lon"}
SHOWN_NAME = 120  # characters of a name shown in the report
FILENAME_CAP = 200  # the file name goes into new rows' source and the import log (a String(255) column)


@dataclass
class RowResult:
    line: int  # line in the file (header included), as staff see it in their spreadsheet
    name: str
    status: str
    reasons: list[str] = field(default_factory=list)
    row: dict[str, str] | None = None
    change: str = ""
    changed_fields: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    filename: str
    checksum: str
    results: list[RowResult]
    absent: list[str]  # current entities the file does not mention (reported, never deleted)
    unknown_values: dict[tuple[str, str], int]  # (facet, value) -> rows, for the tag-mapping step
    ignored_columns: list[str]

    @property
    def reference(self) -> str:
        return f"IMP-{self.checksum[:12]}"

    def report(self) -> pd.DataFrame:
        return pd.DataFrame([{"line": r.line, "name": visible(r.name, SHOWN_NAME), "status": r.status,
                              "change": r.change, "fields": ", ".join(r.changed_fields),
                              "reasons": " ; ".join(r.reasons)}
                             for r in self.results],
                            columns=["line", "name", "status", "change", "fields", "reasons"])

    def counts(self) -> dict[str, int]:
        report = self.report()
        applicable = report[report["status"] != ERROR]
        return {"rows": len(report), "ok": int((report["status"] == OK).sum()),
                "warning": int((report["status"] == WARNING).sum()), "error": int((report["status"] == ERROR).sum()),
                NEW: int((applicable["change"] == NEW).sum()), CHANGED: int((applicable["change"] == CHANGED).sum()),
                UNCHANGED: int((applicable["change"] == UNCHANGED).sum()), "absent": len(self.absent)}


def plan_import(read: ReadTable, mapping: dict[str, str | None], filename: str, checksum: str,
                current: pd.DataFrame, tag_overrides: dict[str, dict[str, str]] | None = None,
                today: dt.date | None = None, lang: str = DEFAULT_LANGUAGE) -> ImportPlan:
    """`lang`: language of the reasons given for refused cells (the form's messages)."""
    # An uploaded file's name is whatever the browser sent: it is written into stored values, so cut and escaped.
    filename = visible(filename, FILENAME_CAP)
    today = today or dt.date.today()
    vocabulary = load_vocabulary()
    tag_overrides = tag_overrides or {}
    by_id = current.set_index("id", drop=False)
    by_name = {normalise_text(name): entity_id for name, entity_id in zip(current["name"], current["id"])}
    used_ids = set(current["id"])
    seen_names: dict[str, int] = {}
    unknown_values: dict[tuple[str, str], int] = {}
    results = []
    first_line = read.header_row + 2
    for index, source in read.table.iterrows():
        line = first_line + index
        result = build_row(source, mapping, vocabulary, tag_overrides, unknown_values, line, lang)
        name_key = normalise_text(result.name)
        if result.status != ERROR:
            if name_key in seen_names:
                result.status, result.row = ERROR, None
                result.reasons = [f"ligne en double (ligne {seen_names[name_key]})"]
            else:
                seen_names[name_key] = line
                match_existing(result, by_id, by_name, used_ids, filename, checksum, today)
        results.append(result)
    place_new_rows(results, current)
    for result in results:
        if result.status != ERROR:
            check_row(result, vocabulary)
    mentioned = {r.row["id"] for r in results if r.row and "id" in r.row}
    return ImportPlan(filename, checksum, results, [i for i in current["id"] if i not in mentioned],
                      unknown_values, [c for c, target in mapping.items() if not target])


def cell_problem(target: str, value: str, lang: str) -> str | None:
    """The correction form's check of one value (its cap, control and direction characters), as a reason in
    `lang`. A multi-valued cell may hold line breaks: spreadsheet users separate values with Alt+Enter, and the
    tag mapping splits there; every other control character is refused as the form refuses it."""
    cap = lengths.ENTITY_ID if target == "id" else TEXT_CAPS.get(target, lengths.OTHER_TEXT)  # an id must fit its column
    problem = text_problem(value, cap, target in MULTILINE or target in TAG_FACETS)
    return t(problem[0], lang, **problem[1]) if problem else None


def build_row(source: pd.Series, mapping, vocabulary, tag_overrides, unknown_values, line: int,
              lang: str = DEFAULT_LANGUAGE) -> RowResult:
    row: dict[str, str] = {}
    errors, warnings = [], []
    refused: dict[str, str] = {}  # target -> refused value (never mapped, echoed or stored)
    for column, target in mapping.items():
        if not target or column not in source.index:
            continue
        value = str(source[column]).strip()
        problem = cell_problem(target, value, lang)
        if problem:
            errors.append(t("import_cell_problem", lang, column=column, reason=problem))
            refused[target] = value
            continue
        if target in TAG_FACETS:
            keys, unknown = map_tags(target, value, vocabulary, tag_overrides.get(target))
            row[target] = join_list(keys)
            for part in unknown:
                unknown_values[(target, part)] = unknown_values.get((target, part), 0) + 1
                suggestion = suggest_key(target, part, vocabulary)
                warnings.append(f"{target} : « {part} » inconnu" + (f" (suggestion : {suggestion})" if suggestion
                                                                     else "") + ", non repris")
        elif target in ("category", "kind") and value:
            key = map_value(target, value, vocabulary, tag_overrides.get(target))
            if key:
                row[target] = key
            else:
                unknown_values[(target, value)] = unknown_values.get((target, value), 0) + 1
                suggestion = suggest_key(target, value, vocabulary)
                errors.append(f"{target} : « {value} » inconnu" + (f" (suggestion : {suggestion})" if suggestion
                                                                   else ""))
        else:
            row[target] = value
    name = row.get("name", "")
    if not name and "name" not in refused:
        errors.append("nom absent")
    if row.get("category") and not row.get("kind"):
        row["kind"] = KIND_OF_CATEGORY.get(row["category"], "company")
    if not PLACE_FIELDS & set(refused):  # else "commune not found" would only repeat the refusal
        errors += locate(row)
    name = name or refused.get("name", "")  # shown escaped and cut in the report, so that staff find the row
    status = ERROR if errors else (WARNING if warnings else OK)
    return RowResult(line, name, status, errors + warnings, row if not errors else None)


def locate(row: dict[str, str]) -> list[str]:
    """Commune and point: coordinates kept when given, else the commune of postcode + city (never guessed)."""
    lat, lon = row.get("lat", ""), row.get("lon", "")
    if lat and lon:
        try:
            code = commune_at(float(lon.replace(",", ".")), float(lat.replace(",", ".")))
        except ValueError:
            return ["coordonnées non numériques"]
        if code is None:
            return ["point hors d'Île-de-France"]
        row.update(lat=lat.replace(",", "."), lon=lon.replace(",", "."), geo_precision="manual")
        row.setdefault("commune_code", code)
        row["commune_code"] = row["commune_code"] or code
        return []
    match = find_commune(postcode=row.get("postcode", ""), name=row.get("city", ""))
    if not match.found:
        return [f"commune : {match.message}"]
    # The official spelling (Paris arrondissements keep "Paris", as in the seed).
    row.update(commune_code=match.code, lat="", lon="", geo_precision="commune",
               city="Paris" if match.code.startswith("751") else match.name)
    return []


def match_existing(result: RowResult, by_id, by_name, used_ids, filename, checksum, today) -> None:
    row = result.row
    entity_id = row.get("id") if row.get("id") in by_id.index else by_name.get(normalise_text(row["name"]))
    if entity_id:
        existing = by_id.loc[entity_id].to_dict()
        if normalise_text(row.get("name", "")) == normalise_text(existing["name"]):
            row["name"] = existing["name"]  # "GENOPOLE" is Genopole: keep the curated spelling
        merged = dict(existing)
        merged.update({k: v for k, v in row.items() if v != "" and k in COLUMNS})
        if row.get("geo_precision") == "commune":
            if row["commune_code"] == existing["commune_code"]:
                for kept in ("lat", "lon", "geo_precision"):  # same commune: keep the point already placed
                    merged[kept] = existing[kept]
            else:
                merged.update(lat="", lon="")  # moved: placed in its new commune below
        changed = [c for c in COLUMNS if c not in BOOKKEEPING and str(merged.get(c, "")) != str(existing.get(c, ""))]
        if {"lat", "lon"} & set(row) and (merged["lat"], merged["lon"]) != (existing["lat"], existing["lon"]):
            changed += ["lat", "lon"]
        result.change = CHANGED if changed else UNCHANGED
        result.changed_fields = changed
        if changed:
            merged["updated"] = today.isoformat()
        result.row = {c: str(merged.get(c, "") or "") for c in COLUMNS}
        return
    given = row.get("id", "")
    # The file's own id when free (checked against the id pattern below); else the name's slug, as an accepted
    # request gets it: cut to the id column, -2, -3… when taken.
    entity_id = given if given and given not in used_ids else new_entity_id(given or row["name"], used_ids)
    used_ids.add(entity_id)
    new = {c: "" for c in COLUMNS} | {k: v for k, v in row.items() if k in COLUMNS}
    new.update(id=entity_id, updated=today.isoformat(), status=row.get("status") or "to_review",
               source=row.get("source") or f"Inventaire importé : {filename} (sha256 {checksum[:12]})")
    if not new["review_note"] and new["status"] == "to_review":
        new["review_note"] = f"importé de {filename} ; à vérifier avant publication définitive"
    result.row, result.change, result.changed_fields = new, NEW, [c for c in COLUMNS if new[c]]


def place_new_rows(results: list[RowResult], current: pd.DataFrame) -> None:
    """Commune-precision points on free slots of their commune's spiral (existing rows keep theirs)."""
    pending = [r for r in results if r.status != ERROR and r.row and r.row["geo_precision"] == "commune"
               and not r.row["lat"]]
    if not pending:
        return
    for result in pending:
        lon, lat = reference_point(result.row["commune_code"])
        result.row.update(lon=f"{lon:.6f}", lat=f"{lat:.6f}")
    moving = {r.row["id"] for r in pending}
    table = pd.concat([current[~current["id"].isin(moving)], pd.DataFrame([r.row for r in pending])],
                      ignore_index=True)
    placed = spread_colocated(table).set_index("id")
    for result in pending:
        result.row.update(lat=placed.at[result.row["id"], "lat"], lon=placed.at[result.row["id"], "lon"])


def check_row(result: RowResult, vocabulary) -> None:
    problems = validate_row(pd.Series(result.row), result.line, vocabulary)
    problems += points_outside_their_commune(pd.DataFrame([result.row]))
    if problems:
        result.status = ERROR
        result.reasons = [f"{p.column} : {p.why}" for p in problems] + result.reasons
        result.change = ""


def give_new_ids_still_free(rows: list[RowResult], taken: set[str]) -> None:
    """A new row whose id was taken since the plan was made (an organisation accepted meanwhile, or an id the
    history holds) gets the next free one, so that it never overwrites another organisation."""
    new_rows = [r for r in rows if r.change == NEW]  # their ids differ from each other (see match_existing)
    clashing = [r for r in new_rows if r.row["id"] in taken]
    taken = taken | {r.row["id"] for r in new_rows}
    for result in clashing:
        result.row["id"] = new_entity_id(result.row["name"], taken)
        taken.add(result.row["id"])


def apply_import(factory: sessionmaker[Session], plan: ImportPlan, reviewer: str,
                 progress: Callable[[float], None] | None = None) -> dict[str, int]:
    """Write every applicable row's changes as history, in one transaction: all of them or none."""
    rows = [r for r in plan.results if r.status != ERROR and r.change in (NEW, CHANGED)]
    with factory.begin() as session:
        # The lock decisions hold (service.serialize_dataset_writes), first: an acceptance committing meanwhile
        # would otherwise leave stale old values in the history, or the data version unchanged on PostgreSQL.
        serialize_dataset_writes(session)
        live = current_raw(factory, session=session)
        give_new_ids_still_free(rows, taken_entity_ids(session, live))
        live = live.set_index("id")
        for done, result in enumerate(rows, start=1):
            fields = COLUMNS if result.change == NEW else [*result.changed_fields, "updated"]
            for name in fields:
                old = str(live.at[result.row["id"], name]) if result.row["id"] in live.index else ""
                if result.change == NEW and not result.row[name]:
                    continue
                session.add(EntityHistory(entity_id=result.row["id"], field=name, old_value=old,
                                          new_value=result.row[name], reference=plan.reference, reviewer=reviewer))
            if progress and (done % 50 == 0 or done == len(rows)):
                progress(done / len(rows))
        counts = plan.counts()
        session.add(ImportBatch(reference=plan.reference, filename=plan.filename, checksum=plan.checksum,
                                reviewer=reviewer, rows_new=counts[NEW], rows_changed=counts[CHANGED]))
    return {NEW: counts[NEW], CHANGED: counts[CHANGED]}
