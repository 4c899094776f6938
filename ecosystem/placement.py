"""Placing entities on the map: commune-precision geocoding and spreading of co-located points.

Entities placed at their commune's reference point would all sit on the same pixel. Each one takes the next free
slot of a sunflower spiral around that point (35 m steps, slots inside the commune only), so every marker stays
clickable. The reference point itself is never a slot: a row found there is one not yet placed, so adding a row
never moves the others.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ecosystem.schema import COLUMNS
from geo.boundaries import commune_geometries
from geo.geocoding import find_commune, reference_point

SPIRAL_STEP_M = 35.0
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
MAX_SLOTS = 400
SAME_POINT_M = 0.5

_to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
_to_wgs84 = Transformer.from_crs(2154, 4326, always_xy=True)


def geocode_missing(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Fill commune_code, lat, lon (commune precision) from postcode + city where they are empty.

    Rows whose commune cannot be resolved without guessing are left as they are and reported.
    """
    frame = raw.copy()
    messages = []
    for index, row in frame.iterrows():
        if str(row["lat"]).strip() and str(row["lon"]).strip() and str(row["commune_code"]).strip():
            continue
        if row["commune_code"]:
            code = row["commune_code"]
        else:
            match = find_commune(postcode=row["postcode"], name=row["city"])
            if not match.found:
                messages.append(f"{row['id'] or row['name']}: {match.message}")
                continue
            code = match.code
        lon, lat = reference_point(code)
        frame.loc[index, ["commune_code", "lon", "lat", "geo_precision"]] = [code, f"{lon:.6f}", f"{lat:.6f}",
                                                                              "commune"]
    return frame[list(COLUMNS)], messages


@lru_cache(maxsize=2048)
def spiral_slots(code: str) -> tuple[tuple[float, float], ...]:
    """Slots (Lambert-93 x, y) around the commune's reference point, nearest first, all inside the commune."""
    polygon = commune_geometries(detail=True)[code]
    x0, y0 = _to_l93.transform(*reference_point(code))
    polygon_l93 = shapely.transform(polygon, lambda xy: np.column_stack(_to_l93.transform(xy[:, 0], xy[:, 1])))
    shapely.prepare(polygon_l93)
    slots = []
    for k in range(MAX_SLOTS):
        radius, angle = SPIRAL_STEP_M * math.sqrt(k), k * GOLDEN_ANGLE
        x, y = x0 + radius * math.cos(angle), y0 + radius * math.sin(angle)
        if k == 0 or polygon_l93.contains(shapely.Point(x, y)):  # slot 0, the reference point, stays free
            slots.append((x, y))
    return tuple(slots)


def spread_colocated(raw: pd.DataFrame) -> pd.DataFrame:
    """Move commune-precision rows sharing a slot to free slots of their commune's spiral (see module doc)."""
    frame = raw.copy()
    commune_rows = frame[(frame["geo_precision"] == "commune") & (frame["commune_code"] != "")]
    for code, group in commune_rows.groupby("commune_code"):
        slots = np.array(spiral_slots(code))
        taken: set[int] = set()
        waiting = []
        for index, row in group.sort_values("id").iterrows():
            x, y = _to_l93.transform(float(row["lon"]), float(row["lat"]))
            distances = np.hypot(slots[:, 0] - x, slots[:, 1] - y)
            slot = int(distances.argmin())
            if distances[slot] > SAME_POINT_M:
                continue  # placed by hand near the commune point: not ours to move
            if slot == 0 or slot in taken:
                waiting.append(index)
            else:
                taken.add(slot)
        free = (k for k in range(1, len(slots)) if k not in taken)
        for index in waiting:
            k = next(free, None)
            if k is None:  # the spiral is full (a small commune has only a few slots): the rest stay on its point
                break
            taken.add(k)
            lon, lat = _to_wgs84.transform(*slots[k])
            frame.loc[index, ["lon", "lat"]] = [f"{lon:.6f}", f"{lat:.6f}"]
    return frame
