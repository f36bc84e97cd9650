"""Writes for calls: CTI events into the registry, agent states, outcomes, remarks, callbacks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.core.events import publish_on_commit, user_channel
from callpulse.core.models import Department, Notification, User
from callpulse.core.phones import normalize_phone
from callpulse.core.services import audit_record
from callpulse.crm.models import Client
from callpulse.telephony.models import (
    AgentState,
    AgentStateSpan,
    AgentStatus,
    Call,
    Callback,
    CallbackReason,
    CallbackStatus,
    CallStatus,
    CallTransfer,
    CommandKind,
    CommandStatus,
    CTIEvent,
    CTIEventType,
    Direction,
    Outcome,
    PhoneCommand,
)
from callpulse.telephony.routing import call_route, identify_caller
from callpulse.telephony.selectors import user_by_extension

SUPERVISORS_CHANNEL = "supervisors"
CLOCK_SKEW = timedelta(seconds=5)
# States an operator may choose with their own buttons; the rest follow the calls.
SELF_SERVICE_STATES = (AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE)


def _phone_or_raw(raw: str) -> str:
    """E.164 when the text is a number, else as given (an extension, 'anonymous')."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw.strip()[:32]


# --- agent states -------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def agent_state_set(
    *,
    user: User,
    state: str,
    at: datetime | None = None,
    call: Call | None = None,
    while_on: Call | None = None,
) -> AgentStatus | None:
    """Move an agent to `state` at `at`, closing the open span. Stale moments change nothing.

    Without `at` (a button pressed here), the moment is now, but never before the current
    state began: the phone system's clock may run a little ahead of ours. With `while_on`, only
    an agent still busy with that call moves (the end of a call frees the agent who took it, not
    one who has moved on).
    """
    if state not in AgentState.values:
        raise ValidationError({"state": _("Unknown state “%(state)s”.") % {"state": state}})
    status = AgentStatus.objects.select_for_update().filter(user=user).first()
    if while_on is not None and (status is None or status.call_id != while_on.pk):
        return None
    now = timezone.now()
    # A phone system's clock may run ahead; a state never starts later than now + a small skew,
    # or it would freeze the agent until our clock caught up.
    moment = min(at, now + CLOCK_SKEW) if at is not None else now
    if at is None and status is not None and status.since > moment:
        moment = status.since
    if status is not None:
        if moment < status.since:
            return None  # an event older than what we know: history, not the present
        if status.state == state and status.call_id == (call.pk if call else None):
            return status
        AgentStateSpan.objects.filter(user=user, ended_at__isnull=True).update(ended_at=moment)
        status.state, status.since, status.call = state, moment, call
        status.save()
    else:
        status = AgentStatus.objects.create(user=user, state=state, since=moment, call=call)
    AgentStateSpan.objects.create(user=user, state=state, started_at=moment)
    publish_on_commit(
        SUPERVISORS_CHANNEL,
        {"type": "agent_state", "user": user.pk, "state": state, "since": moment.isoformat()},
    )
    return status


@transaction.atomic
def agent_state_choose(*, user: User, state: str) -> AgentStatus | None:
    """The operator's own buttons: available, break, offline (not while a call is live)."""
    if state not in SELF_SERVICE_STATES:
        raise ValidationError({"state": _("Choose available, break or offline.")})
    current = AgentStatus.objects.filter(user=user).first()
    if current is not None and current.state in (AgentState.RINGING, AgentState.ON_CALL):
        raise ValidationError({"state": _("Finish the call first.")})
    return agent_state_set(user=user, state=state)


# --- CTI events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CTIEventInput:
    event_id: str
    call_id: str
    type: str
    direction: str
    at: datetime
    from_number: str = ""
    to_number: str = ""
    extension: str = ""
    queue: str = ""
    purpose: str = ""
    recording_url: str = ""


