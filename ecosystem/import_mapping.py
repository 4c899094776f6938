"""Mapping a spreadsheet onto the schema: which column is which field, which written value is which key.

Suggestions only: staff confirm or change them. A value that maps to no key is listed with the closest keys
(`Vocabulary.suggest`), never dropped or guessed silently. Every written form of a key (labels, synonyms in
`aliases`, plurals) is read from data/vocabularies.toml through the `Vocabulary` API: staff add a synonym there,
never in this code.

Besides the schema's columns, a file's column can be mapped onto two import-only targets:
- `themes`: a mixed tag column ("Thérapie génique; CDMO; Oncologie"), each value routed to whichever tag facets
  know it (`Vocabulary.find_anywhere`);
- `siren`: a SIREN or SIRET (its first 9 digits), used to recognise an organisation already on the map (and
  stored when the schema has a `siren` column).
"""

from __future__ import annotations

import re

from ecosystem.schema import COLUMNS, TAG_FACETS
from ecosystem.text import normalise_text
from ecosystem.vocabulary import Vocabulary, load_vocabulary

THEMES, SIREN = "themes", "siren"
# What a file's column can be mapped to: the schema's columns, then the import-only targets.
TARGETS = (*COLUMNS, *(extra for extra in (THEMES, SIREN) if extra not in COLUMNS))

