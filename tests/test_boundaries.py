import json

import pytest

import shapely

from geo.boundaries import (GEO_DIR, LAMBERT93, commune_at, commune_geometries, commune_table, load_communes,
                            load_departements)

IDF = {"75": "Paris", "77": "Seine-et-Marne", "78": "Yvelines", "91": "Essonne", "92": "Hauts-de-Seine",
       "93": "Seine-Saint-Denis", "94": "Val-de-Marne", "95": "Val-d'Oise"}


def test_eight_departements_with_their_codes_and_names():
    departements = load_departements()
    assert dict(zip(departements["code"], departements["name"])) == IDF
    assert departements.crs.to_epsg() == 4326


def test_communes_are_the_current_list_with_paris_split_into_arrondissements():
    communes = load_communes()
    codes = set(communes["code"])
    assert "75056" not in codes
    assert {f"751{i:02d}" for i in range(1, 21)} <= codes
    assert len(codes) == len(communes) == 1265 + 20
    assert {code[:2] for code in codes} == set(IDF)
    assert communes.crs.to_epsg() == 4326


def test_paris_as_a_whole_is_a_table_row_without_polygon_or_postcode():
    paris = commune_table().set_index("code").loc["75056"]
    assert paris["name"] == "Paris" and paris["postcodes"] == "" and paris["population"] > 2_000_000
    arrondissements = commune_geometries(detail=True).loc[[f"751{i:02d}" for i in range(1, 21)]]
    assert commune_geometries(detail=True)["75056"].area == pytest.approx(shapely.area(arrondissements.to_numpy()).sum())
    assert commune_at(paris["ref_lon"], paris["ref_lat"]) != "75056"  # the coverage answers an arrondissement


def test_every_polygon_is_valid_and_not_empty():
    for detail in (False, True):
        geometries = load_communes(detail=detail).geometry
        assert geometries.is_valid.all() and not geometries.is_empty.any()
    assert load_departements().geometry.is_valid.all()


def test_neighbouring_communes_do_not_overlap_beyond_rounding():
    for detail in (False, True):
        communes = load_communes(detail=detail).to_crs(LAMBERT93)
        left, right = communes.sindex.query(communes.geometry, predicate="intersects")
        pairs = [(i, j) for i, j in zip(left, right) if i < j]
        assert len(pairs) > 3000  # the communes do touch their neighbours: no gaps were opened
        overlaps = [communes.geometry.iloc[i].intersection(communes.geometry.iloc[j]).area for i, j in pairs]
        assert max(overlaps) < 500  # m²: coordinate rounding only (10⁻⁴ degree grid), no slivers


def test_departements_match_the_union_of_their_communes():
    communes = load_communes().to_crs(LAMBERT93)
    for row in load_departements().to_crs(LAMBERT93).itertuples():
        union = shapely.union_all(communes[communes["code"].str[:2] == row.code].geometry.to_numpy())
        assert union.symmetric_difference(row.geometry).area < 0.0001 * row.geometry.area


def test_web_layer_fits_its_size_budget():
    size = (GEO_DIR / "communes.geojson").stat().st_size
    assert size <= 400_000
    assert len(json.loads((GEO_DIR / "communes.geojson").read_text())["features"]) == 1285


def test_commune_at_finds_the_commune_or_none_outside_the_region():
    assert commune_at(2.4295, 48.6237) == "91228"  # Évry-Courcouronnes town hall
    assert commune_at(2.3522, 48.8566) == "75104"  # Hôtel de Ville de Paris, 4e arrondissement
    assert commune_at(2.3582, 48.7936) == "94076"  # Villejuif
    assert commune_at(4.8357, 45.7640) is None  # Lyon


def test_reference_points_lie_in_their_commune():
    table = commune_table().set_index("code")
    points = shapely.points(table["ref_lon"], table["ref_lat"])
    assert shapely.covers(commune_geometries(detail=True).loc[table.index].to_numpy(), points).all()
    assert (table["ref_kind"] == "mairie").sum() > 1200
