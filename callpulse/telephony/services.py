"""Writes for calls (CTI events: cti.py): agent states, outcomes, remarks, callbacks."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, F, Min, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.core.events import publish_on_commit
from callpulse.core.models import Department, Notification, NotificationKind, User
from callpulse.core.phones import normalize_phone
from callpulse.core.roles import CALLBACK_SUPERVISORS, CALLERS, user_has_role
from callpulse.core.services import audit_record, notification_send
from callpulse.crm import services as crm_services
from callpulse.crm.models import Client, DoNotCall
from callpulse.telephony.cti import CLOCK_SKEW, AgentBook, derive_call
from callpulse.telephony.models import (
    AgentState,
    AgentStatus,
    Call,
    Callback,
    CallbackAttempt,
    CallbackPriority,
    CallbackReason,
    CallbackStatus,
    CallStatus,
    CommandKind,
    CommandStatus,
    DialResult,
    Direction,
    Outcome,
    PhoneCommand,
)
from callpulse.telephony.selectors import (
    callback_free_for,
    callback_lease,
    callback_queue,
)

# States an operator may choose with their own buttons; the rest follow the calls.
SELF_SERVICE_STATES = (AgentState.AVAILABLE, AgentState.BREAK, AgentState.OFFLINE)


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
    """Move an agent to `state` at `at` (default now), closing the open span.

    None when nothing moved: a moment older than the current state, or `while_on` naming a call
    the agent has left. The rules are the CTI applier's (`cti.AgentBook`).
    """
    if state not in AgentState.values:
        raise ValidationError({"state": _("Unknown state “%(state)s”.") % {"state": state}})
    book = AgentBook({user.pk}, timezone.now())
    status = book.set(user.pk, state, at, call=call, while_on=while_on)
    book.write()
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


# --- missed calls -------------------------------------------------------------------------


def callback_for_missed(call: Call) -> Callback | None:
    """A missed or abandoned inbound call lands on the callback list (one open per number).

    A number on the do-not-call list gets no callback: nobody could dial it anyway.
    """
    if not call.from_number.startswith("+"):
        return None  # a withheld number cannot be called back
    if number_is_do_not_call(call.from_number):
        return None
    due = (call.ended_at or timezone.now()) + timedelta(
        minutes=settings.CALLPULSE_CALLBACK_DUE_MINUTES
    )
    # rang at someone's phone and nobody picked up: missed; hung up in the queue: abandoned
    reason = CallbackReason.MISSED if call.operator_id is not None else CallbackReason.ABANDONED
    existing = Callback.objects.filter(phone=call.from_number, status=CallbackStatus.OPEN).first()
    if existing is not None:
        # One callback answers every missed call of the number; it names the latest, so that an
        # earlier call turning out answered after all does not cancel it.
        existing.due_at = min(due, existing.due_at)
        existing.call, existing.reason = call, reason
        existing.save(update_fields=["due_at", "call", "reason"])
        return existing
    return Callback.objects.create(
        phone=call.from_number,
        client_id=call.client_id,
        reason=reason,
        due_at=due,
        first_due_at=due,
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
    derive_call(call)
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
    return notification_send(
        recipient=department.head,
        title=_("Client remark: %(client)s") % {"client": client.name},
        body=remark.text,
        link=f"/clients/{client.pk}/",
        kind=NotificationKind.REMARK,
    )


# --- a new caller becomes a client --------------------------------------------------------


def _ensure_call_open_to_attach(actor: User, call: Call) -> Call:
    """The call, locked, if it is the actor's and nobody is attached to it yet."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.operator_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("Only the operator on the call opens its caller's card."))
    if call.client_id is not None:
        raise ValidationError(
            {"call": _("The caller is already a client: %(name)s.") % {"name": call.client}}
        )
    return call


@transaction.atomic
def call_client_create(*, actor: User, call: Call, **client_arguments: Any) -> Client:
    """Open a card for the new caller and put it on the call, all or nothing (seed 002).

    `crm.services.client_create` holds the rules and tells the department head to assign a
    manager; the call then shows the card and its "Take an order".
    """
    call = _ensure_call_open_to_attach(actor, call)
    client = crm_services.client_create(actor=actor, **client_arguments)
    Call.objects.filter(pk=call.pk).update(client=client, updated_at=timezone.now())
    audit_record(actor=actor, action="call.client", target=call, changes={"client": client.pk})
    return client


