import pandas as pd
import pytest

from ecosystem.filters import Filters, filter_entities
from ecosystem.loading import to_geodataframe
from ecosystem.stats import commune_counts, departement_counts, facet_counts, kind_counts
from tests.conftest import make_raw, make_row


def ids(frame):
    return sorted(frame["id"])


def test_no_filter_keeps_everything(sample_entities):
    assert Filters().is_empty
    assert len(filter_entities(sample_entities, Filters())) == 5


def test_or_within_a_facet(sample_entities):
    filters = Filters(modalities=("antibodies", "cell_therapy"))
    assert ids(filter_entities(sample_entities, filters)) == ["alpha", "beta"]


def test_and_across_facets(sample_entities):
    filters = Filters(therapeutic_areas=("oncology",), roles=("bioproduction_cdmo",))
    assert ids(filter_entities(sample_entities, filters)) == ["beta"]


def test_kind_and_departement(sample_entities):
    assert ids(filter_entities(sample_entities, Filters(kind=("institute",)))) == ["gamma"]
    assert ids(filter_entities(sample_entities, Filters(dep=("94", "75")))) == ["beta", "gamma"]


def test_text_search_ignores_accents_and_case_and_reads_descriptions(sample_entities):
    assert ids(filter_entities(sample_entities, Filters(text="beta"))) == ["beta"]
    assert ids(filter_entities(sample_entities, Filters(text="THERAPIES alpha"))) == ["alpha"]
    assert ids(filter_entities(sample_entities, Filters(text="car-t evry"))) == ["alpha"]
    assert ids(filter_entities(sample_entities, Filters(text="brain"))) == ["gamma"]
    assert ids(filter_entities(sample_entities, Filters(text="brain alpha"))) == []


@pytest.mark.parametrize("query, expected", [
    ("AAV", ["delta"]),  # a synonym of gene therapy (modality) and of gene vectors (activity)
    ("vecteurs viraux", ["delta"]),
    ("thérapie génique", ["delta"]),
    ("Gene therapy", ["delta"]),  # the English label
    ("CAR-T", ["alpha"]),
    ("cellules CAR-T", ["alpha"]),  # a synonym of several words, though the description does not have it
    ("CDMO", ["beta", "delta"]),  # the bioproduction / CDMO role
    ("façonnier", ["beta", "delta"]),
    ("Antibodies", ["beta"]),
    ("mAbs", ["beta"]),
    ("psychiatrie", ["gamma"]),
    ("neuro", ["gamma"]),
    ("onco", ["alpha", "beta"]),
    ("cancer béta", ["beta"]),  # a synonym and a word of the name, both required
    ("start-up", ["alpha", "beta", "delta"]),  # the category
    ("Genopole Évry", ["epsilon"]),  # a cluster's synonym, though the text has no "evry"
    ("incubateur", ["epsilon"]),
])
def test_text_search_finds_players_by_the_written_forms_of_their_tags(sample_entities, query, expected):
    assert ids(filter_entities(sample_entities, Filters(text=query))) == expected


@pytest.mark.parametrize("query, expected", [
    ("thérapie", ["alpha"]),  # a word of two labels is no synonym: only the text that has it
    ("AAV alpha", []),
    ("mRNA", []),
    ("PSCC", []),
    ("cardio", []),
    ("Laboratoire", []),  # a synonym of the kind only, which the search leaves out
])
def test_text_search_does_not_find_players_by_unrelated_words(sample_entities, query, expected):
    assert ids(filter_entities(sample_entities, Filters(text=query))) == expected


def test_car_t_finds_cell_therapy_not_cardiometabolic_players():
    frame = to_geodataframe(make_raw(
        make_row(id="cardio", name="Cœur", therapeutic_areas="cardio_metabolic", modalities="recombinant_proteins"),
        make_row(id="cells", name="Cellules", modalities="cell_therapy"),
        make_row(id="messenger", name="Messager", modalities="rna")))
    assert ids(filter_entities(frame, Filters(text="CAR-T"))) == ["cells"]
    assert ids(filter_entities(frame, Filters(text="car t"))) == ["cells"]
    assert ids(filter_entities(frame, Filters(text="ARNm"))) == ["messenger"]
    assert ids(filter_entities(frame, Filters(text="mRNA"))) == ["messenger"]
    assert ids(filter_entities(frame, Filters(text="cardiology"))) == ["cardio"]


def test_query_units_keep_a_written_form_of_several_words_together():
    from ecosystem.filters import query_units

    units = query_units("Cellules CAR-T à Évry, maladies rares")
    assert [words for words, _ in units] == [("cellules", "car", "t"), ("a",), ("evry",), ("maladies", "rares")]
    assert units[0][1] == {("modalities", "cell_therapy")} and units[1][1] == units[2][1] == set()
    assert units[3][1] == {("therapeutic_areas", "rare_genetic")}


