"""Suite-wide fixtures: users of each role, API clients signed in as them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from rest_framework.test import APIClient

from callpulse.core.models import User
from callpulse.core.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Every test starts with an empty cache: sign-in lockouts and form limits count per test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """A request in Russian leaves Russian active in the thread (LocaleMiddleware activates, nobody
    deactivates): every test starts and ends in the settings' language, whatever ran before."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(*roles: str, **fields: object) -> User:
        return UserFactory(roles=roles, **fields)

    return make


@pytest.fixture
def api_as(db: None) -> Callable[[User], APIClient]:
    """An API client authenticated by token as the given user."""

    def client_for(user: User) -> APIClient:
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


# Hypothesis: random in development (it finds new cases), reproducible in CI (no flaky reds).
from hypothesis import settings as hypothesis_settings  # noqa: E402

hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")
