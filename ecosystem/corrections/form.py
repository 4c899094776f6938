"""What the public form sends, computed from what it shows: the fields a person actually changed."""

from __future__ import annotations

from ecosystem.corrections.validation import EDITABLE_FIELDS
from ecosystem.loading import join_list, split_list
from ecosystem.schema import TAG_FACETS


def form_defaults(row: dict[str, str]) -> dict:
    """Initial widget values for an entity row (tags as lists of keys, everything else as text)."""
    return {name: split_list(row.get(name, "")) if name in TAG_FACETS else str(row.get(name, "") or "")
            for name in EDITABLE_FIELDS}


def changed_fields(row: dict[str, str], submitted: dict) -> tuple[dict[str, str], dict[str, str]]:
    """(proposed, current) for the fields whose submitted value differs from the entity's current one."""
    proposed, current = {}, {}
    for name in EDITABLE_FIELDS:
        if name not in submitted:
            continue
        value = submitted[name]
        value = join_list(value) if isinstance(value, (list, tuple)) else str(value or "").strip()
        old = str(row.get(name, "") or "")
        if name in TAG_FACETS:
            same = sorted(split_list(value)) == sorted(split_list(old))
        else:
            same = value == old.strip()
        if not same:
            proposed[name], current[name] = value, old
    # A point is two numbers: a new latitude alone is checked (and placed) with the longitude it goes with.
    if {"lat", "lon"} & proposed.keys():
        for name in ("lat", "lon"):
            if name not in proposed:
                proposed[name] = current[name] = str(row.get(name, "") or "")
    return proposed, current
