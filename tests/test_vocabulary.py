import pytest

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


@pytest.mark.parametrize("facet, written, key", [
    ("kind", "Société", "company"), ("kind", "start-ups", "company"), ("kind", "PME", "company"),
    ("kind", "Laboratoires pharmaceutiques", "company"), ("kind", "Biotech", "company"),
    ("kind", "UMR", "institute"), ("kind", "Laboratoire", "institute"), ("kind", "Université", "institute"),
    ("kind", "Hôpitaux", "institute"), ("kind", "CHU", "institute"), ("kind", "Fondation de recherche", "institute"),
    ("kind", "Research lab", "institute"), ("kind", "Bioparc", "cluster_site"), ("kind", "Pépinière", "cluster_site"),
    ("kind", "Technopôle", "cluster_site"), ("kind", "Pôle", "cluster_site"), ("kind", "Incubator", "cluster_site"),
    ("category", "Startup", "startup"), ("category", "TPE/PME", "sme"), ("category", "CMO", "cdmo"),
    ("category", "Façonnier", "cdmo"), ("category", "CRO", "cro_services"), ("category", "UMR", "research_unit"),
    ("category", "CHU", "hospital_research"), ("category", "Institut hospitalo-universitaire", "ihu"),
    ("category", "Science park", "science_park"),
    ("activities", "Génomique", "dna_rna"), ("activities", "bioprocédés", "bioprocess_techniques"),
    ("activities", "Viral vectors", "gene_rna_vectors"), ("activities", "bioinformatique", "bioinformatics"),
    ("axes", "Neuro", "neurology"), ("axes", "cancer", "oncology"), ("axes", "FemTech", "womens_health"),
    ("axes", "Surgery", "surgical_innovation"),
    ("therapeutic_areas", "neuro", "neuro_psychiatry"), ("therapeutic_areas", "Psychiatry", "neuro_psychiatry"),
    ("therapeutic_areas", "onco", "oncology"), ("therapeutic_areas", "Maladies rares", "rare_genetic"),
    ("therapeutic_areas", "rare diseases", "rare_genetic"), ("therapeutic_areas", "Infectiologie", "infectious_vaccines"),
    ("therapeutic_areas", "Cardiology", "cardio_metabolic"), ("therapeutic_areas", "hémato", "haematology"),
    ("modalities", "AAV", "gene_therapy"), ("modalities", "Lentivirus", "gene_therapy"),
    ("modalities", "vecteurs viraux", "gene_therapy"), ("modalities", "Gene therapies", "gene_therapy"),
    ("modalities", "CAR-T", "cell_therapy"), ("modalities", "car t", "cell_therapy"),
    ("modalities", "Cellules CAR-T", "cell_therapy"), ("modalities", "ARNm", "rna"), ("modalities", "mRNA", "rna"),
    ("modalities", "siRNA", "rna"), ("modalities", "Oligonucléotides", "rna"),
    ("modalities", "Anticorps monoclonaux", "antibodies"), ("modalities", "mAbs", "antibodies"),
    ("modalities", "Bispécifiques", "antibodies"), ("modalities", "ADC", "antibodies"),
    ("modalities", "Exosomes", "extracellular_vesicles"), ("modalities", "bactériophages", "phages"),
    ("modalities", "Microbiote", "microbiome"),
    ("roles", "CDMO", "bioproduction_cdmo"), ("roles", "CMO", "bioproduction_cdmo"),
    ("roles", "façonnier", "bioproduction_cdmo"), ("roles", "CRO", "services_cro"), ("roles", "Prestataire", "services_cro"),
    ("roles", "Fournisseur", "equipment_consumables"), ("roles", "Équipementier", "equipment_consumables"),
    ("roles", "IA", "bioinformatics_ai"), ("roles", "Artificial intelligence", "bioinformatics_ai"),
    ("roles", "Recherche clinique", "care_clinical_research"), ("roles", "Recherche et développement", "rnd"),
    ("roles", "Incubateur", "support_incubation"),
    ("clusters", "PSCC", "paris_saclay_cancer_cluster"), ("clusters", "Genopole Évry", "genopole"),
    ("clusters", "Genopole Evry", "genopole"), ("clusters", "Brain and Mind", "brain_and_mind"),
    ("clusters", "PariSanté Campus", "paris_sante_campus"), ("clusters", "Medicen", "medicen"),
])
def test_synonyms_find_their_key_in_either_language(facet, written, key):
    assert load_vocabulary().find(facet, written) == key


@pytest.mark.parametrize("facet, written", [
    ("modalities", "Thérapie"),  # gene or cell therapy: a suggestion for staff, never a synonym
    ("modalities", "Biothérapies"),
    ("therapeutic_areas", "Maladies"),
    ("category", "Laboratoire"),  # a research unit, a platform, a company's lab…
    ("roles", "Sous-traitant"),  # production (CDMO) or research (CRO)
    ("category", "Cluster"),  # a biocluster or a competitiveness cluster
])
def test_ambiguous_words_are_not_synonyms(facet, written):
    assert load_vocabulary().find(facet, written) is None


def test_every_facet_people_write_differently_has_synonyms():
    vocabulary = load_vocabulary()
    for facet in ("kind", "category", *TAG_FACETS):
        assert sum(len(vocabulary.aliases(facet, key)) for key in vocabulary.keys(facet)) >= 20, facet


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
