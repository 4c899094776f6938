"""Filter state <-> URL query parameters, so that a filtered view is a link that reloads identically.

`?kind=company&axes=oncology,neurology&q=car-t`: one parameter per facet, keys comma-separated, the text search
in `q`. Unknown facets and values are dropped on reading (a stale or hand-edited link still opens).
"""

from __future__ import annotations

from collections.abc import Mapping

from ecosystem.filters import Filters
from ecosystem.schema import FILTER_FACETS
from ecosystem.vocabulary import Vocabulary, load_vocabulary
from geo.boundaries import IDF_DEPARTEMENTS

TEXT_PARAM = "q"
MAX_TEXT_LENGTH = 200


def allowed_values(facet: str, vocabulary: Vocabulary) -> tuple[str, ...]:
    return IDF_DEPARTEMENTS if facet == "dep" else vocabulary.keys(facet)


def filters_to_query(filters: Filters) -> dict[str, str]:
    """Only non-empty facets, values in vocabulary order so that equal states give equal URLs."""
    vocabulary = load_vocabulary()
    query = {}
    for facet in FILTER_FACETS:
        selected = set(filters.selected(facet))
        if selected:
            query[facet] = ",".join(v for v in allowed_values(facet, vocabulary) if v in selected)
    if filters.text.strip():
        query[TEXT_PARAM] = filters.text.strip()
    return query


def filters_from_query(params: Mapping[str, str]) -> Filters:
    vocabulary = load_vocabulary()
    values = {}
    for facet in FILTER_FACETS:
        wanted = {part.strip() for part in str(params.get(facet, "")).split(",")}
        values[facet] = tuple(v for v in allowed_values(facet, vocabulary) if v in wanted)
    text = str(params.get(TEXT_PARAM, ""))[:MAX_TEXT_LENGTH].strip()
    return Filters(**values, text=text)


def parse_choice(value: str | None, allowed, default=None):
    """`value` if it is one of `allowed` (a collection or a mapping's keys), else `default`."""
    return value if value is not None and value in allowed else default


def parse_km(value: str | None, default: float, low: float = 0.5, high: float = 50.0) -> float:
    """A radius in km from a link: a number within [low, high], rounded to the half kilometre, else `default`."""
    try:
        km = round(float(str(value).replace(",", ".")) * 2) / 2
    except (TypeError, ValueError):
        return default
    return km if low <= km <= high else default