def cti_event_ingest(*, event: CTIEventInput) -> dict[str, Any]:
    """Apply one phone-system event to the registry; the same event_id twice answers the same.

    Events may arrive out of order: each sets only its own moment, and the call's status,
    durations and outcome are derived from the moments known so far.
    """
    for attempt in range(3):
        try:
            return _ingest(event)
        except IntegrityError:
            # Another worker created the same call or recorded the same event at this instant.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def _ingest(event: CTIEventInput) -> dict[str, Any]:
    # The call's row is the lock: events of one call are applied one at a time, and a resent
    # event_id is recognised under it (the unique event_id would refuse it anyway).
    call, _created = Call.objects.select_for_update().get_or_create(
        call_id=event.call_id, defaults={"direction": event.direction}
    )
    known = CTIEvent.objects.filter(event_id=event.event_id).values_list("response", flat=True)
    for first_answer in known:
        return dict(first_answer)

    if event.from_number and not call.from_number:
        call.from_number = _phone_or_raw(event.from_number)
    if event.to_number and not call.to_number:
        call.to_number = _phone_or_raw(event.to_number)
    if event.queue:
        call.queue = event.queue
    if event.purpose and not call.purpose:
        call.purpose = event.purpose
    if event.recording_url:
        call.recording_url = event.recording_url
    if call.client_id is None and not call.is_new_caller:
        client_number = call.from_number if call.direction == Direction.INBOUND else call.to_number
        client = identify_caller(client_number)
        call.client = client
        call.is_new_caller = client is None
    agent = user_by_extension(event.extension)

    response: dict[str, Any] = {"call_id": call.call_id, "event_id": event.event_id}
    handler = _HANDLERS[event.type]
    handler(call, event, agent, response)
    _derive(call)
    call.save()
    CTIEvent.objects.create(
        event_id=event.event_id,
        call=call,
        type=event.type,
        at=event.at,
        payload=_payload(event),
        response=response,
    )
    return response


def _payload(event: CTIEventInput) -> dict[str, Any]:
    data = dict(event.__dict__)
    data["at"] = event.at.isoformat()
    return data


def _earliest(current: datetime | None, new: datetime) -> datetime:
    return new if current is None or new < current else current


def _on_ringing(
    call: Call, event: CTIEventInput, agent: User | None, response: dict[str, Any]
) -> None:
    call.ringing_at = _earliest(call.ringing_at, event.at)
    if call.direction == Direction.INBOUND:
        if not call.routing:
            decision = call_route(
                phone=call.from_number,
                purpose=call.purpose or None,
                at=event.at,
                client=call.client,
            )
            call.routing = decision.as_dict()
        response["routing"] = call.routing
    if agent is not None and call.answered_at is None and call.ended_at is None:
        previous = call.operator
        if previous is not None and previous != agent:
            _release_if_ringing(previous, call, event.at)  # ring-no-answer moved on
        call.operator = agent
        agent_state_set(user=agent, state=AgentState.RINGING, at=event.at, call=call)
        publish_on_commit(user_channel(agent.pk), {"type": "ring", "call": call.pk})


def _release_if_ringing(user: User, call: Call, at: datetime) -> None:
    """An agent whose phone rang for this call and did not answer is free again."""
    if AgentStatus.objects.filter(user=user, call=call, state=AgentState.RINGING).exists():
        agent_state_set(user=user, state=AgentState.AVAILABLE, at=at)
        publish_on_commit(user_channel(user.pk), {"type": "ended", "call": call.pk})


def _on_answered(
    call: Call, event: CTIEventInput, agent: User | None, response: dict[str, Any]
) -> None:
    call.answered_at = _earliest(call.answered_at, event.at)
    if call.ringing_at is None:
        call.ringing_at = event.at
    if agent is not None:
        previous = call.operator
        if previous is not None and previous != agent:
            _release_if_ringing(previous, call, event.at)
        call.operator = agent
        if call.ended_at is None:
            agent_state_set(user=agent, state=AgentState.ON_CALL, at=event.at, call=call)
        publish_on_commit(user_channel(agent.pk), {"type": "answered", "call": call.pk})
    if call.outcome == Outcome.ABANDONED and call.logged_at is None:
        # "ended" came first and looked like an abandon: the call was in fact answered.
        call.outcome = ""
        Callback.objects.filter(call=call, status=CallbackStatus.OPEN).update(
            status=CallbackStatus.CANCELLED, note="answered after all"
        )


