import pytest

from ecosystem.__main__ import main
from ecosystem.validation import validate
from tests.conftest import make_raw, make_row, paris_level_row


def test_the_shipped_file_is_valid(shipped_raw):
    assert [str(p) for p in validate(shipped_raw)] == []


def problems_of(*rows):
    return [(p.line, p.column, p.why) for p in validate(make_raw(*rows))]


def test_a_valid_row_has_no_problem():
    assert problems_of(make_row()) == []


@pytest.mark.parametrize("override, column, why", [
    (dict(category="laboratoire"), "category", "valeur inconnue du vocabulaire « category »"),
    (dict(modalities="cell_therapy|telepathy"), "modalities", "valeur inconnue du vocabulaire « modalities »"),
    (dict(kind="shop"), "kind", "valeur inconnue du vocabulaire « kind »"),
    (dict(commune_code="13055"), "commune_code", "code INSEE inconnu ou hors Île-de-France"),
    (dict(commune_code="9122"), "commune_code", "code INSEE inconnu ou hors Île-de-France"),
    (dict(commune_code="75056", city="Paris", postcode="", lon="2.320006", lat="48.8573"), "commune_code",
     "Paris sans arrondissement (75056) : marquer la ligne to_review, ou utiliser le code de l'arrondissement "
     "(75101 à 75120)"),
    (dict(lat="43.2965", lon="5.3698"), "lat", "point hors d'Île-de-France"),
    (dict(lat="quarante-huit"), "lat", "coordonnée non numérique"),
    (dict(website="www.example.org"), "website", "URL invalide (http:// ou https:// attendu)"),
    (dict(website="javascript:alert(1)"), "website", "URL invalide (http:// ou https:// attendu)"),
    (dict(name=""), "name", "champ obligatoire vide"),
    (dict(category=""), "category", "champ obligatoire vide"),
    (dict(updated="22/11/2026"), "updated", "date invalide (AAAA-MM-JJ attendu)"),
    (dict(updated="2026-02-30"), "updated", "date inexistante"),
    (dict(founded="vers 2010"), "founded", "année de création invalide (AAAA)"),
    (dict(workforce="~40"), "workforce", "effectif invalide (nombre entier)"),
    (dict(postcode="9100"), "postcode", "code postal invalide (5 chiffres)"),
    (dict(id="Mon Entreprise"), "id", "identifiant invalide (minuscules, chiffres et tirets uniquement)"),
    (dict(roles=""), "roles", "aucune étiquette : au moins une activité, modalité, aire thérapeutique, axe, rôle "
                              "ou cluster"),
    (dict(website="", source=""), "source", "ni site web ni source : l'origine de la ligne doit être indiquée"),
])
def test_each_kind_of_error_is_reported_with_line_column_and_reason(override, column, why):
    problems = problems_of(make_row(), make_row(**{"id": "second", "name": "Second", **override}))
    assert (3, column, why) in problems
    assert all(line == 3 for line, _, _ in problems)  # the valid first row (line 2) is not blamed


def test_unknown_tag_names_the_offending_value():
    [problem] = validate(make_raw(make_row(modalities="cell_therapy|telepathy")))
    assert problem.value == "telepathy"
    assert str(problem) == ("ligne 2, colonne modalities, valeur « telepathy » : "
                            "valeur inconnue du vocabulaire « modalities »")


def test_duplicate_id_and_duplicate_normalised_name_point_at_the_first_occurrence():
    problems = problems_of(make_row(id="a", name="Institut Curie"), make_row(id="a", name="INSTITUT  CURIE"))
    assert (3, "id", "identifiant déjà utilisé (ligne 2)") in problems
    assert (3, "name", "nom déjà utilisé (après normalisation) (ligne 2)") in problems


def test_paris_without_arrondissement_is_accepted_as_a_known_gap_anywhere_in_paris():
    assert problems_of(paris_level_row()) == []  # Paris's reference point
    assert problems_of(paris_level_row(lon="2.3920", lat="48.8460")) == []  # 12e: still Paris
    far = problems_of(paris_level_row(lon="2.4290", lat="48.6237"))  # Évry
    assert [(line, column) for line, column, _ in far] == [(2, "commune_code")]


def test_point_far_outside_its_declared_commune():
    # Villejuif's town hall declared as Évry-Courcouronnes: inside the region, ~20 km away from the commune.
    problems = validate(make_raw(make_row(lat="48.793616", lon="2.358172")))
    assert [(p.line, p.column) for p in problems] == [(2, "commune_code")]
    assert "hors de la commune déclarée" in problems[0].why


def test_point_just_across_the_border_is_tolerated_within_100_m():
    # Orsay's reference point moved 60 m: still accepted for its own commune
    row = make_row(commune_code="91471", postcode="91400", city="Orsay")
    from geo.geocoding import reference_point
    lon, lat = reference_point("91471")
    assert problems_of({**row, "lon": str(lon), "lat": str(lat + 0.0005)}) == []


