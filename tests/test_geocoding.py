import pytest

from geo.geocoding import AMBIGUOUS, FOUND, MISMATCH, NOT_FOUND, find_commune, paris_arrondissement


@pytest.mark.parametrize("query, code", [
    (dict(name="Évry-Courcouronnes"), "91228"),
    (dict(name="evry courcouronnes"), "91228"),
    (dict(name="EVRY-COURCOURONNES CEDEX", postcode="91057"), "91228"),  # CEDEX: not an official postcode
    (dict(postcode="91080"), "91228"),  # Courcouronnes' former postcode
    (dict(postcode="97400", name="Saint-Denis"), None),  # Réunion's Saint-Denis is not Seine-Saint-Denis' one
    (dict(postcode="93210", name="Saint-Denis"), "93066"),
    (dict(name="St-Germain-en-Laye"), "78551"),
    (dict(name="Saint Germain en Laye"), "78551"),
    (dict(name="Fontenay aux Roses"), "92032"),
    (dict(name="Les Ulis"), "91692"),
    (dict(name="Ulis"), "91692"),
    (dict(name="L'Haÿ-les-Roses"), "94038"),
    (dict(name="Lhay les roses"), None),  # no invented spelling match
    (dict(postcode="91190", name="Gif-sur-Yvette"), "91272"),
    (dict(postcode="91190", name="gif s/ yvette"), "91272"),  # "s/" is the usual abbreviation of "sur"
])
def test_names_are_matched_despite_accents_hyphens_case_and_saint(query, code):
    match = find_commune(**query)
    assert (match.code if match.found else None) == code


@pytest.mark.parametrize("name, postcode", [
    ("Paris 13e", ""), ("Paris 13", ""), ("paris 13ème arrondissement", ""), ("75013", ""), ("Paris", "75013"),
    ("", "75013"),
])
def test_paris_arrondissements_in_every_usual_spelling(name, postcode):
    match = find_commune(postcode=postcode, name=name)
    assert match.status == FOUND and match.code == "75113" and match.name == "Paris 13e"


def test_paris_16_has_two_postcodes():
    assert paris_arrondissement(postcode="75116") == paris_arrondissement(postcode="75016") == "75116"


def test_a_shared_postcode_alone_is_ambiguous_and_lists_the_communes():
    match = find_commune(postcode="91190")
    assert match.status == AMBIGUOUS and match.code is None
    assert set(match.candidates) == {"91272", "91538", "91679"}
    assert "Gif-sur-Yvette" in match.message


def test_paris_without_arrondissement_is_ambiguous():
    match = find_commune(name="Paris")
    assert match.status == AMBIGUOUS and len(match.candidates) == 20


def test_paris_as_a_whole_is_never_the_answer_of_an_address():
    # 75056 is in the commune table for rows placed on purpose at Paris level; no address resolves to it.
    for postcode, name in (("", "Paris"), ("75700", "Paris"), ("75999", "Paris Cedex"), ("", "Paris Cedex 07")):
        assert find_commune(postcode=postcode, name=name).code != "75056"


def test_a_name_contradicting_its_postcode_is_a_mismatch_not_a_guess():
    match = find_commune(postcode="91190", name="Orsay")
    assert match.status == MISMATCH and match.code is None
    assert "91190" in match.message


def test_outside_the_region_is_not_found():
    assert find_commune(name="Marseille").status == NOT_FOUND
    assert find_commune(postcode="13001").status == NOT_FOUND


def test_found_commune_carries_its_reference_point():
    match = find_commune(name="Villejuif")
    assert match.lon == pytest.approx(2.358, abs=0.01) and match.lat == pytest.approx(48.794, abs=0.01)
