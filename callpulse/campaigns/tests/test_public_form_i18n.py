"""The public "call me back" page and snippet take the visitor's language and are cached by it."""

from collections.abc import Iterator

import pytest
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """A request in Russian leaves LocaleMiddleware's language active on this thread: the next
    test must start in the default language again."""
    yield
    translation.deactivate()


@pytest.mark.parametrize("path", ["/campaigns/call-me-back/", "/campaigns/embed.js"])
def test_lang_in_the_address_picks_the_language(client, path):
    answer = client.get(f"{path}?lang=ru", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200
    assert "Перезвоните мне" in answer.content.decode()
    assert answer["Content-Language"] == "ru"


@pytest.mark.parametrize("path", ["/campaigns/call-me-back/", "/campaigns/embed.js"])
def test_without_lang_the_browser_decides_and_caches_keep_languages_apart(client, path):
    answer = client.get(path, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Перезвоните мне" in answer.content.decode()
    assert "Accept-Language" in answer["Vary"]
    assert "Call me back" in client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_unknown_lang_falls_back_to_the_browser(client):
    answer = client.get("/campaigns/call-me-back/?lang=xx", HTTP_ACCEPT_LANGUAGE="ru")
    assert answer["Content-Language"] == "ru"


def test_the_page_loads_the_snippet_in_its_own_language(client):
    page = client.get("/campaigns/call-me-back/?lang=kk").content.decode()
    assert '<html lang="kk">' in page
    assert "/campaigns/embed.js?lang=kk" in page


def test_the_snippet_asks_answers_in_its_language_and_sets_no_style_attribute(client):
    script = client.get("/campaigns/embed.js?lang=ru").content.decode()
    assert 'var LANG = "ru"' in script
    assert '"Accept-Language": LANG' in script
    assert "style:" not in script  # a strict CSP drops style attributes: CSSOM only
