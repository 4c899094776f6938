"""Filtering the entities: AND across facets, OR within a facet, accent-insensitive text search."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import geopandas as gpd
import pandas as pd

from ecosystem.schema import FILTER_FACETS, TAG_FACETS
from ecosystem.text import normalise_text

SEARCHED_COLUMNS = ("name", "description_fr", "description_en")
SEARCH_TEXT = "search_text"


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
    """Normalised name and descriptions, computed once at load rather than at every search."""
    haystack = gdf[list(SEARCHED_COLUMNS)].fillna("").astype(str).agg(" ".join, axis=1).map(normalise_text)
    return gdf.assign(**{SEARCH_TEXT: haystack})


def text_mask(gdf: pd.DataFrame, query: str) -> pd.Series:
    """Every word of the query appears in the name or a description, accents and case ignored."""
    words = normalise_text(query).split()
    if not words:
        return pd.Series(True, index=gdf.index)
    haystack = gdf[SEARCH_TEXT] if SEARCH_TEXT in gdf else add_search_text(gdf)[SEARCH_TEXT]
    return haystack.map(lambda text: all(word in text for word in words))


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
