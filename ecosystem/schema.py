"""Columns of data/entities.csv, and which of them are vocabulary-bound, multi-valued or required."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SEED_FILE = DATA_DIR / "entities.csv"
FOOTPRINTS_FILE = DATA_DIR / "cluster_footprints.csv"


def entities_file() -> Path:
    """The seed file, or the one named by ENTITIES_FILE (the benchmark, a staging instance)."""
    return Path(os.environ.get("ENTITIES_FILE", SEED_FILE))

COLUMNS = (
    "id", "name", "kind", "category",
    "address", "postcode", "city", "commune_code", "lat", "lon", "geo_precision",
    "website", "siren", "unit_code", "rnsr",
    "activities", "modalities", "therapeutic_areas", "axes", "roles", "clusters",
    "founded", "workforce", "description_fr", "description_en",
    "source", "updated", "verified", "status", "review_note",
)
LIST_SEPARATOR = "|"

# Multi-valued tag columns, each bound to the vocabulary section of the same name: the facets of the filters.
TAG_FACETS = ("activities", "modalities", "therapeutic_areas", "axes", "roles", "clusters")
# Single-valued columns bound to a vocabulary section of the same name.
CODED_COLUMNS = ("kind", "category", "geo_precision", "status")
# Facets offered by the filters, in display order ("dep" is derived from commune_code).
FILTER_FACETS = ("kind", "category", "activities", "therapeutic_areas", "axes", "modalities", "roles", "clusters",
                 "dep")

REQUIRED = ("id", "name", "kind", "category", "commune_code", "lat", "lon", "geo_precision", "updated", "status")
URL_COLUMNS = ("website", "source")
TEXT_COLUMNS = ("name", "address", "city", "description_fr", "description_en", "review_note")
