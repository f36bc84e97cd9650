"""The website's "call me back": every validation and abuse rule, CORS, the snippet and page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from callpulse.crm.models import DoNotCall
from callpulse.crm.tests.factories import PhoneFactory
from callpulse.telephony.models import Callback, CallbackReason, CallbackStatus

from .conftest import NOW

URL = "/api/v1/public/callback-requests"
SITE = "https://shop.example.kz"
pytestmark = pytest.mark.django_db


@pytest.fixture
def web(clock, settings) -> APIClient:
    settings.CALLPULSE_CALLBACK_FORM_ORIGINS = [SITE]
    return APIClient(enforce_csrf_checks=True)


def body(**overrides: str) -> dict[str, str]:
    day = (NOW + timedelta(days=1)).date().isoformat()
    data = {
        "name": "Айгерим",
        "phone": "8 (701) 555-12-34",
        "window_from": f"{day}T10:00",
        "window_to": f"{day}T12:00",
        "timezone": "Asia/Almaty",
        "topic": "Цены на цемент",
        "website": "",
    }
    data.update(overrides)
    return data


def post(web: APIClient, data: dict[str, str], ip: str = "203.0.113.7", **headers: str):
    return web.post(URL, data, format="json", REMOTE_ADDR=ip, **headers)


def test_a_request_becomes_a_website_callback_due_at_the_window_start(web):
    answer = post(web, body())
    assert answer.status_code == 201
    assert answer.json()["status"] == "accepted"
    callback = Callback.objects.get()
    assert callback.reason == CallbackReason.WEBSITE
    assert callback.phone == "+77015551234"
    assert callback.name == "Айгерим" and callback.topic == "Цены на цемент"
    assert callback.due_at == (NOW + timedelta(days=1)).replace(hour=10)
    assert callback.first_due_at == callback.due_at
    assert callback.client is None


def test_a_known_number_is_matched_to_its_client(web):
    phone = PhoneFactory(number="+77015551234")
    post(web, body())
    assert Callback.objects.get().client == phone.client


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"phone": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "+7 000 000 00 00"}, "phone"),
        ({"window_from": "tomorrow"}, "window_from"),
        ({"window_to": ""}, "window_to"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_bad_fields_are_refused_by_name_and_nothing_is_stored(web, overrides, field):
    answer = post(web, body(**overrides))
    assert answer.status_code == 400
    assert field in answer.json()
    assert not Callback.objects.exists()


def test_the_window_must_be_in_the_future_and_in_order(web):
    today = NOW.date().isoformat()
    past = post(web, body(window_from=f"{today}T09:00", window_to=f"{today}T10:30"))
    assert past.status_code == 400 and "window_to" in past.json()
    reversed_ = post(web, body(window_from=f"{today}T15:00", window_to=f"{today}T14:00"))
    assert reversed_.status_code == 400 and "window_to" in reversed_.json()
    far = (NOW + timedelta(days=40)).date().isoformat()
    too_far = post(web, body(window_from=f"{far}T10:00", window_to=f"{far}T11:00"))
    assert too_far.status_code == 400 and "window_from" in too_far.json()
    assert not Callback.objects.exists()


def test_the_window_must_be_within_the_centers_hours_read_in_the_visitors_zone(web):
    day = (NOW + timedelta(days=1)).date().isoformat()
    # 17:30-18:30 in Moscow is 19:30-20:30 in Almaty: past closing (20:00)
    late = post(
        web, body(timezone="Europe/Moscow", window_from=f"{day}T17:30", window_to=f"{day}T18:30")
    )
    assert late.status_code == 400
    assert "07:00 and 18:00" in late.json()["window_from"][0]  # center hours, visitor clock
    # 07:30 in Moscow is 09:30 in Almaty: the center is open
    early = post(
        web, body(timezone="Europe/Moscow", window_from=f"{day}T07:30", window_to=f"{day}T08:30")
    )
    assert early.status_code == 201
    callback = Callback.objects.get()
    assert callback.client_timezone == "Europe/Moscow"
    assert callback.due_at == (NOW + timedelta(days=1)).replace(hour=9, minute=30)


def test_without_a_browser_zone_a_known_clients_zone_is_used(web):
    phone = PhoneFactory(number="+77015551234", client__timezone="Asia/Aqtobe")  # UTC+5 too
    day = (NOW + timedelta(days=1)).date().isoformat()
    answer = post(web, body(timezone="", window_from=f"{day}T10:00", window_to=f"{day}T11:00"))
    assert answer.status_code == 201
    assert Callback.objects.get().client_timezone == phone.client.timezone


def test_the_honeypot_is_accepted_silently_and_dropped(web):
    answer = post(web, body(website="http://spam.example"))
    assert answer.status_code == 201
    assert answer.json()["status"] == "accepted"
    assert not Callback.objects.exists()


def test_a_second_request_for_the_same_number_is_merged(web):
    post(web, body())
    day = (NOW + timedelta(days=1)).date().isoformat()
    answer = post(
        web,
        body(phone="+7 701 555 1234", topic="Доставка", window_from=f"{day}T09:00",
             window_to=f"{day}T10:00"),
        ip="198.51.100.1",
    )  # fmt: skip
    assert answer.status_code == 201
    callback = Callback.objects.get()
    assert callback.requests == 2
    assert callback.topic == "Доставка"
    assert callback.due_at == (NOW + timedelta(days=1)).replace(hour=9)


def test_a_request_joins_an_open_callback_from_a_missed_call(web):
    missed = Callback.objects.create(
        phone="+77015551234", reason=CallbackReason.MISSED, due_at=NOW + timedelta(minutes=5)
    )
    post(web, body())
    missed.refresh_from_db()
    assert Callback.objects.count() == 1
    assert missed.requests == 2 and missed.reason == CallbackReason.MISSED
    assert missed.due_at == NOW + timedelta(minutes=5)  # the earlier due time stays


def test_too_many_requests_from_one_address_are_refused(web, settings):
    settings.CALLPULSE_CALLBACK_FORM_PER_IP = 3
    numbers = ["+77015550001", "+77015550002", "+77015550003", "+77015550004"]
    answers = [post(web, body(phone=n)).status_code for n in numbers]
    assert answers == [201, 201, 201, 429]
    assert Callback.objects.count() == 3
    assert post(web, body(phone="+77015550005"), ip="198.51.100.9").status_code == 201


def test_too_many_requests_for_one_number_are_refused(web, settings):
    settings.CALLPULSE_CALLBACK_FORM_PER_NUMBER = 2
    ips = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    answers = [post(web, body(), ip=ip) for ip in ips]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "phone" in answers[2].json()
    assert Callback.objects.get().requests == 2


def test_a_do_not_call_number_is_accepted_and_dropped(web):
    DoNotCall.objects.create(number="+77015551234")
    assert post(web, body()).status_code == 201
    assert not Callback.objects.exists()


def test_cors_answers_only_the_configured_sites(web):
    allowed = post(web, body(), HTTP_ORIGIN=SITE)
    assert allowed["Access-Control-Allow-Origin"] == SITE
    other = post(web, body(phone="+77015550009"), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = web.options(
        URL, HTTP_ORIGIN=SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST", REMOTE_ADDR="1.2.3.4"
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE
    assert "Content-Type" in preflight["Access-Control-Allow-Headers"]
    refused = post(web, body(name=""), HTTP_ORIGIN=SITE)
    assert refused.status_code == 400 and refused["Access-Control-Allow-Origin"] == SITE


def test_no_cookie_or_csrf_token_is_needed_and_none_is_set(web):
    answer = post(web, body())
    assert answer.status_code == 201
    assert not answer.cookies


def test_the_snippet_and_the_hosted_page_are_public(client):
    script = client.get("/campaigns/embed.js")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    text = script.content.decode()
    assert "/api/v1/public/callback-requests" in text
    assert 'credentials: "omit"' in text
    page = client.get("/campaigns/call-me-back/")
    assert page.status_code == 200
    assert b"embed.js" in page.content


def test_a_website_callback_left_open_is_not_duplicated_by_a_cancelled_one(web):
    Callback.objects.create(
        phone="+77015551234",
        reason=CallbackReason.WEBSITE,
        due_at=NOW,
        status=CallbackStatus.DONE,
    )
    post(web, body())
    assert Callback.objects.filter(status=CallbackStatus.OPEN).count() == 1
