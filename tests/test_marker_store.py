"""Marker rows published as a file the map's frame fetches once per data version."""

import json
import os

import pytest

from ecosystem.loading import load_entities
from geo.mapping import marker_json
from geo.marker_store import positions, publish


@pytest.fixture
def rows():
    return marker_json(load_entities(), "fr")


def test_every_row_is_published_once_under_a_name_given_by_its_content(rows, tmp_path):
    url = publish(rows, tmp_path, inline_below=0)
    name = url.rsplit("/", 1)[1]
    assert url.startswith("/app/static/generated/markers-") and (tmp_path / name).is_file()
    assert [row[2] for row in json.loads((tmp_path / name).read_text())] == list(load_entities()["id"])
    assert publish(rows, tmp_path, inline_below=0) == url  # same data, same file (any instance)
    assert publish(rows.iloc[:-1], tmp_path, inline_below=0) != url
    assert len(list(tmp_path.glob("*.tmp"))) == 0


def test_small_datasets_and_unwritable_folders_travel_inline(rows, tmp_path):
    assert publish(rows, tmp_path, inline_below=len(rows) + 1) is None
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores the mode: a file in the way of the folder instead
            target = tmp_path / "file"
            target.write_text("")
            locked = target / "sub"
        assert publish(rows, locked, inline_below=0) is None
    finally:
        (tmp_path / "locked").chmod(0o700)


def test_old_versions_are_pruned(rows, tmp_path):
    for n in range(12):
        publish(rows.iloc[: len(rows) - n], tmp_path, inline_below=0)
    assert len(list(tmp_path.glob("markers-*.json"))) == 8


def test_positions_of_a_selection_in_the_published_array(rows):
    entities = load_entities()
    assert positions(rows, entities) is None
    institutes = entities[entities["kind"] == "institute"]
    found = positions(rows, institutes)
    assert [rows.iloc[i] for i in found] == list(rows.loc[institutes.index])
