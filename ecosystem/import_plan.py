"""From a read spreadsheet to a checked import plan, and applying it in one transaction.

Each source row becomes a seed-format row, or an error saying why not.

- **Required**: a name, a kind of actor (from a "Type" column, derived from a category, or a default value) and a
  place (postcode and city, INSEE code, or coordinates). A new row without a category or without any tag is
  imported all the same, `to_review`, with the reason in its `review_note` (a warning in the report).
- **Values** are read through the vocabulary (labels, synonyms, plurals): a "Type" value gives the kind and, when
  it names one, the category; a themes column is routed value by value to every tag facet knowing the value.
  Unknown values are listed with suggestions for staff to map, never applied by themselves.
- **Communes** come from the official tables (postcode + city, INSEE code) or from given coordinates; an
  ambiguous or unknown commune is an error for a new row, never a guess (an entry already on the map keeps its
  place).
- **Organisations already on the map** are recognised (`import_match`): a certain match updates the entry with
  the file's non-empty values (tags are added, never removed; the map's spelling of the name is kept), an
  uncertain one waits for staff to confirm or reject it and is not applied meanwhile. Nothing is ever deleted.
- **Default values** per column fill what a row (or the entry it updates) leaves empty.

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
from ecosystem.i18n import DEFAULT_LANGUAGE, field_label, has_message, t
from ecosystem.identifiers import siren_of
from ecosystem.import_mapping import (DEFAULTABLE, KIND_OF_CATEGORY, SIREN, THEMES, lookup, map_tags,
                                      multi_valued, resolve_kind, route_themes, suggestions)
from ecosystem.import_match import Match, Matcher
from ecosystem.import_read import ReadTable, visible
from ecosystem.loading import join_list, split_list
from ecosystem.placement import spread_colocated
from ecosystem.removed import removal_of
from ecosystem.schema import COLUMNS, TAG_FACETS
from ecosystem.text import name_key, normalise_text
from ecosystem.validation import points_outside_their_commune, validate_row
from ecosystem.vocabulary import Vocabulary, load_vocabulary
from geo.boundaries import commune_at, commune_table
from geo.geocoding import find_commune, reference_point

OK, WARNING, ERROR = "ok", "warning", "error"
NEW, CHANGED, UNCHANGED, TO_CONFIRM = "new", "changed", "unchanged", "to_confirm"
ACCEPT, REJECT = "accept", "reject"  # staff decisions on an uncertain match
BOOKKEEPING = ("updated", "status", "source", "review_note", "geo_precision", "lat", "lon")
PLACE_FIELDS = ("postcode", "city", "commune_code", "lat", "lon")
SHOWN_NAME = 120  # characters of a name shown in the report
FILENAME_CAP = 200  # the file name goes into new rows' source and the import log (a String(255) column)


class InvalidDefault(ValueError):
    """A default value that names no column or no key of its vocabulary (message in French, for the CLI)."""


@dataclass
class RowResult:
    line: int  # line in the file (header included), as staff see it in their spreadsheet
    name: str
    status: str
    reasons: list[str] = field(default_factory=list)
    row: dict[str, str] | None = None
    change: str = ""
    changed_fields: list[str] = field(default_factory=list)
    match: Match | None = None  # the map entry this row is (or may be) about
    decision: str = ""  # ACCEPT / REJECT for an uncertain match, "" while undecided
    routes: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # themes value -> (facet, key)


@dataclass
class ImportPlan:
    filename: str
    checksum: str
    results: list[RowResult]
    absent: list[str]  # current entities the file does not mention (reported, never deleted)
    unknown_values: dict[tuple[str, str], int]  # (target, value) -> rows, for the value-mapping step
    ignored_columns: list[str]
    suggested: dict[tuple[str, str], list[tuple[str, str, float]]] = field(default_factory=dict)
    routed: dict[str, tuple[str, list[tuple[str, str]], int]] = field(default_factory=dict)  # themes value
    lang: str = DEFAULT_LANGUAGE

    @property
    def reference(self) -> str:
        return f"IMP-{self.checksum[:12]}"

    @property
    def uncertain(self) -> list[RowResult]:
        """Rows whose match with a map entry is uncertain: to confirm or reject (decided or not)."""
        return [r for r in self.results if r.match and not r.match.certain and r.status != ERROR]

    def report(self) -> pd.DataFrame:
        return pd.DataFrame([{"line": r.line, "name": visible(r.name, SHOWN_NAME), "status": r.status,
                              "reasons": " ; ".join(r.reasons), "change": r.change,
                              "match": describe_match(r, self.lang),
                              "themes": " ; ".join(f"{visible(value, 60)} → "
                                                   + ", ".join(field_label(f, self.lang) for f in dict(found))
                                                   for value, found in r.routes),
                              "fields": ", ".join(r.changed_fields)}
                             for r in self.results],
                            columns=["line", "name", "status", "reasons", "change", "match", "themes", "fields"])

    def readable_report(self, lang: str | None = None) -> pd.DataFrame:
        """The report as staff read it on the page: headers from the message catalogue, statuses and changes in
        words ("Avertissement", "Nouvelle fiche"), changed fields by their labels, "—" for an empty cell."""
        from ecosystem.corrections.display import EMPTY, staff_field_label

        lang = lang or self.lang
        report = self.report()
        shown = pd.DataFrame({
            t("report_line", lang): report["line"],
            t("field_name", lang): report["name"],
            t("status", lang): [t(f"staff_import_status_{status}", lang) for status in report["status"]],
            t("report_change", lang): [t(f"staff_import_change_{change}", lang) if change else EMPTY
                                       for change in report["change"]],
            t("import_report_match", lang): report["match"],
            t("report_fields", lang): [", ".join(staff_field_label(name, lang) for name in result.changed_fields)
                                       for result in self.results],
            t("import_report_themes", lang): report["themes"],
            t("report_reasons", lang): report["reasons"],
        })
        return shown.map(lambda value: EMPTY if value == "" else value)

    def counts(self) -> dict[str, int]:
        statuses = [r.status for r in self.results]
        applicable = [r.change for r in self.results if r.status != ERROR]
        return {"rows": len(self.results), "ok": statuses.count(OK), "warning": statuses.count(WARNING),
                "error": statuses.count(ERROR), NEW: applicable.count(NEW), CHANGED: applicable.count(CHANGED),
                UNCHANGED: applicable.count(UNCHANGED), TO_CONFIRM: applicable.count(TO_CONFIRM),
                "matched": applicable.count(CHANGED) + applicable.count(UNCHANGED),
                "duplicates": sum(1 for r in self.results if r.status != ERROR and not r.change and not r.row),
                "absent": len(self.absent)}

    def routing(self) -> pd.DataFrame:
        """Where each value of a themes column went: value, facets and keys (labels in the plan's language),
        rows; then the unknown ones with their suggestions."""
        vocabulary = load_vocabulary()
        rows = [{"value": visible(value, 80),
                 "went": " ; ".join(f"{field_label(facet, self.lang)} : {vocabulary.label(facet, key, self.lang)}"
                                    for facet, key in found),
                 "rows": count}
                for value, found, count in self.routed.values()]
        rows += [{"value": visible(value, 80), "went": t("staff_import_unknown_value", self.lang)
                  + hint(self.suggested.get((target, value), []), self.lang), "rows": count}
                 for (target, value), count in self.unknown_values.items() if target == THEMES]
        return pd.DataFrame(rows, columns=["value", "went", "rows"])


def _counted(counts: dict[str, int], lang: str, *names: str) -> dict[str, str]:
    """Each count as its own phrase in its own plural form ("1 erreur", "3 avertissements")."""
    return {name: t(f"import_n_{name}", lang, count=counts[name]) for name in names}


def summary_text(counts: dict[str, int], lang: str = DEFAULT_LANGUAGE) -> str:
    """What an import plan would do, in words: statuses, changes, and what was matched on the map."""
    return (t("summary", lang, **_counted(counts, lang, "ok", "warning", "error", NEW, CHANGED, UNCHANGED, "absent"))
            + " " + t("import_summary_matches", lang, **_counted(counts, lang, "matched", TO_CONFIRM, "duplicates")))


def applied_text(reference: str, applied: dict[str, int], lang: str = DEFAULT_LANGUAGE) -> str:
    """What an applied import did, in words."""
    phrases = _counted({"new_entries": applied[NEW], CHANGED: applied[CHANGED]}, lang, "new_entries", CHANGED)
    return t("applied", lang, reference=reference, new=phrases["new_entries"], changed=phrases[CHANGED])


def describe_match(result: RowResult, lang: str) -> str:
    if not result.match:
        return ""
    text = f"« {visible(result.match.name, SHOWN_NAME)} » ({result.match.entity_id}) — {result.match.explain(lang)}"
    if not result.match.certain:
        text += " — " + t(f"import_decision_{result.decision or 'pending'}", lang)
    return text


def hint(found: list[tuple[str, str, float]], lang: str) -> str:
    """" (suggestions : Thérapie génique, Thérapie cellulaire)", or "" when there is none."""
    if not found:
        return ""
    vocabulary = load_vocabulary()
    names = ", ".join(f"{vocabulary.label(facet, key, lang)} ({field_label(facet, lang)})"
                      for facet, key, _ in found)
    return t("import_r_hint", lang, choices=names)


def resolve_defaults(defaults: dict[str, str] | None, vocabulary: Vocabulary | None = None) -> dict[str, str]:
    """Defaults as stored values: a label, synonym or key for the coded columns ("kind=Entreprise" is company),
    text as is otherwise. Raises InvalidDefault (in French) for a column or value that cannot be one."""
    vocabulary = vocabulary or load_vocabulary()
    resolved = {}
    for target, value in (defaults or {}).items():
        value = value.strip()
        if target not in DEFAULTABLE:
            raise InvalidDefault(t("import_err_default_column", "fr", column=target,
                                   allowed=", ".join(DEFAULTABLE)))
        problem = text_problem(value, TEXT_CAPS.get(target, lengths.OTHER_TEXT), multiline=False)
        if problem:
            raise InvalidDefault(f"{target} : {t(problem[0], 'fr', **problem[1])}")
        if not value:
            continue
        if target in ("kind", "category", *TAG_FACETS):
            key = value if value in vocabulary.keys(target) else vocabulary.find(target, value)
            if not key:
                raise InvalidDefault(t("import_err_default_value", "fr", column=target, value=value,
                                       allowed=", ".join(vocabulary.keys(target))))
            value = key
        resolved[target] = value
    return resolved


def plan_import(read: ReadTable, mapping: dict[str, str | None], filename: str, checksum: str,
                current: pd.DataFrame, tag_overrides: dict[str, dict[str, str]] | None = None,
                today: dt.date | None = None, lang: str = DEFAULT_LANGUAGE, *,
                defaults: dict[str, str] | None = None, decisions: dict[int, str] | None = None,
                accept_matches: bool = False, vocabulary: Vocabulary | None = None) -> ImportPlan:
    """`lang`: language of the report's reasons. `tag_overrides`: staff choices for unknown values, per target,
    {normalised value: "facet:key"}. `defaults`: target -> value for rows without one (see resolve_defaults).
    `decisions`: line -> ACCEPT / REJECT for uncertain matches; `accept_matches` accepts every one."""
    # An uploaded file's name is whatever the browser sent: it is written into stored values, so cut and escaped.
    filename = visible(filename, FILENAME_CAP)
    today = today or dt.date.today()
    vocabulary = vocabulary or load_vocabulary()
    defaults = resolve_defaults(defaults, vocabulary)
    context = Context(vocabulary, tag_overrides or {}, lang, defaults, filename, checksum, today,
                      current.set_index("id", drop=False), set(current["id"]),
                      {normalise_text(str(name)): str(name) for name in current["name"]})
    matcher = Matcher(current)
    decisions = decisions or {}
    results: list[RowResult] = []
    signatures: dict[tuple, int] = {}
    owners: dict[str, int] = {}
    first_line = read.header_row + 2
    for index, source in read.table.iterrows():
        line = first_line + index
        parsed = parse_row(source, mapping, context, line)
        result = RowResult(line, parsed.name, ERROR if parsed.errors else OK, list(parsed.errors),
                           routes=parsed.routes)
        results.append(result)
        if parsed.errors:
            continue
        signature = tuple(str(source[c]).strip() for c, target in mapping.items() if target and c in source.index)
        if signature in signatures:  # the same row twice: harmless, counted once
            result.status, result.reasons = WARNING, [t("import_r_duplicate", lang, line=signatures[signature])]
            continue
        signatures[signature] = line
        match = matcher.find(parsed.values.get("id", ""), parsed.name, parsed.values.get("website", ""),
                             parsed.siren)
        result.match = match
        if match and not match.certain:
            result.decision = ACCEPT if accept_matches else decisions.get(line, "")
            if not result.decision:
                result.status, result.change = WARNING, TO_CONFIRM
                result.reasons = [t("import_r_to_confirm", lang, name=visible(match.name, SHOWN_NAME),
                                    why=match.explain(lang))] + [parsed.kind_unknown] * bool(parsed.kind_unknown) \
                    + parsed.warnings
                continue
        updates = match if match and (match.certain or result.decision == ACCEPT) else None
        owner = updates.entity_id if updates else "new:" + name_key(parsed.name)
        if owner in owners:
            result.status, result.reasons = ERROR, [t("import_r_conflict", lang, line=owners[owner])]
            continue
        owners[owner] = line
        if updates:
            update_existing(result, parsed, context.by_id.loc[updates.entity_id].to_dict(), context)
        else:
            make_new(result, parsed, context)
    place_new_rows(results, current)
    for result in results:
        if result.row and result.status != ERROR:
            check_row(result, vocabulary, lang)
    mentioned = {r.row["id"] for r in results if r.row}
    return ImportPlan(filename, checksum, results, [i for i in current["id"] if i not in mentioned],
                      context.unknown, [c for c, target in mapping.items() if not target], context.suggested,
                      context.routed, lang)


@dataclass
class Context:
    vocabulary: Vocabulary
    overrides: dict[str, dict[str, str]]
    lang: str
    defaults: dict[str, str]
    filename: str
    checksum: str
    today: dt.date
    by_id: pd.DataFrame
    used_ids: set[str]
    names: dict[str, str]  # normalised name -> name of every map entry: a new one must not take one of them
    unknown: dict[tuple[str, str], int] = field(default_factory=dict)
    suggested: dict[tuple[str, str], list[tuple[str, str, float]]] = field(default_factory=dict)
    routed: dict[str, tuple[str, list[tuple[str, str]], int]] = field(default_factory=dict)
    spellings: dict[tuple[str, str], str] = field(default_factory=dict)  # (target, normalised) -> first spelling

    def unknown_value(self, target: str, value: str) -> str:
        """Counts an unknown value (under its first spelling in the file) and returns its suggestions' hint."""
        value = self.spellings.setdefault((target, normalise_text(value)), value)
        self.unknown[(target, value)] = self.unknown.get((target, value), 0) + 1
        if (target, value) not in self.suggested:
            self.suggested[(target, value)] = suggestions(target, value, self.vocabulary)
        return hint(self.suggested[(target, value)], self.lang)


@dataclass
class Parsed:
    """A source row read through the mapping: values the file gives, what it only implies, and why not."""

    name: str = ""
    values: dict[str, str] = field(default_factory=dict)  # explicit values, as stored
    implied: dict[str, str] = field(default_factory=dict)  # derived (a category's kind): fill empty fields only
    siren: str = ""
    kind_unknown: str = ""  # why a Type value gave no kind (the vocabulary does not know it), "" otherwise
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    routes: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


def cell_problem(target: str, value: str, lang: str) -> str | None:
    """The correction form's check of one value (its cap, control and direction characters), as a reason in
    `lang`. A multi-valued cell may hold line breaks: spreadsheet users separate values with Alt+Enter, and the
    tag mapping splits there; every other control character is refused as the form refuses it."""
    cap = lengths.ENTITY_ID if target == "id" else TEXT_CAPS.get(target, lengths.OTHER_TEXT)  # an id must fit its column
    problem = text_problem(value, cap, target in MULTILINE or multi_valued(target))
    return t(problem[0], lang, **problem[1]) if problem else None


def parse_row(source: pd.Series, mapping: dict[str, str | None], context: Context, line: int) -> Parsed:
    parsed = Parsed()
    lang, vocabulary = context.lang, context.vocabulary
    refused: dict[str, str] = {}  # target -> refused value (never mapped, echoed or stored)
    tags: dict[str, list[str]] = {}
    for column, target in mapping.items():
        if not target or column not in source.index:
            continue
        value = str(source[column]).strip()
        problem = cell_problem(target, value, lang)
        if problem:
            parsed.errors.append(t("import_cell_problem", lang, column=column, reason=problem))
            refused[target] = value
            continue
        if not value:
            continue
        overrides = context.overrides.get(target)
        if target == THEMES:
            keys, routes, unknown = route_themes(value, vocabulary, overrides)
            for facet, found in keys.items():
                tags.setdefault(facet, []).extend(k for k in found if k not in tags.get(facet, []))
            parsed.routes += routes
            for part, found in routes:
                spelling, went, count = context.routed.get(normalise_text(part), (part, found, 0))
                context.routed[normalise_text(part)] = (spelling, went, count + 1)
            for part in unknown:
                parsed.warnings.append(unknown_reason(context, target, part))
        elif target in TAG_FACETS:
            keys, unknown = map_tags(target, value, vocabulary, overrides)
            tags.setdefault(target, []).extend(k for k in keys if k not in tags.get(target, []))
            for part in unknown:
                parsed.warnings.append(unknown_reason(context, target, part))
        elif target == "kind":
            resolved = resolve_kind(value, vocabulary, overrides)
            if resolved is None:
                parsed.kind_unknown = t("import_r_kind_unknown", lang, value=visible(value, 80),
                                        hint=context.unknown_value(target, value))
                continue
            kind, category = resolved
            found_kind = lookup("kind", value, vocabulary, overrides) or []
            if any(facet == "kind" for facet, _ in found_kind) or not category:
                parsed.values["kind"] = kind  # the value names a kind: explicit
            else:
                parsed.implied["kind"] = kind  # only a category's kind: fills an empty kind
            if category:
                parsed.implied["category"] = category
        elif target == "category":
            key = next((k for f, k in lookup(target, value, vocabulary, overrides) or [] if f == "category"), None)
            if key:
                parsed.values["category"] = key
                parsed.implied.setdefault("kind", KIND_OF_CATEGORY.get(key, "company"))
            else:
                parsed.warnings.append(unknown_reason(context, target, value))
        elif target == SIREN:
            siren = siren_of(value)
            if siren:
                parsed.siren = siren
                if SIREN in COLUMNS:
                    parsed.values[SIREN] = siren
            else:
                parsed.warnings.append(t("import_r_siren", lang, value=visible(value, 40)))
        else:
            parsed.values[target] = value
    for facet, keys in tags.items():
        if keys:
            parsed.values[facet] = join_list(keys)
    parsed.name = parsed.values.get("name", "")
    if not parsed.name and "name" not in refused:
        parsed.errors.append(t("import_r_no_name", lang))
    parsed.name = parsed.name or refused.get("name", "")  # shown escaped and cut in the report
    if parsed.errors:
        parsed.errors += [parsed.kind_unknown] * bool(parsed.kind_unknown) + parsed.warnings
    return parsed


def unknown_reason(context: Context, target: str, value: str) -> str:
    return t("import_r_unknown", context.lang, field=target_label(target, context.lang), value=visible(value, 80),
             hint=context.unknown_value(target, value))


def target_label(target: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """How a mapping target is named to staff: a field's label, or the import-only targets' own."""
    return t(f"import_target_{target}", lang) if has_message(f"import_target_{target}") else field_label(target, lang)


def locate(row: dict[str, str], lang: str) -> list[str]:
    """Commune and point: coordinates kept when given, else the commune of an INSEE code, else of postcode + city
    (never guessed). Fills commune_code, city, geo_precision (and lat/lon for coordinates); returns the reasons
    it could not."""
    lat, lon = row.get("lat", ""), row.get("lon", "")
    if lat and lon:
        try:
            code = commune_at(float(lon.replace(",", ".")), float(lat.replace(",", ".")))
        except ValueError:
            return [t("import_r_coordinates", lang)]
        if code is None:
            return [t("import_r_outside", lang)]
        row.update(lat=lat.replace(",", "."), lon=lon.replace(",", "."), geo_precision="manual")
        row["commune_code"] = row.get("commune_code") or code
        return []
    code = row.get("commune_code", "").strip()
    names = commune_table().set_index("code")["name"]
    if code and code in names.index:
        row.update(commune_code=code, lat="", lon="", geo_precision="commune",
                   city="Paris" if code.startswith("75") else names[code])
        return []
    if code and not (row.get("postcode") or row.get("city")):
        return [t("import_r_insee_unknown", lang, code=visible(code, 20))]
    if not (row.get("postcode") or row.get("city")):
        return [t("import_r_no_place", lang)]
    match = find_commune(postcode=row.get("postcode", ""), name=row.get("city", ""))
    if not match.found:
        return [t("import_r_commune", lang, detail=match.message)]
    # The official spelling (Paris arrondissements keep "Paris", as in the seed).
    row.update(commune_code=match.code, lat="", lon="", geo_precision="commune",
               city="Paris" if match.code.startswith("751") else match.name)
    return []


def update_existing(result: RowResult, parsed: Parsed, existing: dict, context: Context) -> None:
    """The map entry with the file's non-empty values: tags added to its own, the map's name kept (unless the file
    gives the entry's id), its place kept when the file's cannot be found; defaults only where both are empty."""
    lang = context.lang
    given = dict(parsed.values)
    warnings = [parsed.kind_unknown] * bool(parsed.kind_unknown) + parsed.warnings  # the entry has its kind
    if result.match.why != "id":
        given.pop("name", None)  # "GENETHON", "Cellectis SA": the curated spelling stays
    if {"postcode", "city", "commune_code", "lat", "lon"} & set(given):
        place = {k: given.get(k, "") for k in PLACE_FIELDS}
        problems = locate(place, lang)
        for key in PLACE_FIELDS:
            given.pop(key, None)
        if problems:
            warnings += [t("import_r_place_kept", lang, reason=reason) for reason in problems]
        else:
            given.update(place)
    merged = {c: str(existing.get(c, "") or "") for c in COLUMNS}
    for key, value in given.items():
        if key not in COLUMNS:
            continue
        if key in TAG_FACETS:
            merged[key] = join_list(dict.fromkeys(split_list(merged[key]) + split_list(value)))
        else:
            merged[key] = value
    for key, value in {**parsed.implied, **context.defaults}.items():
        if key in COLUMNS and not merged.get(key):
            merged[key] = value
    if merged.get("geo_precision") == "commune" and "commune_code" in given:
        if merged["commune_code"] == existing["commune_code"]:
            for kept in ("lat", "lon", "geo_precision"):  # same commune: keep the point already placed
                merged[kept] = str(existing[kept])
            merged["city"] = str(existing["city"]) if existing["city"] else merged["city"]
        else:
            merged.update(lat="", lon="")  # moved: placed in its new commune below
    changed = [c for c in COLUMNS if c not in BOOKKEEPING and merged[c] != str(existing.get(c, "") or "")]
    if (merged["lat"], merged["lon"]) != (str(existing["lat"]), str(existing["lon"])) and merged["lat"]:
        changed += ["lat", "lon"]
    if changed:
        merged["updated"] = context.today.isoformat()
    result.row, result.change, result.changed_fields = merged, CHANGED if changed else UNCHANGED, changed
    result.status = WARNING if warnings else OK
    result.reasons = warnings


def make_new(result: RowResult, parsed: Parsed, context: Context) -> None:
    """A new map entry: name, kind and place required; without a category or any tag it comes in to review."""
    lang = context.lang
    row = {c: "" for c in COLUMNS} | {k: v for k, v in parsed.values.items() if k in COLUMNS}
    for key, value in {**parsed.implied, **context.defaults}.items():
        if key in COLUMNS and not row.get(key):
            row[key] = value
    errors, warnings, notes = [], list(parsed.warnings), []
    if not row["kind"]:
        errors.append(parsed.kind_unknown or t("import_r_no_kind", lang))
    elif parsed.kind_unknown:  # a kind from a default value or the category: the unknown Type is still listed
        warnings.insert(0, parsed.kind_unknown)
    errors += locate(row, lang)
    same = context.names.get(normalise_text(row["name"]))
    if same:  # a match staff rejected: two entries of one name could not be told apart (nor pass the data check)
        errors.append(t("import_r_same_name", lang, name=visible(same, SHOWN_NAME)))
    if errors:
        result.status, result.reasons, result.row = ERROR, errors + warnings, None
        return
    removal = removal_of(row["name"], row.get("id", ""))
    if removal:  # taken off the map on purpose: it may come back, to review, never unnoticed
        warnings.append(t("import_r_removed", lang, date=removal.removed_on, reason=removal.reason))
        notes.append(t("import_r_removed", "fr", date=removal.removed_on, reason=removal.reason))
    if not row["category"]:
        warnings.append(t("import_r_no_category", lang))
        notes.append(t("import_r_no_category", "fr"))
    if not any(row[facet] for facet in TAG_FACETS):
        warnings.append(t("import_r_no_tags", lang))
        notes.append(t("import_r_no_tags", "fr"))
    given = row.get("id", "")
    # The file's own id when free (checked against the id pattern below); else the name's slug, as an accepted
    # request gets it: cut to the id column, -2, -3… when taken.
    entity_id = given if given and given not in context.used_ids else new_entity_id(given or row["name"],
                                                                                    context.used_ids)
    context.used_ids.add(entity_id)
    status = "to_review" if notes else (row.get("status") or "to_review")
    row.update(id=entity_id, updated=context.today.isoformat(), status=status,
               source=row.get("source") or f"Inventaire importé : {context.filename} (sha256 {context.checksum[:12]})")
    if status == "to_review":
        reasons = "".join(f" ; {note}" for note in notes)
        note = f"importé de {context.filename}{reasons} ; à vérifier avant publication définitive"
        row["review_note"] = f"{row['review_note']} ; {note}" if row["review_note"] else note
    result.row, result.change = row, NEW
    result.changed_fields = [c for c in COLUMNS if row[c]]
    result.status, result.reasons = (WARNING if warnings else OK), warnings


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
        if result.change == UNCHANGED:  # an entry moved to another commune
            result.change = CHANGED
        if result.change == CHANGED and "lat" not in result.changed_fields:
            result.changed_fields += ["lat", "lon"]


def check_row(result: RowResult, vocabulary: Vocabulary, lang: str) -> None:
    """The seed file's own checks (a row to review may lack category and tags: its review_note says why)."""
    problems = validate_row(pd.Series(result.row), result.line, vocabulary)
    problems += points_outside_their_commune(pd.DataFrame([result.row]))
    if problems:
        result.status = ERROR
        result.reasons = [f"{p.column} : {p.why}" for p in problems] + result.reasons
        result.change = ""


def give_new_ids_still_free(rows: list[RowResult], taken: set[str]) -> None:
    """A new row whose id was taken since the plan was made (an organisation accepted meanwhile, or an id the
    history holds) gets the next free one, so that it never overwrites another organisation."""
    new_rows = [r for r in rows if r.change == NEW]  # their ids differ from each other (see make_new)
    clashing = [r for r in new_rows if r.row["id"] in taken]
    taken = taken | {r.row["id"] for r in new_rows}
    for result in clashing:
        result.row["id"] = new_entity_id(result.row["name"], taken)
        taken.add(result.row["id"])


def apply_import(factory: sessionmaker[Session], plan: ImportPlan, reviewer: str,
                 progress: Callable[[float], None] | None = None) -> dict[str, int]:
    """Write every applicable row's changes as history, in one transaction: all of them or none. Uncertain
    matches not decided, duplicates and errors are left out."""
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
            for name in dict.fromkeys(fields):
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
