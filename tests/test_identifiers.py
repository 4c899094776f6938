"""Official identifiers: SIREN (Luhn), research unit codes, RNSR numbers; the data check applies them."""

import pytest

from ecosystem.identifiers import rnsr_problem, siren_of, siren_problem, unit_code_problem
from ecosystem.validation import validate
from tests.conftest import make_raw, make_row


def test_siren_needs_nine_digits_and_its_check_digit():
    assert siren_problem("552032534") is None  # a real SIREN (Danone SA)
    assert siren_problem("552 032 534") is None
    assert "contrôle" in siren_problem("552032535")
    assert "9 chiffres" in siren_problem("55203253")
    assert "9 chiffres" in siren_problem("55203253A")


def test_a_siret_or_a_spaced_siren_gives_its_nine_digits():
    assert siren_of("552 032 534 00013") == "552032534"
    assert siren_of("552.032.534") == "552032534"
    assert siren_of("") == ""
    assert siren_of("n/a") is None and siren_of("552032535") is None


@pytest.mark.parametrize("code", ["UMR 8113", "UMR-S 1138", "UMRS1138", "U1016", "UAR 3655", "UMS 3612",
                                  "UPR 2301", "UR 7537", "ERL 9195", "EA 4340"])
def test_unit_codes_as_tutelles_write_them(code):
    assert unit_code_problem(code) is None


def test_what_is_not_a_unit_code_or_an_rnsr_number():
    assert unit_code_problem("Laboratoire 12")
    assert rnsr_problem("200818260Y") is None
    assert rnsr_problem("20081826Y") and rnsr_problem("2008182601")


def test_the_data_check_refuses_malformed_identifiers_and_a_verification_date_to_come():
    raw = make_raw(make_row(siren="552032535", unit_code="Labo", rnsr="x", verified="2999-01-01"))
    columns = {problem.column for problem in validate(raw)}
    assert {"siren", "unit_code", "rnsr", "verified"} <= columns
    assert validate(make_raw(make_row(siren="552032534", unit_code="UMR 8113", rnsr="200818260Y",
                                      verified="2026-11-30"))) == []
