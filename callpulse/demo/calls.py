"""Two weeks of the center's calls, the callbacks they left, and where every operator is now.

Every order of those two weeks was taken on a call (the order's operator had it); around them
come questions, complaints, promises to call back, new callers, wrong numbers, abandons and
outbound calls, about 150 a working day for 2,000 clients between 9:00 and 18:00. Operators
answer in turn (the longest idle first) and never hold two calls at once when one is free. The
few most recent calls nobody logged are left for the supervisor, and the callbacks not yet made
stay open, one per number.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from callpulse.core.models import Absence, User
from callpulse.crm.models import Client
from callpulse.demo import assortment, identities
from callpulse.demo.clock import Clock
from callpulse.demo.commerce import OrderDraft
from callpulse.telephony.models import (
    AgentState,
    AgentStateSpan,
    AgentStatus,
    Call,
    Callback,
    CallbackReason,
    CallbackStatus,
    CallStatus,
    Direction,
    Outcome,
    Purpose,
)

HISTORY_DAYS = 14
CALLS_PER_DAY = 150  # for a center of REFERENCE_CLIENTS clients
REFERENCE_CLIENTS = 2000
MIN_CALLS_PER_DAY = 20
SATURDAY_SHARE = 0.6
OTHER_CALLS_SHARE = 0.25  # at least this share of a day's calls is not an order
UNLOGGED_CALLS = 4
OPEN_ABANDONED_CALLBACKS = 3  # the latest abandons nobody has called back yet
ON_BREAK = 2
# The calls that are not orders, by kind, and how often each comes.
OTHER_KINDS = {
    "info": 38,
    "complaint": 8,
    "promise": 7,
    "other": 7,
    "new_caller": 16,
    "wrong_number": 3,
    "abandoned": 12,
    "no_answer": 5,
    "outbound_info": 4,
}
TALK_SECONDS = {
    "order": (150, 480),
    "info": (40, 240),
    "complaint": (120, 420),
    "promise": (60, 240),
    "other": (30, 180),
    "new_caller": (60, 300),
    "wrong_number": (8, 30),
    "outbound_info": (40, 200),
    "callback": (40, 200),
}
OUTCOMES = {
    "order": Outcome.ORDER_TAKEN,
    "info": Outcome.INFORMATION_GIVEN,
    "complaint": Outcome.COMPLAINT,
    "promise": Outcome.CALLBACK_PROMISED,
    "other": Outcome.OTHER,
    "new_caller": Outcome.INFORMATION_GIVEN,
    "wrong_number": Outcome.WRONG_NUMBER,
    "outbound_info": Outcome.INFORMATION_GIVEN,
    "callback": Outcome.INFORMATION_GIVEN,
    "abandoned": Outcome.ABANDONED,
    "no_answer": Outcome.NO_ANSWER,
}
PURPOSES = {
    "order": Purpose.ORDER,
    "info": Purpose.INFO,
    "complaint": Purpose.OTHER,
    "other": Purpose.OTHER,
    "new_caller": Purpose.INFO,
    "outbound_info": Purpose.INFO,
    "callback": Purpose.INFO,
    "no_answer": Purpose.INFO,
}
OUTBOUND_KINDS = frozenset({"no_answer", "outbound_info", "callback"})
UNANSWERED_KINDS = frozenset({"abandoned", "no_answer"})
# Calls the supervisor may find unlogged: not orders, not promises (logging makes the callback).
FORGETTABLE_KINDS = ("info", "complaint", "other", "new_caller")
OUTBOUND_NOTES = ("Напомнили о сроке оплаты", "Сообщили о поступлении товара")
CALLBACK_NOTES = ("Перезвонили по пропущенному вызову", "Перезвонили, как обещали")


@dataclass(eq=False)
class _Plan:
    """A call before it is a row: who, when, how long, and who took it."""

    kind: str
    day: date
    ring: datetime
    wait: int  # until answered, or until the caller hung up
    talk: int  # 0 when nobody answered
    wrap: int
    client: Client | None
    number: str
    purpose: str = ""
    notes: str = ""
    outbound: bool = False  # the operator dialled the client
    order: OrderDraft | None = None
    follows: _Plan | None = None  # the abandoned call or the promise this callback answers
    operator: User | None = None
    unlogged: bool = False  # ended, and the operator has not logged the outcome yet
    call: Call | None = None

    @property
    def answered(self) -> bool:
        return self.kind not in UNANSWERED_KINDS

    @property
    def answered_at(self) -> datetime:
        return self.ring + timedelta(seconds=self.wait)

    @property
    def ended_at(self) -> datetime:
        return self.answered_at + timedelta(seconds=self.talk)

    @property
    def free_at(self) -> datetime:
        return self.ended_at + timedelta(seconds=self.wrap)


@dataclass
class _Owed:
    """A callback the center owes: from an abandoned call or a promise, made or not yet."""

    source: _Plan
    reason: str
    due_at: datetime
    made_by: _Plan | None = None


@dataclass
class CallHistory:
    calls: list[Call] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    statuses: list[AgentStatus] = field(default_factory=list)
    spans: list[AgentStateSpan] = field(default_factory=list)

    @property
    def open_callbacks(self) -> int:
        return sum(1 for c in self.callbacks if c.status == CallbackStatus.OPEN)

    @property
    def unlogged(self) -> int:
        return sum(1 for c in self.calls if c.answered_at is not None and not c.outcome)

    def in_state(self, state: str) -> int:
        return sum(1 for s in self.statuses if s.state == state)


@dataclass
class Caller:
    client: Client
    numbers: list[str]


class CallPlanner:
    """Lays out the last two weeks of calls, day by day, from one random stream."""

    def __init__(
        self,
        *,
        rng: random.Random,
        clock: Clock,
        operators: list[User],
        absences: list[Absence],
        callers: list[Caller],
        taken_numbers: set[str],
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.operators = operators
        self.absences: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for absence in absences:
            self.absences[absence.user_id].append((absence.starts_at, absence.ends_at))
        self.callers = callers
        self.numbers_of = {id(caller.client): caller.numbers for caller in callers}
        self.taken_numbers = taken_numbers
        scale = len(callers) / REFERENCE_CLIENTS
        self.per_day = max(MIN_CALLS_PER_DAY, round(CALLS_PER_DAY * scale))
        self.owed: list[_Owed] = []
        self.days: dict[date, list[_Plan]] = {}
        self.carried: dict[date, list[_Plan]] = defaultdict(list)
        self.history = CallHistory()

    def away(self, user: User, at: datetime) -> bool:
        return any(start <= at < end for start, end in self.absences.get(user.pk, ()))

    def plan(self, orders: list[OrderDraft]) -> CallHistory:
        clock = self.clock
        first_day = clock.today - timedelta(days=HISTORY_DAYS - 1)
        by_day: dict[date, list[OrderDraft]] = defaultdict(list)
        for order in orders:
            if order.day >= first_day:
                by_day[order.day].append(order)
        day = first_day
        while day <= clock.today:
            if clock.is_open(day) or by_day.get(day):
                self.days[day] = self._day(day, by_day.get(day, []))
            day += timedelta(days=1)
        self._keep_callbacks_open()
        self._leave_unlogged()
        for day, plans in self.days.items():
            for number, plan in enumerate(plans, start=1):
                plan.call = self._row(plan, f"demo-{day:%Y%m%d}-{number:04d}")
                self.history.calls.append(plan.call)
        self._callbacks()
        self._agents()
        return self.history

    # --- one day ------------------------------------------------------------------------------

    def _day(self, day: date, orders: list[OrderDraft]) -> list[_Plan]:
        rng = self.rng
        clock = self.clock
        volume = self.per_day * (SATURDAY_SHARE if day.weekday() == 5 else 1.0)
        if day == clock.today:
            volume *= clock.today_share()
        plans = [self._order_call(order) for order in orders]
        others = max(round(volume) - len(plans), round(volume * OTHER_CALLS_SHARE))
        kinds = rng.choices(list(OTHER_KINDS), weights=list(OTHER_KINDS.values()), k=others)
        if day == clock.today and volume > 0:
            # Some of today's calls the operators have not logged yet (see _leave_unlogged).
            kinds += rng.choices(FORGETTABLE_KINDS, k=UNLOGGED_CALLS)
        for kind in kinds:
            plan = self._other_call(day, kind)
            if plan is not None:
                plans.append(plan)
        plans += self.carried.pop(day, [])
        for plan in list(plans):
            if plan.kind in ("abandoned", "promise"):
                follow_up = self._owe(plan)
                if follow_up is not None:
                    if follow_up.day == day:
                        plans.append(follow_up)
                    else:
                        self.carried[follow_up.day].append(follow_up)
        plans.sort(key=lambda p: (p.ring, p.kind))
        self._assign(day, plans)
        return plans

    def _window(self, day: date, seconds: int) -> tuple[datetime, datetime] | None:
        """When a call of this length can start that day: 9:00 till it ends by 18:00 (or now)."""
        clock = self.clock
        start = clock.moment(day, 9)
        end = clock.moment(day, 18)
        if day == clock.today:
            end = min(end, clock.now.replace(microsecond=0) - timedelta(minutes=1))
        end -= timedelta(seconds=seconds)
        return (start, end) if end > start else None

    def _caller(self) -> tuple[Client, str]:
        caller = self.rng.choice(self.callers)
        return caller.client, self.rng.choice(caller.numbers)

    def _order_call(self, order: OrderDraft) -> _Plan:
        """The call the order was taken on; it ends just after the order was accepted."""
        rng = self.rng
        end = order.call_ends_at
        outbound = rng.random() < 0.15
        wait = rng.randint(5, 20) if outbound else rng.randint(3, 40)
        talk = rng.randint(*TALK_SECONDS["order"])
        ring = end - timedelta(seconds=talk + wait)
        opening = self.clock.moment(order.day, 9)
        if ring < opening:
            ring = opening
            talk = max(int((end - ring).total_seconds()) - wait, 30)
        numbers = self.numbers_of.get(id(order.client)) or [identities.kazakhstan_mobile(rng)]
        return _Plan(
            kind="order",
            day=order.day,
            ring=ring,
            wait=wait,
            talk=talk,
            wrap=rng.randint(10, 60),
            client=order.client,
            number=rng.choice(numbers),
            purpose=Purpose.ORDER,
            outbound=outbound,
            order=order,
        )

    def _other_call(self, day: date, kind: str) -> _Plan | None:
        rng = self.rng
        if kind in UNANSWERED_KINDS:
            wait = rng.randint(15, 150) if kind == "abandoned" else rng.randint(20, 45)
            talk = wrap = 0
        else:
            wait = rng.randint(5, 20) if kind in OUTBOUND_KINDS else rng.randint(3, 40)
            talk = rng.randint(*TALK_SECONDS[kind])
            wrap = rng.randint(10, 90)
        window = self._window(day, wait + talk + wrap + 60)
        if window is None:
            return None
        ring = self.clock.between(rng, *window)
        client: Client | None
        if kind in ("new_caller", "wrong_number") or (kind == "abandoned" and rng.random() < 0.25):
            client, number = None, identities.unique_mobile(rng, self.taken_numbers)
        else:
            client, number = self._caller()
        purpose = PURPOSES.get(kind, "")
        if kind == "promise":
            purpose = rng.choice((Purpose.ORDER, Purpose.INFO))
        elif kind == "abandoned":
            purpose = rng.choice((Purpose.ORDER, Purpose.INFO, Purpose.OTHER, ""))
        notes = ""
        known_notes = assortment.CALL_NOTES.get(kind if kind == "new_caller" else OUTCOMES[kind])
        if kind == "outbound_info":
            notes = rng.choice(OUTBOUND_NOTES)
        elif known_notes and rng.random() < 0.7:
            notes = rng.choice(known_notes)
        return _Plan(
            kind,
            day,
            ring,
            wait,
            talk,
            wrap,
            client,
            number,
            purpose,
            notes,
            kind in OUTBOUND_KINDS,
        )

    def _owe(self, plan: _Plan) -> _Plan | None:
        """The callback an abandon or a promise leaves, and the call that made it, if made."""
        rng = self.rng
        clock = self.clock
        if plan.kind == "abandoned":
            reason = CallbackReason.ABANDONED  # MISSED once we know an operator's phone rang
            due = plan.ended_at + timedelta(minutes=settings.CALLPULSE_CALLBACK_DUE_MINUTES)
            call_at = due + timedelta(seconds=rng.randint(0, 600))
        else:
            reason = CallbackReason.PROMISED
            due = plan.ended_at + timedelta(minutes=rng.randint(60, 180))
            if due > clock.moment(plan.day, 17, 30):
                next_day = clock.open_on_or_after(plan.day + timedelta(days=1))
                due = clock.moment(next_day, rng.randint(10, 11), rng.randrange(60))
            call_at = due + timedelta(seconds=rng.randint(0, 300))
        owed = _Owed(source=plan, reason=reason, due_at=due.replace(microsecond=0))
        self.owed.append(owed)
        call_day = timezone.localdate(call_at, clock.tz)
        if call_at > clock.moment(call_day, 17, 55):
            call_day = clock.open_on_or_after(call_day + timedelta(days=1))
            call_at = clock.moment(call_day, 9, rng.randint(5, 40))
        talk = rng.randint(*TALK_SECONDS["callback"])
        if call_at + timedelta(seconds=talk + 120) > clock.now:
            return None  # not made yet: the callback is open
        follow_up = _Plan(
            kind="callback",
            day=call_day,
            ring=call_at.replace(microsecond=0),
            wait=rng.randint(5, 20),
            talk=talk,
            wrap=rng.randint(10, 60),
            client=plan.client,
            number=plan.number,
            purpose=Purpose.INFO,
            notes=CALLBACK_NOTES[reason == CallbackReason.PROMISED],
            outbound=True,
            follows=plan,
        )
        owed.made_by = follow_up
        return follow_up

    def _assign(self, day: date, plans: list[_Plan]) -> None:
        """Operators take the calls in turn: the longest idle of those in and free."""
        rng = self.rng
        joined = [
            op for op in self.operators if timezone.localdate(op.date_joined, self.clock.tz) <= day
        ]
        free_at = {op.pk: self.clock.moment(day, 8, 55) for op in joined}
        for plan in plans:
            present = [op for op in joined if not self.away(op, plan.answered_at)]
            if not present:
                continue
            if plan.kind == "abandoned":
                ringing = [op for op in present if free_at[op.pk] <= plan.ring]
                if ringing and rng.random() < 0.3:  # rang at someone's phone: a missed call
                    plan.operator = min(ringing, key=lambda op: (free_at[op.pk], op.pk))
                continue
            free = [op for op in present if free_at[op.pk] <= plan.answered_at]
            preferred = plan.follows.operator if plan.follows is not None else None
            if preferred is not None and preferred in free:
                operator = preferred  # who promised to call back does
            else:
                operator = min(free or present, key=lambda op: (free_at[op.pk], op.pk))
            plan.operator = operator
            free_at[operator.pk] = max(free_at[operator.pk], plan.free_at)
            if plan.order is not None:
                order = plan.order
                order.taken_by = operator
                opened = min(rng.randint(20, 60), plan.talk // 4)  # the draft, early in the call
                order.created_at = plan.answered_at + timedelta(seconds=opened)

    def _row(self, plan: _Plan, call_id: str) -> Call:
        operator = plan.operator
        outbound = plan.outbound
        answered = plan.answered
        logs = answered and not plan.unlogged
        ended = plan.ended_at if answered else plan.ring + timedelta(seconds=plan.wait)
        logged = ended + timedelta(seconds=plan.wrap) if logs else None
        call = Call(
            call_id=call_id,
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            from_number=(operator.extension or "") if outbound and operator else plan.number,
            to_number=plan.number if outbound else assortment.CENTER_LINE,
            client=plan.client,
            is_new_caller=plan.client is None and not outbound,
            queue="" if outbound else settings.CALLPULSE_OPERATORS_QUEUE,
            operator=operator,
            purpose=plan.purpose,
            status=CallStatus.ENDED,
            ringing_at=plan.ring,
            answered_at=plan.answered_at if answered else None,
            ended_at=ended,
            logged_at=logged,
            wait_seconds=plan.wait,
            talk_seconds=plan.talk if answered else None,
            wrap_up_seconds=plan.wrap if logs else None,
            outcome="" if plan.unlogged else OUTCOMES[plan.kind],
            notes="" if plan.unlogged else plan.notes,
            routing={},
            created_at=plan.ring,
            updated_at=logged or ended,
        )
        if plan.order is not None:
            plan.order.call = call
        return call

    # --- after the days -----------------------------------------------------------------------

    def _keep_callbacks_open(self) -> None:
        """Nobody has called the latest few abandoned callers back yet: their callbacks wait."""
        kept: set[str] = set()
        for owed in sorted(self.owed, key=lambda o: o.source.ended_at, reverse=True):
            if len(kept) >= OPEN_ABANDONED_CALLBACKS:
                break
            made = owed.made_by
            if owed.reason != CallbackReason.ABANDONED or owed.source.number in kept:
                continue
            if made is not None:
                self.days[made.day].remove(made)
                owed.made_by = None
            kept.add(owed.source.number)

    def _leave_unlogged(self) -> None:
        """The latest few answered calls are not logged yet: the supervisor's list to chase."""
        plans = sorted(
            (
                plan
                for plans in self.days.values()
                for plan in plans
                if plan.kind in FORGETTABLE_KINDS and not plan.outbound
            ),
            key=lambda plan: plan.ended_at,
        )
        today = [plan for plan in plans if plan.day == self.clock.today]
        for plan in (today if len(today) >= 3 else plans)[-UNLOGGED_CALLS:]:
            plan.unlogged = True

    def _callbacks(self) -> None:
        """One row per callback owed; the ones not made stay open, one per number."""
        open_by_phone: dict[str, Callback] = {}
        for owed in sorted(self.owed, key=lambda o: o.source.ended_at):
            source = owed.source
            if source.call is None:
                continue
            reason = owed.reason
            if reason == CallbackReason.ABANDONED and source.operator is not None:
                reason = CallbackReason.MISSED
            callback = Callback(
                phone=source.number,
                client=source.client,
                reason=reason,
                due_at=owed.due_at,
                call=source.call,
                assigned_to=source.operator if reason == CallbackReason.PROMISED else None,
                created_at=source.ended_at if reason != CallbackReason.PROMISED else source.free_at,
            )
            made = owed.made_by
            if made is not None and made.call is not None:
                callback.status = CallbackStatus.DONE
                callback.done_at = made.ended_at
                callback.assigned_to = made.operator
            else:
                existing = open_by_phone.get(callback.phone)
                if existing is not None:
                    if reason != CallbackReason.PROMISED:
                        continue  # the number already waits for a callback
                    existing.status = CallbackStatus.CANCELLED
                    existing.note = "replaced by a promise"
                open_by_phone[callback.phone] = callback
            self.history.callbacks.append(callback)

    def _agents(self) -> None:
        """Where everyone is now: most available, a couple on a break, one gone offline."""
        rng = self.rng
        clock = self.clock
        now = clock.now.replace(microsecond=0)
        shift_start = min(clock.moment(clock.today, 8, 50), now - timedelta(minutes=30))
        present = [op for op in self.operators if not self.away(op, clock.now)]
        busy: dict[int, datetime] = {}  # the end of each operator's last call (and wrap-up)
        for plan in self.days.get(clock.today, []):
            if plan.operator is not None and plan.answered:
                until = plan.ended_at if plan.unlogged else plan.free_at
                busy[plan.operator.pk] = max(busy.get(plan.operator.pk, until), until)
        resting = set(rng.sample(present, min(ON_BREAK + 1, max(len(present) - 1, 0))))
        offline = next((op for op in present if op in resting), None)
        for operator in self.operators:
            busy_until = min(busy.get(operator.pk, shift_start), now)
            if operator not in present:
                starts = [s for s, e in self.absences.get(operator.pk, ()) if s <= clock.now < e]
                since = min(min(starts, default=shift_start), now)
                self._state(operator, AgentState.OFFLINE, since)
                continue
            available_since = max(shift_start, busy_until)
            if operator in resting:
                state = AgentState.OFFLINE if operator is offline else AgentState.BREAK
                minutes = rng.randint(5, 40) if state == AgentState.OFFLINE else rng.randint(2, 15)
                since = min(max(now - timedelta(minutes=minutes), available_since), now)
                if since > available_since:
                    self.history.spans.append(
                        AgentStateSpan(
                            user=operator,
                            state=AgentState.AVAILABLE,
                            started_at=available_since,
                            ended_at=since,
                        )
                    )
                self._state(operator, state, since)
            else:
                self._state(operator, AgentState.AVAILABLE, available_since)

    def _state(self, user: User, state: str, since: datetime) -> None:
        self.history.statuses.append(AgentStatus(user=user, state=state, since=since))
        self.history.spans.append(AgentStateSpan(user=user, state=state, started_at=since))
