"""Reads for calls: who can take a call now, the call registry, the operator's current call."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from callpulse.core.models import Department, User
from callpulse.core.selectors import users_available
from callpulse.telephony.models import AgentState, AgentStatus, Call, CallStatus

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


def user_by_extension(extension: str | None) -> User | None:
    if not extension:
        return None
    return User.objects.filter(extension=extension, is_active=True).first()


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