@transaction.atomic
def call_client_choose(*, actor: User, call: Call, client: Client) -> Client:
    """The "new" caller is a known client after all (a new number): put them on the call, and
    their number on their card, so the next call from it is recognised."""
    call = _ensure_call_open_to_attach(actor, call)
    if call.from_number:
        crm_services.client_phone_add(actor=actor, client=client, number=call.from_number)
    Call.objects.filter(pk=call.pk).update(client=client, updated_at=timezone.now())
    audit_record(actor=actor, action="call.client", target=call, changes={"client": client.pk})
    return client


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
def phone_command_acknowledge(
    *, command: PhoneCommand, ok: bool, error: str = "", call_id: str = ""
) -> PhoneCommand:
    """The phone system says it carried the command out (or could not).

    For a dial it may name the call it placed (`call_id`): the call's CTI events then find
    the command, and so the callback or campaign attempt it belongs to. A dial that could not
    be placed does not count as an attempt: the callback stays where it was.
    """
    command = PhoneCommand.objects.select_for_update().get(pk=command.pk)
    if command.status == CommandStatus.PENDING:
        command.status = CommandStatus.DONE if ok else CommandStatus.FAILED
        command.error = error[:255]
        command.acknowledged_at = timezone.now()
        if command.kind == CommandKind.DIAL and not ok:
            command.result = DialResult.FAILED
            _callback_dial_failed(command)
        command.save()
    if ok and call_id and command.kind == CommandKind.DIAL and command.call_id is None:
        call, _created = Call.objects.get_or_create(
            call_id=call_id[:100], defaults={"direction": Direction.OUTBOUND}
        )
        command.call = call
        command.save(update_fields=["call"])
        if call.status == CallStatus.ENDED and not command.result:
            _dial_settle(command, call)  # the call's events came before the acknowledgment
    return command


# --- calling hours, do-not-call, click-to-call ---------------------------------------------


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def calling_hours() -> tuple[time, time]:
    """The hours a client may be called, on the client's own clock (CALLPULSE_CALLING_HOURS)."""
    start, end = getattr(settings, "CALLPULSE_CALLING_HOURS", ("09:00", "21:00"))
    return parse_hhmm(start), parse_hhmm(end)


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def within_calling_hours(
    *, tz: str | None, at: datetime, hours: tuple[time, time] | None = None
) -> bool:
    """True when `at` falls inside the calling hours on the clock of time zone `tz`."""
    start, end = hours or calling_hours()
    local = at.astimezone(_zone(tz)).time()
    return start <= local < end


def next_calling_moment(
    *, tz: str | None, after: datetime, hours: tuple[time, time] | None = None
) -> datetime:
    """`after` itself when it is inside the client's calling hours, else the next opening."""
    start, end = hours or calling_hours()
    zone = _zone(tz)
    local = after.astimezone(zone)
    if start <= local.time() < end:
        return after
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(after.tzinfo)


def number_is_do_not_call(number: str) -> bool:
    return DoNotCall.objects.filter(number=number).exists()


def _check_can_dial(
    *, number: str, tz: str | None, at: datetime, hours: tuple[time, time] | None = None
) -> None:
    """The two rules no call placed from here may break: do-not-call and calling hours."""
    if number_is_do_not_call(number):
        raise ValidationError(
            {"number": _("%(number)s is on the do-not-call list.") % {"number": number}},
            code="do_not_call",
        )
    start, end = hours or calling_hours()
    if not within_calling_hours(tz=tz, at=at, hours=(start, end)):
        zone = _zone(tz)
        raise ValidationError(
            {
                "number": _(
                    "It is %(local)s for the client (%(zone)s): calls are allowed"
                    " %(start)s–%(end)s on their clock."
                )
                % {
                    "local": at.astimezone(zone).strftime("%H:%M"),
                    "zone": zone.key,
                    "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"),
                }
            },
            code="calling_hours",
        )


