"""The map page in headless Chromium, against a real server with BASEMAP=none (no network but the app's own).

CI installs Debian's chromium (.ci/run); the test fails, never skips, when it is missing.
"""

import time

import pytest

from browser_support import hosts, map_count, map_frame, wait_idle
from tests.conftest import STAFF_PASSWORD
from ecosystem.filters import Filters, filter_entities
from ecosystem.loading import load_entities

pytestmark = pytest.mark.browser
# The map's rows reach the frame as a published file here (geo/marker_store.py), as with large datasets.
SERVER_ENV = {"MARKERS_INLINE_BELOW": "0"}


def wait_for_status(server, reference: str, status: str, seconds: float = 60) -> bool:
    """Polls the server's database: what the staff click did, independently of how fast the page redraws."""
    from ecosystem.corrections.db import connect
    from ecosystem.corrections.service import queue

    deadline = time.time() + seconds
    while time.time() < deadline:
        if any(r.reference == reference for r in queue(connect(server.database_url), status=status)):
            return True
        time.sleep(0.5)
    return False


def test_map_shows_markers_opens_a_profile_filters_and_stays_on_its_origin(page, server):
    entities = load_entities()
    page.goto(f"{server}/carte")
    frame, handle = map_frame(page)
    assert map_count(handle) == len(entities)
    assert any("/app/static/generated/markers-" in url for url in page.requested)
    assert page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()["height"] > 300
    assert handle.evaluate("window.__errors") == []

    # A search leaving one entity: its marker stands alone (no cluster), a click opens its profile.
    target = next(row for _, row in entities.sort_values("name").iterrows()
                  if len(filter_entities(entities, Filters(text=row["name"]))) == 1 and "'" not in row["name"])
    search = page.get_by_label("Recherche (nom, description, étiquettes)")
    search.fill(target["name"])
    search.press("Enter")
    handle.wait_for_function(f"window.entityMap.count() < {len(entities)}", timeout=30_000)
    assert map_count(handle) == 1
    frame.locator(f".leaflet-marker-icon[title='{target['name']}']").first.click()
    page.get_by_role("heading", name=target["name"]).wait_for(timeout=30_000)
    assert "kind" not in page.url and "q=" in page.url  # the filter is in the URL, shareable

    assert hosts(page.requested) == {server.split("/")[2]}, hosts(page.requested)


def test_profile_by_url_language_switch_and_csv_download(page, server, tmp_path):
    entities = load_entities()
    entity = entities[entities["kind"] == "institute"].iloc[0]
    page.goto(f"{server}/annuaire?id={entity['id']}")
    page.get_by_role("heading", name=entity["name"]).wait_for(timeout=60_000)
    page.get_by_text(entity["description_fr"][:30]).first.wait_for()

    page.get_by_role("radio", name="EN", exact=True).click()
    page.get_by_text(entity["description_en"][:30]).first.wait_for(timeout=30_000)
    page.get_by_role("link", name="Suggest a correction").first.wait_for()
    assert "lang=en" in page.url and f"id={entity['id']}" in page.url

    assert "/fiche" in page.url  # links of earlier versions open the profile page
    page.get_by_role("link", name="← Back to the directory").click()
    page.get_by_role("heading", name="Directory").wait_for(timeout=30_000)
    wait_idle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="CSV (semicolon, Excel)").last.click()
    path = tmp_path / "export.csv"
    download.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("id;name;kind;category") and len(lines) == len(entities) + 1

    assert hosts(page.requested) == {server.split("/")[2]}, hosts(page.requested)


def test_popup_correction_link_points_at_the_app_page(page, server):
    entities = load_entities()
    target = next(row for _, row in entities.sort_values("name").iterrows()
                  if len(filter_entities(entities, Filters(text=row["name"]))) == 1 and "'" not in row["name"])
    page.goto(f"{server}/carte?q={target['name']}")
    frame, handle = map_frame(page)
    handle.wait_for_function("window.entityMap.count() === 1", timeout=30_000)
    frame.locator(f".leaflet-marker-icon[title='{target['name']}']").first.click()
    link = frame.locator(".entity-popup a.correction")
    link.wait_for(timeout=10_000)
    assert link.get_attribute("href") == f"{server}/correction?id={target['id']}"


def test_correction_from_a_popup_then_staff_acceptance_shows_on_the_map(page, server):
    entities = load_entities()
    target = next(row for _, row in entities.sort_values("name", ascending=False).iterrows()
                  if len(filter_entities(entities, Filters(text=row["name"]))) == 1 and "'" not in row["name"])
    new_name = f"{target['name']} Corrigé"
    page.goto(f"{server}/carte?q={target['name']}")
    frame, handle = map_frame(page)
    handle.wait_for_function("window.entityMap.count() === 1", timeout=60_000)
    frame.locator(f".leaflet-marker-icon[title='{target['name']}']").first.click()
    with page.context.expect_page() as opened:  # the form opens in a new tab
        frame.locator(".entity-popup a.correction").click()
    page = opened.value
    page.get_by_role("heading", name="Signaler une correction").wait_for(timeout=60_000)
    assert page.url.endswith(f"/correction?id={target['id']}")
    page.get_by_label("Nom", exact=True).fill(new_name)
    page.get_by_label("Votre nom").fill("Claire Martin")
    page.get_by_label("Votre e-mail").fill("claire@example.org")
    page.get_by_text("J'accepte que ces données").click()
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_text("Demande enregistrée").wait_for(timeout=60_000)
    reference = page.locator("strong", has_text="CORR-").first.inner_text()

    page.goto(f"{server}/moderation")
    page.get_by_label("Identifiant").wait_for(timeout=60_000)
    page.get_by_label("Identifiant").fill("alice")
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text(reference).click(timeout=60_000)
    page.get_by_text("claire@example.org").first.wait_for(timeout=60_000)
    accept_button = page.get_by_role("button", name="Accepter et publier")
    accept_button.wait_for(timeout=60_000)
    accept_button.click()
    if not wait_for_status(server, reference, "accepted", seconds=20):
        # Seen once in CI on a loaded machine: the click landed while the page was still redrawing.
        accept_button.click()
    assert wait_for_status(server, reference, "accepted"), "the acceptance was not recorded"
    page.get_by_text("Aucune demande.").wait_for(timeout=60_000)

    page.goto(f"{server}/carte?q=Corrigé")
    frame, handle = map_frame(page)
    frame.locator(f".leaflet-marker-icon[title='{new_name}']").first.wait_for(timeout=60_000)
    assert map_count(handle) == 1
