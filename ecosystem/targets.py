"""What the dataset must reach before its figures are published (issue 14), measured on a raw table.

`python -m ecosystem check` prints every target with its value, and the dataset test asserts the ones marked
`required`. A target without a threshold is a figure to follow (identifiers found, rows verified).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ecosystem.loading import split_list
from ecosystem.text import normalise_text
from geo.boundaries import PARIS

# Structures the regional source documents name (seed 000), found by a word of their name.
NAMED_STRUCTURES = {"Medicen Paris Region": "medicen", "AFM-Téléthon": "afm telethon"}


@dataclass(frozen=True)
class Target:
    label: str          # in French, as staff read the check's output
    value: float        # a share (0-1) or a count
    threshold: float | None
    at_most: bool = False
    share: bool = True

    @property
    def met(self) -> bool | None:
        if self.threshold is None:
            return None
        return self.value <= self.threshold if self.at_most else self.value >= self.threshold

    def __str__(self) -> str:
        shown = f"{self.value:.0%}" if self.share else f"{self.value:g}"
        if self.threshold is None:
            return f"{self.label} : {shown}"
        goal = f"{self.threshold:.0%}" if self.share else f"{self.threshold:g}"
        return f"{self.label} : {shown} ({'≤' if self.at_most else '≥'} {goal} : {'atteint' if self.met else 'NON'})"


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def _has_tag(raw: pd.DataFrame, facet: str, key: str) -> pd.Series:
    return raw[facet].map(lambda value: key in split_list(value))


def targets(raw: pd.DataFrame) -> list[Target]:
    companies = raw[raw["kind"] == "company"]
    organisations = raw[raw["kind"].isin(["company", "institute"])]
    research_units = raw[raw["category"] == "research_unit"]
    ok = raw[raw["status"] == "ok"]
    names = raw["name"].map(normalise_text)
    return [
        Target("Lignes à vérifier (to_review)", _share(raw["status"] == "to_review"), 0.20, at_most=True),
        Target("Lignes vérifiées sur une page datée (ok avec date de vérification)",
               _share(ok["verified"].str.strip() != ""), None),
        Target("Site web des entreprises et instituts", _share(organisations["website"].str.strip() != ""), 0.85),
        Target("Activités renseignées (entreprises)", _share(companies["activities"].str.strip() != ""), 0.80),
        Target("Modalités renseignées (entreprises)", _share(companies["modalities"].str.strip() != ""), 0.60),
        Target("Lignes placées à Paris sans arrondissement", float((raw["commune_code"] == PARIS).sum()), 5,
               at_most=True, share=False),
        Target("Acteurs de la bioproduction (rôle Bioproduction / CDMO)",
               float(_has_tag(raw, "roles", "bioproduction_cdmo").sum()), 30, share=False),
        Target("Fournisseurs d'équipements et de consommables",
               float(_has_tag(raw, "roles", "equipment_consumables").sum()), None, share=False),
        *(Target(f"Structure citée par les documents régionaux : {label}",
                 float(names.str.contains(word).any()), 1, share=False)
          for label, word in NAMED_STRUCTURES.items()),
        Target("SIREN renseigné (entreprises)", _share(companies["siren"].str.strip() != ""), None),
        Target("Code d'unité ou RNSR renseigné (unités de recherche)",
               _share((research_units["unit_code"].str.strip() != "") | (research_units["rnsr"].str.strip() != "")),
               None),
    ]
