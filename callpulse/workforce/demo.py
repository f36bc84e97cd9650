"""Demo data for workforce planning, built after the demo center (`manage.py demo`).

Shift templates, two weeks of arrival history taken from the demo calls, a forecast and the
required agents for this week (by the real engine), and a published schedule for this week so
the planner's charts, "my shifts" and "who is missing now" are not empty. Every step runs the
real engine (the roster is CP-SAT with a short time limit), synchronously, as the planner's jobs
would; the seed is the engine's (deterministic), `now` places the week.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from callpulse.core.models import User
from callpulse.workforce import jobs, selectors, services
from callpulse.workforce.models import (
    JobKind,
    JobStatus,
    PlanningJob,
    Schedule,
    ScheduleStatus,
    ShiftTemplate,
    SpecialDay,
)

TEMPLATES = (
    # name, start, length (min), breaks (offset, length)
    ("Early", time(8, 30), 540, ((210, 60),)),
    ("Day", time(9, 0), 480, ((240, 30),)),
    ("Late", time(10, 0), 480, ((210, 30),)),
)
HISTORY_DAYS = 14


def build_demo(*, seed: int, now: datetime) -> dict[str, int]:
    """Fill workforce planning for the demo center; the same seed and `now` give the same data."""
    today = timezone.localtime(now).date()
    monday = today - timedelta(days=today.weekday())
    planner = User.objects.filter(username="planner").first()
    with transaction.atomic():
        templates = [
            ShiftTemplate.objects.update_or_create(
                name=name,
                defaults={
                    "start_time": start,
                    "length_minutes": length,
                    "breaks": [list(b) for b in breaks],
                },
            )[0]
            for name, start, length, breaks in TEMPLATES
        ]
        selectors.planning_parameters()
        SpecialDay.objects.get_or_create(
            day=monday + timedelta(days=14), defaults={"name": "Promotion day"}
        )
        intervals = services.history_from_calls(
            actor=None,
            start=selectors.local_midnight(today - timedelta(days=HISTORY_DAYS)),
            end=selectors.local_midnight(today) + timedelta(days=1),
        )
    forecast = _run(JobKind.FORECAST, monday, planner)
    staffing = _run(JobKind.STAFFING, monday, planner, source=forecast) if forecast else None
    roster = (
        _run(JobKind.ROSTER, monday, planner, source=staffing, params={"time_limit_seconds": 10})
        if staffing
        else None
    )
    shifts = 0
    if roster is not None and roster.schedule is not None:
        schedule = roster.schedule
        schedule.status = ScheduleStatus.PUBLISHED
        schedule.published_at = now
        schedule.published_by = planner
        schedule.save()
        shifts = schedule.shifts.count()
        _run(
            JobKind.SIMULATION,
            monday,
            planner,
            source=staffing,
            params={"seed": seed, "replications": 10},
            schedule=schedule,
        )
    return {
        "shift templates": len(templates),
        "history intervals": intervals,
        "forecast intervals": forecast.forecast_rows.count() if forecast else 0,
        "shifts published": shifts,
    }


def _run(
    kind: str,
    monday: date,
    planner: User | None,
    source: PlanningJob | None = None,
    params: dict[str, float] | None = None,
    schedule: Schedule | None = None,
) -> PlanningJob | None:
    """Run one pipeline step at once, as the planner would (but without the thread pool)."""
    job = PlanningJob.objects.create(
        kind=kind,
        horizon_start=monday,
        horizon_days=7,
        source=source,
        params=params or {},
        schedule=schedule,
        created_by=planner,
    )
    jobs.execute(job.pk)
    job.refresh_from_db()
    return job if job.status == JobStatus.DONE else None
