"""Validation of the entity table: every problem with its line, column, value and reason (in French).

Works on the raw text table (`read_entities_csv`), so that a value that cannot even be parsed is reported
instead of silently becoming empty.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import pandas as pd
import shapely

from ecosystem.loading import split_list
from ecosystem.identifiers import rnsr_problem, siren_problem, unit_code_problem
from ecosystem.schema import CODED_COLUMNS, COLUMNS, REQUIRED, TAG_FACETS, URL_COLUMNS
from ecosystem.text import normalise_text
from ecosystem.vocabulary import Vocabulary, load_vocabulary
from geo.boundaries import LAMBERT93, PARIS, WGS84, commune_geometries, commune_table, idf_outline

MAX_DISTANCE_OUTSIDE_COMMUNE_M = 100
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s<>\"]*$", re.IGNORECASE)
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FIRST_DATA_LINE = 2  # line 1 of the CSV is the header


@dataclass(frozen=True)
class Problem:
    line: int  # line in the CSV file (header = 1); 0 for problems about the file as a whole
    column: str
    value: str
    why: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}, colonne {self.column}, valeur « {self.value} » : {self.why}"


def validate(raw: pd.DataFrame, vocabulary: Vocabulary | None = None) -> list[Problem]:
    vocabulary = vocabulary or load_vocabulary()
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in raw.columns]
    problems += [Problem(0, c, "", "colonne absente du fichier") for c in missing]
    if missing:
        return problems
    for index, row in raw.reset_index(drop=True).iterrows():
        problems += validate_row(row, index + FIRST_DATA_LINE, vocabulary)
    problems += duplicates(raw, "id", lambda v: v, "identifiant déjà utilisé")
    problems += duplicates(raw, "name", normalise_text, "nom déjà utilisé (après normalisation)")
    problems += points_outside_their_commune(raw)
    return sorted(problems, key=lambda p: (p.line, COLUMNS.index(p.column) if p.column in COLUMNS else 0))


def validate_row(row: pd.Series, line: int, vocabulary: Vocabulary) -> list[Problem]:
    problems = []

    def bad(column: str, why: str, value: str | None = None) -> None:
        problems.append(Problem(line, column, row[column] if value is None else value, why))

    # A row to review may lack its category and its tags: an inventory's name and place are enough to show it,
    # the review note says what is missing (issue 13). Everything else is required of every row.
    to_review = row["status"] == "to_review"
    for column in REQUIRED:
        if not str(row[column]).strip() and not (to_review and column == "category"):
            bad(column, "champ obligatoire vide")
    if not row["website"].strip() and not row["source"].strip():
        bad("source", "ni site web ni source : l'origine de la ligne doit être indiquée")
    if row["id"] and not ID_PATTERN.match(row["id"]):
        bad("id", "identifiant invalide (minuscules, chiffres et tirets uniquement)")
    for column in CODED_COLUMNS:
        if row[column] and row[column] not in vocabulary.keys(column):
            bad(column, f"valeur inconnue du vocabulaire « {column} »")
    for facet in TAG_FACETS:
        for value in split_list(row[facet]):
            if value not in vocabulary.keys(facet):
                bad(facet, f"valeur inconnue du vocabulaire « {facet} »", value)
    if not any(split_list(row[facet]) for facet in TAG_FACETS) and not to_review:
        bad("roles", "aucune étiquette : au moins une activité, modalité, aire thérapeutique, axe, rôle ou cluster")
    for column in URL_COLUMNS:
        for url in split_list(row[column]):
            # A source may also cite a document (e.g. the Institute's own inventory file); anything that
            # looks like a link, and every website, must be an http(s) URL.
            looks_like_link = column == "website" or "://" in url or url.lower().startswith("www.")
            if looks_like_link and not URL_PATTERN.match(url):
                bad(column, "URL invalide (http:// ou https:// attendu)", url)
    check_commune_code(row, bad)
    check_coordinates(row, bad)
    if row["postcode"] and not re.fullmatch(r"\d{5}", row["postcode"]):
        bad("postcode", "code postal invalide (5 chiffres)")
    if row["founded"] and not (re.fullmatch(r"\d{4}", row["founded"])
                               and 1500 <= int(row["founded"]) <= dt.date.today().year):
        bad("founded", "année de création invalide (AAAA)")
    if row["workforce"] and not re.fullmatch(r"\d+", row["workforce"]):
        bad("workforce", "effectif invalide (nombre entier)")
    if row["updated"]:
        check_date(row["updated"], lambda why: bad("updated", why))
    if row["verified"]:
        check_date(row["verified"], lambda why: bad("verified", why))
        if DATE_PATTERN.match(row["verified"]) and row["verified"] > dt.date.today().isoformat():
            bad("verified", "date de vérification dans le futur")
    for column, problem in (("siren", siren_problem), ("unit_code", unit_code_problem), ("rnsr", rnsr_problem)):
        for value in split_list(row[column]):  # a unit of several tutelles has several codes: "U1016|UMR 8104"
            if why := problem(value):
                bad(column, why, value)
    return problems


def check_commune_code(row: pd.Series, bad) -> None:
    code = row["commune_code"]
    if code == PARIS and row["status"] != "to_review":
        # Allowed only as a known gap: the point says "somewhere in Paris" and the row asks for its arrondissement.
        bad("commune_code", "Paris sans arrondissement (75056) : marquer la ligne to_review, ou utiliser le code "
                            "de l'arrondissement (75101 à 75120)")
    elif code and code not in known_commune_codes():
        bad("commune_code", "code INSEE inconnu ou hors Île-de-France")


def check_coordinates(row: pd.Series, bad) -> None:
    try:
        lon, lat = float(row["lon"]), float(row["lat"])
    except ValueError:
        for column in ("lon", "lat"):
            if row[column]:
                try:
                    float(row[column])
                except ValueError:
                    bad(column, "coordonnée non numérique")
        return
    if not region_shape().covers(shapely.Point(lon, lat)):
        bad("lat", "point hors d'Île-de-France", f"{lat}, {lon}")


def check_date(value: str, bad) -> None:
    if not DATE_PATTERN.match(value):
        bad("date invalide (AAAA-MM-JJ attendu)")
        return
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        bad("date inexistante")


def duplicates(raw: pd.DataFrame, column: str, key, why: str) -> list[Problem]:
    keys = raw[column].map(key)
    repeated = keys[(keys != "") & keys.duplicated(keep="first")]
    first_line = {k: i + FIRST_DATA_LINE for i, k in reversed(list(enumerate(keys)))}
    return [Problem(i + FIRST_DATA_LINE, column, raw[column].iloc[i], f"{why} (ligne {first_line[k]})")
            for i, k in zip(repeated.index, repeated)]


def points_outside_their_commune(raw: pd.DataFrame) -> list[Problem]:
    """Points more than 100 m outside the polygon of their declared commune (Lambert-93 distances)."""
    frame = raw.reset_index(drop=True)
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    usable = lon.notna() & lat.notna() & frame["commune_code"].isin(known_commune_codes())
    if not usable.any():
        return []
    points = gpd.GeoSeries(gpd.points_from_xy(lon[usable], lat[usable]), index=frame.index[usable], crs=WGS84)
    polygons = communes_l93().loc[frame.loc[usable, "commune_code"]].to_numpy()
    distances = shapely.distance(points.to_crs(LAMBERT93).to_numpy(), polygons)
    problems = []
    for index, distance in zip(points.index, distances):
        if distance > MAX_DISTANCE_OUTSIDE_COMMUNE_M:
            code = frame.at[index, "commune_code"]
            problems.append(Problem(index + FIRST_DATA_LINE, "commune_code", code,
                                    f"le point ({frame.at[index, 'lat']}, {frame.at[index, 'lon']}) est à "
                                    f"{distance:.0f} m hors de la commune déclarée"))
    return problems


@lru_cache(maxsize=1)
def known_commune_codes() -> frozenset[str]:
    return frozenset(commune_table()["code"])


@lru_cache(maxsize=1)
def communes_l93() -> gpd.GeoSeries:
    return commune_geometries(detail=True).to_crs(LAMBERT93)


@lru_cache(maxsize=1)
def region_shape():
    shape = idf_outline()
    shapely.prepare(shape)
    return shape
