"""The map's rows as a file the browser fetches once per data version, so that a rerun sends only which rows to
show, not the rows themselves (at 20,000 players, 2 MB per filter change otherwise, through streamlit-folium's
string processing, the websocket and the frame's script evaluation).

The file lives in static/generated/ (served at /app/static/generated/, not committed), named by its content's
hash: every instance sharing the folder writes the same name for the same data. When the folder cannot be
written (a read-only deployment), `publish` returns None and the rows travel inline as before.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd

GENERATED_DIR = Path(__file__).resolve().parent.parent / "static" / "generated"
GENERATED_URL = "/app/static/generated"
KEEP = 8  # files of earlier data versions kept for pages still open on them
# Rows: fewer travel inline (a few dozen KB), sparing the frame one more request. MARKERS_INLINE_BELOW=0 makes
# every dataset use the file (the browser tests of the file path run on the real, small dataset that way).
INLINE_BELOW = int(os.environ.get("MARKERS_INLINE_BELOW", "2000"))


def publish(rows_json: pd.Series, directory: Path = GENERATED_DIR, inline_below: int = INLINE_BELOW) -> str | None:
    """Writes every row (as `marker_json` makes them, in index order) to one JSON array; returns its URL (None
    for a dataset small enough to travel inline)."""
    if len(rows_json) < inline_below:
        return None
    body = ("[" + ",".join(rows_json) + "]").encode("utf-8")
    name = f"markers-{hashlib.sha256(body).hexdigest()[:20]}.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / name
        if not target.exists():
            with tempfile.NamedTemporaryFile(dir=directory, delete=False, suffix=".tmp") as handle:
                handle.write(body)
            os.replace(handle.name, target)  # atomic: a reader never sees half a file
            _prune(directory, keep=target)
    except OSError:
        return None
    return f"{GENERATED_URL}/{name}"


def _prune(directory: Path, keep: Path) -> None:
    files = sorted(directory.glob("markers-*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in [path for path in files if path != keep][KEEP - 1:]:
        old.unlink(missing_ok=True)


def positions(rows_json: pd.Series, shown: pd.DataFrame) -> list[int] | None:
    """Positions in the published array of the rows `shown` (same index as `rows_json`); None for all of them."""
    if len(shown) == len(rows_json):
        return None
    return rows_json.index.get_indexer(shown.index).tolist()
