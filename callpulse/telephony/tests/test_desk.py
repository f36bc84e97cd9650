"""The operator's desk: the ring puts the caller on screen, the operator logs and transfers."""

import json
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from callpulse.core.events import InProcessBus, RedisBus, get_bus, reset_bus, user_channel
from callpulse.core.models import Department, Notification
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type
from callpulse.telephony.models import Call, PhoneCommand
from callpulse.telephony.tests.factories import cti_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def pbx():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {cti_token().key}")
    return client


@pytest.fixture
def operator(make_user):
    return make_user("operator", full_name="Оператор Дана", extension="101")


@pytest.fixture
def altyn(make_user):
    manager = make_user("account_manager", full_name="Иванова Айгерим", extension="201")
    client = ClientFactory(name="ТОО «Алтын Дала»", client_type=client_type("key"), manager=manager)
    PhoneFactory(client=client, number="+77011234567")
    return client


def cti(pbx, n, type_, at, **extra):
    body = {
        "event_id": f"d-{n}",
        "call_id": "desk-1",
        "type": type_,
        "direction": "inbound",
        "from_number": "+77011234567",
        "at": at.isoformat(),
        **extra,
    }
    response = pbx.post("/api/v1/cti/events", body, format="json")
    assert response.status_code == 200, response.json()
    return response


def test_a_ring_at_my_extension_puts_the_client_card_on_my_panel(client, pbx, operator, altyn):
    client.force_login(operator)
    assert "No call right now" in client.get("/desk/panel/").content.decode()
    cti(pbx, 1, "ringing", timezone.now(), extension="101", purpose="info")
    html = client.get("/desk/panel/").content.decode()
    assert "ТОО «Алтын Дала»" in html and "Key client" in html and "Иванова Айгерим" in html
    assert "Information: stays with the operators" in html  # the routing reasons
    assert "debt-ok" in html


def test_the_stream_tells_the_operator_about_the_ring(
    client, pbx, operator, altyn, django_capture_on_commit_callbacks
):
    reset_bus()
    client.force_login(operator)
    response = client.get("/desk/stream/")
    assert response["Content-Type"] == "text/event-stream"
    stream = iter(response.streaming_content)
    assert next(stream).startswith(b"retry:")
    with django_capture_on_commit_callbacks(execute=True):
        cti(pbx, 1, "ringing", timezone.now(), extension="101")
    chunk = next(stream).decode()
    assert chunk.startswith("event: ring\n")
    assert json.loads(chunk.split("data: ", 1)[1])["call"] == Call.objects.get().pk
    response.close()


def test_the_whole_desk_flow_answer_transfer_log(client, pbx, operator, altyn, make_user):
    client.force_login(operator)
    now = timezone.now() - timedelta(minutes=5)
    cti(pbx, 1, "ringing", now, extension="101", purpose="other")
    cti(pbx, 2, "answered", now + timedelta(seconds=4), extension="101")
    call = Call.objects.get()
    html = client.get("/desk/").content.decode()
    assert "Transfer to Иванова Айгерим (201)" in html  # the routing suggestion as a button
    response = client.post(f"/desk/calls/{call.pk}/transfer/", {"to_user": altyn.manager.pk})
    assert "Transfer to Иванова Айгерим requested" in response.content.decode()
    command = PhoneCommand.objects.get()
    assert (command.kind, command.extension, command.call) == ("transfer", "201", call)

    # the phone system polls its commands and acknowledges
    pending = pbx.get("/api/v1/cti/commands/").json()
    assert [c["id"] for c in pending] == [command.pk] and pending[0]["call_id"] == "desk-1"
    ack = pbx.post(f"/api/v1/cti/commands/{command.pk}/ack/", {"ok": True}, format="json")
    assert ack.status_code == 200
    assert pbx.get("/api/v1/cti/commands/").json() == []

    cti(pbx, 3, "ended", now + timedelta(seconds=90))
    html = client.get("/desk/panel/").content.decode()
    assert "How did the call end?" in html
    bad = client.post(f"/desk/calls/{call.pk}/outcome/", {"outcome": ""})
    assert bad.status_code == 400 and "Choose an outcome" in bad.content.decode()
    ok = client.post(
        f"/desk/calls/{call.pk}/outcome/", {"outcome": "information_given", "notes": "прайс"}
    )
    assert ok.status_code == 200
    call.refresh_from_db()
    assert call.outcome == "information_given" and call.notes == "прайс"


