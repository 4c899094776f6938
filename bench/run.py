"""Benchmark of the map page (`make bench`): figures printed, not asserted.

For the real entities and 2,000 / 20,000 synthetic ones (random points inside real communes, random tags), it
measures filter time, the one-off cost of the marker rows (per process and language), layer build time, the
map payload (HTML and data sent to the browser, vendored scripts
excluded: they are static and cached) and the server time of one filter rerun (AppTest), then the same figures
for a naive build in the same run: one folium.Marker per row and unsimplified communes.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium
import folium.plugins
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ecosystem.filters import Filters, filter_entities  # noqa: E402
from ecosystem.loading import load_footprints, read_entities_csv, to_geodataframe  # noqa: E402
from ecosystem.schema import COLUMNS, TAG_FACETS  # noqa: E402
from ecosystem.stats import commune_counts  # noqa: E402
from ecosystem.vocabulary import load_vocabulary  # noqa: E402
from geo.boundaries import load_communes  # noqa: E402
from geo.mapping import (COMMUNE_BREAKS, base_map, choropleth_layer, entity_layers,  # noqa: E402
                         footprint_layer, marker_json)

FILTERS = Filters(kind=("company",), therapeutic_areas=("oncology", "rare_genetic"))
REPEAT = 5


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """n rows of the seed format, each at a random point inside a random real commune."""
    rng = np.random.default_rng(seed)
    communes = load_communes(detail=True)
    vocabulary = load_vocabulary()
    picks = communes.iloc[rng.integers(0, len(communes), n)]
    points = []
    for polygon in picks.geometry:
        minx, miny, maxx, maxy = polygon.bounds
        while True:
            point = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if polygon.contains(point):
                points.append(point)
                break
    rows = {column: [""] * n for column in COLUMNS}
    rows.update(
        id=[f"synthetic-{i}" for i in range(n)], name=[f"Synthetic {i}" for i in range(n)],
        kind=rng.choice(vocabulary.keys("kind"), n), category=rng.choice(vocabulary.keys("category"), n),
        commune_code=list(picks["code"]), lat=[f"{p.y:.6f}" for p in points], lon=[f"{p.x:.6f}" for p in points],
        geo_precision="commune", updated="2026-11-22", status="ok", website="https://example.org",
        description_fr="Entité synthétique du banc d'essai.", description_en="Synthetic benchmark entity.",
    )
    for facet in TAG_FACETS:
        keys = vocabulary.keys(facet)
        rows[facet] = ["|".join(rng.choice(keys, rng.integers(0, 3), replace=False)) for _ in range(n)]
    return pd.DataFrame(rows)


def timed(function, repeat: int = REPEAT) -> tuple[float, object]:
    durations, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations) * 1000, result


def payload_bytes(fmap: folium.Map) -> int:
    return len(fmap.get_root().render().encode())


def build(entities, rows_json) -> folium.Map:
    """The map as one rerun of the page builds it (marker rows precomputed once per language, then sliced)."""
    fmap = base_map("none", "fr")
    for layer in [footprint_layer(load_footprints(entities), "fr"),
                  *entity_layers(entities, "fr", "a-propos?id=", rows_json),
                  choropleth_layer(commune_counts(entities), load_communes(), COMMUNE_BREAKS, "c", "fr",
                                   keep_zero=False)]:
        layer.add_to(fmap)
    return fmap


def naive_build(entities) -> folium.Map:
    """What a first version would do: a Marker with an HTML popup per row, full-detail communes."""
    fmap = folium.Map(location=(48.71, 2.5), zoom_start=9, tiles=None)
    cluster = folium.plugins.MarkerCluster().add_to(fmap)
    for entity in entities.itertuples():
        popup = f"<b>{entity.name}</b><br>{entity.category}<br>{entity.commune_name}<br>{entity.website}"
        folium.Marker((entity.lat, entity.lon), popup=folium.Popup(popup), tooltip=entity.name).add_to(cluster)
    counts = commune_counts(entities).set_index("key")["count"]
    communes = load_communes(detail=True)
    folium.GeoJson(communes.assign(count=communes["code"].map(counts).fillna(0)).to_json(),
                   tooltip=folium.GeoJsonTooltip(["name", "count"])).add_to(fmap)
    return fmap


def rerun_ms(csv_path: Path) -> float:
    """Server time of one filter change on the map page, the app pointed at `csv_path`."""
    os.environ["ENTITIES_FILE"] = str(csv_path)
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_resource.clear()  # the previous dataset's entities and marker rows

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.run()
    app.switch_page("views/map.py")
    app.run()
    durations = []
    for kinds in (["company"], ["institute"], ["company"], ["cluster_site"], ["company", "institute"]):
        app.multiselect(key="filter_kind").set_value(kinds)
        start = time.perf_counter()
        app.run()
        durations.append(time.perf_counter() - start)
    assert not app.exception, app.exception
    return statistics.median(durations) * 1000


def measure(label: str, raw: pd.DataFrame, csv_path: Path, naive: bool) -> dict:
    entities = to_geodataframe(raw)
    filter_ms, shown = timed(lambda: filter_entities(entities, FILTERS))
    rows_once_ms, rows_json = timed(lambda: marker_json(entities, "fr"), repeat=1)
    layers_ms, fmap = timed(lambda: build(entities, rows_json), repeat=3)
    figures = {"dataset": label, "rows": len(entities), "shown": len(shown), "filter_ms": filter_ms,
               "rows_once_ms": rows_once_ms, "layers_ms": layers_ms, "payload_kb": payload_bytes(fmap) / 1024, "rerun_ms": rerun_ms(csv_path)}
    if naive:
        naive_ms, naive_map = timed(lambda: naive_build(entities), repeat=1)
        figures.update(naive_layers_ms=naive_ms, naive_payload_kb=payload_bytes(naive_map) / 1024)
    return figures


def main() -> None:
    real = read_entities_csv(ROOT / "data" / "entities.csv")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        datasets = [("real", real, ROOT / "data" / "entities.csv")]
        for n in (2_000, 20_000):
            path = Path(tmp) / f"synthetic_{n}.csv"
            synthetic(n).to_csv(path, index=False)
            datasets.append((f"synthetic {n:,}", read_entities_csv(path), path))
        for label, raw, path in datasets:
            results.append(measure(label, raw, path, naive=True))
            print(f"measured {label}", file=sys.stderr)
    table = pd.DataFrame(results)
    table["x_faster"] = table["naive_layers_ms"] / table["layers_ms"]
    table["x_smaller"] = table["naive_payload_kb"] / table["payload_kb"]
    pd.set_option("display.width", 200)
    print(table.round(1).to_string(index=False))


if __name__ == "__main__":
    main()