@transaction.atomic
def dial_request(
    *,
    actor: User,
    number: str,
    client: Client | None = None,
    tz: str | None = None,
    hours: tuple[time, time] | None = None,
    callback: Callback | None = None,
    at: datetime | None = None,
) -> PhoneCommand:
    """Click-to-call: ask the phone system to ring the actor's phone and dial `number`.

    The one place a dial command is created, so the do-not-call list and the client's calling
    hours (their time zone: `tz`, else the client's, else the center's) hold for every path.
    """
    if not user_has_role(actor, CALLERS):
        raise PermissionDenied(_("Your role does not place calls."))
    if not actor.extension:
        raise ValidationError({"extension": _("You have no phone extension to call from.")})
    try:
        e164 = normalize_phone(number)
    except ValidationError as exc:
        raise ValidationError({"number": exc.messages}) from exc
    moment = at or timezone.now()
    zone = tz or (client.timezone if client is not None else None)
    _check_can_dial(number=e164, tz=zone, at=moment, hours=hours)
    if PhoneCommand.objects.filter(
        kind=CommandKind.DIAL,
        extension=actor.extension,
        status=CommandStatus.PENDING,
        created_at__gte=moment - timedelta(minutes=1),
    ).exists():
        raise ValidationError({"number": _("Your phone is already dialling; wait a moment.")})
    command = PhoneCommand.objects.create(
        kind=CommandKind.DIAL,
        extension=actor.extension,
        number=e164,
        requested_by=actor,
        callback=callback,
    )
    publish_on_commit("pbx", {"type": "command", "id": command.pk})
    return command


def dial_result_record(*, call: Call) -> None:
    """An outbound call ended (CTI): note how the dial that placed it went, settle its callback.

    The command is found by the call id the phone system acknowledged, else by the number and
    the extension (the latest dial of that number from that phone within two hours).
    """
    if call.direction != Direction.OUTBOUND:
        return
    command = PhoneCommand.objects.filter(call=call, kind=CommandKind.DIAL).first()
    if command is None and call.to_number:
        ended = call.ended_at or timezone.now()
        candidates = PhoneCommand.objects.filter(
            kind=CommandKind.DIAL,
            call__isnull=True,
            number=call.to_number,
            created_at__gte=ended - timedelta(hours=2),
            created_at__lte=ended + CLOCK_SKEW,
        ).exclude(status=CommandStatus.FAILED)
        operator = call.operator
        if operator is not None and operator.extension:
            candidates = candidates.filter(extension=operator.extension)
        command = candidates.order_by("-pk").first()
        if command is not None:
            command.call = call
    if command is None or command.result:
        return
    _dial_settle(command, call)


def _dial_settle(command: PhoneCommand, call: Call) -> None:
    command.result = DialResult.ANSWERED if call.answered_at is not None else DialResult.NO_ANSWER
    command.save(update_fields=["call", "result"])
    if command.callback_id is None:
        return
    CallbackAttempt.objects.filter(command=command).update(result=command.result)
    callback = Callback.objects.select_for_update().get(pk=command.callback_id)
    if callback.status != CallbackStatus.OPEN:
        return
    if command.result == DialResult.ANSWERED:
        callback.status = CallbackStatus.DONE
        callback.done_at = call.ended_at or timezone.now()
        callback.reserved_until = None
        callback.save(update_fields=["status", "done_at", "reserved_until"])
    else:
        _callback_retry_or_give_up(callback, at=call.ended_at or timezone.now())


def _callback_dial_failed(command: PhoneCommand) -> None:
    """The phone system could not place the dial: not an attempt; the callback stays open."""
    if command.callback_id is None:
        return
    CallbackAttempt.objects.filter(command=command).update(result=DialResult.FAILED)
    Callback.objects.filter(pk=command.callback_id, attempts__gt=0).update(
        attempts=F("attempts") - 1, reserved_until=None
    )


def callback_retry_rule() -> tuple[int, int]:
    """(minutes before the next try, attempts at most) for callbacks nobody answered."""
    return (
        int(getattr(settings, "CALLPULSE_CALLBACK_RETRY_MINUTES", 30)),
        int(getattr(settings, "CALLPULSE_CALLBACK_MAX_ATTEMPTS", 3)),
    )


def _callback_timezone(callback: Callback) -> str | None:
    if callback.client_timezone:
        return callback.client_timezone
    if callback.client_id is not None and callback.client is not None:
        return callback.client.timezone
    return None


def _callback_retry_or_give_up(callback: Callback, *, at: datetime) -> Callback:
    """No answer: try again N minutes later inside the client's calling hours, at most M times."""
    retry_minutes, max_attempts = callback_retry_rule()
    if callback.attempts >= max_attempts:
        callback.status = CallbackStatus.FAILED
        callback.done_at = at
        callback.note = (_("No answer after %(count)d attempts.") % {"count": callback.attempts})[
            :255
        ]
    else:
        callback.due_at = next_calling_moment(
            tz=_callback_timezone(callback), after=at + timedelta(minutes=retry_minutes)
        )
    callback.reserved_until = None
    if callback.reason != CallbackReason.PROMISED:
        callback.assigned_to = None  # anyone may take the retry; a promise stays its operator's
    callback.save()
    return callback


