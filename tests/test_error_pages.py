"""Error pages speak the user's language and lead back into the product."""

import pytest
from django.test import override_settings
from django.utils import translation

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_forbidden_page_is_explained_in_the_users_language(client, make_user):
    client.force_login(make_user("finance"))
    client.cookies["django_language"] = "ru"
    answer = client.get("/campaigns/do-not-call/")
    assert answer.status_code == 403
    with translation.override("ru"):
        in_russian = translation.gettext("Not allowed")
    assert in_russian != "Not allowed" and in_russian in answer.content.decode()
    assert 'href="/"' in answer.content.decode()


@override_settings(DEBUG=False)
def test_a_missing_page_says_so_and_links_home(client, make_user):
    client.force_login(make_user("operator"))
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404
    assert "Not found" in answer.content.decode()
