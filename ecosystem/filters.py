"""Filtering the entities: AND across facets, OR within a facet, accent-insensitive text search that also knows
the vocabulary's written forms (labels in both languages, synonyms) of each entity's tags."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from ecosystem.schema import FILTER_FACETS, LIST_SEPARATOR, TAG_FACETS
from ecosystem.text import normalise_text
from ecosystem.vocabulary import Vocabulary, load_vocabulary, term

SEARCHED_COLUMNS = ("name", "description_fr", "description_en")
SEARCH_TEXT = "search_text"
SEARCH_TAGS = "search_tags"
# Facets whose written forms the search knows. The kind is left out: its synonyms ("laboratoire", "université",
# "biotech"…) each stand for a third of the map, too broad to be what a search word means.
SEARCHED_FACETS = ("category", *TAG_FACETS)


@dataclass(frozen=True)
class Filters:
    """Selected keys per facet (empty = no constraint) and a free-text query."""

    kind: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    therapeutic_areas: tuple[str, ...] = ()
    axes: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    dep: tuple[str, ...] = ()
    text: str = ""

    def selected(self, facet: str) -> tuple[str, ...]:
        return getattr(self, facet)

    def with_facet(self, facet: str, values) -> "Filters":
        return replace(self, **{facet: tuple(values)})

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not any(self.selected(f) for f in FILTER_FACETS)


assert tuple(f.name for f in fields(Filters))[:-1] == FILTER_FACETS  # one list of facets, in one order


def facet_mask(gdf: pd.DataFrame, facet: str, selected) -> pd.Series:
    """Rows matching at least one selected value of a facet (all rows when nothing is selected)."""
    if not selected:
        return pd.Series(True, index=gdf.index)
    wanted = set(selected)
    if facet in TAG_FACETS:
        return gdf[facet].map(lambda values: not wanted.isdisjoint(values))
    return gdf[facet].isin(wanted)


def add_search_text(gdf: pd.DataFrame) -> pd.DataFrame:
    """What the search reads, computed once at load rather than at every search: the normalised name and
    descriptions, and per searched facet the entity's keys as a bitmask (bit i = the facet's i-th key), which a
    search tests for all rows at once."""
    vocabulary = load_vocabulary()
    parts = [gdf[column].fillna("").astype(str) for column in SEARCHED_COLUMNS]
    columns = {SEARCH_TEXT: parts[0].str.cat(parts[1:], sep=" ").map(normalise_text)}
    for facet in SEARCHED_FACETS:
        bits = _bits(vocabulary, facet)
        masks = [sum({bits.get(key, 0) for key in _keys_of(values)}) for values in gdf[facet]]
        columns[_tag_column(facet)] = pd.Series(np.array(masks, dtype=_bits_dtype(bits)), index=gdf.index)
    return gdf.assign(**columns)


def _tag_column(facet: str) -> str:
    return f"{SEARCH_TAGS}_{facet}"


def _bits(vocabulary: Vocabulary, facet: str) -> dict[str, int]:
    return {key: 1 << position for position, key in enumerate(vocabulary.keys(facet))}


def _bits_dtype(bits: dict[str, int]):
    return np.uint64 if len(bits) <= 64 else object  # beyond 64 keys, Python integers (slower, still right)


def _keys_of(values) -> list[str]:
    """A tag list of the typed table, or a raw "a|b" cell, or a single coded value (category)."""
    if isinstance(values, (list, tuple)):
        return list(values)
    return [part.strip() for part in (values if isinstance(values, str) else "").split(LIST_SEPARATOR)
            if part.strip()]


Tag = tuple[str, str]  # (facet, key)
_SEARCH_FORMS: dict[int, tuple[Vocabulary, dict[str, frozenset[Tag]], int]] = {}


def _search_forms(vocabulary: Vocabulary) -> tuple[dict[str, frozenset[Tag]], int]:
    """Written form (as `term`) -> the (facet, key) it names in the searched facets, and the longest form in
    words. Built once per vocabulary."""
    cached = _SEARCH_FORMS.get(id(vocabulary))
    if cached is None or cached[0] is not vocabulary:
        forms: dict[str, set[Tag]] = {}
        for facet in SEARCHED_FACETS:
            for key in vocabulary.keys(facet):
                for form in vocabulary.terms(facet, key):
                    forms.setdefault(form, set()).add((facet, key))
        longest = max((len(form.split()) for form in forms), default=1)
        cached = _SEARCH_FORMS[id(vocabulary)] = (vocabulary, {f: frozenset(t) for f, t in forms.items()}, longest)
    return cached[1], cached[2]


def query_units(query: str, vocabulary: Vocabulary | None = None) -> list[tuple[tuple[str, ...], frozenset[Tag]]]:
    """The query cut into units, each (its normalised words, the (facet, key) it names): a run of words that is a
    written form of a tag ("thérapie génique", "CAR-T", "maladies rares") is one unit, longest run first; any
    other word is a unit of its own, naming the tags it is a written form of ("AAV", "neuro"), or none."""
    words = normalise_text(query).split()
    forms, longest = _search_forms(vocabulary or load_vocabulary())
    units, start = [], 0
    while start < len(words):
        for end in range(min(len(words), start + longest), start, -1):
            names = forms.get(term(" ".join(words[start:end])))
            if names or end == start + 1:
                units.append((tuple(words[start:end]), names or frozenset()))
                start = end
                break
    return units


def text_mask(gdf: pd.DataFrame, query: str) -> pd.Series:
    """Every unit of the query (see `query_units`) matches: its words all appear in the name or a description
    (accents and case ignored, as a part of a word too), or it is a written form of one of the entity's tags —
    "AAV" finds gene-therapy players, "CDMO" the bioproduction/CDMO role, "neuro" neurology players."""
    vocabulary = load_vocabulary()
    units = query_units(query, vocabulary)
    if not units:
        return pd.Series(True, index=gdf.index)
    if SEARCH_TEXT not in gdf or any(_tag_column(facet) not in gdf for facet in SEARCHED_FACETS):
        gdf = add_search_text(gdf)
    texts = gdf[SEARCH_TEXT].tolist()
    # One pass over the rows per word (a plain `in`), the tags tested on all rows at once: a few ms for 20,000.
    found = np.ones(len(texts), dtype=bool)
    for words, names in units:
        unit = np.ones(len(texts), dtype=bool)
        for word in words:
            unit &= np.array([word in text for text in texts], dtype=bool)
        if names:
            unit |= _has_any_tag(gdf, vocabulary, names)
        found &= unit
    return pd.Series(found, index=gdf.index)


def _has_any_tag(gdf: pd.DataFrame, vocabulary: Vocabulary, names: frozenset[Tag]) -> np.ndarray:
    wanted: dict[str, int] = {}
    for facet, key in names:
        wanted[facet] = wanted.get(facet, 0) | _bits(vocabulary, facet)[key]
    has = np.zeros(len(gdf), dtype=bool)
    for facet, mask in wanted.items():
        column = gdf[_tag_column(facet)].to_numpy()
        has |= (column & (np.uint64(mask) if column.dtype == np.uint64 else mask)) != 0
    return has


def filter_masks(gdf: pd.DataFrame, filters: Filters) -> dict[str, pd.Series]:
    """One boolean mask per facet, plus "text"."""
    masks = {facet: facet_mask(gdf, facet, filters.selected(facet)) for facet in FILTER_FACETS}
    masks["text"] = text_mask(gdf, filters.text)
    return masks


def _combine(masks: dict[str, pd.Series], skip: str | None) -> pd.Series:
    combined = masks["text"].copy()
    for facet in FILTER_FACETS:
        if facet != skip:
            combined &= masks[facet]
    return combined


def filter_entities(gdf: gpd.GeoDataFrame, filters: Filters, skip: str | None = None) -> gpd.GeoDataFrame:
    """The rows matching every facet and the text query; `skip` leaves one facet out (for its own counts)."""
    return gdf[_combine(filter_masks(gdf, filters), skip)]


def facet_selections(gdf: gpd.GeoDataFrame, filters: Filters) -> dict[str, gpd.GeoDataFrame]:
    """For each facet, the rows matching every *other* facet: what that facet's option counts are taken from.

    Each mask is computed once (not once per facet), which keeps the sidebar cheap on large datasets.
    """
    masks = filter_masks(gdf, filters)
    return {facet: gdf[_combine(masks, facet)] for facet in FILTER_FACETS}