def _on_transferred(
    call: Call, event: CTIEventInput, agent: User | None, response: dict[str, Any]
) -> None:
    previous = call.operator
    CallTransfer.objects.create(
        call=call, from_user=previous, to_user=agent, to_extension=event.extension, at=event.at
    )
    if previous is not None and previous != agent and call.ended_at is None:
        agent_state_set(user=previous, state=AgentState.WRAP_UP, at=event.at)
    if agent is not None:
        call.operator = agent
        if call.ended_at is None:
            agent_state_set(user=agent, state=AgentState.ON_CALL, at=event.at, call=call)
        publish_on_commit(user_channel(agent.pk), {"type": "ring", "call": call.pk})
    if previous is not None:
        publish_on_commit(user_channel(previous.pk), {"type": "transferred", "call": call.pk})


def _on_held(
    call: Call, event: CTIEventInput, agent: User | None, response: dict[str, Any]
) -> None:
    """Holding changes nothing but the record of events."""


def _on_ended(
    call: Call, event: CTIEventInput, agent: User | None, response: dict[str, Any]
) -> None:
    call.ended_at = event.at if call.ended_at is None else max(call.ended_at, event.at)
    if call.ringing_at is None:
        call.ringing_at = event.at
    operator = call.operator
    if operator is not None:
        after = AgentState.WRAP_UP if call.answered_at is not None else AgentState.AVAILABLE
        agent_state_set(user=operator, state=after, at=event.at, while_on=call)
        publish_on_commit(user_channel(operator.pk), {"type": "ended", "call": call.pk})
    if call.answered_at is None and not call.outcome:
        if call.direction == Direction.INBOUND:
            call.outcome = Outcome.ABANDONED
            _callback_for_missed(call)
        else:
            call.outcome = Outcome.NO_ANSWER


Handler = Callable[[Call, CTIEventInput, User | None, dict[str, Any]], None]
_HANDLERS: dict[str, Handler] = {
    CTIEventType.RINGING: _on_ringing,
    CTIEventType.ANSWERED: _on_answered,
    CTIEventType.TRANSFERRED: _on_transferred,
    CTIEventType.HELD: _on_held,
    CTIEventType.ENDED: _on_ended,
}


def _derive(call: Call) -> None:
    """Status and durations from the moments known so far (order of arrival does not matter)."""
    if call.ended_at is not None:
        call.status = CallStatus.ENDED
    elif call.answered_at is not None:
        call.status = CallStatus.ANSWERED
    else:
        call.status = CallStatus.RINGING
    if call.ringing_at is not None:
        waited_until = call.answered_at or call.ended_at
        if waited_until is not None:
            call.wait_seconds = max(0, round((waited_until - call.ringing_at).total_seconds()))
    if call.answered_at is not None and call.ended_at is not None:
        call.talk_seconds = max(0, round((call.ended_at - call.answered_at).total_seconds()))
    if call.logged_at is not None and call.ended_at is not None:
        call.wrap_up_seconds = max(0, round((call.logged_at - call.ended_at).total_seconds()))


def _callback_for_missed(call: Call) -> Callback | None:
    """A missed or abandoned inbound call lands on the callback list (one open per number)."""
    if not call.from_number.startswith("+"):
        return None  # a withheld number cannot be called back
    due = (call.ended_at or timezone.now()) + timedelta(
        minutes=settings.CALLPULSE_CALLBACK_DUE_MINUTES
    )
    existing = Callback.objects.filter(phone=call.from_number, status=CallbackStatus.OPEN).first()
    if existing is not None:
        if due < existing.due_at:
            existing.due_at = due
            existing.save(update_fields=["due_at"])
        return existing
    return Callback.objects.create(
        phone=call.from_number,
        client=call.client,
        # rang at someone's phone and nobody picked up: missed; hung up in the queue: abandoned
        reason=CallbackReason.MISSED if call.operator_id is not None else CallbackReason.ABANDONED,
        due_at=due,
        call=call,
    )


# --- the operator at wrap-up --------------------------------------------------------------


