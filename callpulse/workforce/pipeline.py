"""The pipeline's steps: read the database, call the engine (`callpulse.wfm`), store the result.

forecast (arrivals and AHT per interval) → staffing (Erlang C or A with shrinkage) → roster
(CP-SAT with the operators, their contracts and absences) → simulation (the roster's agents
against the forecast). Each step computes first and writes everything in one transaction at
the end, together with the job's "done", so a failure leaves nothing half-written.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.core.models import Absence, User
from callpulse.workforce import selectors
from callpulse.workforce.jobs import Progress, retrying
from callpulse.workforce.models import (
    CoverageRow,
    ForecastRow,
    JobKind,
    JobStatus,
    PlanningJob,
    PlanningParameters,
    Schedule,
    ShiftTemplate,
    SimulationRow,
    StaffingModel,
    StaffingRow,
)
from callpulse.workforce.models import Shift as ShiftModel

ROSTER_SECONDS_DEFAULT = 20.0
SIMULATION_REPLICATIONS_DEFAULT = 30


def run(job: PlanningJob, progress: Progress) -> None:
    steps: dict[str, Callable[[PlanningJob, Progress], None]] = {
        JobKind.FORECAST: run_forecast,
        JobKind.STAFFING: run_staffing,
        JobKind.ROSTER: run_roster,
        JobKind.SIMULATION: run_simulation,
    }
    steps[job.kind](job, progress)


def _finish(job: PlanningJob, write: Callable[[], object], result: dict[str, Any]) -> None:
    """Write the rows and mark the job done, all at once."""

    def commit() -> None:
        with transaction.atomic():
            write()
            PlanningJob.objects.filter(pk=job.pk).update(
                status=JobStatus.DONE, progress=100, result=result, finished_at=timezone.now()
            )

    retrying(commit)


def _grid(first_day: date, days: int, minutes: int) -> list[datetime]:
    """Interval starts of whole local days."""
    start = selectors.local_midnight(first_day)
    step = timedelta(minutes=minutes)
    return [start + i * step for i in range(days * 1440 // minutes)]


# --- forecast ------------------------------------------------------------------------------


def _history_at(queue: str, minutes: int) -> list[tuple[datetime, int, float | None]]:
    """History per planning interval (finer intervals summed; AHT weighted by calls)."""
    rows = list(
        selectors.history(queue).values_list("start", "interval_minutes", "calls", "aht_seconds")
    )
    if any(m > minutes or minutes % m for _, m, _, _ in rows):
        raise ValidationError(
            {
                "interval": _(
                    "The history's intervals do not fit the planning interval of %(minutes)d "
                    "minutes; set the planning interval to the history's or a multiple of it."
                )
                % {"minutes": minutes}
            }
        )
    calls: dict[datetime, int] = defaultdict(int)
    handled: dict[datetime, float] = defaultdict(float)
    timed: dict[datetime, int] = defaultdict(int)
    for start, _m, n, aht in rows:
        local = timezone.localtime(start)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        slot = midnight + timedelta(
            minutes=int((local - midnight).total_seconds() // 60) // minutes * minutes
        )
        calls[slot] += n
        if aht is not None and n > 0:
            handled[slot] += aht * n
            timed[slot] += n
    return [
        (slot, calls[slot], handled[slot] / timed[slot] if timed[slot] else None)
        for slot in sorted(calls)
    ]


def run_forecast(job: PlanningJob, progress: Progress) -> None:
    from callpulse.wfm.forecast import forecast_series

    params = selectors.planning_parameters()
    minutes = params.interval_minutes
    history = _history_at(job.queue, minutes)
    progress(10, force=True)
    # Forecast only the weekday-slots the center is open (seen with calls); others are closed.
    open_slots = {(s.weekday(), s.hour, s.minute) for s, n, _ in history if n > 0}
    grid = [timezone.localtime(t) for t in _grid(job.horizon_start, job.horizon_days, minutes)]
    at = [t for t in grid if (t.weekday(), t.hour, t.minute) in open_slots]
    if not at:
        raise ValidationError({"history": _("The history has no calls to forecast from.")})
    specials = selectors.special_days()
    calls = forecast_series([(s, float(n)) for s, n, _ in history], at, special_days=specials)
    progress(55, force=True)
    timed = [(s, aht, float(n)) for s, n, aht in history if aht is not None]
    aht_values: np.ndarray
    aht_method = ""
    if len(timed) >= 2:
        aht_fc = forecast_series(
            [(s, a) for s, a, _ in timed],
            at,
            special_days=specials,
            weights=[w for _, _, w in timed],
        )
        aht_values = np.where(aht_fc.values > 0, aht_fc.values, float(params.default_aht_seconds))
        aht_method = aht_fc.method
    else:
        aht_values = np.full(len(at), float(params.default_aht_seconds))
    progress(85, force=True)
    rows = [
        ForecastRow(job=job, start=t, calls=float(c), aht_seconds=float(a))
        for t, c, a in zip(at, calls.values, aht_values, strict=True)
    ]
    result = {
        "method": calls.method,
        "wape": {k: (None if math.isnan(v) else round(v, 4)) for k, v in calls.wape.items()},
        "aht_method": aht_method,
        "interval_minutes": minutes,
        "calls": round(float(np.sum(calls.values)), 1),
    }
    _finish(job, lambda: ForecastRow.objects.bulk_create(rows), result)


# --- staffing ------------------------------------------------------------------------------


def staffing_for(
    params: PlanningParameters, calls: np.ndarray, aht: np.ndarray
) -> dict[str, np.ndarray]:
    """Required agents per interval by the planner's model (Erlang C, or A with patience)."""
    from callpulse.wfm import erlang_a, erlang_c

    common: dict[str, Any] = {
        "calls": calls,
        "aht": aht,
        "interval": params.interval_minutes * 60,
        "target_sl": params.target_sl,
        "answer_time": params.answer_time_seconds,
        "max_occupancy": params.max_occupancy,
        "shrinkage": params.shrinkage,
    }
    if params.staffing_model == StaffingModel.ERLANG_A:
        a = erlang_a(patience=params.patience_seconds, **common)
        abandon = np.asarray(a.abandon_probability, dtype=float)
        staffing: Any = a
    else:
        staffing = erlang_c(**common)
        abandon = np.full(len(calls), np.nan)
    return {
        "raw_agents": np.asarray(staffing.raw_agents),
        "agents": np.asarray(staffing.agents),
        "service_level": np.asarray(staffing.service_level, dtype=float),
        "asa": np.asarray(staffing.asa, dtype=float),
        "occupancy": np.asarray(staffing.occupancy, dtype=float),
        "abandon": abandon,
    }


