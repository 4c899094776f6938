"""Recognising, in a staff file, the organisations already on the map, so that none is ever created twice.

Certain: the same identifier; the same SIREN (when the live data has a `siren` column and both sides have one); the
same name once accents, case, punctuation and legal forms are left out ("Cellectis SA", "CELLECTIS"). Uncertain,
for staff to confirm (update that entry) or reject (create a new one): the same name but different SIRENs, a
name close to a map entry's (RapidFuzz score between `SIMILAR` and 100), or the same website domain under another
name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz, process

from ecosystem.identifiers import siren_of
from ecosystem.text import name_key, website_domain
from ecosystem.i18n import DEFAULT_LANGUAGE, t

SIMILAR = 88  # RapidFuzz ratio (0-100) of two name keys from which a map entry is proposed as the same organisation
ID, SIREN, NAME, DOMAIN, SIMILAR_NAME, SIREN_DIFFERS, HOMONYMS = (
    "id", "siren", "name", "domain", "similar", "siren_differs", "homonyms")


@dataclass(frozen=True)
class Match:
    entity_id: str
    name: str  # the map entry's name
    certain: bool
    why: str  # one of the constants above
    detail: str = ""  # the shared domain, the similarity score

    def explain(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return t(f"import_why_{self.why}", lang, detail=self.detail)


class Matcher:
    """The live dataset indexed by identifier, SIREN, name key, website domain."""

    def __init__(self, current: pd.DataFrame):
        self.names = dict(zip(current["id"], current["name"]))
        self.ids = set(current["id"])
        self.sirens: dict[str, str] = {}
        self.entity_siren: dict[str, str] = {}
        if "siren" in current.columns:  # a column the schema may have: used when the live data carries it
            for entity_id, value in zip(current["id"], current["siren"]):
                siren = siren_of(str(value or ""))
                if siren:
                    self.sirens.setdefault(siren, entity_id)
                    self.entity_siren[entity_id] = siren
        self.by_key: dict[str, list[str]] = {}
        self.by_domain: dict[str, list[str]] = {}
        for entity_id, name, website in zip(current["id"], current["name"], current["website"]):
            self.by_key.setdefault(name_key(str(name)), []).append(entity_id)
            domain = website_domain(str(website or ""))
            if domain:
                self.by_domain.setdefault(domain, []).append(entity_id)
        self.keys = list(self.by_key)

    def _match(self, entity_id: str, certain: bool, why: str, detail: str = "") -> Match:
        return Match(entity_id, str(self.names[entity_id]), certain, why, detail)

    def find(self, entity_id: str = "", name: str = "", website: str = "", siren: str = "") -> Match | None:
        if entity_id and entity_id in self.ids:
            return self._match(entity_id, True, ID)
        if siren and siren in self.sirens:
            return self._match(self.sirens[siren], True, SIREN, siren)
        key = name_key(name)
        domain = website_domain(website)
        same_name = self.by_key.get(key, []) if key else []
        if len(same_name) == 1:
            known = self.entity_siren.get(same_name[0])
            if siren and known and known != siren:
                return self._match(same_name[0], False, SIREN_DIFFERS, f"{siren} ≠ {known}")
            return self._match(same_name[0], True, NAME)
        if same_name:  # two entries differing only by a legal form: staff say which
            best = next((i for i in same_name if domain and domain in self.by_domain
                         and i in self.by_domain[domain]), same_name[0])
            return self._match(best, False, HOMONYMS)
        if domain and domain in self.by_domain:
            candidates = self.by_domain[domain]
            best = max(candidates, key=lambda i: fuzz.ratio(key, name_key(str(self.names[i]))))
            return self._match(best, False, DOMAIN, domain)
        if key:
            numbers = _numbers(key)
            for close, score, _ in process.extract(key, self.keys, scorer=fuzz.ratio, score_cutoff=SIMILAR,
                                                   limit=5):
                if _numbers(close) == numbers:  # "Inserm U1016" and "Inserm U1017" are two units
                    return self._match(self.by_key[close][0], False, SIMILAR_NAME, f"{score:.0f}")
        return None


def _numbers(key: str) -> list[str]:
    return re.findall(r"\d+", key)
