"""Counting entities by facet, département and commune.

Multi-valued facets count an entity once under each of its tags (and once in the total), so the counts of a
tag facet may add up to more than the number of entities.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ecosystem.schema import TAG_FACETS
from ecosystem.vocabulary import Vocabulary, load_vocabulary
from geo.boundaries import commune_table, load_departements


def facet_counts(gdf: pd.DataFrame, facet: str, vocabulary: Vocabulary | None = None,
                 lang: str = "fr") -> pd.DataFrame:
    """Columns key, label, count: every vocabulary key (zero included) in vocabulary order."""
    if facet == "dep":
        return departement_counts(gdf)
    vocabulary = vocabulary or load_vocabulary()
    values = gdf[facet].explode() if facet in TAG_FACETS else gdf[facet]
    counts = values[values.notna() & (values != "")].value_counts()  # an empty category (a row to review) is no option
    keys = list(vocabulary.keys(facet))
    keys += [k for k in counts.index if k not in keys]  # values outside the vocabulary stay visible
    return pd.DataFrame({
        "key": keys,
        "label": [vocabulary.label(facet, k, lang) for k in keys],
        "count": [int(counts.get(k, 0)) for k in keys],
    })


def departement_counts(gdf: pd.DataFrame) -> pd.DataFrame:
    """Columns key (code), label (name), count: the 8 départements, zero included."""
    departements = load_departements()[["code", "name"]].sort_values("code")
    counts = gdf["dep"].value_counts()
    return pd.DataFrame({
        "key": departements["code"].to_list(),
        "label": departements["name"].to_list(),
        "count": [int(counts.get(code, 0)) for code in departements["code"]],
    })


def commune_counts(gdf: pd.DataFrame) -> pd.DataFrame:
    """Columns key (INSEE code), label (name), count: only communes with at least one entity, most first."""
    counts = gdf["commune_code"].value_counts()
    names = commune_table().set_index("code")["name"]
    frame = pd.DataFrame({"key": counts.index, "label": counts.index.map(names), "count": counts.to_numpy()})
    return frame.sort_values(["count", "key"], ascending=[False, True], ignore_index=True)


def kind_counts(gdf: pd.DataFrame) -> dict[str, int]:
    """Entities per kind, every kind present (zero included)."""
    return {row.key: row.count for row in facet_counts(gdf, "kind").itertuples()}


def completeness(raw: pd.DataFrame) -> pd.DataFrame:
    """Share of rows with a non-empty value, per column."""
    filled = raw.astype(str).apply(lambda column: column.str.strip() != "").mean()
    return pd.DataFrame({"column": filled.index, "filled": filled.to_numpy()})


def crosstab(gdf: pd.DataFrame, rows: str, columns: str, vocabulary: Vocabulary | None = None,
             lang: str = "fr") -> pd.DataFrame:
    """Counts for every pair of values of two facets, long format: row/column keys and labels, count.

    Multi-valued facets are exploded first, so an entity tagged (oncology, neurology) × (antibodies) counts once
    in each of the two cells. Every vocabulary pair is present (zero included), in vocabulary order.
    """
    vocabulary = vocabulary or load_vocabulary()
    pairs = gdf[[rows, columns]] if rows != columns else gdf[[rows]].assign(_copy=gdf[rows])
    pairs.columns = ["r", "c"]
    for name, facet in (("r", rows), ("c", columns)):
        if facet in TAG_FACETS:
            pairs = pairs.explode(name)
    counts = pairs.dropna().groupby(["r", "c"]).size()
    row_keys, column_keys = _facet_keys(rows, vocabulary), _facet_keys(columns, vocabulary)
    records = [
        {"row_key": r, "row_label": facet_label(rows, r, vocabulary, lang), "column_key": c,
         "column_label": facet_label(columns, c, vocabulary, lang), "count": int(counts.get((r, c), 0))}
        for r in row_keys for c in column_keys
    ]
    return pd.DataFrame(records, columns=["row_key", "row_label", "column_key", "column_label", "count"])


def _facet_keys(facet: str, vocabulary: Vocabulary) -> list[str]:
    if facet == "dep":
        return list(load_departements().sort_values("code")["code"])
    return list(vocabulary.keys(facet))


def facet_label(facet: str, key: str, vocabulary: Vocabulary, lang: str) -> str:
    """A facet value as people read it: the vocabulary's label, "91 Essonne" for a département."""
    if facet == "dep":
        return f"{key} {departement_names().get(key, '')}".strip()
    return vocabulary.label(facet, key, lang)


@lru_cache(maxsize=1)
def departement_names() -> dict[str, str]:
    departements = load_departements()
    return dict(zip(departements["code"], departements["name"]))