def _finite(value: float, default: float = 0.0) -> float:
    return float(value) if math.isfinite(value) else default


def run_staffing(job: PlanningJob, progress: Progress) -> None:
    params = selectors.planning_parameters()
    source = job.source
    assert source is not None
    forecast = list(source.forecast_rows.order_by("start"))
    if not forecast:
        raise ValidationError({"source": _("The forecast has no intervals.")})
    progress(20, force=True)
    calls = np.array([r.calls for r in forecast], dtype=float)
    aht = np.array([r.aht_seconds for r in forecast], dtype=float)
    got = staffing_for(params, calls, aht)
    progress(80, force=True)
    rows = [
        StaffingRow(
            job=job,
            start=r.start,
            calls=r.calls,
            aht_seconds=r.aht_seconds,
            raw_agents=int(got["raw_agents"][i]),
            agents=int(got["agents"][i]),
            service_level=_finite(got["service_level"][i], 1.0),
            asa_seconds=_finite(got["asa"][i]),
            occupancy=_finite(got["occupancy"][i]),
            abandon_rate=None if math.isnan(got["abandon"][i]) else float(got["abandon"][i]),
        )
        for i, r in enumerate(forecast)
    ]
    result = {
        "model": params.staffing_model,
        "peak_agents": int(got["agents"].max(initial=0)),
        "agent_hours": round(float(got["agents"].sum()) * params.interval_minutes / 60, 1),
        "interval_minutes": params.interval_minutes,
    }
    _finish(job, lambda: StaffingRow.objects.bulk_create(rows), result)


# --- roster --------------------------------------------------------------------------------


def engine_templates(templates: list[ShiftTemplate]) -> list[Any]:
    from callpulse.wfm.roster import ShiftTemplate as EngineTemplate

    return [
        EngineTemplate(
            name=t.name,
            start_minute=t.start_minute,
            length_minutes=t.length_minutes,
            breaks=tuple((int(o), int(n)) for o, n in t.breaks),
            cost=float(t.cost),
        )
        for t in templates
    ]


def agent_specs(
    users: list[User], *, start: datetime, end: datetime, days: int, default_weekly: int
) -> list[Any]:
    """Operators as the engine sees them: contracted minutes over the horizon, absences."""
    from callpulse.wfm.roster import AgentSpec

    away: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for absence in selectors.absences_between([u.pk for u in users], start, end):
        away[absence.user_id].append((absence.starts_at, absence.ends_at))
    specs = []
    for user in users:
        contract = getattr(user, "wfm_contract", None)
        weekly = contract.weekly_minutes if contract is not None else default_weekly
        specs.append(
            AgentSpec(
                id=str(user.pk),
                max_minutes=round(weekly * days / 7),
                unavailable=tuple(sorted(away[user.pk])),
            )
        )
    return specs


