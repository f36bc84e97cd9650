"""Every page loads htmx the same way with DEBUG on and off (issue 14, item 1).

django-htmx's debug script, which its `{% htmx_script %}` tag adds with DEBUG on, replaced the
whole page with any 400 answer, and our validation answers are 400s. The browser side of this is
tests/browser/test_validation_keeps_the_page.py; this is the quick check without a browser.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_pages_load_htmx_without_the_debug_script(client: Client, settings, debug: bool) -> None:
    settings.DEBUG = debug
    page = client.get(reverse("login")).content.decode()
    assert "django_htmx/htmx-2.min.js" in page
    assert "callpulse/htmx-errors.js" in page
    assert "django-htmx.js" not in page
