"""Mapping a spreadsheet onto the schema: which column is which field, which free-text tag is which key.

Suggestions only: staff confirm or change them. A value that maps to no key is listed, never dropped silently.
"""

from __future__ import annotations

import difflib
import re

from ecosystem.schema import COLUMNS, TAG_FACETS
from ecosystem.text import normalise_text
from ecosystem.vocabulary import Vocabulary, load_vocabulary

# Headers seen in inventories exported from other tools (normalised), per schema column.
COLUMN_ALIASES = {
    "name": ("raison sociale", "nom", "nom de l organisation", "organisation", "entreprise", "denomination",
             "structure", "name", "organisation name", "company"),
    "kind": ("type d acteur", "nature", "kind"),
    "category": ("type", "categorie", "category", "statut juridique", "forme"),
    "address": ("adresse", "adresse postale", "rue", "address", "street"),
    "postcode": ("code postal", "cp", "postcode", "zip", "zip code", "code_postal"),
    "city": ("ville", "commune", "localite", "city", "town"),
    "commune_code": ("code insee", "insee", "code commune", "commune code"),
    "lat": ("latitude", "lat", "y"),
    "lon": ("longitude", "lon", "lng", "long", "x"),
    "website": ("site web", "site internet", "site", "url", "web", "website"),
    "therapeutic_areas": ("thematiques", "thematique", "aires therapeutiques", "aire therapeutique",
                          "domaines therapeutiques", "therapeutic areas"),
    "activities": ("activites", "activite", "activites biotechnologiques", "activities"),
    "modalities": ("modalites", "modalite", "technologies", "modalities"),
    "axes": ("axes", "axe", "axes smart sante", "axe smart sante"),
    "roles": ("role", "roles", "chaine de valeur", "positionnement"),
    "clusters": ("cluster", "clusters", "pole", "poles"),
    "founded": ("creation", "annee de creation", "date de creation", "founded", "year"),
    "workforce": ("effectif", "effectifs", "salaries", "workforce", "employees"),
    "description_fr": ("description", "description fr", "activite principale", "presentation"),
    "description_en": ("description en", "english description"),
    "source": ("source", "sources"),
    "id": ("id", "identifiant"),
}
SPLIT = re.compile(r"\s*[;|,/\n]\s*")
KIND_OF_CATEGORY = {
    "research_organisation": "institute", "research_unit": "institute", "research_foundation": "institute",
    "hospital_research": "institute", "ihu": "institute", "siric": "institute", "platform": "institute",
    "incubator": "cluster_site", "biocluster": "cluster_site", "campus": "cluster_site",
    "science_park": "cluster_site", "competitiveness_cluster": "cluster_site",
}


def known_headers() -> set[str]:
    return {alias for aliases in COLUMN_ALIASES.values() for alias in aliases} | set(COLUMNS)


def suggest_columns(columns: list[str]) -> dict[str, str | None]:
    """Source column -> schema column (or None: ignored). Each schema column is used at most once."""
    suggestions: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in columns:
        key = normalise_text(column)
        target = next((target for target, aliases in COLUMN_ALIASES.items()
                       if (key == target or key in aliases) and target not in taken), None)
        suggestions[column] = target
        if target:
            taken.add(target)
    return suggestions


def label_index(facet: str, vocabulary: Vocabulary) -> dict[str, str]:
    """Normalised key and FR/EN labels -> key."""
    index = {}
    for key in vocabulary.keys(facet):
        index[normalise_text(key.replace("_", " "))] = key
        for lang in ("fr", "en"):
            index[normalise_text(vocabulary.label(facet, key, lang))] = key
    return index


def map_value(facet: str, value: str, vocabulary: Vocabulary | None = None,
              overrides: dict[str, str] | None = None) -> str | None:
    """The key a free-text value stands for (exact label, key or staff override), else None."""
    vocabulary = vocabulary or load_vocabulary()
    normalised = normalise_text(value)
    if overrides and normalised in overrides:
        return overrides[normalised] or None
    return label_index(facet, vocabulary).get(normalised)


def suggest_key(facet: str, value: str, vocabulary: Vocabulary | None = None) -> str | None:
    """Closest key for an unknown value (a suggestion to confirm, never applied without staff)."""
    vocabulary = vocabulary or load_vocabulary()
    index = label_index(facet, vocabulary)
    close = difflib.get_close_matches(normalise_text(value), list(index), n=1, cutoff=0.8)
    return index[close[0]] if close else None


def map_tags(facet: str, cell: str, vocabulary: Vocabulary | None = None,
             overrides: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(keys, unknown values) of a multi-valued cell such as "Oncologie; Neurologie"."""
    keys, unknown = [], []
    for part in filter(None, SPLIT.split(cell.strip())):
        key = map_value(facet, part, vocabulary, overrides)
        if key:
            if key not in keys:
                keys.append(key)
        else:
            unknown.append(part)
    return keys, unknown


def multi_valued(target: str) -> bool:
    return target in TAG_FACETS
