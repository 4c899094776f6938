import json
import re
from pathlib import Path

import pytest
from pyproj import Geod

from ecosystem.filters import Filters, filter_entities
from ecosystem.proximity import within_km
from ecosystem.selection import entity_at
from ecosystem.stats import commune_counts, departement_counts
from ecosystem.urlstate import filters_from_query, filters_to_query
from ecosystem.loading import load_entities, load_footprints, to_geodataframe
from ecosystem.profile import profile_html
from geo.assets import UnvendoredAsset, asset_links, localise_assets
from geo.basemaps import BASEMAP_CHOICES, basemap_from_env
from geo.boundaries import load_communes, load_departements
from geo.geocoding import reference_point
from geo.mapping import (COMMUNE_BREAKS, DEPARTEMENT_BREAKS, KIND_STYLE, Legend, base_map, break_labels, choropleth_class,
                         choropleth_geojson, choropleth_layer, entity_layers, entity_rows, footprint_layer,
                         marker_json, popup_labels, proximity_layer)
from tests.conftest import make_raw, make_row, paris_level_row

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<img src=x onerror=alert(1)>"


def every_map(basemap: str, entities):
    """The maps the app builds: base map plus every dynamic layer, as the map page assembles them."""
    fmap = base_map(basemap, "fr")
    layers = [*entity_layers(entities, "fr", "a-propos?id="), footprint_layer(load_footprints(entities), "fr"),
              choropleth_layer(departement_counts(entities), load_departements(), DEPARTEMENT_BREAKS, "d", "fr",
                               keep_zero=True),
              choropleth_layer(commune_counts(entities), load_communes(), COMMUNE_BREAKS, "c", "fr",
                               keep_zero=False),
              proximity_layer(entities.iloc[0], entities.iloc[1:3], 5, "fr")]
    for layer in layers:
        layer.add_to(fmap)
    return fmap


@pytest.mark.parametrize("basemap", BASEMAP_CHOICES)
def test_no_map_references_an_external_script_or_stylesheet(basemap):
    fmap = every_map(basemap, load_entities())
    scripts, styles = asset_links(fmap)
    assert scripts and styles
    assert all(url.startswith("/app/static/") for url in scripts + styles), scripts + styles
    for url in scripts + styles:
        assert (ROOT / "static" / url.removeprefix("/app/static/")).is_file(), url
    html = fmap.get_root().render()
    external = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["'](https?:)?//""", html)
    assert external == []
    # Leaflet comes first, plugins after it; jQuery is not loaded, and nothing on the map uses it.
    assert scripts[0].endswith("leaflet.js") and not any("jquery" in url for url in scripts)
    assert "$(" not in html and "jQuery" not in html


def test_no_tiles_at_all_with_basemap_none():
    from geo.basemaps import BASEMAPS

    html = every_map("none", load_entities()).get_root().render()
    assert "tileLayer" not in html
    assert not any(spec.url.split("/")[2] in html for spec in BASEMAPS.values())


def test_an_unvendored_plugin_is_refused():
    import folium.plugins

    fmap = base_map("none", "fr")
    folium.plugins.MiniMap().add_to(fmap)
    with pytest.raises(UnvendoredAsset):
        localise_assets(fmap)


def test_basemap_from_environment():
    assert basemap_from_env({"BASEMAP": "none"}) == "none"
    assert basemap_from_env({"BASEMAP": "OSM"}) == "osm"
    assert basemap_from_env({}) == "ign" == basemap_from_env({"BASEMAP": "google"})


@pytest.fixture
def hostile_entities():
    return to_geodataframe(make_raw(
        make_row(id="xss", name=HOSTILE, description_fr=HOSTILE, review_note=HOSTILE, status="to_review",
                 address=HOSTILE, website="https://example.org/?a=<b>"),
        make_row(id="ok", name="Calme", commune_code="94076", postcode="94800", city="Villejuif",
                 lat="48.793616", lon="2.358172"),
    ))


def test_hostile_names_never_reach_html_unescaped(hostile_entities):
    fmap = base_map("none", "fr")
    for layer in entity_layers(hostile_entities, "fr", "a-propos?id="):
        layer.add_to(fmap)
    html = fmap.get_root().render()
    assert HOSTILE not in html  # the JSON payload encodes "<" as \u003c; the browser code escapes on display
    card = profile_html(hostile_entities.iloc[0], "fr", "a-propos?id=xss")
    assert HOSTILE not in card and "&lt;img src=x onerror=alert(1)&gt;" in card
    geojson = choropleth_geojson(commune_counts(hostile_entities), load_communes().assign(name=HOSTILE),
                                 COMMUNE_BREAKS, "fr", keep_zero=False)
    assert all("<" not in feature["properties"]["label"] for feature in geojson["features"])
    assert "<script" not in Legend("fr").html


def test_entity_rows_carry_what_the_popup_shows(sample_entities):
    labels, _ = popup_labels("en")
    rows = entity_rows(sample_entities, "en")
    alpha = rows[list(sample_entities["id"]).index("alpha")]
    assert alpha[:4] == [48.623745, 2.429457, "alpha", "Alpha Thérapies"]
    assert list(KIND_STYLE)[alpha[4]] == "company"
    assert labels[alpha[5]] == "Start-up" and alpha[6] == "Évry-Courcouronnes"
    assert [labels[i] for i in alpha[7]] == ["Oncology", "Haematology", "Cell therapy", "R&D"]
    assert alpha[8] == "https://example.org"
    # The labels' order is the vocabulary's in every language: rows need not be rebuilt for the other one.
    assert entity_rows(sample_entities, "fr") == rows


