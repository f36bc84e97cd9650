"""Workforce screens: the planner's pipeline with job progress and charts, the schedule grid,
cover proposals, "my shifts" for operators and "who is missing now" for supervisors.

Views are thin: parse, call one service or selector, render. Job progress is polled by htmx
every second (`job` answers with the job's card; once finished the card stops polling and shows
its result).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callpulse.core.confirm import confirmation_page, is_confirmed
from callpulse.core.models import Absence, User
from callpulse.core.permissions import staff_user_from
from callpulse.core.roles import user_has_role
from callpulse.workforce import charts, selectors, services
from callpulse.workforce.forms import (
    CoverApplyForm,
    FromCallsForm,
    ImportForm,
    JobForm,
    ParametersForm,
    ShiftAddForm,
    ShiftMoveForm,
    SpecialDayForm,
)
from callpulse.workforce.models import (
    JobKind,
    JobStatus,
    PlanningJob,
    Schedule,
    Shift,
    ShiftTemplate,
    SpecialDay,
)
from callpulse.workforce.roles import PLAN_READERS, PLANNERS


def _reader(request: HttpRequest) -> User:
    user = staff_user_from(request)
    if not user_has_role(user, PLAN_READERS):
        raise PermissionDenied
    return user


def _planner(request: HttpRequest) -> User:
    user = staff_user_from(request)
    if not user_has_role(user, PLANNERS):
        raise PermissionDenied
    return user


def _flash_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The entry point by role: planners and supervisors plan; everyone else sees their shifts."""
    if user_has_role(request.user, PLAN_READERS):
        return planner(request)
    return my_shifts(request)


def _weekday_names() -> list[str]:
    return [str(WEEKDAYS_ABBR[i]) for i in range(7)]


@login_required
def planner(request: HttpRequest) -> HttpResponse:
    """The pipeline: history → forecast → staffing → roster → simulation, with charts."""
    user = _reader(request)
    queue = request.GET.get("queue", "")
    forecast_job = selectors.job_latest_done(JobKind.FORECAST, queue)
    schedule = selectors.schedule_latest()
    today = timezone.localdate()
    context = {
        "is_reader": True,
        "can_plan": user_has_role(user, PLANNERS),
        "queue": queue,
        "queues": selectors.history_queues(),
        "summary": selectors.history_summary(queue),
        "params": selectors.planning_parameters(),
        "params_form": ParametersForm(instance=selectors.planning_parameters()),
        "import_form": ImportForm(initial={"queue": queue}),
        "calls_form": FromCallsForm(
            initial={"start": today - timedelta(days=14), "end": today, "queue": queue}
        ),
        "special_form": SpecialDayForm(),
        "special_days": SpecialDay.objects.all(),
        "templates": ShiftTemplate.objects.all(),
        "job_form": JobForm(initial={"horizon_start": today + timedelta(days=1), "days": 7}),
        "jobs": selectors.jobs_recent(),
        "staffing_job": selectors.job_latest_done(JobKind.STAFFING, queue),
        "schedule": schedule,
        "schedules": selectors.schedules()[:8],
        "heat": charts.heat_map(
            title=_("Arrivals by weekday and hour"),
            cells=selectors.arrivals_heat(queue),
            weekdays=_weekday_names(),
        ),
        "forecast_chart": _forecast_chart(forecast_job) if forecast_job else None,
        "forecast_job": forecast_job,
        "coverage_chart": _coverage_chart(schedule) if schedule else None,
    }
    return render(request, "workforce/planner.html", context)


def _forecast_chart(job: PlanningJob) -> str:
    starts, forecast, actual = selectors.forecast_vs_actual(job)
    return charts.line_chart(
        title=_("Forecast vs actual calls per interval"),
        starts=starts,
        series=[
            charts.Series(_("Actual"), actual, "actual", bars=True),
            charts.Series(_("Forecast"), forecast, "forecast"),
        ],
        y_label=_("Calls"),
    )


def _coverage_chart(schedule: Schedule) -> str:
    starts, required, scheduled = selectors.required_vs_scheduled(schedule)
    return charts.line_chart(
        title=_("Required vs scheduled agents per interval"),
        starts=starts,
        series=[
            charts.Series(_("Scheduled"), [float(v) for v in scheduled], "scheduled", bars=True),
            charts.Series(_("Required"), [float(v) for v in required], "required"),
        ],
        y_label=_("Agents"),
    )


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("workforce:planner"))


