import shapely

from ecosystem.placement import geocode_missing, spread_colocated
from geo.boundaries import commune_geometries, load_communes
from tests.conftest import make_raw, make_row, paris_level_row


def points(frame):
    return list(zip(frame["lon"].astype(float), frame["lat"].astype(float)))


def test_geocode_missing_uses_the_commune_reference_point_and_reports_ambiguity():
    raw = make_raw(make_row(id="a", name="A", commune_code="", lat="", lon="", postcode="94800", city="Villejuif"),
                   make_row(id="b", name="B", commune_code="", lat="", lon="", postcode="91190", city=""))
    placed, messages = geocode_missing(raw)
    assert placed.loc[0, "commune_code"] == "94076" and placed.loc[0, "geo_precision"] == "commune"
    assert placed.loc[1, "commune_code"] == "" and len(messages) == 1 and "91190" in messages[0]


def test_colocated_entities_get_distinct_points_inside_their_commune():
    raw = make_raw(*[make_row(id=f"e{i}", name=f"E{i}") for i in range(30)])
    spread = spread_colocated(raw)
    assert len(set(points(spread))) == 30
    evry = load_communes(detail=True).set_index("code").geometry["91228"]
    assert all(evry.contains(shapely.Point(p)) for p in points(spread))
    assert points(raw)[0] not in points(spread)  # the reference point stays free for rows not yet placed


def test_rows_placed_at_paris_level_spread_inside_paris():
    raw = make_raw(*[paris_level_row(id=f"p{i}", name=f"P{i}", lat="", lon="") for i in range(25)])
    placed, messages = geocode_missing(raw)
    spread = spread_colocated(placed)
    assert messages == [] and len(set(points(spread))) == 25
    paris = commune_geometries(detail=True)["75056"]
    assert all(paris.contains(shapely.Point(p)) for p in points(spread))


def test_spreading_is_deterministic_and_stable_when_a_row_is_added():
    raw = make_raw(*[make_row(id=f"e{i}", name=f"E{i}") for i in range(5)])
    once = spread_colocated(raw)
    assert points(spread_colocated(raw)) == points(once)
    assert points(spread_colocated(once)) == points(once)  # idempotent
    grown = spread_colocated(make_raw(*once.to_dict("records"), make_row(id="a-new", name="New")))
    assert points(grown)[:5] == points(once)


def test_rows_placed_by_address_are_never_moved():
    raw = make_raw(make_row(id="a", name="A"), make_row(id="b", name="B", geo_precision="address"))
    spread = spread_colocated(raw)
    assert points(spread)[1] == points(raw)[1]
    assert points(spread)[0] != points(raw)[0]


def test_place_command_previews_then_writes(tmp_path, capsys):
    from ecosystem.__main__ import main
    from ecosystem.loading import read_entities_csv

    path = tmp_path / "entities.csv"
    make_raw(make_row(id="a", name="A", commune_code="", lat="", lon="", postcode="75013", city="Paris")).to_csv(
        path, index=False)
    assert main(["place", str(path)]) == 0
    assert read_entities_csv(path).loc[0, "lat"] == ""  # preview only
    assert main(["place", str(path), "--write"]) == 0
    row = read_entities_csv(path).iloc[0]
    assert row["commune_code"] == "75113" and row["geo_precision"] == "commune" and row["lat"]
    assert "1 ligne(s) placée(s)" in capsys.readouterr().out