def roster_problem(
    *,
    first_day: date,
    days: int,
    minutes: int,
    required: list[int],
    users: list[User],
    default_weekly: int,
    time_limit: float,
) -> Any:
    from callpulse.wfm.roster import RosterProblem

    start = selectors.local_midnight(first_day)
    end = selectors.local_midnight(first_day + timedelta(days=days))
    templates = list(ShiftTemplate.objects.filter(is_active=True))
    return RosterProblem(
        start=start,
        interval_minutes=minutes,
        required=required,
        templates=engine_templates(templates),
        agents=agent_specs(users, start=start, end=end, days=days, default_weekly=default_weekly),
        # Two days off together each week; a horizon shorter than a week has no such block.
        min_days_off_together=2 if days >= 7 else 0,
        time_limit_seconds=time_limit,
    )


def _required_from(job: PlanningJob, minutes: int) -> list[int]:
    start = selectors.local_midnight(job.horizon_start)
    required = [0] * (job.horizon_days * 1440 // minutes)
    for row in job.staffing_rows.all():
        i = int((row.start - start).total_seconds() // 60) // minutes
        if 0 <= i < len(required):
            required[i] = max(required[i], row.agents)
    return required


def run_roster(job: PlanningJob, progress: Progress) -> None:
    from callpulse.wfm.roster import build_roster

    params = selectors.planning_parameters()
    staffing = job.source
    assert staffing is not None
    minutes = int(staffing.result.get("interval_minutes", params.interval_minutes))
    required = _required_from(staffing, minutes)
    users = list(
        selectors.operators(team=job.params.get("team"), department=job.params.get("department"))
    )
    if not users:
        raise ValidationError({"team": _("No operators to schedule.")})
    time_limit = float(
        job.params.get(
            "time_limit_seconds",
            getattr(settings, "CALLPULSE_WFM_ROSTER_SECONDS", ROSTER_SECONDS_DEFAULT),
        )
    )
    problem = roster_problem(
        first_day=job.horizon_start,
        days=job.horizon_days,
        minutes=minutes,
        required=required,
        users=users,
        default_weekly=params.weekly_minutes,
        time_limit=time_limit,
    )
    progress(10, force=True)
    roster = build_roster(problem)
    progress(90, force=True)
    by_id = {str(u.pk): u for u in users}
    first = job.horizon_start

    def write() -> None:
        schedule = Schedule.objects.create(
            name=_("Week of %(day)s") % {"day": first.strftime("%Y-%m-%d")},
            starts_on=first,
            days=job.horizon_days,
            interval_minutes=minutes,
            staffing_job=staffing,
            solver_status=roster.status,
            created_by=job.created_by,
        )
        ShiftModel.objects.bulk_create(
            [
                ShiftModel(
                    schedule=schedule,
                    user=by_id[s.agent_id],
                    template_name=s.template,
                    starts_at=s.start,
                    ends_at=s.end,
                    breaks=[[b.isoformat(), e.isoformat()] for b, e in s.breaks],
                )
                for s in roster.shifts
                if s.agent_id in by_id
            ]
        )
        step = timedelta(minutes=minutes)
        CoverageRow.objects.bulk_create(
            [
                CoverageRow(
                    schedule=schedule,
                    start=problem.start + i * step,
                    required=int(roster.required[i]),
                    scheduled=int(roster.scheduled[i]),
                )
                for i in range(len(required))
                if roster.required[i] or roster.scheduled[i]
            ]
        )
        PlanningJob.objects.filter(pk=job.pk).update(schedule=schedule)

    result = {
        "status": roster.status,
        "under": int(roster.under),
        "over": int(roster.over),
        "shifts": len(roster.shifts),
        "gaps": len(roster.gaps()),
    }
    _finish(job, write, result)


def roster_of(schedule: Schedule, problem: Any) -> Any:
    """The schedule as it stands, in the engine's terms (for cover proposals)."""
    from callpulse.wfm.roster import Roster, ShiftAssignment

    shifts = tuple(
        ShiftAssignment(
            agent_id=str(s.user_id),
            template=s.template_name,
            start=s.starts_at,
            end=s.ends_at,
            breaks=tuple(
                (datetime.fromisoformat(b), datetime.fromisoformat(e)) for b, e in s.breaks
            ),
        )
        for s in schedule.shifts.order_by("starts_at")
    )
    required = np.asarray(problem.required, dtype=np.int64)
    from callpulse.workforce.services import on_duty_counts

    scheduled = np.asarray(
        on_duty_counts(
            schedule.shifts.all(),
            start=problem.start,
            intervals=len(required),
            minutes=schedule.interval_minutes,
        ),
        dtype=np.int64,
    )
    return Roster(
        shifts=shifts,
        required=required,
        scheduled=scheduled,
        under=int(np.maximum(required - scheduled, 0).sum()),
        over=int(np.maximum(scheduled - required, 0).sum()),
        status="feasible",
    )


def propose_cover_for(*, schedule: Schedule, absence: Absence, limit: int) -> list[Any]:
    from callpulse.wfm.roster import propose_cover
    from callpulse.workforce.services import Cover

    params = selectors.planning_parameters()
    start = selectors.local_midnight(schedule.starts_on)
    required = [0] * (schedule.days * 1440 // schedule.interval_minutes)
    for row in schedule.coverage.all():
        i = int((row.start - start).total_seconds() // 60) // schedule.interval_minutes
        if 0 <= i < len(required):
            required[i] = row.required
    user_ids = set(schedule.shifts.values_list("user_id", flat=True))
    user_ids.update(selectors.operators().values_list("pk", flat=True))
    users = list(User.objects.filter(pk__in=user_ids).select_related("wfm_contract"))
    problem = roster_problem(
        first_day=schedule.starts_on,
        days=schedule.days,
        minutes=schedule.interval_minutes,
        required=required,
        users=users,
        default_weekly=params.weekly_minutes,
        time_limit=5.0,
    )
    roster = roster_of(schedule, problem)
    found = propose_cover(
        problem,
        roster,
        absent_agent_id=str(absence.user_id),
        start=max(absence.starts_at, problem.start),
        end=min(absence.ends_at, problem.start + timedelta(days=schedule.days)),
        limit=limit,
    )
    by_id = {str(u.pk): u for u in users}
    return [
        Cover(
            user=by_id[p.agent_id],
            starts_at=p.shift.start,
            ends_at=p.shift.end,
            template=p.shift.template,
            breaks=[[b.isoformat(), e.isoformat()] for b, e in p.shift.breaks],
            covered_intervals=int(p.covered_intervals),
            reason=p.reason,
        )
        for p in found
        if p.agent_id in by_id
    ]


# --- simulation ----------------------------------------------------------------------------


def run_simulation(job: PlanningJob, progress: Progress) -> None:
    from callpulse.wfm.simulate import simulate

    params = selectors.planning_parameters()
    schedule = job.schedule
    staffing = job.source
    if schedule is None or staffing is None or staffing.source is None:
        raise ValidationError({"schedule": _("This schedule has no forecast behind it.")})
    minutes = schedule.interval_minutes
    start = selectors.local_midnight(schedule.starts_on)
    n = schedule.days * 1440 // minutes
    calls = np.zeros(n)
    aht = np.full(n, float(params.default_aht_seconds))
    for row in staffing.source.forecast_rows.all():
        i = int((row.start - start).total_seconds() // 60) // minutes
        if 0 <= i < n:
            calls[i] += row.calls
            aht[i] = row.aht_seconds
    from callpulse.workforce.services import on_duty_counts

    agents = on_duty_counts(schedule.shifts.all(), start=start, intervals=n, minutes=minutes)
    # Simulate the open hours only: from the first to the last interval with calls or agents.
    busy = [i for i in range(n) if calls[i] > 0 or agents[i] > 0]
    if not busy:
        raise ValidationError({"schedule": _("Nothing to simulate: no calls and no shifts.")})
    lo, hi = busy[0], busy[-1] + 1
    replications = int(
        job.params.get(
            "replications",
            getattr(settings, "CALLPULSE_WFM_REPLICATIONS", SIMULATION_REPLICATIONS_DEFAULT),
        )
    )
    progress(5, force=True)
    sim = simulate(
        calls=calls[lo:hi].tolist(),
        aht=aht[lo:hi].tolist(),
        agents=agents[lo:hi],
        interval=minutes * 60,
        answer_time=params.answer_time_seconds,
        patience=float(params.patience_seconds),
        replications=replications,
        seed=int(job.params.get("seed", job.pk)),
        progress=progress.part(5, 95),
    )
    step = timedelta(minutes=minutes)
    rows = [
        SimulationRow(
            job=job,
            start=start + (lo + k) * step,
            calls=float(calls[lo + k]),
            agents=int(agents[lo + k]),
            service_level=_finite(sim.service_level.mean[k], 1.0),
            service_level_low=_finite(sim.service_level.low[k], 1.0),
            service_level_high=_finite(sim.service_level.high[k], 1.0),
            asa_seconds=_finite(sim.asa.mean[k]),
            abandon_rate=_finite(sim.abandon_rate.mean[k]),
            occupancy=_finite(sim.occupancy.mean[k]),
        )
        for k in range(hi - lo)
    ]
    result = {
        "overall": {name: [_finite(v) for v in values] for name, values in sim.overall.items()},
        "replications": sim.replications,
    }
    _finish(job, lambda: SimulationRow.objects.bulk_create(rows), result)
