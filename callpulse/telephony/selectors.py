"""Reads for calls: who can take a call now, the call registry, the operator's current call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.core.models import Department, User
from callpulse.core.roles import (
    CALLBACK_HISTORY_READERS,
    CALLBACK_QUEUE_READERS,
    user_has_role,
)
from callpulse.core.selectors import users_available
from callpulse.crm.models import DoNotCall
from callpulse.telephony.models import (
    AgentState,
    AgentStatus,
    Call,
    Callback,
    CallbackStatus,
    CallStatus,
    CTIEvent,
)

AWAY_STATES = (AgentState.OFFLINE, AgentState.BREAK)


def staff_reachable(
    *, at: datetime, role: str | None = None, department: Department | int | None = None
) -> QuerySet[User]:
    """Staff who can take a call at `at`: not away (absence), not offline and not on a break.

    Someone who never used agent states (a manager without the desk) counts as reachable unless
    an absence says otherwise.
    """
    return users_available(at=at, role=role, department=department).exclude(
        agent_status__state__in=AWAY_STATES
    )


def agent_status_of(user: User) -> AgentStatus | None:
    return AgentStatus.objects.filter(user=user).first()


def calls_registry() -> QuerySet[Call]:
    """Calls with what the registry shows joined."""
    return Call.objects.select_related("client", "client__client_type", "operator")


def calls_without_outcome() -> QuerySet[Call]:
    """Ended calls nobody logged: the supervisor chases these."""
    return (
        calls_registry()
        .filter(status=CallStatus.ENDED, outcome="", answered_at__isnull=False)
        .order_by("ended_at")
    )


def operator_current_call(user: User) -> Call | None:
    """The call on the operator's screen: ringing or in progress, else the last one to log."""
    live = (
        calls_registry()
        .filter(operator=user, status__in=[CallStatus.RINGING, CallStatus.ANSWERED])
        .order_by("-ringing_at")
        .first()
    )
    if live is not None:
        return live
    return (
        calls_registry()
        .filter(operator=user, status=CallStatus.ENDED, outcome="", answered_at__isnull=False)
        .order_by("-ended_at")
        .first()
    )


# --- the callback queue ----------------------------------------------------------------------


def _reserve_minutes() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "CALLPULSE_CALLBACK_RESERVE_MINUTES", 30)))


def callback_lease() -> timedelta:
    """How long a taken or dialled callback stays with its operator."""
    return timedelta(minutes=int(getattr(settings, "CALLPULSE_CALLBACK_LEASE_MINUTES", 10)))


def callback_free_for(user: User, *, at: datetime) -> Q:
    """Callbacks `user` may call now: unassigned, theirs, or past the holder's reservation.

    A reservation is `reserved_until` when set (a take or a dial), else, for a promise,
    the due time plus CALLPULSE_CALLBACK_RESERVE_MINUTES.
    """
    return (
        Q(assigned_to__isnull=True)
        | Q(assigned_to=user)
        | Q(reserved_until__lt=at)
        | Q(reserved_until__isnull=True, due_at__lt=at - _reserve_minutes())
    )


def callback_queue_visible_to(user: User, *, at: datetime | None = None) -> QuerySet[Callback]:
    """The open queue as the callbacks screen and the API list it; refused to roles that
    neither call nor read callbacks (`core.roles.CALLBACK_QUEUE_READERS`)."""
    if not user_has_role(user, CALLBACK_QUEUE_READERS):
        raise PermissionDenied(_("Your role does not read the callback queue."))
    return callback_queue(user=user, at=at)


def callbacks_closed_visible_to(user: User, status: str) -> QuerySet[Callback]:
    """Callbacks of a status other than open, as this user may read them (names and numbers).

    Supervisors, heads and analysts read them all; anyone else only those they handled
    (`core.roles.CALLBACK_HISTORY_READERS`).
    """
    callbacks = Callback.objects.select_related("client").filter(status=status)
    if not user_has_role(user, CALLBACK_HISTORY_READERS):
        callbacks = callbacks.filter(assigned_to=user)
    return callbacks.order_by("-due_at", "-pk")


def callback_queue(*, user: User, at: datetime | None = None) -> QuerySet[Callback]:
    """Open callbacks `user` may call, due ones first by priority, then by due time.

    Numbers on the do-not-call list never show.
    """
    moment = at or timezone.now()
    return (
        Callback.objects.filter(status=CallbackStatus.OPEN)
        .filter(callback_free_for(user, at=moment))
        .exclude(phone__in=DoNotCall.objects.values("number"))
        .annotate(
            is_due=Case(When(due_at__lte=moment, then=Value(0)), default=Value(1)),
        )
        .select_related("client", "assigned_to")
        .order_by("is_due", "-priority", "due_at", "pk")
    )


def callback_sla(*, since: datetime, until: datetime | None = None) -> dict[str, Any]:
    """Due → first attempt for callbacks due in [since, until): the median, the share on time.

    A callback still open and not attempted counts as late once its due time plus the target
    has passed; one closed without a dial from here (the client got through) is not judged.
    """
    moment = until or timezone.now()
    target = timedelta(minutes=int(getattr(settings, "CALLPULSE_CALLBACK_SLA_MINUTES", 30)))
    # a promise logged at wrap-up has no first_due_at: its due time is the first one
    rows = list(
        Callback.objects.annotate(first_due=Coalesce("first_due_at", "due_at"))
        .filter(first_due__gte=since, first_due__lt=moment)
        .exclude(status=CallbackStatus.CANCELLED)
        .values_list("first_due", "first_attempt_at", "status")
    )
    delays: list[float] = []
    on_time = late = 0
    for due, first, status in rows:
        if due is None:
            continue
        if first is None:
            # still waiting past the target: late; closed without a dial from here: not judged
            if status == CallbackStatus.OPEN and moment > due + target:
                late += 1
            continue
        delay = max(0.0, (first - due).total_seconds())
        delays.append(delay)
        if delay <= target.total_seconds():
            on_time += 1
        else:
            late += 1
    delays.sort()
    judged = on_time + late
    return {
        "target_minutes": int(target.total_seconds() // 60),
        "callbacks": len(rows),
        "attempted": len(delays),
        "median_minutes": round(delays[len(delays) // 2] / 60, 1) if delays else None,
        "on_time": on_time,
        "late": late,
        "on_time_share": round(on_time / judged, 3) if judged else None,
    }


@dataclass(frozen=True)
class JournalHealth:
    """How the phone system's feed is reaching the registry (telephony/cti.py)."""

    waiting: int
    oldest_waiting_seconds: float
    set_aside_today: int

    @property
    def behind(self) -> bool:
        """Events waiting longer than a screen-pop may: the applier is stuck or overloaded."""
        return self.oldest_waiting_seconds > JOURNAL_LAG_ALARM_SECONDS


JOURNAL_LAG_ALARM_SECONDS = 10.0


def cti_journal_health(now: datetime | None = None) -> JournalHealth:
    now = now or timezone.now()
    waiting = CTIEvent.objects.filter(applied_at__isnull=True)
    oldest = waiting.order_by("pk").values_list("received_at", flat=True).first()
    set_aside = CTIEvent.objects.exclude(apply_error="").filter(
        applied_at__gte=now - timedelta(days=1)
    )
    return JournalHealth(
        waiting=waiting.count() if oldest is not None else 0,
        oldest_waiting_seconds=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        set_aside_today=set_aside.count(),
    )
