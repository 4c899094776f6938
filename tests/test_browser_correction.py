"""The public correction form in a browser: an impatient person clicking "send" again stores one request only,
sees its reference, and gets an empty form for the next request."""

import pytest
from browser_support import wait_idle

from ecosystem.corrections.db import connect
from ecosystem.corrections.service import queue
from ecosystem.loading import read_entities_csv

pytestmark = pytest.mark.browser

ENTITY = "genopole"


def test_sending_twice_stores_one_request_shows_its_reference_and_clears_the_form(page, server):
    name = read_entities_csv().set_index("id").at[ENTITY, "name"]
    new_name = f"{name} (nom corrigé)"
    page.goto(f"{server}/correction?id={ENTITY}")
    page.get_by_role("heading", name="Signaler une correction").wait_for(timeout=60_000)
    wait_idle(page)
    page.get_by_label("Nom", exact=True).fill(new_name)
    page.get_by_label("Votre nom").fill("Claire Martin")
    page.get_by_label("Votre e-mail").fill("claire.twice@example.org")
    page.get_by_text("J'accepte que ces données").click()
    send = page.get_by_role("button", name="Envoyer la demande")
    send.click()
    send.click()  # the impatient double click, while the page is still answering the first one
    page.get_by_text("Demande enregistrée").wait_for(timeout=60_000)
    wait_idle(page)
    send.click()  # and once more, after the answer: "did it work?"
    wait_idle(page)

    stored = queue(connect(server.database_url), status=None, entity_id=ENTITY)
    assert len(stored) == 1, [submission.reference for submission in stored]
    [request] = stored
    assert [(change.field, change.new_value) for change in request.changes] == [("name", new_name)]

    page.get_by_text("Demande enregistrée").wait_for(timeout=10_000)
    code = page.locator("[data-testid='stCode']", has_text=request.reference)
    assert code.count() == 1, "the reference is not shown in a block with a copy button"
    assert page.locator("[data-testid='stAlertContentError']").count() == 0, "the empty form shows errors"

    # The form is back to the entry's current values, with nothing of the previous request left in it.
    assert page.get_by_label("Nom", exact=True).input_value() == name
    assert page.get_by_label("Votre nom").input_value() == ""
    assert page.get_by_label("Votre e-mail").input_value() == ""
    assert not page.get_by_role("checkbox", name="J'accepte que ces données").is_checked()
