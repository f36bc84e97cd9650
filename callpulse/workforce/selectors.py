"""Reads for workforce planning: parameters, history, jobs, schedules, my shifts, who is missing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from callpulse.core.models import Absence, User
from callpulse.core.roles import RoleCode, user_has_role
from callpulse.core.selectors import absences_at
from callpulse.telephony.models import AgentState, AgentStateSpan, AgentStatus
from callpulse.workforce.models import (
    ArrivalRecord,
    CoverageRow,
    JobStatus,
    PlanningJob,
    PlanningParameters,
    Schedule,
    ScheduleStatus,
    Shift,
    SpecialDay,
)
from callpulse.workforce.roles import PLANNERS


def planning_parameters() -> PlanningParameters:
    """The one row of parameters (created with the defaults on first use)."""
    params = PlanningParameters.objects.order_by("pk").first()
    if params is None:
        params = PlanningParameters.objects.create()
    return params


def special_days() -> list[date]:
    return list(SpecialDay.objects.values_list("day", flat=True))


def history(queue: str = "") -> QuerySet[ArrivalRecord]:
    return ArrivalRecord.objects.filter(queue=queue).order_by("start")


def history_queues() -> list[str]:
    return sorted(set(ArrivalRecord.objects.values_list("queue", flat=True).distinct()))


@dataclass(frozen=True)
class HistorySummary:
    rows: int
    calls: int
    first: datetime | None
    last: datetime | None


def history_summary(queue: str = "") -> HistorySummary:
    rows = list(history(queue).values_list("start", "calls"))
    return HistorySummary(
        rows=len(rows),
        calls=sum(c for _, c in rows),
        first=rows[0][0] if rows else None,
        last=rows[-1][0] if rows else None,
    )


def jobs_recent(limit: int = 12) -> QuerySet[PlanningJob]:
    return PlanningJob.objects.select_related("created_by", "source", "schedule")[:limit]


def job_latest_done(kind: str, queue: str | None = None) -> PlanningJob | None:
    jobs = PlanningJob.objects.filter(kind=kind, status=JobStatus.DONE)
    if queue is not None:
        jobs = jobs.filter(queue=queue)
    return jobs.order_by("-finished_at", "-pk").first()


def jobs_running() -> QuerySet[PlanningJob]:
    return PlanningJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])


def schedules() -> QuerySet[Schedule]:
    return Schedule.objects.select_related("created_by", "published_by", "staffing_job")


def schedule_latest() -> Schedule | None:
    return schedules().order_by("-created_at", "-pk").first()


def schedule_published_for(day: date) -> Schedule | None:
    """The published schedule covering a day (the newest when several do)."""
    found = Schedule.objects.filter(status=ScheduleStatus.PUBLISHED, starts_on__lte=day)
    covering = [s for s in found if s.starts_on + timedelta(days=s.days) > day]
    covering.sort(key=lambda s: (s.starts_on, s.published_at or s.created_at, s.pk))
    return covering[-1] if covering else None


def schedule_shifts(schedule: Schedule) -> QuerySet[Shift]:
    return schedule.shifts.select_related("user").order_by("starts_at", "user__full_name")


@dataclass(frozen=True)
class GridRow:
    """One operator's line in the schedule grid: a cell per day with that day's shifts."""

    user: User
    cells: list[list[Shift]]
    minutes: int


def schedule_grid(schedule: Schedule) -> tuple[list[date], list[GridRow]]:
    """Operators × days, each cell the shifts starting that (local) day."""
    days = [schedule.starts_on + timedelta(days=i) for i in range(schedule.days)]
    index = {d: i for i, d in enumerate(days)}
    by_user: dict[int, list[Shift]] = defaultdict(list)
    users: dict[int, User] = {}
    for shift in schedule_shifts(schedule):
        by_user[shift.user_id].append(shift)
        users[shift.user_id] = shift.user
    rows = []
    for user_id, shifts in by_user.items():
        cells: list[list[Shift]] = [[] for _ in days]
        for shift in shifts:
            i = index.get(timezone.localtime(shift.starts_at).date())
            if i is not None:
                cells[i].append(shift)
        minutes = sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in shifts)
        rows.append(GridRow(user=users[user_id], cells=cells, minutes=minutes))
    rows.sort(key=lambda r: (str(r.user).lower(), r.user.pk))
    return days, rows


def coverage(schedule: Schedule) -> QuerySet[CoverageRow]:
    return schedule.coverage.order_by("start")


def my_shifts(user: User, *, now: datetime, days: int = 14) -> QuerySet[Shift]:
    """The operator's own shifts in published schedules, from today for `days` days."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Shift.objects.filter(
            user=user,
            schedule__status=ScheduleStatus.PUBLISHED,
            ends_at__gt=today,
            starts_at__lt=today + timedelta(days=days),
        )
        .select_related("schedule")
        .order_by("starts_at")
    )


