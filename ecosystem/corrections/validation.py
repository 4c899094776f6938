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

from ecosystem.loading import split_list
from ecosystem.schema import TAG_FACETS
from ecosystem.vocabulary import load_vocabulary
from geo.geocoding import find_commune

# Fields the public may propose, with their length caps. Tag facets hold keys joined with "|".
TEXT_CAPS = {"name": 200, "address": 300, "city": 100, "description_fr": 1200, "description_en": 1200,
             "website": 300, "postcode": 5, "founded": 4, "workforce": 7, "lat": 20, "lon": 20}
EDITABLE_FIELDS = ("name", "category", "address", "postcode", "city", "website", *TAG_FACETS, "founded",
                   "workforce", "description_fr", "description_en", "lat", "lon")
NEW_ENTITY_REQUIRED = ("name", "kind", "category", "postcode", "city", "website")
CONTACT_CAPS = {"contact_name": 200, "contact_email": 254, "contact_organisation": 200, "comment": 2000}
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
        problem = text_problem(value, TEXT_CAPS.get(name, 2000), name in MULTILINE)
        problem = problem or field_problem(name, value, vocabulary)
        if problem:
            checked.errors[name] = problem
        else:
            checked.values[name] = value
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
    if name in ("kind", "category") and value not in vocabulary.keys(name):
        return "err_vocabulary", {"value": value}
    if name in TAG_FACETS:
        unknown = [v for v in split_list(value) if v not in vocabulary.keys(name)]
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
