"""The staff import in a browser: a staff member signs in, uploads the three-row file built from the README's own
headers ("Raison sociale; Code postal; Ville; Type"), checks that "Type" is read as the kind of actor, applies,
and finds the three organisations on the map and in the directory.

Set IMPORT_SCREENSHOTS=<folder> to keep a screenshot of each step (never committed)."""

import csv
import io
import os
import re
from pathlib import Path

import pytest
from browser_support import map_frame, map_count, pick, shown_count, wait_idle

from ecosystem.corrections.db import connect
from ecosystem.corrections.service import current_raw
from ecosystem.i18n import t
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser

HEADER = ["Raison sociale", "Code postal", "Ville", "Type"]
ROWS = [["Zéphyr Vecteurs", "91000", "Évry-Courcouronnes", "Entreprise"],
        ["Institut Zéphyr", "75013", "Paris", "Institut"],
        ["Zéphyr Incubateur", "94800", "Villejuif", "Incubateur"]]


def readme_file() -> bytes:
    """As Excel saves "CSV (séparateur : point-virgule)" on Windows: cp1252, CRLF."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADER, *ROWS])
    return buffer.getvalue().encode("cp1252")


def snap(page, name: str) -> None:
    folder = os.environ.get("IMPORT_SCREENSHOTS")
    if folder:  # the page scrolls inside Streamlit's main block: a viewport as tall as it, for one picture
        Path(folder).mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        height = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')]"
                               ".slice(0, 1).map(e => e.scrollHeight), 900)")
        page.set_viewport_size({"width": size["width"], "height": min(height + 200, 8000)})
        page.wait_for_timeout(500)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
        page.set_viewport_size(size)


def mapping_value(page, column: str) -> str:
    """What the column-mapping select box of `column` shows."""
    box = page.locator("[data-testid='stSelectbox']",
                       has=page.locator("label", has_text=re.compile(f"^{re.escape(column)}$")))
    return box.locator("input").input_value()


def summary(page) -> str:
    return page.locator("[data-testid='stAlertContentInfo']").first.inner_text()


def test_the_readme_s_three_row_file_imports_in_one_pass(page, server):
    page.goto(f"{server}/import")
    page.get_by_label("Identifiant").wait_for(timeout=60_000)
    page.get_by_label("Identifiant").fill("alice")
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text(t("import_columns_title", "fr")).wait_for(timeout=60_000)
    wait_idle(page)
    snap(page, "1-page")

    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        {"name": "inventaire-trois-lignes.csv", "mimeType": "text/csv", "buffer": readme_file()})
    page.get_by_text(t("report", "fr")).wait_for(timeout=60_000)
    wait_idle(page)
    kind = t("import_target_kind", "fr")
    if mapping_value(page, "Type") != kind:
        pick(page, "Type", kind)  # "Type = kind of actor", if the page had not suggested it
    assert mapping_value(page, "Type") == kind
    assert summary(page).startswith("0 ok, 3 avertissements, 0 erreur — 3 nouvelles"), summary(page)
    # The choice is the staff's: without the kind every row is an error, with it back they all go in.
    pick(page, "Type", t("ignored", "fr"))
    assert summary(page).startswith("0 ok, 0 avertissement, 3 erreurs"), summary(page)
    pick(page, "Type", kind)
    assert summary(page).startswith("0 ok, 3 avertissements, 0 erreur — 3 nouvelles"), summary(page)
    snap(page, "2-report")

    page.get_by_role("button", name=t("apply_import", "fr")).click()
    page.get_by_text("Import appliqué").wait_for(timeout=60_000)
    wait_idle(page)
    snap(page, "3-applied")

    live = current_raw(connect(server.database_url)).set_index("name")
    imported = live.loc[[row[0] for row in ROWS]]
    assert imported["kind"].tolist() == ["company", "institute", "cluster_site"]
    assert set(imported["status"]) == {"to_review"}

    page.goto(f"{server}/carte?q=Zéphyr")
    _, handle = map_frame(page)
    handle.wait_for_function("window.entityMap.count() === 3", timeout=60_000)
    assert map_count(handle) == 3
    wait_idle(page)
    snap(page, "4-map")

    page.goto(f"{server}/annuaire?q=Zéphyr")
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert shown_count(page) == 3
    snap(page, "5-directory")
