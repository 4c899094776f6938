"""The removal log (data/removed.csv): organisations taken off the map because they closed, were absorbed, left the
region or are out of scope, each with the date of the fact, the reason and the pages that show it.

The import and the moderation page consult it, so that a removed organisation does not come back unnoticed: a
row or a proposal naming one is flagged with the reason it was removed (staff may still bring it back, knowingly).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ecosystem.schema import DATA_DIR
from ecosystem.text import name_key

REMOVED_FILE = DATA_DIR / "removed.csv"


@dataclass(frozen=True)
class Removal:
    id: str
    name: str
    date: str
    reason: str
    evidence: str
    removed_on: str


@lru_cache(maxsize=2)
def load_removed(path: Path = REMOVED_FILE) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def removal_of(name: str, entity_id: str = "", path: Path = REMOVED_FILE) -> Removal | None:
    """The removal of the organisation `name` (compared as name_key: accents, case, punctuation and legal forms
    ignored; the part before " — " of a site's name counts too) or of `entity_id`, else None."""
    log = load_removed(path)
    wanted = {name_key(name), name_key(name.split(" — ")[0])} - {""}
    for row in log.itertuples(index=False):
        keys = {name_key(row.name), name_key(row.name.split(" — ")[0])}
        if (entity_id and row.id == entity_id) or wanted & keys:
            return Removal(row.id, row.name, row.date, row.reason, row.evidence, row.removed_on)
    return None
