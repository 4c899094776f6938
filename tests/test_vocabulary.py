from ecosystem.i18n import LANGUAGES, messages
from ecosystem.schema import CODED_COLUMNS, TAG_FACETS
from ecosystem.vocabulary import load_vocabulary


def test_every_coded_column_and_facet_has_a_vocabulary_section():
    vocabulary = load_vocabulary()
    for facet in CODED_COLUMNS + TAG_FACETS:
        assert facet in vocabulary and vocabulary.keys(facet)


def test_every_key_has_a_label_in_both_languages_and_synonyms_as_a_list():
    for facet, entries in load_vocabulary().sections.items():
        for key, entry in entries.items():
            assert set(entry) - {"aliases"} == set(LANGUAGES), (facet, key)
            assert all(entry[lang].strip() for lang in LANGUAGES), (facet, key)
            assert all(isinstance(a, str) and a.strip() for a in entry.get("aliases", [])), (facet, key)


def test_no_written_form_names_two_keys_of_one_facet():
    vocabulary = load_vocabulary()
    for facet in vocabulary.sections:
        seen = {}
        for key in vocabulary.keys(facet):
            for form in vocabulary.terms(facet, key):
                assert seen.setdefault(form, key) == key, (facet, form, seen[form], key)


def test_labels_synonyms_and_plurals_find_their_key_in_any_case_or_language():
    vocabulary = load_vocabulary()
    assert vocabulary.find("modalities", "THÉRAPIES GÉNIQUES") == "gene_therapy"
    assert vocabulary.find("modalities", "gene therapy") == "gene_therapy"
    assert vocabulary.find("therapeutic_areas", "nope") is None
    assert vocabulary.find_anywhere("Oncologie", TAG_FACETS) == [("therapeutic_areas", "oncology"),
                                                                 ("axes", "oncology")]


def test_suggestions_are_token_aware():
    vocabulary = load_vocabulary()
    first_word = {key for _, key, _ in vocabulary.suggest("Thérapie", ["modalities"])}
    assert {"gene_therapy", "cell_therapy"} <= first_word
    assert vocabulary.suggest("maladies rares", TAG_FACETS)[0][:2] == ("therapeutic_areas", "rare_genetic")
    assert vocabulary.suggest("oncologie pédiatrique", ["therapeutic_areas"])[0][1] == "oncology"
    assert vocabulary.suggest("zzzz", TAG_FACETS) == []


def test_the_seven_activities_and_five_axes_of_the_regional_strategy():
    vocabulary = load_vocabulary()
    assert len(vocabulary.keys("activities")) == 7
    assert list(vocabulary.labels("axes").values()) == [
        "Bioproduction", "Innovation chirurgicale", "Oncologie", "Neurologie", "Santé des femmes"]


def test_every_message_exists_in_both_languages():
    for key, texts in messages().items():
        assert set(texts) == set(LANGUAGES) and all(texts.values()), key
