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


# --- impossible dates, offsets and zones: 400 naming the field, never 500 -----------------------

IMPOSSIBLE = [
    ({"window_from": "2026-02-30T10:00"}, "window_from"),  # no 30 February
    ({"window_to": "2026-11-25T12:00+25:00"}, "window_to"),  # UTC offset over a day
    ({"window_to": "2026-11-25T12:00+24:00"}, "window_to"),  # a day is already too much
    ({"window_from": "2026-11-25T25:00"}, "window_from"),  # hour 25
    ({"window_from": "2026-11-25T10:61"}, "window_from"),  # minute 61
    ({"window_to": "2026-13-01T12:00"}, "window_to"),  # month 13
    ({"window_from": "☃☃☃☃-☃☃-☃☃T☃☃:☃☃"}, "window_from"),  # garbage
    ({"window_from": "0001-01-01T00:00", "timezone": "Asia/Tokyo"}, "window_from"),  # before year 1
    ({"window_to": "9999-12-31T23:59", "timezone": "America/New_York"}, "window_to"),  # past 9999
    ({"timezone": "Not/AZone"}, "timezone"),
    ({"timezone": "../../../etc/passwd"}, "timezone"),
]


@pytest.mark.parametrize("encoding", ["json", "multipart"])  # the snippet's JSON; a plain form
@pytest.mark.parametrize(("overrides", "field"), IMPOSSIBLE)
def test_impossible_dates_offsets_and_zones_are_refused_by_name(web, overrides, field, encoding):
    answer = web.post(URL, body(**overrides), format=encoding, REMOTE_ADDR="203.0.113.7")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()
    assert not Callback.objects.exists()


def test_a_window_ending_beyond_the_days_ahead_is_refused_on_window_to(web):
    day = (NOW + timedelta(days=1)).date().isoformat()
    answer = post(web, body(window_from=f"{day}T10:00", window_to="2026-12-31T12:00"))
    assert answer.status_code == 400
    assert "window_to" in answer.json()


def test_a_known_client_with_a_broken_zone_does_not_break_the_form(web):
    PhoneFactory(number="+77015551234", client__timezone="Nowhere/Town")
    answer = post(web, body(timezone=""))
    assert answer.status_code == 201
    assert Callback.objects.get().client_timezone == "Asia/Almaty"  # the center's zone


# --- toll fraud: only numbers the center means to dial -----------------------------------------

UK_MOBILE = "+447400123456"
US_NUMBER = "+12015550123"
RU_MOBILE = "+79123456789"  # +7, like Kazakhstan, but a Russian range
UK_PREMIUM = "+449012345678"  # 09xx: premium rate
RU_PREMIUM = "+78091234567"  # 809: premium rate in the +7 plan
UK_FREEPHONE = "+448001234567"
INMARSAT = "+870773111632"  # satellite: belongs to no country


def test_the_numbers_used_here_are_what_phonenumbers_says_they_are():
    import phonenumbers
    from phonenumbers import PhoneNumberType as Kind

    def kind(number: str) -> tuple[str, int]:
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.is_valid_number(parsed)
        return phonenumbers.region_code_for_number(parsed), phonenumbers.number_type(parsed)

    assert kind("+77015551234") == ("KZ", Kind.MOBILE)
    assert kind(UK_MOBILE) == ("GB", Kind.MOBILE)
    assert kind(US_NUMBER) == ("US", Kind.FIXED_LINE_OR_MOBILE)
    assert kind(RU_MOBILE) == ("RU", Kind.MOBILE)
    assert kind(UK_PREMIUM) == ("GB", Kind.PREMIUM_RATE)
    assert kind(RU_PREMIUM) == ("RU", Kind.PREMIUM_RATE)
    assert kind(UK_FREEPHONE) == ("GB", Kind.TOLL_FREE)
    assert kind(INMARSAT)[0] == "001"


def test_a_kazakh_mobile_is_accepted_by_default(web, settings):
    assert settings.CALLPULSE_CALLBACK_FORM_COUNTRIES == ["KZ"]
    assert post(web, body(phone="+7 701 555 12 34")).status_code == 201
    assert Callback.objects.get().phone == "+77015551234"


@pytest.mark.parametrize("number", [UK_MOBILE, US_NUMBER, RU_MOBILE, INMARSAT, UK_FREEPHONE])
def test_numbers_outside_the_centers_countries_are_refused_by_default(web, number):
    answer = post(web, body(phone=number))
    assert answer.status_code == 400
    assert "We can only call back numbers in KZ." in answer.json()["phone"]
    assert not Callback.objects.exists()


@pytest.mark.parametrize(
    ("country", "number"), [("GB", UK_MOBILE), ("US", US_NUMBER), ("RU", RU_MOBILE)]
)
def test_a_foreign_number_is_accepted_when_its_country_is_allowed(web, settings, country, number):
    settings.CALLPULSE_CALLBACK_FORM_COUNTRIES = ["KZ", country]
    answer = post(web, body(phone=number, timezone="Asia/Almaty"))
    assert answer.status_code == 201, answer.json()
    assert Callback.objects.get().phone == number


def test_a_freephone_number_needs_its_type_allowed_too(web, settings):
    settings.CALLPULSE_CALLBACK_FORM_COUNTRIES = ["KZ", "GB"]
    refused = post(web, body(phone=UK_FREEPHONE))
    assert refused.status_code == 400
    assert "kind of number" in refused.json()["phone"][0]
    settings.CALLPULSE_CALLBACK_FORM_NUMBER_TYPES = ["MOBILE", "TOLL_FREE"]
    assert post(web, body(phone=UK_FREEPHONE)).status_code == 201


@pytest.mark.parametrize(("country", "number"), [("GB", UK_PREMIUM), ("RU", RU_PREMIUM)])
def test_premium_rate_numbers_are_refused_even_when_everything_is_allowed(
    web, settings, country, number
):
    settings.CALLPULSE_CALLBACK_FORM_COUNTRIES = ["KZ", country]
    settings.CALLPULSE_CALLBACK_FORM_NUMBER_TYPES = ["MOBILE", "FIXED_LINE", "TOLL_FREE", "UNKNOWN"]
    answer = post(web, body(phone=number))
    assert answer.status_code == 400
    assert answer.json()["phone"] == ["We do not call premium-rate or shared-cost numbers."]
    assert not Callback.objects.exists()


def test_a_refused_number_is_not_counted_against_the_number_limit(web, settings):
    settings.CALLPULSE_CALLBACK_FORM_PER_NUMBER = 1
    for ip in ["198.51.100.1", "198.51.100.2"]:
        assert post(web, body(phone=UK_PREMIUM), ip=ip).status_code == 400


# --- the counters' cache unreachable: fail closed with 503, store nothing ------------------------


def test_when_the_cache_is_down_the_form_answers_503_and_stores_nothing(web, settings):
    import socket

    with socket.socket() as probe:  # a port nobody listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    answer = post(web, body(), HTTP_ORIGIN=SITE)
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    assert "try again" in answer.json()["message"]
    assert answer["Retry-After"] == "60"
    assert answer["Access-Control-Allow-Origin"] == SITE  # the snippet can show the message
    assert not Callback.objects.exists()
