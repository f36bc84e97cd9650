"""Login, navigation by role, and the presence board."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callpulse.core.tests.factories import AbsenceFactory

pytestmark = pytest.mark.django_db


def test_login_with_a_password_lands_on_today(client, make_user):
    make_user("operator", username="aliya")
    response = client.post("/login/", {"username": "aliya", "password": "secret-pass-1"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Hello" in client.get("/").content.decode()


def test_a_wrong_password_says_so(client, make_user):
    make_user("operator", username="aliya")
    response = client.post("/login/", {"username": "aliya", "password": "nope"})
    assert "Wrong user name or password" in response.content.decode()


def test_navigation_follows_the_roles(client, make_user):
    client.force_login(make_user("operator"))
    html = client.get("/").content.decode()
    assert "Clients" in html and "Who is in" not in html and "Administration" not in html
    client.force_login(make_user("supervisor"))
    assert "Who is in" in client.get("/").content.decode()


def test_the_presence_board_shows_who_is_away_and_is_closed_to_operators(client, make_user):
    now = timezone.now()
    away = make_user("operator", full_name="Ахметова Дана")
    AbsenceFactory(
        user=away,
        kind="sick_leave",
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(days=2),
    )
    make_user("operator", full_name="Смагулов Ерлан")
    client.force_login(make_user("operator"))
    assert client.get("/staff/presence/").status_code == 403
    client.force_login(make_user("supervisor"))
    html = client.get("/staff/presence/").content.decode()
    assert "Ахметова Дана" in html and "Sick leave" in html and "Смагулов Ерлан" in html


def test_logout_is_a_post(client, make_user):
    client.force_login(make_user("operator"))
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