# Headers seen in inventories exported from other tools (normalised), per target. Column names, not vocabulary:
# the values under them are read through the vocabulary.
COLUMN_ALIASES = {
    "name": ("raison sociale", "nom", "nom de l organisation", "nom de la structure", "nom de l entreprise",
             "organisation", "organisme", "entreprise", "societe", "denomination", "structure", "etablissement",
             "name", "organisation name", "organization", "company"),
    "kind": ("type", "types", "type d acteur", "type de structure", "type d organisation", "type d organisme",
             "nature", "nature de la structure", "statut", "kind", "type of organisation", "organisation type",
             "organization type"),
    "category": ("categorie", "categories", "sous categorie", "category", "segment"),
    "address": ("adresse", "adresse postale", "rue", "address", "street"),
    "postcode": ("code postal", "cp", "postcode", "zip", "zip code", "code_postal", "postal code"),
    "city": ("ville", "commune", "localite", "city", "town"),
    "commune_code": ("code insee", "insee", "code commune", "code insee commune", "commune code", "insee code"),
    "lat": ("latitude", "lat", "y"),
    "lon": ("longitude", "lon", "lng", "long", "x"),
    "website": ("site web", "site internet", "site", "url", "web", "lien", "website"),
    THEMES: ("thematiques", "thematique", "themes", "theme", "domaines", "domaine", "domaines d activite",
             "technologies", "technologie", "mots cles", "mot cle", "tags", "etiquettes", "secteurs", "secteur",
             "specialites", "expertises", "competences", "keywords", "topics"),
    SIREN: ("siren", "siret", "n siren", "n siret", "no siren", "no siret", "numero siren", "numero siret",
            "siren siret", "siret siren"),
    "therapeutic_areas": ("aires therapeutiques", "aire therapeutique", "domaines therapeutiques",
                          "domaine therapeutique", "therapeutic areas"),
    "activities": ("activites", "activite", "activites biotechnologiques", "activities"),
    "modalities": ("modalites", "modalite", "modalities"),
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
# Columns a default value may be given for ("kind = company for every row without one").
DEFAULTABLE = ("kind", "category", *TAG_FACETS, "postcode", "city", "source")
SPLIT = re.compile(r"\s*[;|,/\n]\s*")
# The kind a category key implies (keys, not words: where a value names only a category, e.g. "Start-up").
KIND_OF_CATEGORY = {
    "startup": "company", "sme": "company", "mid_cap": "company", "large_group": "company", "cdmo": "company",
    "supplier": "company", "cro_services": "company",
    "research_organisation": "institute", "research_unit": "institute", "research_foundation": "institute",
    "hospital_research": "institute", "ihu": "institute", "siric": "institute", "platform": "institute",
    "incubator": "cluster_site", "biocluster": "cluster_site", "campus": "cluster_site",
    "science_park": "cluster_site", "competitiveness_cluster": "cluster_site",
}


def known_headers() -> set[str]:
    return {alias for aliases in COLUMN_ALIASES.values() for alias in aliases} | set(TARGETS)


def suggest_columns(columns: list[str]) -> dict[str, str | None]:
    """Source column -> target (or None: ignored). Each target is used at most once."""
    suggestions: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in columns:
        key = normalise_text(column)
        target = next((target for target in (*COLUMN_ALIASES, *TARGETS)
                       if (key == target or key in COLUMN_ALIASES.get(target, ())) and target not in taken), None)
        suggestions[column] = target
        if target:
            taken.add(target)
    return suggestions


def multi_valued(target: str) -> bool:
    return target in TAG_FACETS or target == THEMES


def facets_for(target: str) -> tuple[str, ...]:
    """The vocabulary facets a value of `target` is looked up in (and a staff choice is offered from)."""
    if target == THEMES:
        return TAG_FACETS
    if target == "kind":
        return ("kind", "category")  # "Entreprise" names a kind, "Start-up" a category (and so a kind)
    return (target,)


def split_values(cell: str) -> list[str]:
    return [part for part in SPLIT.split(cell.strip()) if part]


def choice(facet: str, key: str) -> str:
    """A staff choice for an unknown value, as stored in the overrides: "facet:key"."""
    return f"{facet}:{key}"


def chosen(target: str, written: str) -> tuple[str, str] | None:
    """(facet, key) of a stored choice; a bare key (older callers) belongs to `target`'s own facet."""
    if not written:
        return None
    facet, _, key = written.rpartition(":")
    return (facet or facets_for(target)[0], key)


def lookup(target: str, value: str, vocabulary: Vocabulary,
           overrides: dict[str, str] | None = None) -> list[tuple[str, str]] | None:
    """(facet, key) pairs a written value stands for, None when unknown (or left out by staff: still listed).

    A staff choice comes first; then the vocabulary: for a themes column every tag facet knowing the value
    ("Oncologie" is a therapeutic area and an axis), for a Type column the kind and the category it names.
    """
    pick = chosen(target, (overrides or {}).get(normalise_text(value), ""))
    if pick:
        return [pick]
    found = vocabulary.find_anywhere(value, facets_for(target))  # "not kept" by staff: still unknown, still listed
    return found or None


def map_value(facet: str, value: str, vocabulary: Vocabulary | None = None,
              overrides: dict[str, str] | None = None) -> str | None:
    """The key of `facet` a free-text value stands for (label, synonym, key or staff choice), else None."""
    found = lookup(facet, value, vocabulary or load_vocabulary(), overrides) or []
    return next((key for found_facet, key in found if found_facet == facet), None)


def map_tags(facet: str, cell: str, vocabulary: Vocabulary | None = None,
             overrides: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(keys, unknown values) of a multi-valued cell of one facet, such as "Oncologie; Neurologie"."""
    vocabulary = vocabulary or load_vocabulary()
    keys, unknown = [], []
    for part in split_values(cell):
        found = lookup(facet, part, vocabulary, overrides)
        if found is None:
            unknown.append(part)
        for _, key in found or []:
            if key not in keys:
                keys.append(key)
    return keys, unknown


def route_themes(cell: str, vocabulary: Vocabulary | None = None, overrides: dict[str, str] | None = None
                 ) -> tuple[dict[str, list[str]], list[tuple[str, list[tuple[str, str]]]], list[str]]:
    """A mixed themes cell, value by value: (facet -> keys, [(value, [(facet, key)…])…] where each value went,
    unknown values)."""
    vocabulary = vocabulary or load_vocabulary()
    keys: dict[str, list[str]] = {}
    routes, unknown = [], []
    for part in split_values(cell):
        found = lookup(THEMES, part, vocabulary, overrides)
        if found is None:
            unknown.append(part)
            continue
        routes.append((part, found))
        for facet, key in found:
            if key not in keys.setdefault(facet, []):
                keys[facet].append(key)
    return keys, routes, unknown


def resolve_kind(value: str, vocabulary: Vocabulary, overrides: dict[str, str] | None = None
                 ) -> tuple[str, str] | None:
    """(kind, category) a "Type" value names: "Entreprise" -> (company, ""), "Start-up" -> (company, startup),
    "Incubateur" -> (cluster_site, incubator); None when unknown. A cell holding
    several words ("Start-up / PME") is read part by part, the first part naming something winning."""
    for part in [value, *split_values(value)]:
        found = lookup("kind", part, vocabulary, overrides)
        if found is None:
            continue
        keys = dict(found)
        category = keys.get("category", "")
        kind = keys.get("kind") or KIND_OF_CATEGORY.get(category, "company" if category else "")
        return kind, category
    return None


def suggestions(target: str, value: str, vocabulary: Vocabulary | None = None,
                limit: int = 3) -> list[tuple[str, str, float]]:
    """The closest (facet, key, score) for an unknown value, best first (token-aware: "Thérapie" suggests
    gene and cell therapy). Shown to staff, never applied by themselves."""
    return (vocabulary or load_vocabulary()).suggest(value, facets_for(target), limit=limit)


# --- Recognising an organisation already on the map -------------------------------------------------------------

