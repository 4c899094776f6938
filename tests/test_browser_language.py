"""Every page in one language (issue 15): a person walks the app in Chromium at desktop size — home, then each page
through the sidebar's links, a profile opened from the directory, both modes of the correction form, About, an
unknown address, and the staff pages after signing in — in French, switches the language with the sidebar's
widget, and walks it again in English. On each page the visible text of the main area, the sidebar, an open
option list and any dialog (widgets' placeholders included) must hold no word of the other language: Streamlit's
own English strings ("Select all", "Choose options", "Upload", "200MB per file", "empty", "Page not found"…) in
the French interface, French ones in the English interface.

Data values are not interface text and are left out: table and grid contents, the map's frame, code blocks,
charts, a player's name, description and review note on its profile, the entity picked in a select box; a few
proper names that appear in interface text are listed in ALLOWED.

Set LANGUAGE_SCREENSHOTS=<folder> to keep a screenshot of each page visited (never committed)."""

import os
import re
from pathlib import Path

import pytest
from browser_support import click_grid_cell, sidebar, switch_language, wait_idle

from ecosystem.i18n import t
from tests.conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser

# Words and phrases of one language that have no business in the other's interface (matched as whole words, case
# sensitive: "Search" and "Download" are Streamlit's tooltips, not the icons' ligature names).
ENGLISH = ["Select all", "Choose options", "Choose an option", "Choose", "No results", "Upload", "Browse",
           "files", "per file", "Drag and drop", "empty", "Page not found", "Running", "Stop", "Download",
           "Search", "Fullscreen", "Clear all", "YYYY", "yyyy", "dd", "None", "requested page", "main page", "Add:"]
FRENCH = ["acteurs", "acteur", "Réinitialiser", "Rechercher", "Recherche", "Télécharger", "fiche", "Fiche",
          "Entreprise", "Filtres", "Carte", "Annuaire", "Accueil", "Aucun", "Aucune", "données", "Parcourir",
          "Déposer", "Choisir", "Sélectionner", "Retour", "Se connecter", "Mot de passe", "Identifiant",
          "par fichier", "jj", "aaaa", "introuvable", "Signaler", "équipe", "Institut de recherche",
          "Tout sélectionner", "Aucun résultat"]
# Proper names and fixed labels that are the same in both languages (removed from the text before matching).
ALLOWED = ["Langue / Language", "Paris-Saclay Cancer Cluster", "Brain & Mind", "Genopole", "Genother", "Biocitech",
           "Institut Paris Region", "Smart Santé", "Île-de-France", "Licence Ouverte", "Géoplateforme",
           "Plan IGN", "OpenStreetMap France", "data/entities.csv",
           "Département"]  # France's administrative unit: the English interface keeps the French word
# Data values, never interface text (see the module's documentation).
EXCLUDED = ", ".join([
    "[data-testid='stDataFrame']", "[data-testid='stTable']", "[data-testid='stCode']", "pre", "code", "iframe",
    "[data-testid='stIconMaterial']", "[data-testid='stVegaLiteChart']", "[data-testid='stArrowVegaLiteChart']",
    ".vega-embed", ".profile h3", ".profile > p", ".profile .review", ".profile .meta",
    "[data-testid='stSelectbox'] [data-baseweb='select'] [value]",
])
EMPTY_TABLE = "«an empty table»"
COLLECT = """(excluded) => {
  const EMPTY_TABLE = '""" + EMPTY_TABLE + """';
  const roots = [...document.querySelectorAll(
    "[data-testid='stMain'], [data-testid='stSidebar'], [role='dialog'], [role='listbox'],"
    + " [data-testid='stStatusWidget'], [data-testid='stToast']")];
  const parts = [];
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent.trim() || !element || element.closest(excluded)) continue;
      if (element.checkVisibility && !element.checkVisibility({visibilityProperty: true})) continue;
      if (getComputedStyle(element).fontSize === '0px') continue;  // hidden by the app's CSS, replaced by ::after
      parts.push(node.textContent.trim());
    }
    for (const input of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
      if (input.closest(excluded) || !input.placeholder.trim() || input.value) continue;  // shown when empty
      if (input.checkVisibility && !input.checkVisibility()) continue;
      parts.push(input.placeholder.trim());
    }
    // Text drawn by CSS (content of ::before and ::after), as the app puts its own words in Streamlit's places.
    for (const element of root.querySelectorAll('*')) {
      if (element.closest(excluded) || (element.checkVisibility && !element.checkVisibility())) continue;
      for (const pseudo of ['::before', '::after']) {
        const content = getComputedStyle(element, pseudo).content;
        if (content && content.startsWith('"') && content.length > 2) parts.push(JSON.parse(content));
      }
    }
    // A table without rows: Streamlit's grid writes "empty" on its canvas (no text node to read).
    for (const grid of root.querySelectorAll("[data-testid='stDataFrame']")) {
      const table = grid.querySelector('table[aria-rowcount]');
      if (table && Number(table.getAttribute('aria-rowcount')) <= 1) parts.push(EMPTY_TABLE);
    }
  }
  return [...new Set(parts)].join('\\n');
}"""


