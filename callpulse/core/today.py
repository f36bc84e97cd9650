"""Reads for each role's "Today" page: the day of the person signed in, from real data.

Each block is one section template under `core/today/` with the rows it shows. The blocks come
from the roles the user holds (not from superuser powers: an administrator without a role gets the
search box alone), each read through the owning app's selectors and within the rules that
app's own screens apply, so Today never shows what the linked screen would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from callpulse.core.models import User
from callpulse.core.roles import STAFF_DIRECTORY, user_has_role
from callpulse.core.roles import RoleCode as R
from callpulse.core.selectors import absences_at, users_with_presence
from callpulse.crm.models import Client
from callpulse.crm.selectors import client_with_live_receivables
from callpulse.orders.models import HandOff, HandOffTo, OrderStatus
from callpulse.sales.selectors import my_rows, plans_led
from callpulse.telephony.models import AgentStatus, Callback, CallbackReason, CallbackStatus
from callpulse.telephony.selectors import calls_registry, calls_without_outcome
from callpulse.workforce.selectors import missing_now, my_shifts, on_duty_now

ROWS_PER_BLOCK = 8
# Whose Today lists absences across the whole center rather than their own department. A choice
# of scope, not a permission: everyone who gets the block may read all absences on "Who is in".
WHOLE_CENTER_ON_TODAY = frozenset({R.HEAD_OF_SALES, R.DIRECTOR, R.WORKFORCE_PLANNER})


@dataclass
class Block:
    """One section of the Today page: its template and what it shows."""

    name: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)


def _day_bounds(at: datetime) -> tuple[date, datetime, datetime]:
    day = timezone.localdate(at)
    start = timezone.make_aware(datetime.combine(day, time()))
    return day, start, start + timedelta(days=1)


# --- the operator -------------------------------------------------------------------------------


def my_shift_today(user: User, *, at: datetime) -> Block:
    """Today's shifts in a published schedule, else the next one within two weeks."""
    _day, _start, end = _day_bounds(at)
    shifts = list(my_shifts(user, now=at, days=14)[:20])
    today = [s for s in shifts if s.starts_at < end]
    upcoming = next((s for s in shifts if s.starts_at >= end), None)
    return Block(
        "shift",
        "core/today/_shift.html",
        {"shifts": today, "next_shift": None if today else upcoming, "now": at},
    )


def my_targets_today(user: User, *, at: datetime) -> Block:
    """The user's shares of the sales plans running today: today's target and the fact."""
    return Block(
        "target", "core/today/_target.html", {"rows": my_rows(user, today=timezone.localdate(at))}
    )


def my_promised_callbacks(user: User, *, at: datetime) -> Block:
    """The open callbacks this operator promised (at wrap-up), due first."""
    promised = (
        Callback.objects.filter(
            status=CallbackStatus.OPEN, reason=CallbackReason.PROMISED, assigned_to=user
        )
        .select_related("client")
        .order_by("due_at", "pk")
    )
    return Block(
        "promised",
        "core/today/_promised.html",
        {"callbacks": list(promised[:ROWS_PER_BLOCK]), "total": promised.count(), "now": at},
    )


def my_last_calls(user: User, *, at: datetime) -> Block:
    """The calls this operator handled last, newest first."""
    calls = calls_registry().filter(operator=user).order_by("-ringing_at", "-pk")
    return Block("calls", "core/today/_my_calls.html", {"calls": list(calls[:ROWS_PER_BLOCK])})


# --- the account manager ------------------------------------------------------------------------


def my_clients_calling_today(user: User, *, at: datetime) -> Block:
    """Today's calls from the clients this manager owns, newest first."""
    _day, start, end = _day_bounds(at)
    calls = calls_registry().filter(client__manager=user, ringing_at__gte=start, ringing_at__lt=end)
    return Block(
        "clients_calling",
        "core/today/_clients_calling.html",
        {
            "calls": list(calls.order_by("-ringing_at", "-pk")[:ROWS_PER_BLOCK]),
            "total": calls.count(),
        },
    )