def test_missing_column_is_reported_once_for_the_file():
    raw = make_raw(make_row()).drop(columns=["status"])
    assert [(p.line, p.column, p.why) for p in validate(raw)] == [(0, "status", "colonne absente du fichier")]


def test_check_command_exit_codes_and_output(tmp_path, capsys, shipped_raw):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "company" in out and "Par département" in out and "Aucun problème." in out
    broken = shipped_raw.copy()
    broken.loc[0, "category"] = "laboratoire"
    broken.loc[1, "lat"] = "abc"
    path = tmp_path / "broken.csv"
    broken.to_csv(path, index=False)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "2 problème(s)" in out
    assert "ligne 2, colonne category, valeur « laboratoire »" in out
    assert "ligne 3, colonne lat, valeur « abc » : coordonnée non numérique" in out


def test_a_new_latitude_alone_travels_with_the_longitude_it_goes_with():
    from ecosystem.corrections.form import changed_fields
    from ecosystem.corrections.validation import check_submission

    row = {"lat": "48.623745", "lon": "2.429457", "name": "Genopole"}
    proposed, current = changed_fields(row, {"lat": "48.6301", "name": "Genopole"})
    assert proposed == {"lat": "48.6301", "lon": "2.429457"} and current["lon"] == "2.429457"
    contact = {"contact_name": "Claire", "contact_email": "claire@example.org", "relation": "self"}
    assert check_submission(proposed, contact, new_entity=False, consent=True).ok


# --- the correction form reads the vocabulary's synonyms and stores keys only --------------------------------

FORM_CONTACT = {"contact_name": "Claire", "contact_email": "claire@example.org", "relation": "self"}


def test_the_correction_form_stores_keys_for_labels_and_synonyms():
    from ecosystem.corrections.validation import check_submission

    proposed = {"name": "Nouvelle Bio", "kind": "Entreprise", "category": "Start-up", "postcode": "91000",
                "city": "Évry-Courcouronnes", "website": "https://nouvelle.example",
                "modalities": "CAR-T|AAV|cell_therapy", "therapeutic_areas": "Oncologie|neuro",
                "roles": "CDMO|R&D", "activities": "Viral vectors", "axes": "Femtech", "clusters": "PSCC"}
    checked = check_submission(proposed, FORM_CONTACT, new_entity=True, consent=True)
    assert checked.ok, checked.errors
    assert {name: checked.values[name] for name in proposed if name not in ("name", "postcode", "city", "website")} \
        == {"kind": "company", "category": "startup", "modalities": "cell_therapy|gene_therapy",
            "therapeutic_areas": "oncology|neuro_psychiatry", "roles": "bioproduction_cdmo|rnd",
            "activities": "gene_rna_vectors", "axes": "womens_health", "clusters": "paris_saclay_cancer_cluster"}


def test_keys_are_stored_as_they_are():
    from ecosystem.corrections.validation import as_keys
    from ecosystem.schema import TAG_FACETS
    from ecosystem.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    for name in ("kind", "category", *TAG_FACETS):
        keys = vocabulary.keys(name)
        joined = "|".join(keys) if name in TAG_FACETS else keys[-1]
        assert as_keys(name, joined, vocabulary) == joined, name


@pytest.mark.parametrize("name, value, unknown", [
    ("modalities", "CAR-T|telepathy", "telepathy"),
    ("modalities", "Thérapie", "Thérapie"),  # gene or cell therapy: not guessed
    ("category", "Laboratoire", "Laboratoire"),
    ("kind", "Boulangerie", "Boulangerie"),
    ("roles", "CDMO|sous-traitant|magie", "sous-traitant, magie"),
])
def test_the_correction_form_still_refuses_unknown_values_with_its_message(name, value, unknown):
    from ecosystem.corrections.validation import check_submission
    from ecosystem.i18n import t

    checked = check_submission({name: value}, FORM_CONTACT, new_entity=name == "kind", consent=True)
    assert checked.errors[name] == ("err_vocabulary", {"value": unknown})
    assert name not in checked.values
    assert t("err_vocabulary", "fr", value=unknown) == f"Valeur inconnue : {unknown}."
    assert t("err_vocabulary", "en", value=unknown) == f"Unknown value: {unknown}."


def test_staff_edits_are_stored_as_keys_too():
    from ecosystem.corrections.validation import check_edits

    checked = check_edits({"modalities": "ARNm|mRNA", "category": "CRO"}, {}, new_entity=False)
    assert checked.ok and checked.values == {"modalities": "rna", "category": "cro_services"}
    assert check_edits({"modalities": "télépathie"}, {}, new_entity=False).errors == {
        "modalities": ("err_vocabulary", {"value": "télépathie"})}


def test_a_row_to_review_may_lack_its_category_and_tags_but_not_an_ok_row():
    from ecosystem.validation import validate
    from tests.conftest import make_raw, make_row

    assert validate(make_raw(make_row(status="to_review", category="", roles="", review_note="catégorie ?"))) == []
    columns = {p.column for p in validate(make_raw(make_row(category="", roles="")))}
    assert {"category", "roles"} <= columns
