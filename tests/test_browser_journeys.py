"""Journeys of the map and the directory, driven as a person does: clicks on markers and rows, the way back,
exports of what is on screen, at desktop (1440×900, the map partly below the fold) and phone (390×844) sizes."""

import csv
import io
import re

import pytest

from browser_support import (MAP_COUNT, MAP_FRAME, choose, click_grid_cell, download, human_click, map_frame, pick,
                             shown_count, sidebar, tick_grid_row, wait_idle)
from ecosystem.filters import Filters, filter_entities
from ecosystem.loading import load_entities
from ecosystem.proximity import within_km
from ecosystem.selection import by_name

pytestmark = pytest.mark.browser


def csv_ids(data: bytes) -> list[str]:
    return [row["id"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))]


def companies() -> list[str]:
    return list(by_name(filter_entities(load_entities(), Filters(kind=("company",))))["name"])


def profile_heading(page, name: str):
    return page.locator(".profile h3", has_text=name)


# --- directory ----------------------------------------------------------------------------------------------------

def test_a_row_click_opens_the_profile_and_every_way_back_returns_to_the_filtered_table(page, server):
    names = companies()
    page.goto(f"{server}/annuaire")
    wait_idle(page)
    choose(page, "Type d'acteur", "Entreprise")
    assert shown_count(page) == len(names)
    table = page.locator("[data-testid='stDataFrame']").first

    click_grid_cell(page, table, 1)  # the name cell, not the checkbox
    profile_heading(page, names[1]).wait_for(timeout=30_000)
    assert "/fiche?" in page.url and "id=" in page.url
    page.get_by_role("link", name="← Retour à l'annuaire").click()
    page.get_by_role("heading", name="Annuaire").wait_for(timeout=30_000)
    wait_idle(page)
    assert shown_count(page) == len(names) and "kind=company" in page.url

    click_grid_cell(page, table, 2, x_offset=420)  # another column of the row
    profile_heading(page, names[2]).wait_for(timeout=30_000)
    page.go_back()  # the browser's own Back button
    page.get_by_role("heading", name="Annuaire").wait_for(timeout=30_000)
    wait_idle(page)
    assert shown_count(page) == len(names)

    click_grid_cell(page, table, 3)
    profile_heading(page, names[3]).wait_for(timeout=30_000)
    sidebar(page).get_by_role("link", name="Annuaire").click()
    page.get_by_role("heading", name="Annuaire").wait_for(timeout=30_000)
    wait_idle(page)
    assert shown_count(page) == len(names) and "/fiche" not in page.url


def test_a_shortlist_picked_across_filters_exports_exactly_those_players(page, server, tmp_path):
    entities = load_entities()
    page.goto(f"{server}/annuaire")
    wait_idle(page)
    choose(page, "Type d'acteur", "Entreprise")
    table = page.locator("[data-testid='stDataFrame']").first
    tick_grid_row(page, table, 0)
    wait_idle(page)
    tick_grid_row(page, table, 2)
    wait_idle(page)
    names = companies()
    picked = [names[0], names[2]]
    page.get_by_role("heading", name="Ma sélection (2)").wait_for(timeout=30_000)

    # Another filter: the shortlist keeps what was picked before and takes one more.
    sidebar(page).locator("[data-testid='stMultiSelect']", has=page.get_by_text("Type d'acteur", exact=True)) \
        .get_by_role("button", name=re.compile("Remove")).click()
    wait_idle(page)
    choose(page, "Type d'acteur", "Site de cluster")
    sites = list(by_name(entities[entities["kind"] == "cluster_site"])["name"])
    tick_grid_row(page, page.locator("[data-testid='stDataFrame']").first, 1)
    picked.append(sites[1])
    page.get_by_role("heading", name="Ma sélection (3)").wait_for(timeout=30_000)
    wait_idle(page)

    exported = csv_ids(download(page, "export_shortlist_csv", tmp_path))
    id_of = dict(zip(entities["name"], entities["id"]))
    assert sorted(exported) == sorted(id_of[name] for name in picked)


# --- map: clicks ----------------------------------------------------------------------------------------------------

def lone_marker_in_view(page, frame, viewport_height: int):
    """A player's own marker (not a cluster bubble) fully in the visible part of the page."""
    markers = frame.locator(".entity-icon[title]")
    for i in range(markers.count()):
        box = markers.nth(i).bounding_box()
        if box and 40 < box["y"] < viewport_height - 60:
            return markers.nth(i).get_attribute("title"), box
    raise AssertionError("no lone marker in view")


