"""The staff page in AppTest: nothing of the queue (nor any contact e-mail) without a valid login."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecosystem.corrections.auth import check_password, hash_password
from ecosystem.corrections.db import connect
from ecosystem.corrections.service import queue, submit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
EMAIL = "secret.contact@example.org"


@pytest.fixture(scope="module")
def staff_hash():
    return hash_password(PASSWORD)


@pytest.fixture
def pending_request():
    factory = connect()
    submit(factory, entity_id="genopole", values={"address": "Campus 1"}, current={"address": ""},
           contact={"contact_name": "Claire", "contact_email": EMAIL, "contact_organisation": "",
                    "relation": "self", "comment": ""}, session_token="moderation-test")
    return factory


def moderation_page() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page("views/moderation.py")
    return app.run()


def page_text(app: AppTest) -> str:
    texts = [str(element.value) for kind in ("markdown", "text", "caption") for element in app.get(kind)]
    return " ".join(texts + [str(element.label) for element in app.expander])


def test_without_accounts_the_page_says_how_to_create_one(monkeypatch, pending_request):
    monkeypatch.delenv("STAFF_ACCOUNTS", raising=False)
    app = moderation_page()
    assert not app.exception and "README" in app.warning[0].value
    assert EMAIL not in page_text(app) and not app.expander


def test_wrong_password_is_refused_and_shows_nothing(monkeypatch, staff_hash, pending_request):
    monkeypatch.setenv("STAFF_ACCOUNTS", f"alice:{staff_hash}")
    app = moderation_page()
    assert app.text_input[1].proto.type == app.text_input[1].proto.PASSWORD
    app.text_input[0].input("alice")
    app.text_input[1].input("wrong password!")
    app.button[0].click().run()
    assert "incorrect" in app.error[0].value
    assert "staff_user" not in app.session_state and EMAIL not in page_text(app)
    assert not app.expander


def test_right_password_opens_the_queue_with_contacts(monkeypatch, staff_hash, pending_request):
    monkeypatch.setenv("STAFF_ACCOUNTS", f"alice:{staff_hash}")
    app = moderation_page()
    app.text_input[0].input("alice")
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    assert not app.exception and app.session_state["staff_user"] == "alice"
    assert any(request.contact_email == EMAIL for request in queue(pending_request))
    assert EMAIL in page_text(app) and app.expander


def test_password_checks():
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$2b$") and PASSWORD not in hashed
    assert check_password({"alice": hashed}, "alice", PASSWORD)
    assert not check_password({"alice": hashed}, "alice", PASSWORD + "x")
    assert not check_password({"alice": hashed}, "bob", PASSWORD)
    assert not check_password({"alice": "not-a-hash"}, "alice", PASSWORD)
    with pytest.raises(ValueError):
        hash_password("short")


def staff_page(page: str, monkeypatch, staff_hash) -> AppTest:
    monkeypatch.setenv("STAFF_ACCOUNTS", f"alice:{staff_hash}")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.session_state["staff_user"] = "alice"  # logged in
    app.switch_page(page)
    return app.run()


def test_quality_page_lists_items_with_links(monkeypatch, staff_hash):
    app = staff_page("views/quality.py", monkeypatch, staff_hash)
    assert not app.exception
    tables = [frame.value for frame in app.dataframe]
    to_check = tables[1]
    assert len(to_check) > 50 and "Corriger" in to_check.columns
    assert to_check["Corriger"].str.startswith("correction?id=").all()


@pytest.mark.parametrize("page", ["views/quality.py", "views/importer.py", "views/moderation.py"])
def test_staff_pages_need_a_login(monkeypatch, staff_hash, page):
    monkeypatch.setenv("STAFF_ACCOUNTS", f"alice:{staff_hash}")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception
    assert app.text_input[1].proto.type == app.text_input[1].proto.PASSWORD  # the login form, and nothing else
    assert not app.dataframe and not app.expander


# --- Decisions that cannot apply (issue 12): said in the staff member's language, nothing half-applied ---------

from test_corrections import CONTACT, database_url  # noqa: E402,F401 (fixture: SQLite and PostgreSQL)
from test_corrections_hardening import app_database, propose  # noqa: E402,F401 (fixture)

from ecosystem.corrections import service  # noqa: E402
from ecosystem.corrections.service import ACCEPTED, PENDING, REJECTED, current_raw, history, reject  # noqa: E402
from ecosystem.i18n import t  # noqa: E402


def moderation_as_alice(monkeypatch, staff_hash, lang: str = "fr") -> AppTest:
    monkeypatch.setenv("STAFF_ACCOUNTS", f"alice:{staff_hash}")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if lang != "fr":
        app.query_params["lang"] = lang
    app.run()
    app.session_state["staff_user"] = "alice"  # logged in
    app.switch_page("views/moderation.py")
    return app.run()


def click(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label == label).click()
    return app.run()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_two_moderators_at_the_same_moment_the_second_is_told_by_whom(monkeypatch, staff_hash, app_database, lang):
    """Bob's refusal lands in the instant alice's acceptance starts (just before it takes the decision lock):
    alice is told who decided, when, and that her decision was not applied; nothing of it is."""
    reference = submit(app_database, entity_id="genopole", values={"address": "Campus 2"}, current={},
                       contact=CONTACT, session_token="race")
    app = moderation_as_alice(monkeypatch, staff_hash, lang)
    assert not app.exception and any(reference in expander.label for expander in app.expander)
    [request] = queue(app_database)
    take_lock, bob = service.serialize_dataset_writes, []

    def bob_first(session):
        if not bob:  # alice's transaction has begun; bob's decision (its own transaction) commits first
            bob.append("deciding")
            reject(app_database, request.id, "bob", "Adresse non vérifiable.")
        take_lock(session)

    with monkeypatch.context() as patch:
        patch.setattr(service, "serialize_dataset_writes", bob_first)
        click(app, t("accept", lang))
    assert not app.exception and not app.error, [e.value for e in app.error]
    [warning] = [w.value for w in app.warning]
    assert reference in warning and t("status_rejected", lang) in warning
    assert ("déjà traitée par bob le" if lang == "fr" else "already decided by bob on") in warning
    assert ("n'a pas été appliquée" if lang == "fr" else "was not applied") in warning
    assert [review.reviewer for review in queue(app_database, status=REJECTED)[0].reviews] == ["bob"]
    assert history(app_database).empty  # alice's acceptance applied nothing


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_click_on_a_request_decided_since_the_page_was_drawn_says_by_whom(monkeypatch, staff_hash, app_database,
                                                                             lang):
    """Bob decides while alice's page is open; her click reruns the page, which no longer lists the request:
    instead of a silent disappearance, she reads who decided it. Her own decisions are not reported."""
    reference = submit(app_database, entity_id="genopole", values={"address": "Campus 3"}, current={},
                       contact=CONTACT, session_token="meanwhile")
    other = submit(app_database, entity_id="genethon", values={"address": "1 bis rue de l'Internationale"},
                   current={}, contact=CONTACT, session_token="meanwhile")
    app = moderation_as_alice(monkeypatch, staff_hash, lang)
    first, second = queue(app_database)
    reject(app_database, first.id, "bob", "Doublon.")
    click(app, t("accept", lang))  # the first form's button: gone with the rerun, nothing is applied
    assert not app.exception and not app.error
    [warning] = [w.value for w in app.warning]
    assert reference in warning and "bob" in warning and t("status_rejected", lang) in warning
    assert history(app_database).empty and queue(app_database)[0].reference == other
    click(app, t("accept", lang))  # alice accepts the other request herself: no message about it
    assert not app.exception and not app.warning
    assert queue(app_database, status=ACCEPTED)[0].reviews[-1].reviewer == "alice"


def test_a_failed_acceptance_is_explained_and_the_request_stays_actionable(monkeypatch, staff_hash, app_database):
    reference, _ = propose(app_database, "Ｇｅｎｏｐｏｌｅ")  # a name whose slug is an existing id
    app = moderation_as_alice(monkeypatch, staff_hash)

    def broken(*args, **kwargs):
        raise RuntimeError("connexion perdue")

    with monkeypatch.context() as patch:
        patch.setattr(service, "place_in_commune", broken)
        click(app, t("accept"))
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert reference in error and "reste en attente" in error and "connexion perdue" not in error
    [still] = queue(app_database)
    assert still.status == PENDING and history(app_database).empty
    click(app, t("accept"))  # the same button again, once the cause is gone
    assert not app.exception and not app.error
    [accepted] = queue(app_database, status=ACCEPTED)
    assert accepted.entity_id == "genopole-2"
    live = current_raw(app_database).set_index("id")
    assert live.at["genopole-2", "name"] == "Ｇｅｎｏｐｏｌｅ" and live.at["genopole", "name"] == "Genopole"


def test_refused_edits_are_listed_and_nothing_is_saved(monkeypatch, staff_hash, app_database):
    reference, request = propose(app_database, "Biotech Éditée")
    app = moderation_as_alice(monkeypatch, staff_hash, "en")
    app.text_input(key=f"e{request.id}website").input("javascript:alert(1)")
    app.text_input(key=f"e{request.id}name").input("Nom\u202etxt.exe")
    click(app, t("accept", "en"))
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert reference in error and "still pending" in error
    listed = " ".join(m.value for m in app.markdown)
    assert t("err_url", "en") in listed and t("err_bidi", "en") in listed
    assert queue(app_database)[0].status == PENDING and history(app_database).empty
