"""Data-quality checks for staff: what to fix next, each item pointing at an entity; the details in the staff
member's language (French by default)."""

from __future__ import annotations

import datetime as dt
import difflib
from itertools import combinations

import geopandas as gpd
import pandas as pd
import shapely

from ecosystem.i18n import DEFAULT_LANGUAGE, number, percent, t
from ecosystem.loading import split_list
from ecosystem.schema import TAG_FACETS
from ecosystem.corrections.display import commune_name
from ecosystem.text import name_key, normalise_text, website_domain
from ecosystem.validation import points_outside_their_commune

SIMILAR_NAMES = 0.9


def to_review(raw: pd.DataFrame) -> pd.DataFrame:
    rows = raw[raw["status"] == "to_review"]
    return pd.DataFrame({"id": rows["id"], "name": rows["name"], "detail": rows["review_note"]})


def not_verified(raw: pd.DataFrame, months: int, today: dt.date | None = None,
                 lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Rows never checked on a page (`verified` empty) or last checked more than `months` months ago, the oldest
    first: what to re-check next (detail: the date of the last check, or "never checked")."""
    today = today or dt.date.today()
    limit = pd.Timestamp(today) - pd.DateOffset(months=months)
    verified = pd.to_datetime(raw["verified"], format="%Y-%m-%d", errors="coerce")
    rows = raw[verified.isna() | (verified < limit)].assign(_when=verified).sort_values("_when", na_position="first")
    return pd.DataFrame({"id": rows["id"], "name": rows["name"],
                         "detail": [t("staff_verified_on", lang, date=day) if isinstance(day, str) and day.strip()
                                    else t("staff_never_verified", lang) for day in rows["verified"]]})


def outside_commune(raw: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Points more than 100 m outside their declared commune (ecosystem.validation), with the distance."""
    problems = points_outside_their_commune(raw)
    positions = [p.line - 2 for p in problems]
    rows = raw.iloc[positions]
    return pd.DataFrame({"id": rows["id"].to_numpy(), "name": rows["name"].to_numpy(),
                         "detail": [t("staff_outside_commune", lang, lat=row.lat, lon=row.lon,
                                      distance=_metres(row, lang), commune=commune_name(row.commune_code))
                                    for row in rows.itertuples()]})


def _metres(row, lang: str) -> str:
    """Distance from a row's point to its commune's polygon, in whole metres (Lambert-93)."""
    from ecosystem.validation import communes_l93
    from geo.boundaries import LAMBERT93, WGS84

    point = gpd.GeoSeries([shapely.Point(float(row.lon), float(row.lat))], crs=WGS84).to_crs(LAMBERT93).iloc[0]
    metres = round(point.distance(communes_l93().loc[row.commune_code]))
    return number(metres, lang)


def without_tags(raw: pd.DataFrame) -> pd.DataFrame:
    empty = raw[list(TAG_FACETS)].apply(lambda row: not any(split_list(v) for v in row), axis=1)
    rows = raw[empty]
    return pd.DataFrame({"id": rows["id"], "name": rows["name"], "detail": ""})


def likely_duplicates(raw: pd.DataFrame, lang: str = DEFAULT_LANGUAGE) -> pd.DataFrame:
    """Pairs with near-identical names (same first word, similarity >= 0.9), the same website domain or the same
    SIREN.

    Sites of one organisation ("X — site de Y") share a domain by design: such pairs are not reported.
    """
    names = raw["name"].map(name_key)
    base = raw["name"].str.split(" — ").str[0].map(normalise_text)
    pairs = []
    blocks: dict[str, list[int]] = {}
    for position, name in enumerate(names):
        blocks.setdefault(name.split(" ")[0] if name else "", []).append(position)
    for members in blocks.values():
        for i, j in combinations(members, 2):
            ratio = difflib.SequenceMatcher(None, names.iloc[i], names.iloc[j]).ratio()
            if ratio >= SIMILAR_NAMES:
                pairs.append((i, j, t("staff_duplicate_names", lang, ratio=percent(ratio, lang))))
    domains = raw["website"].map(website_domain)
    for domain, group in raw[domains != ""].groupby(domains[domains != ""]):
        positions = [raw.index.get_loc(index) for index in group.index]
        for i, j in combinations(positions, 2):
            if base.iloc[i] != base.iloc[j] or " — " not in raw["name"].iloc[i] + raw["name"].iloc[j]:
                pairs.append((i, j, t("staff_duplicate_website", lang, domain=domain)))
    sirens = raw["siren"].str.strip()
    for siren, group in raw[sirens != ""].groupby(sirens[sirens != ""]):
        positions = [raw.index.get_loc(index) for index in group.index]
        for i, j in combinations(positions, 2):  # one company's sites share its SIREN by design
            if base.iloc[i] != base.iloc[j] or " — " not in raw["name"].iloc[i] + raw["name"].iloc[j]:
                pairs.append((i, j, t("staff_duplicate_siren", lang, siren=siren)))
    unique = {(min(i, j), max(i, j)): why for i, j, why in pairs}
    return pd.DataFrame([{"id": raw["id"].iloc[i], "name": raw["name"].iloc[i], "other_id": raw["id"].iloc[j],
                          "other_name": raw["name"].iloc[j], "detail": why} for (i, j), why in unique.items()],
                        columns=["id", "name", "other_id", "other_name", "detail"])
