"""Numbers, dates and plural forms as each language writes them (Babel, CLDR), and the message catalogue's shape.

French: 0 and 1 take the singular ("0 acteur affiché"), thousands are grouped with a narrow no-break space (U+202F)
and decimals follow a comma; English: only 1 is singular, a comma groups thousands and a point marks decimals.
"""

import datetime as dt
import string

import pytest

from ecosystem.i18n import LANGUAGES, date_text, messages, number, percent, plural_category, t

NNBSP = "\u202f"  # narrow no-break space: French thousands separator (CLDR)


# --- plural forms, on real catalogue keys ------------------------------------------------------------------------

@pytest.mark.parametrize("count", [0, 1])
def test_french_zero_and_one_are_singular(count):
    assert t("shown_count", "fr", count=count, total=253) == f"{count} acteur affiché sur 253"
    assert t("to_review_line", "fr", count=count) == f"{count} fiche est marquée « à vérifier »."


@pytest.mark.parametrize("count, shown", [(2, "2"), (253, "253"), (1285, f"1{NNBSP}285")])
def test_french_two_and_more_are_plural(count, shown):
    assert t("shown_count", "fr", count=count, total=1285) == f"{shown} acteurs affichés sur 1{NNBSP}285"
    assert t("to_review_line", "fr", count=count) == f"{shown} fiches sont marquées « à vérifier »."


def test_english_only_one_is_singular():
    assert t("to_review_line", "en", count=1) == "1 entry is marked “to be checked”."
    assert t("to_review_line", "en", count=0) == "0 entries are marked “to be checked”."
    assert t("to_review_line", "en", count=2) == "2 entries are marked “to be checked”."
    assert t("to_review_line", "en", count=1285) == "1,285 entries are marked “to be checked”."
    assert t("shown_count", "en", count=1285, total=20000) == "1,285 of 20,000 players shown"


def test_the_rule_itself_french_and_english():
    assert [plural_category(n, "fr") for n in (0, 1, 2, 1.5)] == ["one", "one", "other", "one"]
    assert [plural_category(n, "en") for n in (0, 1, 2, 1.5)] == ["other", "one", "other", "other"]


def test_a_count_that_is_not_a_number_leaves_the_general_form():
    # bool is no count (True would otherwise be 1); a text count is inserted as it is.
    assert t("to_review_line", "fr", count="1") == "1 fiches sont marquées « à vérifier »."


def test_an_unknown_language_falls_back_to_french():
    assert t("shown_count", "de", count=1, total=2) == "1 acteur affiché sur 2"


# --- numbers, percentages, dates --------------------------------------------------------------------------------

def test_french_numbers():
    assert number(1285, "fr") == f"1{NNBSP}285"
    assert number(1285000, "fr") == f"1{NNBSP}285{NNBSP}000"
    assert number(5, "fr", decimals=1) == "5,0"
    assert number(2.5, "fr") == "2,5"
    assert number(3.7, "fr", decimals=0) == "4"
    assert number(999, "fr") == "999"


def test_english_numbers():
    assert number(1285, "en") == "1,285"
    assert number(5, "en", decimals=1) == "5.0"
    assert number(2.5, "en") == "2.5"
    assert number(1285.25, "en", decimals=1) == "1,285.2"  # half to even, as Babel rounds


def test_numbers_given_to_t_are_written_in_the_language():
    assert t("proximity_result", "fr", count=1285, km=number(5, "fr", decimals=1), name="X").startswith(
        f"1{NNBSP}285")
    assert "5,0" in t("proximity_result", "fr", count=2, km=number(5, "fr", decimals=1), name="X")
    assert "5.0" in t("proximity_result", "en", count=2, km=number(5, "en", decimals=1), name="X")


def test_percentages():
    assert percent(0.87, "fr") == "87\u00a0%"
    assert percent(0.87, "en") == "87%"


def test_dates():
    assert date_text("2026-11-30", "fr") == "30 novembre 2026"
    assert date_text("2026-11-30", "en") == "30 November 2026"
    assert date_text(dt.date(2026, 1, 1), "fr") == "1 janvier 2026"
    assert date_text(dt.datetime(2026, 3, 5, 14, 30), "en") == "5 March 2026"
    assert date_text("2026-11-30T10:59:21+00:00", "fr") == "30 novembre 2026"
    assert date_text(None) == date_text("") == date_text(float("nan")) == ""
    assert date_text("pas une date") == "pas une date"


# --- the catalogue ------------------------------------------------------------------------------------------------

def test_every_message_has_french_and_english_text():
    for key, texts in messages().items():
        assert set(texts) == set(LANGUAGES), key
        assert all(isinstance(text, str) and text.strip() for text in texts.values()), key


def test_every_plural_form_has_its_general_message():
    forms = [key for key in messages() if key.rsplit("_", 1)[-1] in ("zero", "one", "two", "few", "many")]
    assert "shown_count_one" in forms
    for key in forms:
        assert key.rsplit("_", 1)[0] in messages(), f"{key} without its general form"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_french_and_english_of_a_message_take_the_same_values():
    for key, texts in messages().items():
        assert placeholders(texts["fr"]) == placeholders(texts["en"]), key


def test_a_plural_form_takes_the_same_values_as_its_general_message():
    catalogue = messages()
    for key in catalogue:
        general, _, category = key.rpartition("_")
        if category == "one" and general in catalogue:
            for lang in LANGUAGES:
                assert placeholders(catalogue[key][lang]) == placeholders(catalogue[general][lang]), key
                assert "count" in placeholders(catalogue[general][lang]), f"{general}: a plural without {{count}}"


def test_every_message_formats_in_both_languages():
    """No stray brace: each message formats with a value for each of its placeholders."""
    for key, texts in messages().items():
        for lang, text in texts.items():
            text.format(**{name: 1 for name in placeholders(text)})
