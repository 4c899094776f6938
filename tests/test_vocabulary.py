from ecosystem.i18n import LANGUAGES, messages
from ecosystem.schema import CODED_COLUMNS, TAG_FACETS
from ecosystem.vocabulary import load_vocabulary


def test_every_coded_column_and_facet_has_a_vocabulary_section():
    vocabulary = load_vocabulary()
    for facet in CODED_COLUMNS + TAG_FACETS:
        assert facet in vocabulary and vocabulary.keys(facet)


def test_every_key_has_a_label_in_both_languages():
    for facet, entries in load_vocabulary().sections.items():
        for key, labels in entries.items():
            assert set(labels) == set(LANGUAGES), (facet, key)
            assert all(labels[lang].strip() for lang in LANGUAGES), (facet, key)


def test_the_seven_activities_and_five_axes_of_the_regional_strategy():
    vocabulary = load_vocabulary()
    assert len(vocabulary.keys("activities")) == 7
    assert list(vocabulary.labels("axes").values()) == [
        "Bioproduction", "Innovation chirurgicale", "Oncologie", "Neurologie", "Santé des femmes"]


def test_every_message_exists_in_both_languages():
    for key, texts in messages().items():
        assert set(texts) == set(LANGUAGES) and all(texts.values()), key
