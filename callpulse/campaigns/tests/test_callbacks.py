"""The callback queue: one-click dial, results from CTI events, retries by rule across time
zones, reservations for the promising operator, the SLA, and permissions both ways."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from callpulse.crm.models import DoNotCall
from callpulse.crm.tests.factories import PhoneFactory
from callpulse.telephony import selectors, services
from callpulse.telephony.models import (
    AgentState,
    Callback,
    CallbackAttempt,
    CallbackReason,
    CallbackStatus,
    CommandKind,
    CommandStatus,
    DialResult,
    PhoneCommand,
)
from callpulse.telephony.tests.factories import cti_token

from .conftest import ALMATY, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def pbx() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {cti_token().key}")
    return client


def callback(phone: str = "+77015551234", **fields) -> Callback:
    fields.setdefault("reason", CallbackReason.WEBSITE)
    fields.setdefault("due_at", NOW - timedelta(minutes=10))
    fields.setdefault("first_due_at", fields["due_at"])
    return Callback.objects.create(phone=phone, **fields)


def cti(pbx, n, type_, call_id, at, **extra):
    body = {
        "event_id": f"{call_id}-{n}",
        "call_id": call_id,
        "type": type_,
        "direction": "outbound",
        "at": at.isoformat(),
        **extra,
    }
    answer = pbx.post("/api/v1/cti/events", body, format="json")
    assert answer.status_code == 200, answer.content


def test_one_click_dial_creates_a_dial_command_and_starts_the_sla(clock, operator):
    cb = callback()
    command = services.callback_dial(actor=operator, callback=cb)
    assert command.kind == CommandKind.DIAL
    assert command.extension == operator.extension and command.number == cb.phone
    assert command.callback == cb and command.status == CommandStatus.PENDING
    cb.refresh_from_db()
    assert cb.attempts == 1 and cb.first_attempt_at == NOW and cb.assigned_to == operator
    assert CallbackAttempt.objects.get().command == command


def test_the_phone_system_polls_the_dial_and_acknowledges_it_with_the_call_id(clock, operator, pbx):
    command = services.callback_dial(actor=operator, callback=callback())
    pending = pbx.get("/api/v1/cti/commands").json()
    assert [c["id"] for c in pending] == [command.pk]
    assert pending[0]["kind"] == "dial" and pending[0]["number"] == "+77015551234"
    ack = pbx.post(f"/api/v1/cti/commands/{command.pk}/ack", {"ok": True, "call_id": "out-1"})
    assert ack.status_code == 200
    command.refresh_from_db()
    assert command.status == CommandStatus.DONE and command.call.call_id == "out-1"


def test_an_answered_dial_closes_the_callback(clock, operator, pbx):
    cb = callback()
    command = services.callback_dial(actor=operator, callback=cb)
    pbx.post(f"/api/v1/cti/commands/{command.pk}/ack", {"ok": True, "call_id": "out-2"})
    ext = operator.extension
    cti(pbx, 1, "ringing", "out-2", NOW, to_number=cb.phone, extension=ext)
    cti(pbx, 2, "answered", "out-2", NOW + timedelta(seconds=20), extension=ext)
    cti(pbx, 3, "ended", "out-2", NOW + timedelta(minutes=3))
    cb.refresh_from_db()
    command.refresh_from_db()
    assert command.result == DialResult.ANSWERED
    assert cb.status == CallbackStatus.DONE


def test_no_answer_retries_after_n_minutes_and_gives_up_after_m(clock, operator, pbx, settings):
    settings.CALLPULSE_CALLBACK_RETRY_MINUTES = 30
    settings.CALLPULSE_CALLBACK_MAX_ATTEMPTS = 2
    cb = callback()
    for n, moment in enumerate([NOW, NOW + timedelta(minutes=31)], start=1):
        clock(moment)
        command = services.callback_dial(actor=operator, callback=cb)
        # no call_id in the ack: the CTI events are matched by number and extension
        pbx.post(f"/api/v1/cti/commands/{command.pk}/ack", {"ok": True})
        cti(pbx, 1, "ringing", f"na-{n}", moment, to_number=cb.phone, extension=operator.extension)
        cti(pbx, 2, "ended", f"na-{n}", moment + timedelta(seconds=40))
        cb.refresh_from_db()
        if n == 1:
            assert cb.status == CallbackStatus.OPEN
            assert cb.due_at == moment + timedelta(seconds=40, minutes=30)
            assert cb.assigned_to is None  # anyone may take the retry
    assert cb.status == CallbackStatus.FAILED
    assert list(cb.attempt_log.values_list("result", flat=True)) == ["no_answer", "no_answer"]


def test_a_retry_never_falls_outside_the_clients_calling_hours(clock, operator, settings):
    """20:50 in Almaty, no answer: +30 min is 21:20 there, after hours → 09:00 next morning.
    The same moment is 18:50 in Moscow: +30 min is 19:20 there, still inside."""
    settings.CALLPULSE_CALLBACK_RETRY_MINUTES = 30
    settings.CALLPULSE_CALLING_HOURS = ("09:00", "21:00")
    late = NOW.replace(hour=20, minute=50)
    clock(late)
    almaty = callback(phone="+77015550001", client_timezone="Asia/Almaty")
    moscow = callback(phone="+77015550002", client_timezone="Europe/Moscow")
    for cb in (almaty, moscow):
        command = services.callback_dial(actor=operator, callback=cb, at=late)
        services.phone_command_acknowledge(command=command, ok=True)
        services.callback_settle(actor=operator, callback=cb, result="no_answer", at=late)
    almaty.refresh_from_db()
    moscow.refresh_from_db()
    assert almaty.due_at == (late + timedelta(days=1)).replace(hour=9, minute=0)
    assert moscow.due_at == late + timedelta(minutes=30)


def test_dialling_outside_the_clients_hours_is_refused_server_side(clock, operator):
    # 11:00 in Almaty is 01:00 in New York: the middle of the night there
    cb = callback(client_timezone="America/New_York")
    with pytest.raises(ValidationError) as error:
        services.callback_dial(actor=operator, callback=cb)
    assert "01:00" in str(error.value.message_dict["number"])
    assert not PhoneCommand.objects.exists()
    cb.refresh_from_db()
    assert cb.attempts == 0


def test_the_clients_own_zone_is_used_when_the_callback_has_none(clock, operator):
    phone = PhoneFactory(number="+77015551234", client__timezone="Asia/Kamchatka")  # UTC+12
    cb = callback(client=phone.client)  # 11:00 Almaty = 18:00 Kamchatka: fine
    services.callback_dial(actor=operator, callback=cb)
    clock(NOW.replace(hour=16))  # 23:00 in Kamchatka
    cb2 = callback(phone="+77015550003", client=phone.client)
    with pytest.raises(ValidationError):
        services.callback_dial(actor=operator, callback=cb2)


def test_do_not_call_blocks_the_callback_dial_and_hides_it(clock, operator):
    cb = callback()
    DoNotCall.objects.create(number=cb.phone)
    with pytest.raises(ValidationError) as error:
        services.callback_dial(actor=operator, callback=cb)
    assert "do-not-call" in str(error.value.message_dict["number"])
    assert not PhoneCommand.objects.exists()
    assert not selectors.callback_queue(user=operator).exists()


def test_do_not_call_blocks_a_plain_click_to_call(clock, operator):
    DoNotCall.objects.create(number="+77015551234")
    with pytest.raises(ValidationError):
        services.dial_request(actor=operator, number="8 701 555 12 34")
    assert not PhoneCommand.objects.filter(kind=CommandKind.DIAL).exists()


def test_a_missed_call_from_a_do_not_call_number_gives_no_callback(clock, operator, pbx):
    DoNotCall.objects.create(number="+77015551234")
    body = {"direction": "inbound", "from_number": "+77015551234", "to_number": "+77272501122"}
    for n, type_ in enumerate(["ringing", "ended"]):
        answer = pbx.post(
            "/api/v1/cti/events",
            {
                "event_id": f"in-{n}",
                "call_id": "in-1",
                "type": type_,
                "at": NOW.isoformat(),
                **body,
            },
            format="json",
        )
        assert answer.status_code == 200
    assert not Callback.objects.exists()


def test_a_failed_dial_is_not_an_attempt(clock, operator, pbx):
    cb = callback()
    command = services.callback_dial(actor=operator, callback=cb)
    pbx.post(f"/api/v1/cti/commands/{command.pk}/ack", {"ok": False, "error": "busy trunk"})
    cb.refresh_from_db()
    assert cb.attempts == 0 and cb.status == CallbackStatus.OPEN
    assert CallbackAttempt.objects.get().result == DialResult.FAILED


def test_the_queue_puts_due_callbacks_first_by_priority(clock, operator):
    later = callback(phone="+77015550001", due_at=NOW + timedelta(hours=1))
    due_normal = callback(phone="+77015550002", due_at=NOW - timedelta(hours=1), priority=0)
    due_high = callback(phone="+77015550003", due_at=NOW - timedelta(minutes=5), priority=1)
    queue = list(selectors.callback_queue(user=operator))
    assert queue == [due_high, due_normal, later]


def test_a_promise_is_kept_for_its_operator_until_the_deadline(clock, make_operator, settings):
    settings.CALLPULSE_CALLBACK_RESERVE_MINUTES = 30
    promiser, other = make_operator(), make_operator()
    cb = callback(reason=CallbackReason.PROMISED, assigned_to=promiser, due_at=NOW)
    assert list(selectors.callback_queue(user=promiser)) == [cb]
    assert list(selectors.callback_queue(user=other)) == []
    with pytest.raises(ValidationError):
        services.callback_dial(actor=other, callback=cb)
    clock(NOW + timedelta(minutes=31))
    assert list(selectors.callback_queue(user=other)) == [cb]
    services.callback_dial(actor=other, callback=cb)


def test_take_next_hands_one_callback_to_one_available_operator(clock, make_operator):
    first, second = make_operator(), make_operator()
    for user in (first, second):
        services.agent_state_set(user=user, state=AgentState.AVAILABLE)
    cb = callback()
    assert services.callback_take_next(actor=first) == cb
    assert services.callback_take_next(actor=second) is None
    services.agent_state_set(user=first, state=AgentState.BREAK)
    with pytest.raises(ValidationError):
        services.callback_take_next(actor=first)


def test_the_sla_measures_due_to_first_attempt(clock, operator, settings):
    settings.CALLPULSE_CALLBACK_SLA_MINUTES = 30
    on_time = callback(phone="+77015550001", due_at=NOW - timedelta(minutes=10))
    late = callback(phone="+77015550002", due_at=NOW - timedelta(minutes=50))
    callback(phone="+77015550003", due_at=NOW - timedelta(hours=2))  # never tried: late
    for cb in (on_time, late):
        command = services.callback_dial(actor=operator, callback=cb)
        services.phone_command_acknowledge(command=command, ok=True)
        services.callback_settle(actor=operator, callback=cb, result="done")
    sla = selectors.callback_sla(since=NOW - timedelta(days=1), until=NOW)
    assert sla["on_time"] == 1 and sla["late"] == 2
    assert sla["median_minutes"] == 50.0


def test_the_callbacks_page_shows_the_queue_and_the_sla(clock, operator, client):
    callback(name="Айгерим", topic="Цемент")
    client.force_login(operator)
    page = client.get("/desk/callbacks/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Айгерим" in text and "Цемент" in text and 'id="callback-sla"' in text
    dial = client.post(f"/desk/callbacks/{Callback.objects.get().pk}/dial/")
    assert dial.status_code == 302
    assert PhoneCommand.objects.filter(kind=CommandKind.DIAL).count() == 1


def test_roles_that_do_not_call_may_not_dial_or_settle(clock, make_user, api_as):
    analyst = make_user("analyst", extension="777")
    cb = callback()
    with pytest.raises(PermissionDenied):
        services.callback_dial(actor=analyst, callback=cb)
    with pytest.raises(PermissionDenied):
        services.callback_settle(actor=analyst, callback=cb, result="done")
    api = api_as(analyst)
    assert api.post(f"/api/v1/callbacks/{cb.pk}/dial/").status_code == 403
    assert api.get("/api/v1/callbacks/").status_code == 200  # staff may read the list


def test_an_operator_dials_and_settles_through_the_api(clock, operator, api_as):
    cb = callback()
    api = api_as(operator)
    listed = api.get("/api/v1/callbacks/").json()["results"]
    assert listed[0]["id"] == cb.pk and listed[0]["reason"] == "website"
    dial = api.post(f"/api/v1/callbacks/{cb.pk}/dial/")
    assert dial.status_code == 201 and dial.json()["kind"] == "dial"
    settle = api.post(f"/api/v1/callbacks/{cb.pk}/settle/", {"result": "cancelled"})
    assert settle.status_code == 400 and "note" in settle.json()
    settle = api.post(f"/api/v1/callbacks/{cb.pk}/settle/", {"result": "done"})
    assert settle.status_code == 200 and settle.json()["status"] == "done"


def test_an_operator_without_an_extension_cannot_dial(clock, make_user):
    nobody = make_user("operator")
    with pytest.raises(ValidationError) as error:
        services.callback_dial(actor=nobody, callback=callback())
    assert "extension" in error.value.message_dict


def test_almaty_clock_fixture_is_what_the_tests_assume():
    assert NOW.tzinfo == ALMATY and NOW.hour == 11


def test_a_promise_from_wrap_up_counts_in_the_sla_by_its_due_time(clock, operator):
    promised = Callback.objects.create(
        phone="+77015550009",
        reason=CallbackReason.PROMISED,
        due_at=NOW - timedelta(minutes=5),
        assigned_to=operator,
    )  # as call_log_outcome creates it: no first_due_at
    services.callback_dial(actor=operator, callback=promised)
    sla = selectors.callback_sla(since=NOW - timedelta(hours=1), until=NOW)
    assert sla["callbacks"] == 1 and sla["on_time"] == 1 and sla["median_minutes"] == 5.0


def test_a_callback_closed_without_a_dial_from_here_is_not_judged(clock, operator):
    callback(phone="+77015550001", status=CallbackStatus.DONE, due_at=NOW - timedelta(hours=3))
    reached = callback(phone="+77015550002", due_at=NOW - timedelta(minutes=10))
    services.callback_settle(actor=operator, callback=reached, result="done")  # by hand
    sla = selectors.callback_sla(since=NOW - timedelta(days=1), until=NOW)
    assert (sla["on_time"], sla["late"]) == (1, 0)


def test_the_desk_offers_my_queue_and_dials_through_the_rules(clock, operator, client, make_user):
    """The desk lists only what I may call (no do-not-call number, no colleague's promise) and
    its buttons go through the same server-side checks, then back to the desk."""
    mine = callback(phone="+77015550011", name="Айгерим")
    callback(phone="+77015550012", name="Не звонить")
    DoNotCall.objects.create(number="+77015550012", reason="refused")
    colleague = make_user("operator", extension="599")
    callback(
        phone="+77015550013",
        name="Обещано коллегой",
        reason=CallbackReason.PROMISED,
        assigned_to=colleague,
        due_at=NOW + timedelta(minutes=5),
    )
    client.force_login(operator)
    text = client.get("/desk/").content.decode()
    assert "Айгерим" in text
    assert "Не звонить" not in text and "Обещано коллегой" not in text
    dial = client.post(f"/desk/callbacks/{mine.pk}/dial/", {"next": "/desk/"})
    assert dial.status_code == 302 and dial["Location"] == "/desk/"
    assert PhoneCommand.objects.filter(kind=CommandKind.DIAL).count() == 1
    elsewhere = client.post("/desk/callbacks/take/", {"next": "https://evil.example/"})
    assert elsewhere["Location"] == "/desk/callbacks/"  # never redirected off the site


def test_the_client_card_dials_through_the_phone_system_and_never_a_refused_number(
    clock, operator, client
):
    shop = PhoneFactory(number="+77015550021").client
    PhoneFactory(client=shop, number="+77015550022")
    DoNotCall.objects.create(number="+77015550022", client=shop, reason="refused")
    client.force_login(operator)
    card = client.get(f"/clients/{shop.pk}/").content.decode()
    assert "tel:" not in card  # no way round the rules from the card
    assert "do not call" in card
    answer = client.post(
        "/desk/dial/", {"number": "+77015550021", "client": shop.pk, "next": f"/clients/{shop.pk}/"}
    )
    assert answer["Location"] == f"/clients/{shop.pk}/"
    refused = client.post("/desk/dial/", {"number": "+77015550022", "client": shop.pk})
    assert refused.status_code == 302
    assert list(PhoneCommand.objects.values_list("number", flat=True)) == ["+77015550021"]
