"""Someone else's callback: only its holder, or a supervisor saying why, may close or cancel it.

The outside probe found any operator could close or cancel a callback a colleague held, even while
the colleague was dialling it. Screens and API go through one service rule.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from callpulse.core.models import AuditEntry
from callpulse.telephony import services
from callpulse.telephony.models import Callback, CallbackReason, CallbackStatus

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(clock, operator) -> Callback:
    """A callback `operator` is dialling right now (reserved for the lease)."""
    callback = Callback.objects.create(
        phone="+77015551234",
        reason=CallbackReason.WEBSITE,
        due_at=NOW - timedelta(minutes=10),
        first_due_at=NOW - timedelta(minutes=10),
    )
    services.callback_dial(actor=operator, callback=callback)
    callback.refresh_from_db()
    assert callback.assigned_to == operator and callback.reserved_until is not None
    return callback


@pytest.mark.parametrize("result", ["done", "cancelled"])
def test_a_colleague_cannot_close_or_cancel_a_held_callback(held, make_operator, result):
    colleague = make_operator()
    with pytest.raises(PermissionDenied):
        services.callback_settle(actor=colleague, callback=held, result=result, note="мой")
    held.refresh_from_db()
    assert held.status == CallbackStatus.OPEN


def test_the_colleague_is_refused_on_the_screen_and_in_the_api(held, make_operator, client, api_as):
    colleague = make_operator()
    answer = api_as(colleague).post(
        f"/api/v1/callbacks/{held.pk}/settle/", {"result": "cancelled", "note": "x"}
    )
    assert answer.status_code == 403
    client.force_login(colleague)
    page = client.post(
        f"/desk/callbacks/{held.pk}/settle/", {"result": "done"}, follow=True
    ).content.decode()
    assert "holds this callback" in page
    held.refresh_from_db()
    assert held.status == CallbackStatus.OPEN


def test_the_holder_closes_their_own(held, operator):
    services.callback_settle(actor=operator, callback=held, result="done")
    held.refresh_from_db()
    assert held.status == CallbackStatus.DONE


def test_a_supervisor_may_but_must_say_why_and_it_is_audited(held, make_user, operator):
    supervisor = make_user("supervisor")
    with pytest.raises(ValidationError) as error:
        services.callback_settle(actor=supervisor, callback=held, result="done")
    assert "note" in error.value.message_dict
    services.callback_settle(
        actor=supervisor, callback=held, result="done", note="клиент дозвонился сам"
    )
    held.refresh_from_db()
    assert held.status == CallbackStatus.DONE
    entry = AuditEntry.objects.get(action="callback.done")
    assert entry.changes == {"holder": operator.pk, "note": "клиент дозвонился сам"}


def test_once_the_reservation_lapses_anyone_may(held, make_operator, clock):
    clock(held.reserved_until + timedelta(minutes=1))
    colleague = make_operator()
    services.callback_settle(actor=colleague, callback=held, result="done")
    held.refresh_from_db()
    assert held.status == CallbackStatus.DONE
