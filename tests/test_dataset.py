"""The shipped dataset: counts, coverage of the vocabulary, footprints and provenance (issue 3's acceptance)."""

import pandas as pd

from ecosystem.loading import load_entities, load_footprints, read_entities_csv
from ecosystem.schema import FOOTPRINTS_FILE, TAG_FACETS
from ecosystem.text import normalise_text
from ecosystem.validation import validate
from ecosystem.vocabulary import load_vocabulary
from geo.boundaries import commune_geometries


def test_the_shipped_dataset_is_valid_and_counts_hold():
    raw = read_entities_csv()
    assert validate(raw) == []
    counts = raw["kind"].value_counts()
    assert counts["institute"] >= 61 and counts["cluster_site"] >= 8
    # Closed, absorbed and out-of-scope companies are removed (data/removed.csv): the count is what pages
    # confirm today, not the regional inventory's 135.
    assert counts["company"] >= 110  # a floor against losing rows by accident; lowered knowingly with each removal


def test_every_point_lies_inside_its_declared_commune():
    entities = load_entities()
    communes = commune_geometries(detail=True)
    inside = [communes[code].covers(point) for code, point in zip(entities["commune_code"],
                                                                            entities.geometry)]
    assert all(inside)


def test_no_two_entities_share_a_point():
    entities = load_entities()
    assert not entities[["lat", "lon"]].duplicated().any()


def test_every_row_has_provenance_category_and_a_tag():
    raw = read_entities_csv()
    assert ((raw["website"] != "") | (raw["source"] != "")).all()
    assert (raw["category"] != "").all()
    assert raw[list(TAG_FACETS)].apply(lambda row: any(row.str.strip() != ""), axis=1).all()
    assert (raw.loc[raw["status"] == "to_review", "review_note"] != "").all()  # the reason is always given


def test_names_are_unique_once_normalised():
    names = read_entities_csv()["name"].map(normalise_text)
    assert not names.duplicated().any()


def test_every_cluster_site_has_a_footprint_around_its_point():
    entities = load_entities()
    footprints = load_footprints(entities)
    sites = entities[entities["kind"] == "cluster_site"]
    assert set(footprints["id"]) == set(sites["id"])
    assert set(pd.read_csv(FOOTPRINTS_FILE)["id"]) <= set(entities["id"])
    for site, disc in zip(footprints["id"], footprints.geometry):
        assert disc.contains(sites.set_index("id").geometry[site])


def test_well_known_places_are_covered():
    entities = load_entities()
    communes = set(entities["commune_code"])
    # Évry-Courcouronnes, Corbeil-Essonnes, Gif-sur-Yvette, Orsay, Les Ulis, Villejuif, Romainville, Créteil,
    # Fontenay-aux-Roses, Vitry-sur-Seine, and Paris 13e / 15e.
    for code in ("91228", "91174", "91272", "91471", "91692", "94076", "93063", "94028", "92032", "94081",
                 "75113", "75115"):
        assert code in communes, code


def test_every_vocabulary_key_used_in_the_data_has_both_labels():
    vocabulary = load_vocabulary()
    entities = load_entities()
    for facet in TAG_FACETS:
        for key in set(entities[facet].explode().dropna()):
            assert vocabulary.label(facet, key, "fr") != key or key in ("other",)
            assert vocabulary.label(facet, key, "en")


def test_the_publication_targets_are_measured_on_the_shipped_file(shipped_raw):
    from ecosystem.targets import targets

    figures = {target.label: target for target in targets(shipped_raw)}
    assert len(figures) >= 10
    assert all(0 <= t.value <= (1 if t.share else len(shipped_raw)) for t in figures.values())
    to_review = figures["Lignes à vérifier (to_review)"]
    assert to_review.value == (shipped_raw["status"] == "to_review").mean() and to_review.at_most


def test_the_removal_log_explains_every_removal_with_a_page(shipped_raw):
    import re

    import pandas as pd

    removed = pd.read_csv("data/removed.csv", dtype=str, keep_default_na=False)
    assert list(removed.columns) == ["id", "name", "date", "reason", "evidence", "removed_on"]
    assert removed["id"].is_unique and not set(removed["id"]) & set(shipped_raw["id"])
    assert (removed["reason"].str.len() > 20).all()
    assert all(re.match(r"https?://", url) for urls in removed["evidence"] for url in urls.split("|"))
    assert all(re.fullmatch(r"(\d{4}(-\d\d){0,2})?", date) for date in removed["date"])
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", date) for date in removed["removed_on"])