@transaction.atomic
def call_log_outcome(
    *,
    actor: User,
    call: Call,
    outcome: str,
    notes: str = "",
    callback_at: datetime | None = None,
) -> Call:
    """The operator logs how the call ended; wrap-up time is measured; the agent is free again."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome from the list.")})
    if call.operator_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("Only the operator who had the call logs its outcome."))
    if call.ended_at is None:
        raise ValidationError({"outcome": _("The call is still going on.")})
    if outcome == Outcome.CALLBACK_PROMISED:
        if callback_at is None:
            raise ValidationError({"callback_at": _("When was the callback promised?")})
        if callback_at <= timezone.now():
            raise ValidationError({"callback_at": _("The callback must be in the future.")})
    first_log = call.logged_at is None
    call.outcome = outcome
    call.notes = notes
    if first_log:
        call.logged_at = timezone.now()
    _derive(call)
    call.save()
    if outcome == Outcome.CALLBACK_PROMISED and callback_at is not None:
        phone = call.from_number if call.direction == Direction.INBOUND else call.to_number
        Callback.objects.filter(phone=phone, status=CallbackStatus.OPEN).update(
            status=CallbackStatus.CANCELLED, note="replaced by a promise"
        )
        Callback.objects.create(
            phone=phone,
            client=call.client,
            reason=CallbackReason.PROMISED,
            due_at=callback_at,
            call=call,
            assigned_to=actor,
        )
    status = AgentStatus.objects.filter(user=actor).first()
    if status is not None and status.state == AgentState.WRAP_UP:
        agent_state_set(user=actor, state=AgentState.AVAILABLE)
    return call


@transaction.atomic
def client_remark_send(
    *, actor: User, client: Client, department: Department, text: str, call: Call | None = None
) -> Notification | None:
    """Pass a client's remark or wish to the department concerned (its head is notified)."""
    from callpulse.telephony.models import ClientRemark

    if not text.strip():
        raise ValidationError({"text": _("Write the client's remark.")})
    remark = ClientRemark.objects.create(
        client=client, department=department, text=text.strip(), call=call, created_by=actor
    )
    audit_record(
        actor=actor, action="remark.create", target=remark, changes={"department": department.code}
    )
    if department.head is None:
        return None
    notification = Notification.objects.create(
        recipient=department.head,
        title=_("Client remark: %(client)s") % {"client": client.name},
        body=remark.text,
        link=f"/clients/{client.pk}/",
    )
    publish_on_commit(
        user_channel(department.head.pk), {"type": "notification", "id": notification.pk}
    )
    return notification


# --- commands to the phone system ---------------------------------------------------------


@transaction.atomic
def call_transfer_request(*, actor: User, call: Call, to_user: User) -> PhoneCommand:
    """Ask the phone system to transfer a live call to a colleague's extension."""
    if call.status != CallStatus.ANSWERED:
        raise ValidationError({"call": _("Only a call in progress can be transferred.")})
    if call.operator_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("Only the operator on the call transfers it."))
    if not to_user.extension:
        raise ValidationError(
            {"to_user": _("%(name)s has no phone extension.") % {"name": to_user}}
        )
    if to_user.pk == actor.pk:
        raise ValidationError({"to_user": _("The call is already yours.")})
    if PhoneCommand.objects.filter(
        call=call,
        kind=CommandKind.TRANSFER,
        extension=to_user.extension,
        status=CommandStatus.PENDING,
    ).exists():
        raise ValidationError({"to_user": _("This transfer is already on its way.")})
    command = PhoneCommand.objects.create(
        kind=CommandKind.TRANSFER, call=call, extension=to_user.extension, requested_by=actor
    )
    publish_on_commit("pbx", {"type": "command", "id": command.pk})
    return command


@transaction.atomic
def phone_command_acknowledge(*, command: PhoneCommand, ok: bool, error: str = "") -> PhoneCommand:
    """The phone system says it carried the command out (or could not)."""
    command = PhoneCommand.objects.select_for_update().get(pk=command.pk)
    if command.status == CommandStatus.PENDING:
        command.status = CommandStatus.DONE if ok else CommandStatus.FAILED
        command.error = error[:255]
        command.acknowledged_at = timezone.now()
        command.save()
    return command
