"""The CTI webhook: authentication, validation, idempotency, order of arrival, agent states."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type
from callpulse.telephony.models import (
    AgentStateSpan,
    AgentStatus,
    Call,
    Callback,
    CTIEvent,
)
from callpulse.telephony.tests.factories import cti_token

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=2)


@pytest.fixture
def pbx():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {cti_token().key}")
    return client


@pytest.fixture
def operator(make_user):
    return make_user("operator", full_name="Оператор Дана", extension="101")


@pytest.fixture
def known_client(make_user):
    client = ClientFactory(
        name="ТОО «Алтын Дала»",
        client_type=client_type("key"),
        manager=make_user("account_manager"),
    )
    PhoneFactory(client=client, number="+77011234567")
    return client


def event(n, type_, at, call_id="c-1", **extra):
    return {
        "event_id": f"e-{call_id}-{n}",
        "call_id": call_id,
        "type": type_,
        "direction": "inbound",
        "from_number": "8 (701) 123-45-67",
        "to_number": "+77272501122",
        "at": at.isoformat(),
        **extra,
    }


def post(pbx, body):
    return pbx.post("/api/v1/cti/events", body, format="json")


def test_only_a_service_token_with_the_cti_scope_posts_events(make_user, api_as):
    body = event(1, "ringing", T0)
    assert APIClient().post("/api/v1/cti/events", body, format="json").status_code == 401
    staff = api_as(make_user("supervisor"))
    assert staff.post("/api/v1/cti/events", body, format="json").status_code in (401, 403)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {cti_token(scopes=('callbacks',)).key}")
    assert other.post("/api/v1/cti/events", body, format="json").status_code == 403
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert wrong.post("/api/v1/cti/events", body, format="json").status_code == 401
    assert not Call.objects.exists()


def test_a_service_token_cannot_read_staff_data():
    machine = APIClient()
    machine.credentials(HTTP_AUTHORIZATION=f"Bearer {cti_token().key}")
    assert machine.get("/api/v1/clients/").status_code in (401, 403)


def test_bad_input_is_a_400_naming_each_field(pbx):
    response = post(
        pbx,
        {
            "event_id": "x",
            "call_id": "c",
            "type": "exploded",
            "direction": "sideways",
            "at": "2026-11-24T10:00:00",
        },
    )
    assert response.status_code == 400
    assert {"type", "direction", "at"} <= set(response.json())
    assert not Call.objects.exists() and not CTIEvent.objects.exists()


def test_an_inbound_ring_is_answered_with_the_routing_decision(pbx, known_client):
    response = post(pbx, event(1, "ringing", T0, purpose="other"))
    assert response.status_code == 200
    routing = response.json()["routing"]
    assert routing["target"]["kind"] == "user"
    assert routing["target"]["user"] == known_client.manager.pk
    assert routing["client"] == known_client.pk and routing["summary"]
    call = Call.objects.get(call_id="c-1")
    assert call.client == known_client and call.from_number == "+77011234567"
    assert call.routing["target"]["user"] == known_client.manager.pk


def test_the_same_event_twice_changes_nothing_and_answers_the_same(pbx, known_client, operator):
    first = post(pbx, event(1, "ringing", T0)).json()
    again = post(pbx, event(1, "ringing", T0)).json()
    assert first == again
    post(pbx, event(2, "answered", T0 + timedelta(seconds=12), extension="101"))
    post(pbx, event(2, "answered", T0 + timedelta(seconds=12), extension="101"))
    assert CTIEvent.objects.count() == 2
    assert AgentStateSpan.objects.filter(user=operator).count() == 1  # on a call, once
    call = Call.objects.get()
    assert call.wait_seconds == 12 and call.status == "answered"


def test_a_full_call_gives_wait_talk_and_states(pbx, known_client, operator):
    post(pbx, event(1, "ringing", T0, extension="101"))
    assert AgentStatus.objects.get(user=operator).state == "ringing"
    post(pbx, event(2, "answered", T0 + timedelta(seconds=8), extension="101"))
    assert AgentStatus.objects.get(user=operator).state == "on_call"
    post(pbx, event(3, "held", T0 + timedelta(seconds=60)))
    post(pbx, event(4, "ended", T0 + timedelta(seconds=188)))
    call = Call.objects.get()
    assert (call.status, call.wait_seconds, call.talk_seconds) == ("ended", 8, 180)
    assert call.operator == operator and call.outcome == ""
    assert AgentStatus.objects.get(user=operator).state == "wrap_up"
    spans = list(AgentStateSpan.objects.filter(user=operator).values_list("state", "ended_at"))
    assert [s for s, _ in spans] == ["ringing", "on_call", "wrap_up"]
    assert spans[-1][1] is None and all(end is not None for _, end in spans[:-1])


def test_events_out_of_order_still_give_a_correct_call(pbx, known_client, operator):
    post(pbx, event(3, "ended", T0 + timedelta(seconds=100)))
    call = Call.objects.get()
    assert call.outcome == "abandoned" and Callback.objects.filter(status="open").count() == 1
    post(pbx, event(2, "answered", T0 + timedelta(seconds=10), extension="101"))
    post(pbx, event(1, "ringing", T0))
    call.refresh_from_db()
    assert (call.status, call.wait_seconds, call.talk_seconds) == ("ended", 10, 90)
    assert call.outcome == ""  # it was answered after all: no abandon, no callback
    assert not Callback.objects.filter(status="open").exists()
    assert call.ringing_at == T0 and call.operator == operator
    # the late "answered" did not put the operator on a call that is already over
    assert not AgentStatus.objects.filter(user=operator, state="on_call").exists()


def test_a_later_event_for_an_unknown_call_creates_it(pbx, known_client, operator):
    response = post(pbx, event(7, "answered", T0, call_id="never-rang", extension="101"))
    assert response.status_code == 200
    call = Call.objects.get(call_id="never-rang")
    assert call.client == known_client and call.status == "answered"


def test_an_abandoned_call_lands_on_the_callback_list_once_per_number(pbx, known_client, settings):
    settings.CALLPULSE_CALLBACK_DUE_MINUTES = 10
    post(pbx, event(1, "ringing", T0, call_id="a"))
    post(pbx, event(2, "ended", T0 + timedelta(seconds=40), call_id="a"))
    post(pbx, event(1, "ringing", T0 + timedelta(minutes=3), call_id="b"))
    post(pbx, event(2, "ended", T0 + timedelta(minutes=4), call_id="b"))
    [callback] = Callback.objects.filter(status="open")
    assert callback.phone == "+77011234567" and callback.client == known_client
    assert callback.due_at == T0 + timedelta(seconds=40) + timedelta(minutes=10)
    assert Call.objects.get(call_id="a").outcome == "abandoned"


def test_a_transfer_moves_the_call_and_keeps_the_chain(pbx, known_client, operator, make_user):
    manager = known_client.manager
    manager.extension = "201"
    manager.save()
    post(pbx, event(1, "ringing", T0, extension="101"))
    post(pbx, event(2, "answered", T0 + timedelta(seconds=5), extension="101"))
    post(pbx, event(3, "transferred", T0 + timedelta(seconds=65), extension="201"))
    post(pbx, event(4, "ended", T0 + timedelta(seconds=300)))
    call = Call.objects.get()
    assert call.operator == manager
    assert [(t.from_user, t.to_user) for t in call.transfers.all()] == [(operator, manager)]
    assert AgentStatus.objects.get(user=operator).state == "wrap_up"
    assert AgentStatus.objects.get(user=manager).state == "wrap_up"


def test_the_operator_logs_the_outcome_and_wrap_up_is_measured(
    pbx, known_client, operator, api_as, make_user
):
    post(pbx, event(1, "ringing", T0, extension="101"))
    post(pbx, event(2, "answered", T0 + timedelta(seconds=5), extension="101"))
    post(pbx, event(3, "ended", T0 + timedelta(seconds=65)))
    call = Call.objects.get()
    api = api_as(operator)
    unlogged = api_as(make_user("supervisor")).get("/api/v1/calls/", {"unlogged": "1"}).json()
    assert [c["id"] for c in unlogged["results"]] == [call.pk]
    bad = api.post(
        f"/api/v1/calls/{call.pk}/outcome/", {"outcome": "callback_promised"}, format="json"
    )
    assert bad.status_code == 400 and "callback_at" in bad.json()
    ok = api.post(
        f"/api/v1/calls/{call.pk}/outcome/",
        {"outcome": "information_given", "notes": "цены"},
        format="json",
    )
    assert ok.status_code == 200, ok.json()
    call.refresh_from_db()
    assert call.outcome == "information_given" and call.wrap_up_seconds is not None
    assert AgentStatus.objects.get(user=operator).state == "available"
    assert api.get("/api/v1/calls/", {"unlogged": "1"}).json()["results"] == []


def test_only_the_operator_who_had_the_call_logs_it(pbx, known_client, operator, make_user, api_as):
    post(pbx, event(1, "answered", T0, extension="101"))
    post(pbx, event(2, "ended", T0 + timedelta(seconds=30)))
    call = Call.objects.get()
    other = api_as(make_user("operator"))
    assert other.post(
        f"/api/v1/calls/{call.pk}/outcome/", {"outcome": "other"}, format="json"
    ).status_code in (403, 404)


def test_operators_set_their_own_state_but_not_during_a_call(pbx, operator, api_as, known_client):
    api = api_as(operator)
    assert (
        api.post("/api/v1/agents/me/", {"state": "available"}, format="json").json()["state"]
        == "available"
    )
    assert api.post("/api/v1/agents/me/", {"state": "on_call"}, format="json").status_code == 400
    post(pbx, event(1, "answered", timezone.now(), extension="101"))
    response = api.post("/api/v1/agents/me/", {"state": "break"}, format="json")
    assert response.status_code == 400 and "state" in response.json()


def test_ring_no_answer_moving_to_another_phone_frees_the_first(pbx, known_client, make_user):
    first = make_user("operator", extension="106")
    second = make_user("operator", extension="107")
    post(pbx, event(1, "ringing", T0, extension="106"))
    post(pbx, event(2, "ringing", T0 + timedelta(seconds=15), extension="107"))
    assert AgentStatus.objects.get(user=first).state == "available"
    post(pbx, event(3, "answered", T0 + timedelta(seconds=20), extension="107"))
    post(pbx, event(4, "ended", T0 + timedelta(seconds=80)))
    assert AgentStatus.objects.get(user=first).state == "available"
    assert AgentStatus.objects.get(user=second).state == "wrap_up"


def test_a_late_ring_after_the_end_does_not_hold_anyone(pbx, known_client, operator):
    post(pbx, event(2, "ended", T0 + timedelta(seconds=30)))
    post(pbx, event(1, "ringing", T0, extension="101"))
    assert not AgentStatus.objects.filter(user=operator, state="ringing").exists()


def test_a_clock_running_ahead_does_not_freeze_the_agent(pbx, known_client, operator, api_as):
    future = timezone.now() + timedelta(minutes=10)
    post(pbx, event(1, "answered", future, extension="101"))
    post(pbx, event(2, "ended", future + timedelta(seconds=60)))
    call = Call.objects.get()
    api = api_as(operator)
    api.post(f"/api/v1/calls/{call.pk}/outcome/", {"outcome": "other"}, format="json")
    status = AgentStatus.objects.get(user=operator)
    assert status.state == "available" and status.since <= timezone.now() + timedelta(seconds=10)


def test_a_call_that_rang_at_a_phone_is_missed_not_abandoned(pbx, known_client, operator):
    post(pbx, event(1, "ringing", T0, extension="101"))
    post(pbx, event(2, "ended", T0 + timedelta(seconds=25)))
    assert Callback.objects.get().reason == "missed"
    assert AgentStatus.objects.get(user=operator).state == "available"


def test_a_service_token_is_remembered_briefly_and_a_revoked_one_stops_after(settings):
    """The phone system posts many events a second with one token: it is looked up once, and
    revoking it takes effect within CALLPULSE_TOKEN_CACHE_SECONDS."""
    import time

    from callpulse.core.service_auth import forget_service_tokens

    settings.CALLPULSE_TOKEN_CACHE_SECONDS = 0.3
    forget_service_tokens()
    token = cti_token()
    machine = APIClient()
    machine.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    assert post(machine, event(1, "ringing", T0)).status_code == 200
    token.is_active = False
    token.save()
    assert post(machine, event(2, "answered", T0 + timedelta(seconds=3))).status_code == 200
    time.sleep(0.35)
    assert post(machine, event(3, "ended", T0 + timedelta(seconds=30))).status_code == 401
    forget_service_tokens()