# --- the callback queue ----------------------------------------------------------------------


@transaction.atomic
def callback_take_next(*, actor: User, at: datetime | None = None) -> Callback | None:
    """Offer the most urgent due callback to an available operator, and keep it for them a while.

    The hand-out is atomic: two operators asking at once never get the same callback.
    """
    if not user_has_role(actor, CALLERS):
        raise PermissionDenied(_("Your role does not place calls."))
    moment = at or timezone.now()
    status = AgentStatus.objects.filter(user=actor).first()
    if status is not None and status.state != AgentState.AVAILABLE:
        raise ValidationError({"state": _("Only an available operator takes callbacks.")})
    for _attempt in range(5):
        candidates = callbacks_dialable_now(
            callback_queue(user=actor, at=moment).filter(due_at__lte=moment), at=moment
        )
        candidate = _lock_first(candidates)
        if candidate is None:
            return None
        held = Callback.objects.filter(pk=candidate.pk, status=CallbackStatus.OPEN).filter(
            callback_free_for(actor, at=moment)
        )
        if held.update(assigned_to=actor, reserved_until=moment + callback_lease()):
            return Callback.objects.select_related("client").get(pk=candidate.pk)
    return None


def _zone_of_callback() -> Coalesce:
    """Each callback's clock, as `_callback_timezone` reads it: the visitor's zone, else the
    client's, else the center's."""
    return Coalesce(
        NullIf("client_timezone", Value("")),
        "client__timezone",
        Value(settings.TIME_ZONE),
        output_field=CharField(),
    )


def callbacks_dialable_now(callbacks: QuerySet[Callback], *, at: datetime) -> QuerySet[Callback]:
    """Those of `callbacks` whose client may be called at `at` (calling hours on their clock).

    Do-not-call numbers are already out of the queue (`callback_queue`). The zones are few,
    so each is judged once in Python and the filter stays in SQL (and under its row locks).
    """
    zoned = callbacks.annotate(zone=_zone_of_callback())
    zones = set(zoned.order_by().values_list("zone", flat=True).distinct())
    open_now = [zone for zone in zones if within_calling_hours(tz=zone, at=at)]
    return zoned.filter(zone__in=open_now)


def callback_next_dialable_at(*, user: User, at: datetime | None = None) -> datetime | None:
    """When the first of the callbacks `user` may call can be dialled: due, and inside the
    client's calling hours. None when the queue holds none."""
    moment = at or timezone.now()
    queue = callback_queue(user=user, at=moment)
    first_due_by_zone = (
        Callback.objects.filter(pk__in=queue.values("pk"))
        .annotate(zone=_zone_of_callback())
        .order_by()
        .values("zone")
        .annotate(first_due=Min("due_at"))
    )
    moments = [
        next_calling_moment(tz=row["zone"], after=max(row["first_due"], moment))
        for row in first_due_by_zone
    ]
    return min(moments) if moments else None


def callback_dialable_from(callback: Callback, *, at: datetime) -> datetime:
    """The first moment from `at` on when this callback's client may be called."""
    return next_calling_moment(tz=_callback_timezone(callback), after=at)


def _lock_first(candidates: QuerySet[Callback]) -> Callback | None:
    if connection.features.has_select_for_update_skip_locked:
        return candidates.select_for_update(skip_locked=True, of=("self",)).first()
    return candidates.first()  # SQLite: writes are serialised; the conditional update decides


@transaction.atomic
def callback_dial(*, actor: User, callback: Callback, at: datetime | None = None) -> PhoneCommand:
    """One click: a dial command for the callback's number, the attempt recorded, SLA started."""
    moment = at or timezone.now()
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("client")
        .get(pk=callback.pk)
    )
    if callback.status != CallbackStatus.OPEN:
        raise ValidationError({"callback": _("This callback is no longer open.")})
    if (
        not Callback.objects.filter(pk=callback.pk)
        .filter(callback_free_for(actor, at=moment))
        .exists()
    ):
        raise ValidationError(
            {"callback": _("%(name)s is calling this client.") % {"name": callback.assigned_to}}
        )
    command = dial_request(
        actor=actor,
        number=callback.phone,
        client=callback.client,
        tz=_callback_timezone(callback),
        callback=callback,
        at=moment,
    )
    CallbackAttempt.objects.create(callback=callback, operator=actor, command=command, at=moment)
    callback.attempts += 1
    callback.first_attempt_at = callback.first_attempt_at or moment
    callback.last_attempt_at = moment
    callback.assigned_to = actor
    callback.reserved_until = moment + callback_lease()
    callback.save()
    return command