def test_a_transfer_of_a_call_that_is_not_live_is_refused(client, pbx, operator, altyn):
    client.force_login(operator)
    cti(pbx, 1, "ringing", timezone.now(), extension="101")
    call = Call.objects.get()
    response = client.post(f"/desk/calls/{call.pk}/transfer/", {"to_user": altyn.manager.pk})
    assert response.status_code == 400 and not PhoneCommand.objects.exists()


def test_a_remark_reaches_the_head_of_the_department(client, pbx, operator, altyn, make_user):
    retail = Department.objects.get(code="retail")
    retail.head = make_user("department_head", full_name="Ким Елена")
    retail.save()
    client.force_login(operator)
    cti(pbx, 1, "answered", timezone.now(), extension="101")
    call = Call.objects.get()
    response = client.post(
        f"/desk/calls/{call.pk}/remark/",
        {"department": retail.pk, "text": "Хотят доставку по субботам"},
    )
    assert response.status_code == 200
    note = Notification.objects.get(recipient=retail.head)
    assert "ТОО «Алтын Дала»" in note.title and note.body == "Хотят доставку по субботам"
    empty = client.post(f"/desk/calls/{call.pk}/remark/", {"department": retail.pk, "text": " "})
    assert empty.status_code == 400 and Notification.objects.count() == 1


def test_my_state_buttons(client, operator):
    client.force_login(operator)
    client.post("/desk/state/", {"state": "break"})
    assert "Break" in client.get("/desk/").content.decode()
    response = client.post("/desk/state/", {"state": "on_call"}, follow=True)
    assert "Choose available, break or offline" in response.content.decode()


def test_the_unlogged_list_is_for_supervisors(client, pbx, operator, altyn, make_user):
    cti(pbx, 1, "answered", timezone.now() - timedelta(minutes=3), extension="101")
    cti(pbx, 2, "ended", timezone.now() - timedelta(minutes=1))
    client.force_login(operator)
    assert client.get("/desk/unlogged/").status_code == 403
    client.force_login(make_user("supervisor"))
    html = client.get("/desk/unlogged/").content.decode()
    assert "Оператор Дана" in html and "ТОО «Алтын Дала»" in html


def test_abandoned_calls_show_on_the_callback_list(client, pbx, operator, altyn):
    cti(pbx, 1, "ringing", timezone.now() - timedelta(minutes=2))
    cti(pbx, 2, "ended", timezone.now() - timedelta(minutes=1))
    client.force_login(operator)
    html = client.get("/desk/callbacks/").content.decode()
    assert "+7 701 123 4567" in html and "Abandoned call" in html


def test_the_in_process_bus_delivers_to_subscribers_only():
    bus = InProcessBus()
    mine = bus.subscribe([user_channel(1)])
    bus.publish(user_channel(2), {"type": "ring"})
    assert mine.get(timeout=0.01) is None
    bus.publish(user_channel(1), {"type": "ring", "call": 5})
    assert mine.get(timeout=0.5) == {"type": "ring", "call": 5}
    mine.close()
    bus.publish(user_channel(1), {"type": "ring"})
    assert mine.get(timeout=0.01) is None


def test_the_redis_bus_for_real(settings):
    """Several app servers share events through Redis (the one at REDIS_URL or localhost)."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis server reachable")
    settings.REDIS_URL = url
    reset_bus()
    try:
        bus = get_bus()
        assert isinstance(bus, RedisBus)
        other_server = RedisBus(url)
        subscription = other_server.subscribe([user_channel(42)])
        bus.publish(user_channel(42), {"type": "ring", "call": 7})
        received = None
        for _ in range(20):
            received = subscription.get(timeout=0.1)
            if received:
                break
        assert received == {"type": "ring", "call": 7}
        subscription.close()
    finally:
        reset_bus()