def test_marker_json_is_safe_inside_a_script_element(hostile_entities):
    rows = marker_json(hostile_entities, "fr")
    assert list(rows.index) == list(hostile_entities.index)
    assert "<" not in rows.iloc[0] and json.loads(rows.iloc[0])[3] == HOSTILE


def test_choropleth_geojson_from_a_filtered_selection(sample_entities):
    oncology = filter_entities(sample_entities, Filters(therapeutic_areas=("oncology",)))
    geojson = choropleth_geojson(commune_counts(oncology), load_communes(), COMMUNE_BREAKS, "fr", keep_zero=False)
    counts = {f["properties"]["code"]: f["properties"]["count"] for f in geojson["features"]}
    assert counts == {"91228": 1, "94076": 1}
    deps = choropleth_geojson(departement_counts(sample_entities), load_departements(), DEPARTEMENT_BREAKS, "fr",
                              keep_zero=True)
    assert len(deps["features"]) == 8
    assert {f["properties"]["code"]: f["properties"]["count"] for f in deps["features"]}["91"] == 3
    assert {f["properties"]["colour"] for f in deps["features"] if f["properties"]["count"] == 0} == {""}


def test_choropleth_classes_and_labels():
    assert [choropleth_class(c, COMMUNE_BREAKS) for c in (0, 1, 2, 4, 9, 10, 500)] == [None, 0, 1, 2, 3, 4, 5]
    assert break_labels(COMMUNE_BREAKS) == ["1", "2", "3–4", "5–9", "10–19", "≥ 20"]


def test_filters_round_trip_through_the_url():
    filters = Filters(kind=("institute", "company"), axes=("neurology",), dep=("94", "91"), text="thérapie génique")
    query = filters_to_query(filters)
    assert query == {"kind": "company,institute", "axes": "neurology", "dep": "91,94", "q": "thérapie génique"}
    again = filters_from_query(query)
    assert filters_to_query(again) == query and set(again.kind) == {"company", "institute"}
    assert filters_from_query({}) == Filters()


def test_unknown_values_in_a_url_are_dropped():
    filters = filters_from_query({"kind": "company,spaceship", "dep": "13", "color": "red", "q": "x" * 1000})
    assert filters.kind == ("company",) and filters.dep == () and len(filters.text) == 200


def test_proximity_between_two_commune_reference_points_matches_the_geodesic_distance():
    evry, corbeil = reference_point("91228"), reference_point("91174")
    _, _, metres = Geod(ellps="GRS80").inv(*evry, *corbeil)
    entities = to_geodataframe(make_raw(
        make_row(id="evry", name="A", lon=str(evry[0]), lat=str(evry[1])),
        make_row(id="corbeil", name="B", commune_code="91174", lon=str(corbeil[0]), lat=str(corbeil[1])),
        make_row(id="villejuif", name="C", commune_code="94076", lat="48.793616", lon="2.358172"),
    ))
    near = within_km(entities, "evry", 10)
    assert list(near["id"]) == ["corbeil"]
    assert near["distance_km"].iloc[0] == pytest.approx(metres / 1000, rel=2e-3)
    assert list(within_km(entities, "evry", 30)["id"]) == ["corbeil", "villejuif"]
    assert within_km(entities, "nobody", 10).empty


def test_a_commune_choropleth_of_nothing_renders_an_empty_layer():
    only_in_paris = to_geodataframe(make_raw(paris_level_row(id="vague", name="A")))
    for entities in (only_in_paris, only_in_paris.iloc[0:0]):
        fmap = base_map("none", "fr")
        choropleth_layer(commune_counts(entities), load_communes(), COMMUNE_BREAKS, "c", "fr",
                         keep_zero=False).add_to(fmap)
        fmap.get_root().render()  # folium's tooltip raised AssertionError on a collection without features


def test_a_profile_says_when_the_point_is_only_somewhere_in_paris():
    entities = to_geodataframe(make_raw(
        paris_level_row(id="vague", name="A"),
        make_row(id="placed", name="B"),
    ))
    assert "arrondissement non vérifié" in profile_html(entities.iloc[0], "fr")
    assert "arrondissement not verified" in profile_html(entities.iloc[0], "en")
    assert "arrondissement" not in profile_html(entities.iloc[1], "fr")


def test_an_entity_somewhere_in_paris_is_neither_an_origin_nor_a_neighbour():
    paris = reference_point("75056")
    entities = to_geodataframe(make_raw(
        paris_level_row(id="vague", name="A"),
        make_row(id="next-door", name="B", commune_code="75107", lon=str(paris[0] + 0.001), lat=str(paris[1])),
    ))
    assert within_km(entities, "vague", 5).empty
    assert within_km(entities, "next-door", 5).empty


def test_a_click_is_matched_to_its_marker_not_to_a_cluster(sample_entities):
    beta = sample_entities.set_index("id").loc["beta"]
    assert entity_at(sample_entities, {"lat": beta["lat"], "lng": beta["lon"]}) == "beta"
    assert entity_at(sample_entities, {"lat": beta["lat"] + 0.01, "lng": beta["lon"]}) is None
    assert entity_at(sample_entities, None) is None


def test_profile_sources_read_as_their_sites_with_the_full_address_behind():
    row = to_geodataframe(make_raw(make_row(id="placed", name="B"))).iloc[0].copy()
    row["source"] = ("https://www.genopole.fr/actualites/une-longue-adresse?x=1|https://boursorama.com/a"
                     "|https://boursorama.com/b|javascript:alert(1)")
    card = profile_html(row, "fr")
    assert ">genopole.fr</a>" in card and ">boursorama.com</a>" in card and ">boursorama.com · 2</a>" in card
    assert 'href="https://www.genopole.fr/actualites/une-longue-adresse?x=1"' in card
    assert 'href="javascript' not in card and "javascript:alert(1)" in card  # shown as text, never a link