def test_the_searchable_text_is_built_at_load_not_at_each_search(sample_entities, monkeypatch):
    import ecosystem.filters as filters

    def rebuilt(_):
        raise AssertionError("the search text was rebuilt during a search")

    monkeypatch.setattr(filters, "add_search_text", rebuilt)
    assert ids(filter_entities(sample_entities, Filters(text="AAV"))) == ["delta"]


def test_skip_leaves_one_facet_out(sample_entities):
    filters = Filters(kind=("institute",), modalities=("antibodies",))
    assert ids(filter_entities(sample_entities, filters)) == []
    assert ids(filter_entities(sample_entities, filters, skip="kind")) == ["beta"]


def test_multi_tag_entity_counts_once_under_each_tag(sample_entities):
    counts = facet_counts(sample_entities, "therapeutic_areas").set_index("key")["count"]
    assert counts["oncology"] == 2 and counts["haematology"] == 1 and counts["neuro_psychiatry"] == 1
    assert counts["ophthalmology"] == 0  # every vocabulary key is listed
    assert counts.sum() == 4 > len(sample_entities[sample_entities["therapeutic_areas"].map(len) > 0])


def test_facet_counts_labels_follow_the_language(sample_entities):
    fr = facet_counts(sample_entities, "modalities", lang="fr").set_index("key")["label"]
    en = facet_counts(sample_entities, "modalities", lang="en").set_index("key")["label"]
    assert fr["gene_therapy"] == "Thérapie génique" and en["gene_therapy"] == "Gene therapy"


def test_counts_by_kind_departement_and_commune(sample_entities):
    assert kind_counts(sample_entities) == {"company": 3, "institute": 1, "cluster_site": 1}
    by_dep = departement_counts(sample_entities).set_index("key")["count"]
    assert by_dep.to_dict() == {"75": 1, "77": 0, "78": 0, "91": 3, "92": 0, "93": 0, "94": 1, "95": 0}
    by_commune = commune_counts(sample_entities)
    assert by_commune.iloc[0].to_dict() == {"key": "91228", "label": "Évry-Courcouronnes", "count": 3}
    assert by_commune["count"].sum() == 5


def test_counts_of_an_empty_selection_are_zero(sample_entities):
    empty = filter_entities(sample_entities, Filters(text="nothing matches this"))
    assert facet_counts(empty, "axes")["count"].sum() == 0
    assert departement_counts(empty)["count"].sum() == 0
    assert commune_counts(empty).empty


def test_facet_selections_leave_out_only_their_own_facet(sample_entities):
    from ecosystem.filters import facet_selections

    filters = Filters(kind=("company",), therapeutic_areas=("oncology",), text="b")
    selections = facet_selections(sample_entities, filters)
    for facet, rows in selections.items():
        assert ids(rows) == ids(filter_entities(sample_entities, filters, skip=facet)), facet
    assert ids(selections["kind"]) == ["beta"] and ids(selections["text" if False else "dep"]) == ["beta"]


def test_crosstab_counts_each_pair_of_tags(sample_entities):
    from ecosystem.stats import crosstab

    table = crosstab(sample_entities, "therapeutic_areas", "modalities")
    cells = table.set_index(["row_key", "column_key"])["count"]
    assert cells[("oncology", "cell_therapy")] == 1 and cells[("haematology", "cell_therapy")] == 1
    assert cells[("oncology", "antibodies")] == 1 and cells[("neuro_psychiatry", "antibodies")] == 0
    assert cells.sum() == 3
    assert len(table) == 11 * 10  # every pair of the vocabulary, zero included
    by_dep = crosstab(sample_entities, "kind", "dep").set_index(["row_key", "column_key"])["count"]
    assert by_dep[("company", "91")] == 2 and by_dep[("institute", "75")] == 1 and by_dep.sum() == 5
    assert table.loc[0, "row_label"] == "Oncologie"


def test_lists_are_in_reading_order():
    from ecosystem.selection import by_name, ids_by_name

    names = ["ART-TG", "Éclair Bio", "AMMICa", "abc", "Abivax"]
    frame = pd.DataFrame({"name": names, "id": [f"i{n}" for n in range(5)]})
    assert list(by_name(frame)["name"]) == ["abc", "Abivax", "AMMICa", "ART-TG", "Éclair Bio"]
    assert ids_by_name(dict(zip(frame["id"], names))) == ["i3", "i4", "i2", "i0", "i1"]
