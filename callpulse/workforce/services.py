"""Workforce planning writes: history in, parameters, jobs started, schedules edited and published.

The heavy steps (forecast, staffing, roster, simulation) run as jobs (`callpulse.workforce.jobs`,
computed in `callpulse.workforce.pipeline`); everything here is quick, checked and atomic.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.core import imports
from callpulse.core.models import Absence, User
from callpulse.core.roles import user_has_role
from callpulse.core.services import audit_record
from callpulse.telephony.models import Call, Direction
from callpulse.workforce import jobs, selectors
from callpulse.workforce.models import (
    ArrivalRecord,
    CoverageRow,
    HistorySource,
    JobKind,
    JobStatus,
    PlanningJob,
    PlanningParameters,
    Schedule,
    ScheduleStatus,
    Shift,
    ShiftTemplate,
    SpecialDay,
)
from callpulse.workforce.roles import PLANNERS

MAX_CSV_ERRORS = 10
MAX_HORIZON_DAYS = 28


def ensure_planner(actor: User) -> None:
    if not user_has_role(actor, PLANNERS):
        raise PermissionDenied(_("Only workforce planners may do this."))


# --- history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    start: datetime
    calls: int
    aht: float | None


def _parse_start(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _read_csv(content: str) -> list[_Row]:
    """Rows of `start,calls[,aht]`; errors name the row (as a spreadsheet numbers it) and column."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    columns = [c.strip().lower() for c in (reader.fieldnames or [])]
    missing = [c for c in ("start", "calls") if c not in columns]
    if missing:
        raise ValidationError(
            {"file": _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}}
        )
    reader.fieldnames = columns
    rows: list[_Row] = []
    errors: list[str] = []
    seen: dict[datetime, int] = {}
    counter = imports.RowCounter()
    for number, raw in enumerate(reader, start=2):
        if len(errors) >= MAX_CSV_ERRORS:
            break
        cells = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cells.values()):
            continue
        try:
            counter.add()
        except imports.UnreadableUpload as exc:
            raise ValidationError({"file": str(exc)}) from exc
        try:
            start = _parse_start(cells.get("start", ""))
        except ValueError:
            errors.append(
                _("Row %(row)d, column start: “%(value)s” is not a date and time (ISO 8601).")
                % {"row": number, "value": cells.get("start", "")}
            )
            continue
        try:
            calls = int(cells.get("calls", ""))
            if calls < 0:
                raise ValueError
        except ValueError:
            errors.append(
                _("Row %(row)d, column calls: “%(value)s” is not a whole number of calls ≥ 0.")
                % {"row": number, "value": cells.get("calls", "")}
            )
            continue
        aht: float | None = None
        if cells.get("aht"):
            try:
                aht = float(cells["aht"])
                if not math.isfinite(aht) or aht <= 0:
                    raise ValueError
            except ValueError:
                errors.append(
                    _("Row %(row)d, column aht: “%(value)s” is not a positive number of seconds.")
                    % {"row": number, "value": cells["aht"]}
                )
                continue
        if start in seen:
            errors.append(
                _("Row %(row)d, column start: %(value)s repeats row %(first)d.")
                % {"row": number, "value": cells["start"], "first": seen[start]}
            )
            continue
        seen[start] = number
        rows.append(_Row(start=start, calls=calls, aht=aht))
    if errors:
        raise ValidationError({"file": errors})
    if not rows:
        raise ValidationError({"file": _("The file has no rows.")})
    return rows


