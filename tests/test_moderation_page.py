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