@transaction.atomic
def callback_settle(
    *, actor: User, callback: Callback, result: str, note: str = "", at: datetime | None = None
) -> Callback:
    """The operator closes a callback by hand: reached (done), no answer (retry rule), cancelled.

    For phone systems that report no outbound events, and for callbacks handled another way.
    """
    if not user_has_role(actor, CALLERS):
        raise PermissionDenied(_("Your role does not handle callbacks."))
    moment = at or timezone.now()
    callback = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("client", "assigned_to")
        .get(pk=callback.pk)
    )
    if callback.status != CallbackStatus.OPEN:
        raise ValidationError({"callback": _("This callback is no longer open.")})
    holder = callback.assigned_to
    held_by_colleague = (
        holder is not None
        and holder.pk != actor.pk
        and not Callback.objects.filter(pk=callback.pk)
        .filter(callback_free_for(actor, at=moment))
        .exists()
    )
    if held_by_colleague:
        if not user_has_role(actor, CALLBACK_SUPERVISORS):
            raise PermissionDenied(
                _("%(name)s holds this callback: only they or a supervisor may close it.")
                % {"name": holder}
            )
        if not note.strip():
            raise ValidationError(
                {"note": _("Say why you close %(name)s's callback.") % {"name": holder}}
            )
    if result == "done":
        callback.status = CallbackStatus.DONE
        callback.done_at = moment
        callback.first_attempt_at = callback.first_attempt_at or moment  # reached by hand
    elif result == "cancelled":
        if not note.strip():
            raise ValidationError({"note": _("Say why the callback is cancelled.")})
        callback.status = CallbackStatus.CANCELLED
        callback.done_at = moment
    elif result == "no_answer":
        if callback.attempts == 0:
            raise ValidationError({"result": _("Dial the client first.")})
        attempt = callback.attempt_log.order_by("-at", "-pk").first()
        if attempt is not None and not attempt.result:
            attempt.result = DialResult.NO_ANSWER
            attempt.save(update_fields=["result"])
        _callback_retry_or_give_up(callback, at=moment)
        return callback
    else:
        raise ValidationError({"result": _("Choose reached, no answer or cancelled.")})
    if note.strip():
        callback.note = note.strip()[:255]
    callback.reserved_until = None
    callback.save()
    changes = {"holder": holder.pk, "note": note.strip()} if held_by_colleague and holder else {}
    audit_record(actor=actor, action=f"callback.{result}", target=callback, changes=changes)
    return callback


@transaction.atomic
def callback_request_upsert(
    *,
    phone: str,
    due_at: datetime,
    client: Client | None = None,
    name: str = "",
    topic: str = "",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    client_timezone: str = "",
) -> tuple[Callback, bool]:
    """A website "call me back": a new open callback, or merged into the number's open one.

    Returns (callback, created). A merge keeps the earlier due time, takes the latest window
    and topic, and counts the request; the one-open-callback-per-number constraint settles
    two requests racing.
    """
    for _attempt in range(2):
        existing = (
            Callback.objects.select_for_update()
            .filter(phone=phone, status=CallbackStatus.OPEN)
            .first()
        )
        if existing is not None:
            existing.requests += 1
            existing.due_at = min(existing.due_at, due_at)
            existing.first_due_at = min(existing.first_due_at or existing.due_at, due_at)
            existing.window_start = window_start or existing.window_start
            existing.window_end = window_end or existing.window_end
            existing.client_timezone = client_timezone or existing.client_timezone
            existing.name = existing.name or name
            if topic:
                existing.topic = topic
            existing.client = existing.client or client
            existing.save()
            return existing, False
        try:
            with transaction.atomic():
                callback = Callback.objects.create(
                    phone=phone,
                    client=client,
                    reason=CallbackReason.WEBSITE,
                    due_at=due_at,
                    first_due_at=due_at,
                    name=name,
                    topic=topic,
                    window_start=window_start,
                    window_end=window_end,
                    client_timezone=client_timezone,
                    priority=CallbackPriority.HIGH,
                )
            return callback, True
        except IntegrityError:
            continue  # another request for the number won the race: merge into it
    raise ValidationError({"phone": _("Please try again.")})
