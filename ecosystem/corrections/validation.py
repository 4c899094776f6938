"""Server-side validation of a correction request. Nothing is saved unless every field passes.

Errors are message keys of data/messages.toml (with parameters), so the page shows them in the user's language.
Text is stored literally (HTML is escaped wherever it is displayed); what could hide or reorder text — control
characters, bidirectional overrides — is refused, as is anything longer than its cap.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import shapely

from ecosystem.corrections import lengths
from ecosystem.loading import join_list, split_list
from ecosystem.schema import TAG_FACETS
from ecosystem.validation import ID_PATTERN
from ecosystem.vocabulary import load_vocabulary
from geo.geocoding import find_commune

# Fields the public may propose, with their length caps (lengths.py: the form and the columns use the same).
# Tag facets hold keys joined with "|".
TEXT_CAPS = {"name": lengths.NAME, "address": lengths.ADDRESS, "city": lengths.CITY,
             "description_fr": lengths.DESCRIPTION, "description_en": lengths.DESCRIPTION,
             "website": lengths.WEBSITE, "postcode": lengths.POSTCODE, "founded": lengths.FOUNDED,
             "workforce": lengths.WORKFORCE, "lat": lengths.COORDINATE, "lon": lengths.COORDINATE}
EDITABLE_FIELDS = ("name", "category", "address", "postcode", "city", "website", *TAG_FACETS, "founded",
                   "workforce", "description_fr", "description_en", "lat", "lon")
NEW_ENTITY_REQUIRED = ("name", "kind", "category", "postcode", "city", "website")
CONTACT_CAPS = {"contact_name": lengths.CONTACT_NAME, "contact_email": lengths.EMAIL,
                "contact_organisation": lengths.ORGANISATION, "comment": lengths.COMMENT}
MULTILINE = {"description_fr", "description_en", "comment", "address"}
RELATIONS = ("self", "other")
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
URL = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d+)?(?:[/?#][^\s<>\"]*)?$", re.IGNORECASE)
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


@dataclass
class Checked:
    """Cleaned values (only those that passed) and errors: field -> (message key, parameters)."""

    values: dict[str, str] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)
    errors: dict[str, tuple[str, dict]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def text_problem(value: str, cap: int, multiline: bool) -> tuple[str, dict] | None:
    if len(value) > cap:
        return "err_too_long", {"cap": cap}
    for character in value:
        if character in BIDI_CONTROLS:
            return "err_bidi", {}
        if unicodedata.category(character) in ("Cc", "Cs", "Co") and not (multiline and character in "\n\t"):
            return "err_control", {}
    return None


def check_submission(proposed: dict[str, str], contact: dict[str, str], *, new_entity: bool,
                     honeypot: str = "", consent: bool = False) -> Checked:
    """Validate proposed field values and the contact block; return cleaned values or errors."""
    checked = Checked()
    if honeypot:
        checked.errors["form"] = ("err_rejected", {})
        return checked
    vocabulary = load_vocabulary()
    allowed = (*EDITABLE_FIELDS, "kind") if new_entity else EDITABLE_FIELDS
    for name, raw in proposed.items():
        if name not in allowed:
            checked.errors[name] = ("err_unknown_field", {})
            continue
        value = str(raw if raw is not None else "").strip()
        problem = text_problem(value, TEXT_CAPS.get(name, lengths.OTHER_TEXT), name in MULTILINE)
        problem = problem or field_problem(name, value, vocabulary)
        if problem:
            checked.errors[name] = problem
        else:
            checked.values[name] = as_keys(name, value, vocabulary)
    if new_entity:
        for name in NEW_ENTITY_REQUIRED:
            if not checked.values.get(name) and name not in checked.errors:
                checked.errors[name] = ("err_required", {})
    if not new_entity and not checked.values and not checked.errors:
        checked.errors["form"] = ("err_nothing_changed", {})
    check_place(checked)
    check_contact(contact, consent, checked)
    return checked


def field_problem(name: str, value: str, vocabulary) -> tuple[str, dict] | None:
    if not value:
        return ("err_required", {}) if name in ("name", "category", "kind") else None
    if name in ("kind", "category") and vocabulary.find(name, value) is None:
        return "err_vocabulary", {"value": value}
    if name in TAG_FACETS:
        unknown = [v for v in split_list(value) if vocabulary.find(name, v) is None]
        return ("err_vocabulary", {"value": ", ".join(unknown)}) if unknown else None
    if name == "website" and not URL.match(value):
        return "err_url", {}
    if name == "postcode" and not re.fullmatch(r"\d{5}", value):
        return "err_postcode", {}
    if name == "founded" and not (value.isdigit() and 1800 <= int(value) <= dt.date.today().year):
        return "err_year", {}
    if name == "workforce" and not (value.isdigit() and int(value) <= 1_000_000):
        return "err_integer", {}
    if name in ("lat", "lon"):
        try:
            float(value)
        except ValueError:
            return "err_number", {}
    return None


def as_keys(name: str, value: str, vocabulary) -> str:
    """A checked value as stored: for a vocabulary field, each key, label or synonym becomes its key ("CAR-T" ->
    "cell_therapy", "Entreprise" -> "company"), tags once each, joined with "|"; any other field as it is."""
    if name in ("kind", "category"):
        return vocabulary.find(name, value) or value
    if name in TAG_FACETS:
        return join_list(dict.fromkeys(vocabulary.find(name, v) or v for v in split_list(value)))
    return value


def check_place(checked: Checked) -> None:
    """Postcode/city must designate one commune of the region; a point, if given, must lie in the region."""
    values = checked.values
    if values.get("postcode") or values.get("city"):
        match = find_commune(postcode=values.get("postcode", ""), name=values.get("city", ""))
        if not match.found:
            checked.errors["city"] = ("err_commune", {"detail": match.message})
        else:
            values["commune_code"] = match.code
    if "lat" in values or "lon" in values:
        from ecosystem.validation import region_shape

        try:
            point = shapely.Point(float(values.get("lon", "nan")), float(values.get("lat", "nan")))
        except ValueError:
            return
        if not region_shape().covers(point):
            checked.errors["lat"] = ("err_outside_region", {})


def check_contact(contact: dict[str, str], consent: bool, checked: Checked) -> None:
    for name, cap in CONTACT_CAPS.items():
        value = str(contact.get(name, "") or "").strip()
        problem = text_problem(value, cap, name in MULTILINE)
        if problem:
            checked.errors[name] = problem
        checked.contact[name] = value
    if not checked.contact["contact_name"]:
        checked.errors.setdefault("contact_name", ("err_required", {}))
    if not EMAIL.match(checked.contact["contact_email"]):
        checked.errors.setdefault("contact_email", ("err_email", {}))
    relation = str(contact.get("relation", ""))
    if relation not in RELATIONS:
        checked.errors["relation"] = ("err_required", {})
    checked.contact["relation"] = relation
    if not consent:
        checked.errors["consent"] = ("err_consent", {})


# --- Values that reach a query: checked before any query, so that a hostile value is simply "not found" -------

REFERENCE = re.compile(r"^CORR-\d{4}-\d{6,10}$")  # service.reference_for; fits lengths.REFERENCE


def clean_reference(value: object) -> str | None:
    """A request reference as stored (CORR-YYYY-NNNNNN, any case and surrounding spaces accepted), or None.

    The pattern is checked before the length, on the raw text cut short: a 1 MB paste costs nothing, and a NUL
    byte (which PostgreSQL refuses in any text parameter) never reaches the database.
    """
    text = str(value or "")[:lengths.REFERENCE + 10].strip().upper()
    return text if REFERENCE.fullmatch(text) else None


def clean_email(value: object) -> str | None:
    """An e-mail address as the form accepts it (same pattern and length), stripped, or None."""
    text = str(value or "")
    if len(text) > lengths.EMAIL + 10:
        return None
    text = text.strip()
    return text if len(text) <= lengths.EMAIL and EMAIL.fullmatch(text) else None


def clean_entity_id(value: object) -> str | None:
    """An entity identifier in the dataset's format and within its column's length, or None."""
    text = str(value or "")
    return text if len(text) <= lengths.ENTITY_ID and ID_PATTERN.fullmatch(text) else None


def check_edits(edited: dict[str, str], proposal: dict[str, str], *, new_entity: bool,
                current: dict[str, str] | None = None) -> Checked:
    """Staff edits made before accepting a request, checked by the same rules as the public's values.

    `proposal` is the request's proposed values (field -> new value), `current` the entity's live values. Only
    the edited fields are checked; a new postcode or city finds the commune again (the commune proposed no
    longer applies), an edited coordinate must leave the point in the region. A commune code typed by staff
    must be one of the region's.
    """
    from geo.boundaries import commune_table

    checked = Checked()
    vocabulary = load_vocabulary()
    allowed = (*EDITABLE_FIELDS, "kind") if new_entity else EDITABLE_FIELDS
    for name, raw in edited.items():
        value = str(raw if raw is not None else "").strip()
        problem = text_problem(value, TEXT_CAPS.get(name, lengths.OTHER_TEXT), name in MULTILINE)
        if problem is None and name == "commune_code":
            problem = None if value in set(commune_table()["code"]) else ("err_commune", {"detail": value})
        elif problem is None and name in allowed:
            problem = field_problem(name, value, vocabulary)
        elif problem is None:
            problem = ("err_unknown_field", {})
        if problem:
            checked.errors[name] = problem
        else:
            checked.values[name] = as_keys(name, value, vocabulary)
    for group in (("postcode", "city"), ("lat", "lon")):
        if not set(group) & set(checked.values):
            continue
        # A coordinate needs its partner (the live one when not proposed); the commune is found as the public
        # form finds it, from the postcode and city of the request only.
        fallback = (current or {}) if group == ("lat", "lon") else {}
        merged = {name: checked.values.get(name, proposal.get(name, fallback.get(name, ""))) for name in group}
        place = Checked(values={name: value for name, value in merged.items() if value})
        check_place(place)
        checked.errors.update(place.errors)
        if group == ("postcode", "city") and not place.errors and "commune_code" in place.values:
            checked.values["commune_code"] = place.values["commune_code"]
    return checked