@login_required
@require_POST
def history_import(request: HttpRequest) -> HttpResponse:
    user = _planner(request)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    try:
        count = services.history_import_csv(
            actor=user, content=form.cleaned_data["file"].read(), queue=form.cleaned_data["queue"]
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("%(count)d intervals imported.") % {"count": count})
    return _back(request)


@login_required
@require_POST
def history_calls(request: HttpRequest) -> HttpResponse:
    user = _planner(request)
    form = FromCallsForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    start = selectors.local_midnight(form.cleaned_data["start"])
    end = selectors.local_midnight(form.cleaned_data["end"] + timedelta(days=1))
    try:
        count = services.history_from_calls(
            actor=user, start=start, end=end, queue=form.cleaned_data["queue"]
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(
            request, _("%(count)d intervals taken from the call registry.") % {"count": count}
        )
    return _back(request)


@login_required
@require_POST
def parameters(request: HttpRequest) -> HttpResponse:
    user = _planner(request)
    form = ParametersForm(request.POST, instance=selectors.planning_parameters())
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    try:
        services.parameters_update(actor=user, **form.cleaned_data)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Planning parameters saved."))
    return _back(request)


@login_required
@require_POST
def special_day_add(request: HttpRequest) -> HttpResponse:
    user = _planner(request)
    form = SpecialDayForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    try:
        services.special_day_set(actor=user, **form.cleaned_data)
    except ValidationError as exc:
        _flash_errors(request, exc)
    return _back(request)


@login_required
@require_POST
def special_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _planner(request)
    services.special_day_delete(actor=user, special=get_object_or_404(SpecialDay, pk=pk))
    return _back(request)


@login_required
@require_POST
def job_start(request: HttpRequest) -> HttpResponse:
    """Start a pipeline step; htmx gets the job's card (polling), others the page again."""
    user = _planner(request)
    form = JobForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request)
    data = form.cleaned_data
    params: dict[str, Any] = {}
    if data.get("team") is not None:
        params["team"] = data["team"].pk
    try:
        job = services.job_start(
            actor=user,
            kind=data["kind"],
            horizon_start=data.get("horizon_start"),
            days=data.get("days"),
            queue=data.get("queue") or "",
            params=params,
        )
    except ValidationError as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return render(
                request, "workforce/_job_error.html", {"errors": exc.messages}, status=400
            )
        _flash_errors(request, exc)
        return _back(request)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "workforce/_job.html", _job_context(job))
    return _back(request)


def _job_context(job: PlanningJob) -> dict[str, Any]:
    context: dict[str, Any] = {"job": job, "chart": None}
    if job.status != JobStatus.DONE:
        return context
    if job.kind == JobKind.FORECAST:
        context["chart"] = _forecast_chart(job)
    elif job.kind == JobKind.ROSTER and job.schedule is not None:
        context["chart"] = _coverage_chart(job.schedule)
    elif job.kind == JobKind.SIMULATION:
        rows = list(job.simulation_rows.order_by("start"))
        context["chart"] = charts.line_chart(
            title=_("Simulated service level per interval (95 percent interval)"),
            starts=[timezone.localtime(r.start) for r in rows],
            series=[
                charts.Series(_("Low"), [r.service_level_low * 100 for r in rows], "low"),
                charts.Series(
                    _("Service level"), [r.service_level * 100 for r in rows], "forecast"
                ),
                charts.Series(_("High"), [r.service_level_high * 100 for r in rows], "low"),
            ],
            unit="%",
            y_label=_("Service level"),
        )
    return context


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """A job's card: progress while it runs, then its error or its result."""
    _reader(request)
    found = get_object_or_404(PlanningJob.objects.select_related("schedule", "source"), pk=pk)
    return render(request, "workforce/_job.html", _job_context(found))


@login_required
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """The schedule grid (operators × days); editable while a draft."""
    user = _reader(request)
    found = get_object_or_404(selectors.schedules(), pk=pk)
    days, rows = selectors.schedule_grid(found)
    can_plan = user_has_role(user, PLANNERS)
    return render(
        request,
        "workforce/schedule.html",
        {
            "is_reader": True,
            "schedule": found,
            "days": days,
            "rows": rows,
            "can_edit": can_plan and found.is_draft,
            "can_plan": can_plan,
            "chart": _coverage_chart(found),
            "add_form": ShiftAddForm(initial={"day": found.starts_on}),
            "absences": selectors.absences_for_schedule(found) if can_plan else [],
        },
    )


