"""CTI input hygiene (issue #17): impossible moments are refused at receipt, and a caller that is
no phone number is stored as unknown with the text as sent kept apart."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from callpulse.telephony.models import Call, Callback, CTIEvent
from callpulse.telephony.tests.factories import cti_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def pbx():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {cti_token().key}")
    return client


def event(n, type_, at, call_id="s-1", **extra):
    return {
        "event_id": f"s-{call_id}-{n}",
        "call_id": call_id,
        "type": type_,
        "direction": "inbound",
        "from_number": "+77011234567",
        "at": at if isinstance(at, str) else at.isoformat(),
        **extra,
    }


@pytest.mark.parametrize(
    "at",
    [
        "9999-12-31T00:00:00+00:00",
        "1999-12-31T23:59:59Z",
        "1970-01-01T00:00:00Z",
        "a day and five minutes from now",
    ],
)
def test_a_moment_before_2000_or_more_than_a_day_ahead_is_refused_naming_at(pbx, at):
    if not at[0].isdigit():  # read the clock when the test runs, not when it was collected
        at = (timezone.now() + timedelta(days=1, minutes=5)).isoformat()
    response = pbx.post("/api/v1/cti/events", event(1, "ringing", at), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["at"]
    assert not CTIEvent.objects.exists() and not Call.objects.exists()


def test_a_clock_running_a_little_ahead_is_accepted(pbx):
    soon = timezone.now() + timedelta(hours=20)
    assert (
        pbx.post("/api/v1/cti/events", event(1, "ringing", soon), format="json").status_code == 200
    )
    early = datetime(2000, 1, 1, tzinfo=UTC)
    body = event(1, "ringing", early, call_id="s-2")
    assert pbx.post("/api/v1/cti/events", body, format="json").status_code == 200
    assert Call.objects.count() == 2


@pytest.mark.parametrize(
    ("raw", "number", "kept"),
    [
        ("8 (701) 123-45-67", "+77011234567", ""),
        ("302", "302", ""),  # an extension: an internal caller
        ("anonymous", "", "anonymous"),
        ("  Unknown ", "", "Unknown"),
        ("<script>alert(1)</script>", "", "<script>alert(1)</script>"),
        ("bell\x07\x1b[31m", "", "bell[31m"),
        ("+7 701 ABC", "", "+7 701 ABC"),
        ("", "", ""),
    ],
)
def test_a_caller_is_a_number_an_extension_or_unknown(raw, number, kept):
    from callpulse.telephony.cti import caller_screened

    assert caller_screened(raw) == (number, kept)


def test_an_anonymous_caller_is_stored_as_unknown_and_shown_so(pbx, make_user, client):
    operator = make_user("operator", extension="101")
    now = timezone.now()
    body = event(1, "ringing", now, from_number="<b>anonymous</b>")
    answer = pbx.post("/api/v1/cti/events", body, format="json")
    assert answer.status_code == 200
    assert answer.json()["routing"]["new_client"] is True
    ring = event(2, "ringing", now, extension="101", from_number="")
    pbx.post("/api/v1/cti/events", ring, format="json")
    call = Call.objects.get()
    assert (call.from_number, call.caller_raw) == ("", "<b>anonymous</b>")
    assert call.client is None

    client.force_login(operator)
    html = client.get("/desk/panel/").content.decode()
    assert 'data-testid="unknown-number"' in html and "Unknown number" in html
    assert "&lt;b&gt;anonymous&lt;/b&gt;" in html and "<b>anonymous" not in html

    api = APIClient()
    api.force_authenticate(make_user("supervisor"))
    listed = api.get("/api/v1/calls/").json()["results"][0]
    assert (listed["from_number"], listed["caller_raw"]) == ("", "<b>anonymous</b>")

    pbx.post("/api/v1/cti/events", event(3, "ended", now, from_number=""), format="json")
    assert not Callback.objects.exists()  # nobody to call back
    supervisor_view = client.get("/desk/unlogged/")
    assert supervisor_view.status_code in (200, 302, 403)


def test_an_unknown_caller_is_completed_by_a_later_number(pbx):
    now = timezone.now()
    pbx.post("/api/v1/cti/events", event(1, "ringing", now, from_number="Unknown"), format="json")
    pbx.post("/api/v1/cti/events", event(2, "answered", now), format="json")
    call = Call.objects.get()
    assert (call.from_number, call.caller_raw) == ("+77011234567", "")