def test_one_click_on_a_marker_of_a_map_partly_below_the_fold_opens_popup_and_card(page, server, fresh_tab):
    page.goto(f"{server}/carte")
    frame, handle = map_frame(page)
    wait_idle(page)
    map_box = page.locator(MAP_FRAME).bounding_box()
    assert map_box["y"] + map_box["height"] > 900  # the map is only partly in view
    name, box = lone_marker_in_view(page, frame, 900)

    human_click(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # once
    profile_heading(page, name).wait_for(timeout=15_000)
    assert frame.locator(".entity-popup strong", has_text=name).is_visible()
    entity_id = load_entities().set_index("name").loc[name, "id"]
    wait_idle(page)
    assert f"id={entity_id}" in page.url
    shared = page.locator(".st-key-share_link [data-testid='stCode']").inner_text().strip()
    assert shared == f"{server}/carte?id={entity_id}"
    assert frame.locator(".entity-popup strong", has_text=name).is_visible()  # still open after the rerun

    colleague = fresh_tab(shared)
    profile_heading(colleague, name).wait_for(timeout=60_000)
    _, their_map = map_frame(colleague)
    their_map.wait_for_function("window.map.getZoom() >= 14", timeout=15_000)
    assert their_map.evaluate("window.entityMap.selected") == entity_id

    page.go_back()  # Back: the selection before the click (none)
    page.get_by_text("Cliquez sur un point de la carte").wait_for(timeout=30_000)
    assert "id=" not in page.url


def test_on_a_phone_a_tap_on_a_marker_brings_the_card_into_view(phone, server):
    phone.goto(f"{server}/carte")
    frame, handle = map_frame(phone)
    wait_idle(phone)
    marker = frame.locator(".entity-icon[title]").first
    name = marker.get_attribute("title")
    marker.tap()
    heading = profile_heading(phone, name)
    heading.wait_for(timeout=15_000)
    phone.wait_for_function(  # below Streamlit's top bar, within the screen
        "name => { const h = [...document.querySelectorAll('.profile h3')].find(e => e.textContent === name);"
        " const bar = document.querySelector('[data-testid=stHeader]').getBoundingClientRect().bottom;"
        " const r = h && h.getBoundingClientRect(); return !!r && r.top >= bar && r.bottom <= window.innerHeight; }",
        arg=name, timeout=10_000)
    phone.wait_for_timeout(1500)  # and it stays there once the page has settled
    box = heading.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844


# --- map: the view follows the selection --------------------------------------------------------------------------

def bounds_contain(handle, points) -> bool:
    return handle.evaluate("pts => pts.every(p => window.map.getBounds().contains(p))", points)


def test_the_map_fits_a_search_a_cluster_and_a_proximity_circle_and_exports_what_it_shows(page, server, tmp_path):
    entities = load_entities()
    page.goto(f"{server}/carte")
    frame, handle = map_frame(page)
    wait_idle(page)
    region_zoom = handle.evaluate("window.map.getZoom()")

    # One result: zoomed in on it, drawn as its own marker.
    target = next(row for _, row in entities.sort_values("name").iterrows()
                  if len(filter_entities(entities, Filters(text=row["name"]))) == 1 and "'" not in row["name"]
                  and row["dep"] == "91")
    search = sidebar(page).get_by_role("textbox")
    search.fill(target["name"])
    search.press("Enter")
    handle.wait_for_function(f"({MAP_COUNT})() === 1", timeout=30_000)
    handle.wait_for_function("window.map.getZoom() >= 14", timeout=10_000)
    frame.locator(f".entity-icon[title='{target['name']}']").wait_for(timeout=10_000)
    search.fill("")
    search.press("Enter")
    wait_idle(page)

    # A cluster: every one of its players in view, closer than the region.
    choose(page, "Clusters", "Genopole")
    genopole = filter_entities(entities, Filters(clusters=("genopole",)))
    handle.wait_for_function(f"({MAP_COUNT})() === {len(genopole)}", timeout=30_000)
    handle.wait_for_function(f"window.map.getZoom() > {region_zoom}", timeout=10_000)
    assert bounds_contain(handle, genopole[["lat", "lon"]].values.tolist())

    # Proximity: 5 km around Genopole; the circle in view; the result exported as it is listed.
    sidebar(page).get_by_role("button", name=re.compile("Réinitialiser")).click()
    wait_idle(page)
    page.get_by_text("Acteurs à proximité").click()
    pick(page, "Autour de", "Genopole")
    origin = entities[entities["id"] == "genopole"].iloc[0]
    handle.wait_for_function(
        "p => window.map.getBounds().contains(p)", arg=[origin["lat"] + 0.04, origin["lon"]], timeout=10_000)
    assert bounds_contain(handle, [[origin["lat"] - 0.04, origin["lon"]], [origin["lat"], origin["lon"] + 0.06]])
    near = within_km(entities, "genopole", 5.0)
    assert len(near) > 3
    assert csv_ids(download(page, "export_near_csv", tmp_path)) == list(near["id"])
    assert "near=genopole" in page.url
