"""Commune-precision geocoding from a postcode and/or a commune name, with the official tables only.

Never guesses: a postcode shared by several communes without a name to decide is *ambiguous*, and a name that
contradicts its postcode is a *mismatch*. Both say which communes were possible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ecosystem.text import normalise_text
from geo.boundaries import PARIS, commune_table

FOUND, AMBIGUOUS, NOT_FOUND, MISMATCH = "found", "ambiguous", "not_found", "mismatch"


@dataclass(frozen=True)
class CommuneMatch:
    status: str
    code: str | None = None
    name: str | None = None
    lon: float | None = None
    lat: float | None = None
    candidates: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""

    @property
    def found(self) -> bool:
        return self.status == FOUND


def normalise_commune_name(name: str) -> str:
    words = re.sub(r"\bcedex(\s*\d+)?\b", " ", normalise_text(name)).split()
    expanded = {"st": "saint", "ste": "sainte", "s": "sur"}
    return " ".join(expanded.get(w, w) for w in words)


_PARIS = re.compile(r"^paris(?:\s+(\d{1,2})\s*(?:e|er|eme|ieme)?(?:\s+arrondissement)?)?$")
_PARIS_POSTCODE = re.compile(r"^75(0(0[1-9]|1\d|20)|116)$")


def paris_arrondissement(name: str = "", postcode: str = "") -> str | None:
    """'Paris 13e', 'Paris 13', 'paris 13eme arrondissement' or postcode 75013 -> '75113'."""
    match = _PARIS.match(normalise_text(name))
    if match and match.group(1) and 1 <= int(match.group(1)) <= 20:
        return f"751{int(match.group(1)):02d}"
    if _PARIS_POSTCODE.match(postcode or ""):
        return "75116" if postcode == "75116" else f"751{postcode[-2:]}"
    return None


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_postcode: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for row in commune_table().itertuples():
        if row.code == PARIS:
            continue  # never a match: an address in Paris resolves to its arrondissement or not at all
        for postcode in filter(None, row.postcodes.split("|")):
            by_postcode.setdefault(postcode, []).append(row.code)
        key = normalise_commune_name(row.name)
        by_name.setdefault(key, []).append(row.code)
        # "Ulis" for "Les Ulis", "Hay les Roses" for "L'Haÿ-les-Roses": the article is often dropped.
        without_article = re.sub(r"^(le|la|les|l|aux) ", "", key)
        if without_article != key:
            by_name.setdefault(without_article, []).append(row.code)
    return by_postcode, by_name


def _match(code: str, message: str = "") -> CommuneMatch:
    row = commune_table().set_index("code").loc[code]
    return CommuneMatch(FOUND, code, row["name"], float(row["ref_lon"]), float(row["ref_lat"]), (code,), message)


def _names(codes: list[str]) -> str:
    names = commune_table().set_index("code")["name"]
    return ", ".join(f"{names[c]} ({c})" for c in codes)


def find_commune(postcode: str | None = None, name: str | None = None) -> CommuneMatch:
    """Resolve a commune of Île-de-France (arrondissement in Paris) from a postcode and/or a name."""
    postcode = re.sub(r"\s+", "", str(postcode or ""))
    name = (name or "").strip()
    if re.fullmatch(r"\d{5}", name) and not postcode:
        postcode, name = name, ""
    by_postcode, by_name = _indexes()

    if normalise_text(name).startswith("paris") or postcode.startswith("75"):
        arrondissement = paris_arrondissement(name, postcode)
        if arrondissement:
            return _match(arrondissement)
        if normalise_text(name) == "paris" and not postcode:
            return CommuneMatch(AMBIGUOUS, candidates=tuple(f"751{i:02d}" for i in range(1, 21)),
                                message="Paris: arrondissement inconnu (donnez le code postal 750xx)")

    from_postcode = by_postcode.get(postcode, []) if postcode else []
    from_name = by_name.get(normalise_commune_name(name), []) if name else []

    if postcode and name:
        both = [c for c in from_postcode if c in from_name]
        if len(both) == 1:
            return _match(both[0])
        if not from_postcode and len(from_name) == 1 and from_name[0][:2] == postcode[:2]:
            # CEDEX and company postcodes are not in the official table but keep the département's digits:
            # the name decides, within that département only.
            return _match(from_name[0], f"code postal {postcode} absent de la table officielle (CEDEX ?)")
        if not from_postcode:
            return CommuneMatch(NOT_FOUND, candidates=tuple(from_name),
                                message=f"code postal {postcode} inconnu en Île-de-France")
        if from_postcode and from_name:
            return CommuneMatch(MISMATCH, candidates=tuple(from_postcode + from_name),
                                message=f"« {name} » ne correspond pas au code postal {postcode} "
                                        f"({_names(from_postcode)})")
        if from_postcode and not from_name:
            if len(from_postcode) == 1:
                return CommuneMatch(MISMATCH, candidates=tuple(from_postcode),
                                    message=f"commune « {name} » inconnue ; le code postal {postcode} "
                                            f"désigne {_names(from_postcode)}")
            return CommuneMatch(AMBIGUOUS, candidates=tuple(from_postcode),
                                message=f"commune « {name} » inconnue ; code postal {postcode} partagé par "
                                        f"{_names(from_postcode)}")
        candidates = from_name
    else:
        candidates = from_postcode or from_name

    if len(candidates) == 1:
        return _match(candidates[0])
    if len(candidates) > 1:
        what = f"code postal {postcode}" if from_postcode else f"« {name} »"
        return CommuneMatch(AMBIGUOUS, candidates=tuple(candidates),
                            message=f"{what} : plusieurs communes possibles, {_names(candidates)}")
    what = " ".join(filter(None, [postcode, name])) or "(vide)"
    return CommuneMatch(NOT_FOUND, message=f"aucune commune d'Île-de-France pour « {what} »")


def reference_point(code: str) -> tuple[float, float]:
    """(lon, lat) of the commune's reference point (its town hall when known)."""
    row = commune_table().set_index("code").loc[code]
    return float(row["ref_lon"]), float(row["ref_lat"])
