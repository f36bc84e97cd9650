"""Brute force: fifty wrong passwords, then the right one, used to sign in. Not any more.

Each way in with a password is attacked: the sign-in screen, the admin's sign-in and the API
token endpoint; per account and per address, with a message that says what happened.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from callpulse.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RIGHT = "secret-pass-1"  # the UserFactory's password


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.CALLPULSE_LOGIN_FAILURES_PER_ACCOUNT = 5
    settings.CALLPULSE_LOGIN_FAILURES_PER_ADDRESS = 12
    settings.CALLPULSE_LOGIN_LOCKOUT_MINUTES = 15
    cache.clear()
    yield
    cache.clear()


def screen_login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def admin_login(client, username, password, address="10.0.0.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def token(username, password, address="10.0.0.1"):
    return APIClient().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_the_screen_locks_an_account_after_five_failures_even_for_the_right_password(client):
    user = UserFactory(username="operator1")
    for _ in range(5):
        assert screen_login(client, "operator1", "guess").status_code == 200
    refused = screen_login(client, "operator1", RIGHT)
    assert refused.status_code == 429 and not signed_in(refused)
    assert "Too many failed sign-ins for this account" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # another account on the same floor is not affected
    UserFactory(username="operator2")
    assert signed_in(screen_login(client, "operator2", RIGHT))
    assert user.pk


def test_the_lock_ends_after_the_window(client, monkeypatch):
    UserFactory(username="operator1")
    for _ in range(5):
        screen_login(client, "operator1", "guess")
    assert not signed_in(screen_login(client, "operator1", RIGHT))
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert signed_in(screen_login(client, "operator1", RIGHT))


def test_a_right_password_before_the_limit_clears_the_count(client):
    UserFactory(username="operator1")
    for _ in range(4):
        screen_login(client, "operator1", "guess")
    assert signed_in(screen_login(client, "operator1", RIGHT))
    client.logout()
    for _ in range(4):
        screen_login(client, "operator1", "guess")
    assert signed_in(screen_login(client, "operator1", RIGHT))


def test_one_address_spraying_many_accounts_is_locked(client):
    UserFactory(username="victim")
    for n in range(12):
        screen_login(client, f"user{n}", "guess", address="203.0.113.9")
    refused = screen_login(client, "victim", RIGHT, address="203.0.113.9")
    assert not signed_in(refused)
    assert "Too many failed sign-ins from this address" in refused.content.decode()
    assert signed_in(screen_login(client, "victim", RIGHT, address="10.0.0.2"))


def test_the_admin_sign_in_is_locked_too(client):
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    for _ in range(5):
        assert admin_login(client, "admin", "guess").status_code == 200
    refused = admin_login(client, "admin", RIGHT)
    assert refused.status_code == 200
    assert "Too many failed sign-ins for this account" in refused.content.decode()


def test_the_api_token_endpoint_answers_429_with_the_reason():
    UserFactory(username="integrator")
    good = token("integrator", RIGHT)
    assert good.status_code == 200 and len(good.json()["token"]) == 40
    for _ in range(5):
        assert token("integrator", "guess").status_code == 400
    locked = token("integrator", RIGHT)
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this account" in str(locked.json())
    assert int(locked["Retry-After"]) > 0


def test_failures_on_one_channel_count_on_the_others(client):
    UserFactory(username="operator1")
    for _ in range(3):
        token("operator1", "guess")
    for _ in range(2):
        screen_login(client, "operator1", "guess")
    assert token("operator1", RIGHT).status_code == 429