def _interval_of(starts: Iterable[datetime], default: int) -> int:
    """The interval length in minutes: the smallest step between consecutive starts."""
    ordered = sorted(starts)
    steps = [int((b - a).total_seconds() // 60) for a, b in pairwise(ordered)]
    steps = [s for s in steps if s > 0]
    step = min(steps) if steps else default
    if step > 1440 or 1440 % step:
        raise ValidationError(
            {
                "file": _("Interval starts are %(step)d minutes apart; use a divisor of a day.")
                % {"step": step}
            }
        )
    return step


@transaction.atomic
def history_import_csv(*, actor: User, content: str | bytes, queue: str = "") -> int:
    """Import arrivals per interval from CSV (`start,calls[,aht]`); replaces the same intervals.

    Naive times are read in the center's time zone. All or nothing: one bad row, nothing saved.
    """
    ensure_planner(actor)
    try:
        if isinstance(content, bytes):
            imports.check_size(len(content))
            content = imports.decode_csv(content)
        else:
            imports.check_size(len(content.encode("utf-8")))
    except imports.UnreadableUpload as exc:
        raise ValidationError({"file": str(exc)}) from exc
    rows = _read_csv(content)
    interval = _interval_of(
        (r.start for r in rows), selectors.planning_parameters().interval_minutes
    )
    ArrivalRecord.objects.filter(queue=queue, start__in=[r.start for r in rows]).delete()
    ArrivalRecord.objects.bulk_create(
        [
            ArrivalRecord(
                queue=queue,
                start=r.start,
                interval_minutes=interval,
                calls=r.calls,
                aht_seconds=r.aht,
                source=HistorySource.CSV,
            )
            for r in rows
        ]
    )
    audit_record(
        actor=actor,
        action="workforce.history_import",
        target=selectors.planning_parameters(),
        changes={"rows": len(rows), "queue": queue, "interval": interval},
    )
    return len(rows)


def _floor(moment: datetime, minutes: int) -> datetime:
    local = timezone.localtime(moment)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    slot = int((local - midnight).total_seconds() // 60) // minutes * minutes
    return midnight + timedelta(minutes=slot)


@transaction.atomic
def history_from_calls(
    *,
    actor: User | None,
    start: datetime,
    end: datetime,
    queue: str = "",
    interval_minutes: int | None = None,
) -> int:
    """Arrivals per interval from the call registry: inbound calls offered (answered or not),
    AHT = mean talk + wrap-up of the answered ones. Between a day's first and last call, quiet
    intervals are stored as zero calls (the center was open); replaces history in [start, end).
    """
    if actor is not None:
        ensure_planner(actor)
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    minutes = interval_minutes or selectors.planning_parameters().interval_minutes
    calls = Call.objects.filter(
        direction=Direction.INBOUND, ringing_at__gte=start, ringing_at__lt=end
    )
    if queue:
        calls = calls.filter(queue=queue)
    counts: dict[datetime, int] = defaultdict(int)
    handled: dict[datetime, list[int]] = defaultdict(list)
    for ringing_at, talk, wrap in calls.values_list(
        "ringing_at", "talk_seconds", "wrap_up_seconds"
    ):
        if ringing_at is None:
            continue
        slot = _floor(ringing_at, minutes)
        counts[slot] += 1
        if talk:
            handled[slot].append(talk + (wrap or 0))
    if not counts:
        raise ValidationError({"start": _("No inbound calls in this period.")})
    by_day: dict[date, list[datetime]] = defaultdict(list)
    for slot in counts:
        by_day[slot.date()].append(slot)
    slots: list[datetime] = []
    for day_slots in by_day.values():
        first, last = min(day_slots), max(day_slots)
        moment = first
        while moment <= last:
            slots.append(moment)
            moment = timezone.localtime(moment + timedelta(minutes=minutes))
    ArrivalRecord.objects.filter(queue=queue, start__gte=start, start__lt=end).delete()
    ArrivalRecord.objects.filter(queue=queue, start__in=slots).delete()
    ArrivalRecord.objects.bulk_create(
        [
            ArrivalRecord(
                queue=queue,
                start=slot,
                interval_minutes=minutes,
                calls=counts.get(slot, 0),
                aht_seconds=(sum(handled[slot]) / len(handled[slot]))
                if handled.get(slot)
                else None,
                source=HistorySource.CALLS,
            )
            for slot in sorted(slots)
        ]
    )
    return len(slots)


# --- parameters, special days, templates ---------------------------------------------------

PARAMETER_FIELDS = (
    "interval_minutes",
    "target_sl",
    "answer_time_seconds",
    "staffing_model",
    "patience_seconds",
    "shrinkage",
    "max_occupancy",
    "default_aht_seconds",
    "weekly_minutes",
)


@transaction.atomic
def parameters_update(*, actor: User, **fields: Any) -> PlanningParameters:
    ensure_planner(actor)
    unknown = set(fields) - set(PARAMETER_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    params = selectors.planning_parameters()
    for name, value in fields.items():
        setattr(params, name, value)
    params.full_clean()
    params.save()
    audit_record(
        actor=actor,
        action="workforce.parameters",
        target=params,
        changes={k: str(v) for k, v in fields.items()},
    )
    return params


@transaction.atomic
def special_day_set(*, actor: User, day: date, name: str) -> SpecialDay:
    ensure_planner(actor)
    if not name.strip():
        raise ValidationError({"name": _("Name the day.")})
    special, _created = SpecialDay.objects.update_or_create(day=day, defaults={"name": name})
    return special


@transaction.atomic
def special_day_delete(*, actor: User, special: SpecialDay) -> None:
    ensure_planner(actor)
    special.delete()


# --- jobs ----------------------------------------------------------------------------------


def job_start(
    *,
    actor: User,
    kind: str,
    horizon_start: date | None = None,
    days: int | None = None,
    queue: str = "",
    source: PlanningJob | None = None,
    schedule: Schedule | None = None,
    params: dict[str, Any] | None = None,
) -> PlanningJob:
    """Queue a pipeline step after checking what it needs; it runs in the background (or at
    once when CALLPULSE_WFM_JOBS_INLINE is set) and reports progress on its row."""
    jobs.reap_stale()
    with transaction.atomic():
        job = _job_create(
            actor=actor,
            kind=kind,
            horizon_start=horizon_start,
            days=days,
            queue=queue,
            source=source,
            schedule=schedule,
            params=params or {},
        )
    jobs.dispatch(job.pk)
    job.refresh_from_db()
    return job


def _job_create(
    *,
    actor: User,
    kind: str,
    horizon_start: date | None,
    days: int | None,
    queue: str,
    source: PlanningJob | None,
    schedule: Schedule | None,
    params: dict[str, Any],
) -> PlanningJob:
    ensure_planner(actor)
    if kind not in JobKind.values:
        raise ValidationError({"kind": _("Unknown job kind.")})
    if kind == JobKind.FORECAST:
        if not selectors.history(queue).exists():
            raise ValidationError(
                {"queue": _("There is no arrival history to forecast from; import it first.")}
            )
        if horizon_start is None:
            horizon_start = timezone.localdate() + timedelta(days=1)
        days = days or 7
    elif kind in (JobKind.STAFFING, JobKind.ROSTER):
        wanted = JobKind.FORECAST if kind == JobKind.STAFFING else JobKind.STAFFING
        source = source or selectors.job_latest_done(wanted, queue)
        if source is None or source.kind != wanted or source.status != JobStatus.DONE:
            raise ValidationError(
                {"source": _("Run a %(kind)s first.") % {"kind": JobKind(wanted).label.lower()}}
            )
        horizon_start, days, queue = source.horizon_start, source.horizon_days, source.queue
        if kind == JobKind.ROSTER and not ShiftTemplate.objects.filter(is_active=True).exists():
            raise ValidationError({"templates": _("Add at least one shift template.")})
    else:  # simulation
        schedule = schedule or selectors.schedule_latest()
        if schedule is None:
            raise ValidationError({"schedule": _("Build a schedule first.")})
        if schedule.staffing_job is None or schedule.staffing_job.source is None:
            raise ValidationError({"schedule": _("This schedule has no forecast behind it.")})
        horizon_start, days = schedule.starts_on, schedule.days
        source = schedule.staffing_job
        queue = source.queue
    assert horizon_start is not None and days is not None
    if not 1 <= days <= MAX_HORIZON_DAYS:
        raise ValidationError(
            {"days": _("Plan between 1 and %(max)d days.") % {"max": MAX_HORIZON_DAYS}}
        )
    return PlanningJob.objects.create(
        kind=kind,
        queue=queue,
        horizon_start=horizon_start,
        horizon_days=days,
        source=source,
        schedule=schedule,
        params=params,
        created_by=actor,
    )


# --- schedules -----------------------------------------------------------------------------


def _ensure_draft(schedule: Schedule) -> None:
    if not schedule.is_draft:
        raise ValidationError({"schedule": _("A published schedule cannot be edited.")})


def _shift_checks(
    *, schedule: Schedule, user: User, starts_at: datetime, ends_at: datetime, exclude: int | None
) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A shift ends after it starts.")})
    if ends_at - starts_at > timedelta(hours=16):
        raise ValidationError({"ends_at": _("A shift lasts at most 16 hours.")})
    first, last = selectors.schedule_bounds(schedule)
    if not first <= starts_at < last:
        raise ValidationError({"starts_at": _("The shift starts outside the schedule's days.")})
    clash = schedule.shifts.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {"starts_at": _("%(name)s already works at that time.") % {"name": user}}
        )


def _breaks_for(template: ShiftTemplate | None, starts_at: datetime) -> list[list[str]]:
    if template is None:
        return []
    return [
        [
            (starts_at + timedelta(minutes=o)).isoformat(),
            (starts_at + timedelta(minutes=o + n)).isoformat(),
        ]
        for o, n in template.breaks
    ]


@transaction.atomic
def shift_add(
    *,
    actor: User,
    schedule: Schedule,
    user: User,
    starts_at: datetime,
    ends_at: datetime | None = None,
    template: ShiftTemplate | None = None,
) -> Shift:
    """Add a shift to a draft (from a template, or with explicit times and no breaks)."""
    ensure_planner(actor)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    _ensure_draft(schedule)
    if ends_at is None:
        if template is None:
            raise ValidationError({"ends_at": _("Give the end or a shift template.")})
        ends_at = starts_at + timedelta(minutes=template.length_minutes)
    _shift_checks(schedule=schedule, user=user, starts_at=starts_at, ends_at=ends_at, exclude=None)
    shift = Shift.objects.create(
        schedule=schedule,
        user=user,
        template_name=template.name if template else "",
        starts_at=starts_at,
        ends_at=ends_at,
        breaks=_breaks_for(template, starts_at),
    )
    coverage_recompute(schedule)
    return shift


@transaction.atomic
def shift_move(
    *, actor: User, shift: Shift, starts_at: datetime, user: User | None = None
) -> Shift:
    """Move a draft shift to another time (breaks move with it) and/or another operator."""
    ensure_planner(actor)
    schedule = Schedule.objects.select_for_update().get(pk=shift.schedule_id)
    _ensure_draft(schedule)
    delta = starts_at - shift.starts_at
    ends_at = shift.ends_at + delta
    target = user or shift.user
    _shift_checks(
        schedule=schedule, user=target, starts_at=starts_at, ends_at=ends_at, exclude=shift.pk
    )
    shift.user = target
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.breaks = [
        [
            (datetime.fromisoformat(b) + delta).isoformat(),
            (datetime.fromisoformat(e) + delta).isoformat(),
        ]
        for b, e in shift.breaks
    ]
    shift.save()
    coverage_recompute(schedule)
    return shift


@transaction.atomic
def shift_delete(*, actor: User, shift: Shift) -> None:
    ensure_planner(actor)
    schedule = Schedule.objects.select_for_update().get(pk=shift.schedule_id)
    _ensure_draft(schedule)
    shift.delete()
    coverage_recompute(schedule)


@transaction.atomic
def schedule_publish(*, actor: User, schedule: Schedule) -> Schedule:
    """Publish a draft: its operators see their shifts from now on. A schedule with no shifts,
    or overlapping another published one for the same days, is refused."""
    ensure_planner(actor)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    _ensure_draft(schedule)
    if not schedule.shifts.exists():
        raise ValidationError({"schedule": _("The schedule has no shifts.")})
    end = schedule.starts_on + timedelta(days=schedule.days)
    for other in Schedule.objects.filter(status=ScheduleStatus.PUBLISHED, starts_on__lt=end):
        if other.starts_on + timedelta(days=other.days) > schedule.starts_on:
            raise ValidationError(
                {
                    "schedule": _("“%(name)s” is already published for some of these days.")
                    % {"name": other.name}
                }
            )
    schedule.status = ScheduleStatus.PUBLISHED
    schedule.published_at = timezone.now()
    schedule.published_by = actor
    schedule.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=actor,
        action="workforce.schedule_publish",
        target=schedule,
        changes={"shifts": schedule.shifts.count()},
    )
    return schedule


@transaction.atomic
def schedule_unpublish(*, actor: User, schedule: Schedule) -> Schedule:
    """Take a schedule back to draft (to rework it); operators stop seeing it."""
    ensure_planner(actor)
    schedule.status = ScheduleStatus.DRAFT
    schedule.published_at = None
    schedule.published_by = None
    schedule.save(update_fields=["status", "published_at", "published_by"])
    audit_record(actor=actor, action="workforce.schedule_unpublish", target=schedule, changes={})
    return schedule


def on_duty_counts(
    shifts: Iterable[Shift], *, start: datetime, intervals: int, minutes: int
) -> list[int]:
    """Agents on duty at the start of each interval (planned breaks not counted)."""
    counts = [0] * intervals
    step = timedelta(minutes=minutes)
    for shift in shifts:
        breaks = [(datetime.fromisoformat(b), datetime.fromisoformat(e)) for b, e in shift.breaks]
        first = max(0, math.ceil((shift.starts_at - start) / step))
        for i in range(first, intervals):
            moment = start + i * step
            if moment >= shift.ends_at:
                break
            if not any(b <= moment < e for b, e in breaks):
                counts[i] += 1
    return counts


def coverage_recompute(schedule: Schedule) -> None:
    """Scheduled agents per interval from the shifts as they are now (required stays)."""
    start, _end = selectors.schedule_bounds(schedule)
    intervals = schedule.days * 1440 // schedule.interval_minutes
    counts = on_duty_counts(
        schedule.shifts.all(), start=start, intervals=intervals, minutes=schedule.interval_minutes
    )
    rows = {r.start: r for r in schedule.coverage.all()}
    step = timedelta(minutes=schedule.interval_minutes)
    changed, created = [], []
    for i, count in enumerate(counts):
        moment = start + i * step
        row = rows.get(moment)
        if row is None:
            if count:
                created.append(
                    CoverageRow(schedule=schedule, start=moment, required=0, scheduled=count)
                )
        elif row.scheduled != count:
            row.scheduled = count
            changed.append(row)
    CoverageRow.objects.bulk_update(changed, ["scheduled"])
    CoverageRow.objects.bulk_create(created)


# --- cover for an absence ------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """A proposed replacement shift for an absent operator."""

    user: User
    starts_at: datetime
    ends_at: datetime
    template: str
    breaks: list[list[str]]
    covered_intervals: int
    reason: str

    @property
    def breaks_json(self) -> str:
        return json.dumps(self.breaks)


def cover_propose(*, schedule: Schedule, absence: Absence, limit: int = 5) -> list[Cover]:
    """The best colleagues to take the absent operator's shifts, without rebuilding the week
    (the engine's `propose_cover` over the schedule as it stands)."""
    from callpulse.workforce import pipeline

    return pipeline.propose_cover_for(schedule=schedule, absence=absence, limit=limit)


@transaction.atomic
def cover_apply(
    *,
    actor: User,
    schedule: Schedule,
    absence: Absence,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    template: str = "",
    breaks: list[list[str]] | None = None,
) -> Shift:
    """Give the cover shift to a colleague and take the absent operator's shifts out of the
    hole; allowed on a published schedule too (that is when people fall ill)."""
    ensure_planner(actor)
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if user.pk == absence.user_id:
        raise ValidationError({"user": _("The absent operator cannot cover themselves.")})
    if selectors.absences_between([user.pk], starts_at, ends_at).exists():
        raise ValidationError({"user": _("%(name)s is away then too.") % {"name": user}})
    _shift_checks(schedule=schedule, user=user, starts_at=starts_at, ends_at=ends_at, exclude=None)
    removed = schedule.shifts.filter(
        user_id=absence.user_id, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    removed_count = removed.count()
    removed.delete()
    shift = Shift.objects.create(
        schedule=schedule,
        user=user,
        template_name=template,
        starts_at=starts_at,
        ends_at=ends_at,
        breaks=breaks or [],
        note=_("Covers %(name)s") % {"name": absence.user},
    )
    coverage_recompute(schedule)
    audit_record(
        actor=actor,
        action="workforce.cover_apply",
        target=shift,
        changes={"absence": absence.pk, "removed": removed_count, "user": user.pk},
    )
    return shift