def _hand_offs_open() -> QuerySet[HandOff]:

    return (
        HandOff.objects.filter(resolved_at__isnull=True, order__status=OrderStatus.HANDED_OFF)
        .select_related("order", "order__client", "created_by")
        .order_by("created_at", "pk")
    )


def hand_offs_to_me(user: User, *, at: datetime) -> Block:
    """Orders the credit check stopped and an operator handed to this manager."""
    hand_offs = _hand_offs_open().filter(assignee=user)
    return Block(
        "hand_offs",
        "core/today/_hand_offs.html",
        {"hand_offs": list(hand_offs[:ROWS_PER_BLOCK]), "total": hand_offs.count(), "for": "me"},
    )


def my_overdue_clients(user: User, *, at: datetime) -> Block:
    """This manager's clients with overdue debt today, the largest first.

    Stored figures can lag a day (an invoice falls due overnight), so every client of theirs
    with debt is restated as of today before it is judged.
    """
    day = timezone.localdate(at)
    with_debt = Client.objects.filter(manager=user, is_active=True).filter(
        Q(overdue_debt__gt=0) | Q(debt__gt=0)
    )
    restated = [client_with_live_receivables(c, today=day) for c in with_debt]
    overdue = sorted((c for c in restated if c.overdue_debt > 0), key=lambda c: -c.overdue_debt)
    return Block(
        "overdue",
        "core/today/_overdue_clients.html",
        {"clients": overdue[:ROWS_PER_BLOCK], "total": len(overdue)},
    )


# --- finance ------------------------------------------------------------------------------------


def hand_offs_to_finance(user: User, *, at: datetime) -> Block:
    """Orders waiting for finance's decision (any finance officer may take one)."""
    hand_offs = _hand_offs_open().filter(to=HandOffTo.FINANCE)
    return Block(
        "finance_hand_offs",
        "core/today/_hand_offs.html",
        {
            "hand_offs": list(hand_offs[:ROWS_PER_BLOCK]),
            "total": hand_offs.count(),
            "for": "finance",
        },
    )


# --- supervisors, heads, the director, the planner ----------------------------------------------


def my_team_now(user: User, *, at: datetime) -> Block:
    """The supervisor's operators: away (and who covers), their phone state now."""
    members = list(
        users_with_presence(at=at).filter(team__supervisor=user).order_by("full_name", "username")
    )
    states = {s.user_id: s for s in AgentStatus.objects.filter(user_id__in=[m.pk for m in members])}
    rows = [(m, states.get(m.pk)) for m in members]
    return Block("team", "core/today/_team.html", {"rows": rows})


def scheduled_but_missing(user: User, *, at: datetime) -> Block:
    """Operators the published schedule expects on the phones now who are not there."""
    on_duty = on_duty_now(viewer=user, at=at)
    return Block(
        "missing",
        "core/today/_missing.html",
        {"missing": missing_now(viewer=user, at=at, on_duty=on_duty), "on_duty": len(on_duty)},
    )


def calls_to_log(user: User, *, at: datetime) -> Block:
    """Answered calls nobody logged: a supervisor's own teams, everyone's for the heads."""
    calls = calls_without_outcome()
    if not user_has_role(user, frozenset(STAFF_DIRECTORY - {R.SUPERVISOR})):
        calls = calls.filter(operator__team__supervisor=user)
    return Block(
        "unlogged",
        "core/today/_unlogged.html",
        {"calls": list(calls[:ROWS_PER_BLOCK]), "total": calls.count()},
    )


def plans_i_lead(user: User, *, at: datetime) -> Block:
    """Plan against fact of the running plans the user leads (department or team)."""
    return Block(
        "plans",
        "core/today/_plans.html",
        {"led": plans_led(user, today=timezone.localdate(at))},
    )