def foreign_words(text: str, lang: str) -> list[str]:
    for allowed in ALLOWED:
        text = text.replace(allowed, " ")
    words = ENGLISH if lang == "fr" else FRENCH
    found = [f"{EMPTY_TABLE} (Streamlit's grid says \"empty\")"] if EMPTY_TABLE in text else []
    for word in words:
        for match in re.finditer(rf"(?<![\w-]){word}(?![\w-])", text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            found.append(f"{match.group(0)!r} in {text[line_start:line_end if line_end >= 0 else None]!r}")
    return found


class Walk:
    """What a person sees on each page visited, page by page, and the screenshots of each."""

    def __init__(self, page):
        self.page = page
        self.found: dict[str, list[str]] = {}
        self.folder = os.environ.get("LANGUAGE_SCREENSHOTS")

    def look(self, name: str, lang: str) -> None:
        wait_idle(self.page)
        text = self.page.evaluate(COLLECT, EXCLUDED)
        words = foreign_words(text, lang)
        if words:
            self.found.setdefault(f"{lang}: {name}", []).extend(words)
        if self.folder:
            Path(self.folder).mkdir(parents=True, exist_ok=True)
            # The page scrolls inside Streamlit's main block: a viewport as tall as it, for one picture.
            size = self.page.viewport_size
            height = self.page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')]"
                                        ".slice(0, 1).map(e => e.scrollHeight), 0)")
            self.page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 8000))})
            self.page.wait_for_timeout(500)
            self.page.screenshot(path=str(Path(self.folder) / f"{lang}-{name}.png"))
            self.page.set_viewport_size(size)
            wait_idle(self.page)

    def open_options(self, name: str, lang: str, label: str) -> None:
        """Opens the option list of the multiselect labelled `label`, looks at it, and closes it."""
        box = self.page.locator("[data-testid='stMultiSelect']",
                                has=self.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))
        for attempt in range(3):  # the list closes if the page redraws meanwhile: as a person, click again
            box.first.locator("input").scroll_into_view_if_needed()
            box.first.locator("input").click()
            try:
                self.page.locator("[role='option']").first.wait_for(timeout=5_000)
                break
            except Exception:
                self.page.keyboard.press("Escape")
                if attempt == 2:
                    raise
        self.look(name, lang)
        self.page.keyboard.press("Escape")


def nav(page, title: str) -> None:
    """Follows the sidebar's link to the page titled `title`."""
    link = sidebar(page).locator("[data-testid='stSidebarNavLink']",  # the icon's ligature name, then the title
                                 has=page.get_by_text(title, exact=True))
    link.click()
    page.wait_for_function("(link) => link.getAttribute('aria-current') === 'page'", arg=link.element_handle(),
                           timeout=60_000)
    wait_idle(page, quiet_ms=800)


def walk_public(walk: Walk, lang: str) -> None:
    page = walk.page
    nav(page, t("page_home", lang))
    walk.look("home", lang)

    nav(page, t("page_map", lang))
    walk.look("map", lang)
    walk.open_options("map-options", lang, t("facet_kind", lang))

    nav(page, t("page_analyses", lang))
    walk.look("analyses", lang)

    nav(page, t("page_directory", lang))
    walk.look("directory", lang)
    grid = page.locator("[data-testid='stDataFrame']").first
    click_grid_cell(page, grid, 0)
    page.get_by_text(t("share_link", lang)).wait_for(timeout=60_000)
    walk.look("profile", lang)

    nav(page, t("page_correction", lang))
    walk.look("correction-change", lang)
    page.get_by_role("radio", name=t("mode_new", lang)).click()
    wait_idle(page)
    walk.look("correction-new", lang)
    walk.open_options("correction-options", lang, t("facet_therapeutic_areas", lang))

    nav(page, t("page_about", lang))
    walk.look("about", lang)


def walk_staff(walk: Walk, lang: str) -> None:
    page = walk.page
    nav(page, t("page_moderation", lang))
    walk.look("moderation", lang)
    nav(page, t("page_import", lang))
    walk.look("import", lang)
    nav(page, t("page_quality", lang))
    walk.look("quality", lang)


def sign_in(walk: Walk, lang: str) -> None:
    """From home, the staff link and the sign-in form."""
    page = walk.page
    nav(page, t("page_home", lang))
    page.get_by_role("link", name=t("staff_access", lang)).first.click()
    page.get_by_label(t("user", lang)).wait_for(timeout=60_000)
    walk.look("sign-in", lang)
    page.get_by_label(t("user", lang)).fill("alice")
    page.get_by_label(t("password", lang)).fill(STAFF_PASSWORD)
    page.get_by_role("button", name=t("sign_in", lang)).click()
    sidebar(page).get_by_role("button", name=t("sign_out", lang)).wait_for(timeout=60_000)
    wait_idle(page)


def unknown_address(walk: Walk, server, lang: str) -> None:
    """An address typed by hand that is no page of the app."""
    page = walk.page
    page.goto(f"{server}/nimportequoi" + ("?lang=en" if lang == "en" else ""))
    page.locator("[data-testid='stSidebar']").wait_for(timeout=60_000)
    wait_idle(page, quiet_ms=1000)
    walk.look("unknown-address", lang)


def test_every_page_speaks_one_language(page, server):
    walk = Walk(page)
    page.goto(server)
    page.get_by_role("heading", name=t("app_title", "fr")).wait_for(timeout=60_000)
    wait_idle(page)
    walk_public(walk, "fr")
    sign_in(walk, "fr")
    walk_staff(walk, "fr")

    switch_language(page, "en")
    page.get_by_role("heading", name=t("page_quality", "en")).wait_for(timeout=60_000)
    walk.look("quality-after-switch", "en")
    walk_staff(walk, "en")
    walk_public(walk, "en")
    unknown_address(walk, server, "en")
    unknown_address(walk, server, "fr")

    report = "\n".join(f"{name}:\n  " + "\n  ".join(words) for name, words in walk.found.items())
    assert not walk.found, "words of the other language:\n" + report
