"""Journeys through the sidebar filters, driven widget by widget as a person does (not by typing URLs).

Each step's count is compared with the same selection computed by the library, and the final view with what its
shared URL gives in a fresh browser.
"""

import pytest

from browser_support import choose, chosen, shown_count, sidebar, switch_language, wait_idle
from ecosystem.filters import Filters, filter_entities
from ecosystem.loading import load_entities

pytestmark = pytest.mark.browser


def expected(**facets) -> int:
    return len(filter_entities(load_entities(), Filters(**facets)))


def test_three_facets_a_layer_toggle_and_the_language_switch_keep_every_facet_on_the_map(page, server, fresh_tab):
    page.goto(f"{server}/carte")
    wait_idle(page)
    choose(page, "Type d'acteur", "Entreprise")
    assert shown_count(page) == expected(kind=("company",))
    choose(page, "Modalités", "Thérapie génique")
    assert shown_count(page) == expected(kind=("company",), modalities=("gene_therapy",))
    choose(page, "Aires thérapeutiques", "Oncologie")
    final = expected(kind=("company",), modalities=("gene_therapy",), therapeutic_areas=("oncology",))
    assert final > 0
    assert shown_count(page) == final

    page.get_by_role("radio", name="Par département").click()
    wait_idle(page)
    assert shown_count(page) == final
    # The chips keep their facet and show the count of the current selection, not a stale one.
    companies_here = expected(modalities=("gene_therapy",), therapeutic_areas=("oncology",), kind=("company",))
    assert chosen(page, "Type d'acteur") == [f"Entreprise ({companies_here})"]

    switch_language(page, "en")
    assert shown_count(page) == final
    assert chosen(page, "Kind of player") == [f"Company ({companies_here})"]
    assert chosen(page, "Modalities")[0].startswith("Gene therapy (")
    assert chosen(page, "Therapeutic areas")[0].startswith("Oncology (")
    assert "kind=company" in page.url and "modalities=gene_therapy" in page.url

    # A fourth interaction after the switch still keeps everything.
    choose(page, "Département", "Essonne") if expected(
        kind=("company",), modalities=("gene_therapy",), therapeutic_areas=("oncology",), dep=("91",)) else None
    shared = fresh_tab(page.url)
    wait_idle(shared)
    assert shown_count(shared) == shown_count(page) > 0


def test_staff_task_companies_in_essonne_then_density_by_departement(page, server):
    page.goto(f"{server}/carte")
    wait_idle(page)
    choose(page, "Type d'acteur", "Entreprise")
    choose(page, "Département", "Essonne")
    in_essonne = expected(kind=("company",), dep=("91",))
    assert in_essonne > 0 and shown_count(page) == in_essonne
    page.get_by_role("radio", name="Par département").click()
    wait_idle(page)
    assert shown_count(page) == in_essonne
    sidebar(page).get_by_role("textbox").fill("")  # touching the search box is an interaction too
    page.keyboard.press("Enter")
    wait_idle(page)
    assert shown_count(page) == in_essonne


def test_three_facets_on_analyses_then_language_then_the_map_page(page, server, fresh_tab):
    page.goto(f"{server}/analyses")
    wait_idle(page)
    choose(page, "Type d'acteur", "Entreprise")
    choose(page, "Rôles dans la chaîne de valeur", "R&D")
    choose(page, "Département", "Paris")
    final = expected(kind=("company",), roles=("rnd",), dep=("75",))
    assert final > 0 and shown_count(page) == final
    switch_language(page, "en")
    assert shown_count(page) == final
    sidebar(page).get_by_role("link", name="Map").click()
    wait_idle(page)
    assert shown_count(page) == final
    page.get_by_role("radio", name="By département").click()
    wait_idle(page)
    assert shown_count(page) == final
    shared = fresh_tab(page.url)
    wait_idle(shared)
    assert shown_count(shared) == final