def _schedule_back(pk: int) -> HttpResponse:
    return redirect(reverse("workforce:schedule", args=[pk]))


@login_required
@require_POST
def schedule_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _planner(request)
    found = get_object_or_404(Schedule, pk=pk)
    try:
        services.schedule_publish(actor=user, schedule=found)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Published: operators see their shifts now."))
    return _schedule_back(pk)


@login_required
@require_POST
def schedule_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _planner(request)
    services.schedule_unpublish(actor=user, schedule=get_object_or_404(Schedule, pk=pk))
    return _schedule_back(pk)


@login_required
@require_POST
def shift_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _planner(request)
    found = get_object_or_404(Schedule, pk=pk)
    form = ShiftAddForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _schedule_back(pk)
    template: ShiftTemplate = form.cleaned_data["template"]
    starts_at = selectors.local_midnight(form.cleaned_data["day"]) + timedelta(
        minutes=template.start_minute
    )
    try:
        services.shift_add(
            actor=user,
            schedule=found,
            user=form.cleaned_data["user"],
            starts_at=starts_at,
            template=template,
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    return _schedule_back(pk)


@login_required
@require_POST
def shift_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = _planner(request)
    shift = get_object_or_404(Shift, pk=pk)
    form = ShiftMoveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _schedule_back(shift.schedule_id)
    try:
        services.shift_move(
            actor=user,
            shift=shift,
            starts_at=form.cleaned_data["starts_at"],
            user=form.cleaned_data.get("user"),
        )
    except ValidationError as exc:
        _flash_errors(request, exc)
    return _schedule_back(shift.schedule_id)


@login_required
@require_POST
def shift_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _planner(request)
    shift = get_object_or_404(Shift.objects.select_related("user"), pk=pk)
    schedule_id = shift.schedule_id
    if not is_confirmed(request):  # the schedule's button asks in the browser; this page without JS
        starts = timezone.localtime(shift.starts_at)
        return confirmation_page(
            request,
            question=_("Delete %(operator)s's shift on %(day)s, %(start)s–%(end)s?")
            % {
                "operator": shift.user,
                "day": date_format(starts, "D d.m"),
                "start": date_format(starts, "H:i"),
                "end": date_format(timezone.localtime(shift.ends_at), "H:i"),
            },
            confirm_label=_("Yes, delete the shift"),
            cancel_url=reverse("workforce:schedule", args=[schedule_id]),
        )
    try:
        services.shift_delete(actor=user, shift=shift)
    except ValidationError as exc:
        _flash_errors(request, exc)
    return _schedule_back(schedule_id)


@login_required
def cover(request: HttpRequest, pk: int, absence_pk: int) -> HttpResponse:
    """Proposals to cover an absent operator's shifts (GET), and applying one (POST)."""
    user = _planner(request)
    found = get_object_or_404(Schedule, pk=pk)
    absence = get_object_or_404(Absence.objects.select_related("user"), pk=absence_pk)
    if request.method == "POST":
        form = CoverApplyForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(request.path)
        try:
            services.cover_apply(actor=user, schedule=found, absence=absence, **form.cleaned_data)
        except ValidationError as exc:
            _flash_errors(request, exc)
            return redirect(request.path)
        messages.success(request, _("Cover applied."))
        return _schedule_back(pk)
    proposals = services.cover_propose(schedule=found, absence=absence)
    return render(
        request,
        "workforce/cover.html",
        {"is_reader": True, "schedule": found, "absence": absence, "proposals": proposals},
    )


@login_required
def my_shifts(request: HttpRequest) -> HttpResponse:
    """The operator's own published shifts for the next two weeks."""
    user = staff_user_from(request)
    now = timezone.now()
    return render(
        request,
        "workforce/my_shifts.html",
        {
            "shifts": selectors.my_shifts(user, now=now),
            "now": now,
            "is_reader": user_has_role(user, PLAN_READERS),
        },
    )


@login_required
def missing(request: HttpRequest) -> HttpResponse:
    """Operators scheduled now who are absent, offline or on a break."""
    user = _reader(request)
    now = timezone.now()
    on_duty = selectors.on_duty_now(viewer=user, at=now)
    rows = selectors.missing_now(viewer=user, at=now, on_duty=on_duty)
    template = "workforce/_missing.html" if request.htmx else "workforce/missing.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"rows": rows, "now": now, "scheduled": len(on_duty), "is_reader": True},
    )
