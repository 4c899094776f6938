"""Small pure helpers for the pages: which entity was clicked, and the table shown under the map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecosystem.i18n import t
from ecosystem.text import normalise_text
from ecosystem.vocabulary import load_vocabulary

CLICK_TOLERANCE_DEG = 1e-6  # markers are sent with 6 decimals; the click returns the marker's own position


def entity_at(gdf: pd.DataFrame, clicked: dict | None) -> str | None:
    """Id of the entity whose marker was clicked ({"lat", "lng"} from the map), or None (e.g. a cluster)."""
    if not clicked or len(gdf) == 0:
        return None
    distance = np.hypot(gdf["lat"].to_numpy() - clicked["lat"], gdf["lon"].to_numpy() - clicked["lng"])
    nearest = int(distance.argmin())
    return gdf["id"].iloc[nearest] if distance[nearest] <= CLICK_TOLERANCE_DEG else None


def by_name(gdf: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order a reader expects: case, accents and punctuation ignored ("Abivax" before "AMMICa")."""
    return gdf.sort_values("name", key=lambda names: names.map(normalise_text), kind="stable")


def ids_by_name(names: dict[str, str]) -> list[str]:
    """Entity ids ordered by their names as `by_name` orders rows (for pickers)."""
    return sorted(names, key=lambda entity_id: normalise_text(names[entity_id]))


def table_rows(gdf: pd.DataFrame, lang: str, with_distance: bool = False) -> pd.DataFrame:
    """The listed entities in display order (by name, or nearest first), with labels in `lang`."""
    vocabulary = load_vocabulary()
    ordered = gdf.sort_values("distance_km", kind="stable") if with_distance else by_name(gdf)
    table = pd.DataFrame({
        t("field_name", lang): ordered["name"],
        t("field_kind", lang): ordered["kind"].map(lambda k: vocabulary.label("kind", k, lang)),
        t("field_category", lang): ordered["category"].map(lambda k: vocabulary.label("category", k, lang)),
        t("field_commune", lang): ordered["commune_name"],
        t("website", lang): ordered["website"],
    })
    if with_distance:
        table.insert(1, t("distance_km", lang), ordered["distance_km"])
    return table.reset_index(drop=True)


def directory_rows(gdf: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The directory's table: the list's columns plus tag lists (as labels) and the hidden id."""
    vocabulary = load_vocabulary()
    table = table_rows(gdf, lang)
    ordered = by_name(gdf)
    for facet in ("therapeutic_areas", "modalities", "roles"):
        table[t(f"facet_{facet}", lang)] = [[vocabulary.label(facet, key, lang) for key in keys]
                                             for keys in ordered[facet]]
    table["id"] = ordered["id"].to_numpy()
    return table