def operators(*, team: int | None = None, department: int | None = None) -> QuerySet[User]:
    """Active operators (optionally of one team or department), the people a roster names."""
    users = User.objects.filter(is_active=True, roles__code=RoleCode.OPERATOR)
    if team is not None:
        users = users.filter(team_id=team)
    if department is not None:
        users = users.filter(department_id=department)
    return users.select_related("wfm_contract").distinct().order_by("full_name", "username")


def absences_between(users: list[int], start: datetime, end: datetime) -> QuerySet[Absence]:
    return Absence.objects.filter(user_id__in=users, starts_at__lt=end, ends_at__gt=start)


def absences_for_schedule(schedule: Schedule) -> list[Absence]:
    """Absences that leave a hole: the operator has a shift of this schedule while away.
    These are the ones a cover proposal is for."""
    start, end = schedule_bounds(schedule)
    shifts = list(schedule.shifts.values_list("user_id", "starts_at", "ends_at"))
    users = sorted({u for u, _s, _e in shifts})
    return [
        a
        for a in absences_between(users, start, end).select_related("user", "covered_by")
        if any(u == a.user_id and s < a.ends_at and e > a.starts_at for u, s, e in shifts)
    ]


def schedule_bounds(schedule: Schedule) -> tuple[datetime, datetime]:
    start = local_midnight(schedule.starts_on)
    return start, local_midnight(schedule.starts_on + timedelta(days=schedule.days))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


# --- who is missing now --------------------------------------------------------------------


@dataclass(frozen=True)
class MissingAgent:
    """An operator the schedule expects on the phones now who is not there, and why."""

    user: User
    shift: Shift
    reason: str  # "absent" | "offline" | "break"
    since: datetime | None
    late_minutes: int | None  # minutes since the shift began with no login (offline only)
    absence: Absence | None


def on_duty_now(*, viewer: User, at: datetime) -> list[Shift]:
    """Shifts of published schedules under way now, outside their planned breaks, that the
    viewer may see: supervisors their own teams, planners and department heads everyone."""
    shifts = Shift.objects.filter(
        schedule__status=ScheduleStatus.PUBLISHED, starts_at__lte=at, ends_at__gt=at
    ).select_related("user")
    if not user_has_role(viewer, PLANNERS | {RoleCode.DEPARTMENT_HEAD}):
        shifts = shifts.filter(user__team__supervisor=viewer)
    return [s for s in shifts if not _in_break(s, at)]


