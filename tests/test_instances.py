"""Two app instances on one PostgreSQL database (issue 12, "Also prove"), as the README describes them: two
Streamlit processes given the same DATABASE_URL, driven in headless Chromium.

- A correction accepted on instance A's moderation page shows on instance B at the next interaction of pages
  that B had drawn before (the profile page and the map), without restarting B.
- Wrong passwords typed on A lock the account on B too: the login throttle lives in the database.

Never skipped: CI has PostgreSQL (TEST_POSTGRES_URL) and Chromium (.ci/run).
"""

import re
import time

import pytest

from browser_support import DESKTOP, app_server, map_count, map_frame, sidebar, wait_idle
from db_support import postgres_database, sqlalchemy_url
from ecosystem.corrections.auth import hash_password
from ecosystem.corrections.db import connect, migrate
from ecosystem.corrections.service import ACCEPTED, queue, submit
from ecosystem.corrections.throttle import MAX_FAILURES
from ecosystem.filters import Filters, filter_entities
from ecosystem.loading import load_entities

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
CONTACT = {"contact_name": "Claire Martin", "contact_email": "claire.instances@example.org",
           "contact_organisation": "", "relation": "self", "comment": ""}


@pytest.fixture(scope="module")
def instances():
    """Two servers on one fresh PostgreSQL database, migrated once before they start (as the README asks)."""
    with postgres_database("test_instances") as url:
        migrate(sqlalchemy_url(url))
        accounts = f"alice:{hash_password(PASSWORD)},bob:{hash_password(PASSWORD)}"
        env = {"DATABASE_URL": url, "BASEMAP": "none", "STAFF_ACCOUNTS": accounts}
        with app_server(env) as first, app_server(env) as second:
            yield first, second, sqlalchemy_url(url)
        connect.cache_clear()


@pytest.fixture
def tabs(browser):
    contexts = []

    def open_tab(url: str):
        context = browser.new_context(**DESKTOP)  # its own cookies: a separate browser session
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield open_tab
    for context in contexts:
        context.close()


def log_in(page, user: str, password: str) -> None:
    page.get_by_label("Identifiant").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_label("Identifiant").fill(user)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    wait_idle(page)


def wait_for_status(database_url: str, reference: str, status: str, seconds: float = 60) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if any(r.reference == reference for r in queue(connect(database_url), status=status)):
            return True
        time.sleep(0.5)
    return False


def test_a_correction_accepted_on_one_instance_shows_on_the_other_at_its_next_interaction(instances, tabs):
    first, second, database_url = instances
    entities = load_entities()
    target = next(row for _, row in entities.sort_values("name").iterrows()
                  if len(filter_entities(entities, Filters(text=row["name"]))) == 1 and "'" not in row["name"])
    new_name = f"{target['name']} Instances"
    reference = submit(connect(database_url), entity_id=target["id"], values={"name": new_name},
                       current={"name": target["name"]}, contact=CONTACT, session_token="instances")

    # Instance B, before the decision: the profile page and the map searching for the new name.
    profile = tabs(f"{second}/fiche?id={target['id']}")
    profile.get_by_role("heading", name=target["name"], exact=True).wait_for(timeout=60_000)
    wait_idle(profile)
    board = tabs(f"{second}/carte")
    frame, handle = map_frame(board)
    assert map_count(handle) == len(entities)
    wait_idle(board)

    # Instance A: a staff member accepts the request on the moderation page.
    moderation = tabs(f"{first}/moderation")
    log_in(moderation, "alice", PASSWORD)
    moderation.get_by_text(reference).click(timeout=60_000)
    accept = moderation.get_by_role("button", name="Accepter et publier")
    accept.wait_for(timeout=60_000)
    accept.click()
    if not wait_for_status(database_url, reference, ACCEPTED, seconds=20):
        accept.click()  # the click landed while the page was still redrawing (seen on loaded machines)
    assert wait_for_status(database_url, reference, ACCEPTED), "the acceptance was not recorded"

    # Instance B, one interaction later and never restarted: the profile (language switch) ...
    sidebar(profile).get_by_role("radio", name="EN", exact=True).click()
    profile.get_by_role("heading", name=new_name, exact=True).wait_for(timeout=60_000)
    assert profile.get_by_role("heading", name=target["name"], exact=True).count() == 0
    # ... and the map (a search for the new name finds the one player, under its new name).
    search = board.get_by_label("Recherche (nom, description, étiquettes)")
    search.fill("Instances")
    search.press("Enter")
    handle.wait_for_function("window.entityMap.count() === 1", timeout=60_000)
    frame.locator(f".leaflet-marker-icon[title='{new_name}']").first.wait_for(timeout=60_000)


def test_wrong_passwords_on_one_instance_lock_the_account_on_the_other(instances, tabs):
    first, second, _ = instances
    guesses = tabs(f"{first}/qualite")
    for _ in range(MAX_FAILURES):
        log_in(guesses, "bob", "not the password")
        guesses.get_by_text("Identifiant ou mot de passe incorrect.").wait_for(timeout=30_000)
    owner = tabs(f"{second}/qualite")  # another instance, another browser session: only the account is shared
    log_in(owner, "bob", PASSWORD)
    message = owner.get_by_text(re.compile(r"Trop de tentatives de connexion .* réessayez dans \d+ s\."))
    message.wait_for(timeout=30_000)
    assert owner.get_by_role("button", name="Se connecter").count() == 1  # still the login form, nothing else