def staff_away_now(user: User, *, at: datetime) -> Block:
    """Who is away right now and who covers (the heads' department, the whole center else)."""
    away = absences_at(at).select_related("user", "covered_by").order_by("ends_at", "pk")
    if not user_has_role(user, WHOLE_CENTER_ON_TODAY):
        away = away.filter(user__department=user.department_id)
    return Block(
        "away",
        "core/today/_away.html",
        {"absences": list(away[:ROWS_PER_BLOCK]), "total": away.count()},
    )


def callbacks_overdue(user: User, *, at: datetime) -> Block:
    """How the callback queue stands: open, due now, waiting past the SLA target."""
    target = timedelta(minutes=int(getattr(settings, "CALLPULSE_CALLBACK_SLA_MINUTES", 30)))
    open_callbacks = Callback.objects.filter(status=CallbackStatus.OPEN)
    return Block(
        "callbacks_overdue",
        "core/today/_callbacks_overdue.html",
        {
            "open": open_callbacks.count(),
            "due": open_callbacks.filter(due_at__lte=at).count(),
            "late": open_callbacks.filter(due_at__lte=at - target, attempts=0).count(),
        },
    )


# --- roles without an app of their own yet ------------------------------------------------------


def where_to_go(user: User, *, at: datetime) -> Block:
    """For the analyst, QA and the trainer: the screens that exist for them, and what does not
    exist yet (said plainly rather than shown an operator's page)."""
    codes = user.role_codes
    return Block(
        "links",
        "core/today/_links.html",
        {
            "analyst": R.ANALYST in codes,
            "qa": R.QA_SPECIALIST in codes,
            "trainer": R.TRAINER in codes,
        },
    )


# Which blocks each role's day holds, in the order they are shown (a block appears once even
# when several of the user's roles ask for it).
BlockReader = Callable[..., Block]
BLOCKS_BY_ROLE: dict[str, tuple[BlockReader, ...]] = {
    R.OPERATOR: (my_shift_today, my_targets_today, my_promised_callbacks, my_last_calls),
    R.MENTOR: (),
    R.ACCOUNT_MANAGER: (
        hand_offs_to_me,
        my_clients_calling_today,
        my_overdue_clients,
        my_targets_today,
    ),
    R.FINANCE: (hand_offs_to_finance,),
    R.SUPERVISOR: (my_team_now, scheduled_but_missing, calls_to_log, plans_i_lead),
    R.DEPARTMENT_HEAD: (plans_i_lead, staff_away_now, calls_to_log),
    R.HEAD_OF_SALES: (plans_i_lead, callbacks_overdue, calls_to_log, staff_away_now),
    R.DIRECTOR: (plans_i_lead, callbacks_overdue, calls_to_log, staff_away_now),
    R.WORKFORCE_PLANNER: (scheduled_but_missing, staff_away_now),
    R.ANALYST: (where_to_go,),
    R.QA_SPECIALIST: (where_to_go,),
    R.TRAINER: (where_to_go,),
}
ROLE_ORDER = (
    R.OPERATOR,
    R.ACCOUNT_MANAGER,
    R.FINANCE,
    R.SUPERVISOR,
    R.DEPARTMENT_HEAD,
    R.HEAD_OF_SALES,
    R.DIRECTOR,
    R.WORKFORCE_PLANNER,
    R.ANALYST,
    R.QA_SPECIALIST,
    R.TRAINER,
    R.MENTOR,
)


def today_blocks(user: User, *, at: datetime | None = None) -> list[Block]:
    """The sections of the user's Today page, from the roles they hold."""
    moment = at or timezone.now()
    codes = user.role_codes
    seen: set[BlockReader] = set()
    blocks: list[Block] = []
    for role in ROLE_ORDER:
        if role not in codes:
            continue
        for reader in BLOCKS_BY_ROLE[role]:
            if reader not in seen:
                seen.add(reader)
                blocks.append(reader(user, at=moment))
    return blocks