def missing_now(
    *, viewer: User, at: datetime, on_duty: list[Shift] | None = None
) -> list[MissingAgent]:
    """Operators scheduled now (published, not on a planned break) who are absent, offline or
    on a break. Supervisors see their own teams; planners see everyone. `on_duty`: the shifts
    of `on_duty_now`, when the caller has them already."""
    if on_duty is None:
        on_duty = on_duty_now(viewer=viewer, at=at)
    user_ids = [s.user_id for s in on_duty]
    absent = {a.user_id: a for a in absences_at(at).filter(user_id__in=user_ids)}
    statuses = {s.user_id: s for s in AgentStatus.objects.filter(user_id__in=user_ids)}
    logins = _first_login_since(user_ids, on_duty)
    missing: list[MissingAgent] = []
    for shift in sorted(on_duty, key=lambda s: (str(s.user).lower(), s.pk)):
        absence = absent.get(shift.user_id)
        status = statuses.get(shift.user_id)
        if absence is not None:
            missing.append(
                MissingAgent(shift.user, shift, "absent", absence.starts_at, None, absence)
            )
        elif status is None or status.state == AgentState.OFFLINE:
            logged_in = logins.get(shift.user_id)
            since = status.since if status else None
            late = None
            if logged_in is None:
                late = max(0, int((at - shift.starts_at).total_seconds() // 60))
            missing.append(MissingAgent(shift.user, shift, "offline", since, late, None))
        elif status.state == AgentState.BREAK:
            missing.append(MissingAgent(shift.user, shift, "break", status.since, None, None))
    return missing


def _in_break(shift: Shift, at: datetime) -> bool:
    for begin, end in shift.breaks:
        if datetime.fromisoformat(begin) <= at < datetime.fromisoformat(end):
            return True
    return False


def _first_login_since(user_ids: list[int], shifts: list[Shift]) -> dict[int, datetime]:
    """When each operator first went to a non-offline state since their shift began."""
    start = {s.user_id: s.starts_at for s in shifts}
    if not start:
        return {}
    spans = (
        AgentStateSpan.objects.filter(user_id__in=user_ids)
        .exclude(state=AgentState.OFFLINE)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=min(start.values())))
        .order_by("started_at")
    )
    found: dict[int, datetime] = {}
    for span in spans:
        if span.user_id in found:
            continue
        if span.ended_at is None or span.ended_at > start[span.user_id]:
            found[span.user_id] = span.started_at
    return found


def schedule_with_users(schedule_id: int) -> Schedule:
    return Schedule.objects.prefetch_related(
        Prefetch("shifts", queryset=Shift.objects.select_related("user"))
    ).get(pk=schedule_id)


# --- chart data ----------------------------------------------------------------------------


def _bucket(moment: datetime, minutes: int) -> datetime:
    local = timezone.localtime(moment)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(
        minutes=int((local - midnight).total_seconds() // 60) // minutes * minutes
    )


def forecast_vs_actual(
    job: PlanningJob,
) -> tuple[list[datetime], list[float | None], list[float | None]]:
    """The forecast job's horizon (open intervals), its forecast and the arrivals that came."""
    minutes = int(job.result.get("interval_minutes") or planning_parameters().interval_minutes)
    forecast = {
        timezone.localtime(s): c for s, c in job.forecast_rows.values_list("start", "calls")
    }
    if not forecast:
        return [], [], []
    first, last = min(forecast), max(forecast)
    actual: dict[datetime, float] = defaultdict(float)
    for start, calls in ArrivalRecord.objects.filter(
        queue=job.queue, start__gte=first, start__lt=last + timedelta(minutes=minutes)
    ).values_list("start", "calls"):
        actual[_bucket(start, minutes)] += calls
    starts = sorted(forecast)
    return (
        starts,
        [forecast[s] for s in starts],
        [actual.get(s) if s in actual else None for s in starts],
    )


def required_vs_scheduled(schedule: Schedule) -> tuple[list[datetime], list[int], list[int]]:
    """Per interval of the schedule's open hours (first to last interval with anyone needed or
    on duty each day)."""
    rows = list(coverage(schedule).values_list("start", "required", "scheduled"))
    if not rows:
        return [], [], []
    step = timedelta(minutes=schedule.interval_minutes)
    index = {s: (r, c) for s, r, c in rows}
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for s, _r, _c in rows:
        by_day[timezone.localtime(s).date()].append(s)
    starts: list[datetime] = []
    for day in sorted(by_day):
        moment, last = min(by_day[day]), max(by_day[day])
        while moment <= last:
            starts.append(timezone.localtime(moment))
            moment += step
    return (
        starts,
        [index.get(s, (0, 0))[0] for s in starts],
        [index.get(s, (0, 0))[1] for s in starts],
    )


def arrivals_heat(queue: str = "") -> dict[tuple[int, int], float]:
    """Mean calls per weekday × hour over the history (each weekday averaged over its days)."""
    totals: dict[tuple[int, int], float] = defaultdict(float)
    days: dict[int, set[date]] = defaultdict(set)
    for start, calls in history(queue).values_list("start", "calls"):
        local = timezone.localtime(start)
        totals[(local.weekday(), local.hour)] += calls
        days[local.weekday()].add(local.date())
    return {(d, h): total / len(days[d]) for (d, h), total in totals.items()}
