"""Official identifiers of organisations, as registries write them: checks of their form, never a look-up.

- SIREN: the company's 9-digit number in the INSEE Sirene register; its last digit is a Luhn check digit
  (La Poste's group is the known exception: 356 000 000 and the SIRENs of its establishments pass by the sum of
  digits being a multiple of 5; none is in this map's scope, so the exception is not accepted).
- Research unit code: as the unit's tutelles write it: UMR 8113, UMR-S 1138, UMRS1138, U1016, UAR 3655,
  UMS 3612, UPR 2301, UR 7537, ERL 9195, EA 4340, FRE 2027, USR 3756, a federation FR 3209 or FRC 550…
- RNSR: the Répertoire national des structures de recherche's number, 9 digits and a letter (e.g. 200818260Y).
"""

from __future__ import annotations

import re

UNIT_CODE = re.compile(r"^(UMR|UMR[ -]?S|UAR|UMS|UPR|USR|UR|U|ERL|EA|FRE|UMR[ -]?T|IFR|CIC|SFR|FR|FRC)[ -]?\d{1,4}$")
RNSR = re.compile(r"^\d{9}[A-Z]$")


def siren_problem(value: str) -> str | None:
    """Why `value` is not a SIREN (9 digits, Luhn check digit), or None."""
    digits = value.replace(" ", "")
    if not re.fullmatch(r"\d{9}", digits):
        return "SIREN invalide (9 chiffres attendus)"
    if not luhn_valid(digits):
        return "SIREN invalide (chiffre de contrôle incorrect)"
    return None


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        number = int(digit) * (2 if position % 2 else 1)
        total += number - 9 if number > 9 else number
    return total % 10 == 0


def siren_of(value: str) -> str | None:
    """The SIREN a cell gives: its 9 digits, or a SIRET's first 9 (spaces, dots and dashes ignored); "" for an
    empty cell; None when the cell is neither (or fails the SIREN's check digit)."""
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not digits:
        return ""
    if not re.fullmatch(r"\d{9}|\d{14}", digits):
        return None
    return digits[:9] if luhn_valid(digits[:9]) else None


def unit_code_problem(value: str) -> str | None:
    if not UNIT_CODE.match(value.strip().upper()):
        return "code d'unité invalide (UMR 8113, U1016, UAR 3655… attendu)"
    return None


def rnsr_problem(value: str) -> str | None:
    if not RNSR.match(value.strip().upper()):
        return "numéro RNSR invalide (9 chiffres et une lettre attendus)"
    return None
