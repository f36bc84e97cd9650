"""The staff directory API: roles decide who reads colleagues' personal data."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from callpulse.core.models import Department
from callpulse.core.tests.factories import AbsenceFactory

pytestmark = pytest.mark.django_db


def test_an_operator_cannot_list_colleagues_personal_data(make_user, api_as):
    operator = make_user("operator")
    response = api_as(operator).get("/api/v1/users/")
    assert response.status_code == 403
    assert api_as(operator).get(f"/api/v1/users/{operator.pk}/").status_code == 403


def test_a_supervisor_lists_staff_with_the_documented_fields(make_user, api_as):
    wholesale = Department.objects.get(code="wholesale")
    supervisor = make_user("supervisor")
    make_user(
        "account_manager",
        "mentor",
        full_name="Петров Сергей Иванович",
        department=wholesale,
        extension="204",
        is_key_account_manager=True,
    )
    response = api_as(supervisor).get("/api/v1/users/", {"role": "account_manager"})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["full_name"] == "Петров Сергей Иванович"
    assert row["roles"] == ["account_manager", "mentor"]
    assert row["department"] == "wholesale"
    assert row["extension"] == "204"
    assert row["is_key_account_manager"] is True


def test_everyone_reads_their_own_record(make_user, api_as):
    operator = make_user("operator", username="aliya")
    response = api_as(operator).get("/api/v1/users/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "aliya"


def test_available_at_leaves_out_the_absent(make_user, api_as):
    now = timezone.now()
    head = make_user("head_of_sales")
    away = make_user("account_manager")
    here = make_user("account_manager")
    AbsenceFactory(user=away, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=1))
    response = api_as(head).get(
        "/api/v1/users/", {"role": "account_manager", "available_at": "now"}
    )
    assert [u["id"] for u in response.json()["results"]] == [here.pk]
    later = (now + timedelta(days=2)).isoformat()
    response = api_as(head).get(
        "/api/v1/users/", {"role": "account_manager", "available_at": later}
    )
    assert {u["id"] for u in response.json()["results"]} == {away.pk, here.pk}


def test_an_unknown_role_or_moment_is_a_400_naming_the_parameter(make_user, api_as):
    head = make_user("head_of_sales")
    assert "role" in api_as(head).get("/api/v1/users/", {"role": "king"}).json()
    assert "available_at" in api_as(head).get("/api/v1/users/", {"available_at": "tuesday"}).json()


def test_anonymous_requests_are_refused():
    assert APIClient().get("/api/v1/clients/").status_code in (401, 403)


def test_drf_create_token_gives_a_working_token(make_user, capsys):
    user = make_user("operator", username="dana")
    call_command("drf_create_token", "dana")
    token = Token.objects.get(user=user).key
    assert token in capsys.readouterr().out
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/users/me/").json()["username"] == "dana"


def test_departments_are_read_by_all_and_edited_by_the_head_of_sales(make_user, api_as):
    operator, head = make_user("operator"), make_user("head_of_sales")
    assert api_as(operator).get("/api/v1/departments/").status_code == 200
    payload = {"code": "corporate", "name": "Corporate sales"}
    assert api_as(operator).post("/api/v1/departments/", payload, format="json").status_code == 403
    assert api_as(head).post("/api/v1/departments/", payload, format="json").status_code == 201
    duplicate = api_as(head).post("/api/v1/departments/", payload, format="json")
    assert duplicate.status_code == 400 and "code" in duplicate.json()


def test_the_token_cache_forgets_a_deactivated_user_after_its_time(make_user, settings):
    import time

    from callpulse.core.auth import CachedTokenAuthentication, forget_tokens

    settings.CALLPULSE_TOKEN_CACHE_SECONDS = 0.2
    forget_tokens()
    user = make_user("operator")
    key = Token.objects.create(user=user).key
    auth = CachedTokenAuthentication()
    assert auth.authenticate_credentials(key)[0] == user
    user.is_active = False
    user.save()
    assert auth.authenticate_credentials(key)[0] == user  # still remembered
    time.sleep(0.25)
    from rest_framework.exceptions import AuthenticationFailed

    with pytest.raises(AuthenticationFailed):
        auth.authenticate_credentials(key)
    forget_tokens()
