"""The pipeline end to end on small inputs: forecast → staffing → roster → simulation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from callpulse.core.models import Absence, AbsenceKind
from callpulse.workforce import jobs, services
from callpulse.workforce.models import (
    JobKind,
    JobStatus,
    PlanningJob,
    Schedule,
    ScheduleStatus,
    StaffingModel,
)
from callpulse.workforce.selectors import planning_parameters

from .conftest import ALMATY, MONDAY, almaty, history_csv

pytestmark = pytest.mark.django_db
FIRST = MONDAY + timedelta(days=14)


@pytest.fixture
def history(planner):
    services.history_import_csv(actor=planner, content=history_csv())


def forecast(planner, days=2):
    return services.job_start(actor=planner, kind=JobKind.FORECAST, horizon_start=FIRST, days=days)


def test_forecast_job_forecasts_the_open_intervals(planner, history):
    job = forecast(planner)
    assert (job.status, job.progress, job.error) == (JobStatus.DONE, 100, "")
    rows = list(job.forecast_rows.order_by("start"))
    hours = {r.start.astimezone(ALMATY).hour for r in rows}
    assert hours == set(range(9, 18))  # closed hours are not forecast
    assert len(rows) == 2 * 18
    noon = next(r for r in rows if r.start == almaty(2026, 3, 16, 12, 0))
    morning = next(r for r in rows if r.start == almaty(2026, 3, 16, 9, 0))
    assert noon.calls > morning.calls  # the intraday shape is kept
    assert noon.calls == pytest.approx(8, abs=1.5)
    assert 150 < noon.aht_seconds < 200
    assert job.result["method"]
    assert set(job.result["wape"]) >= {job.result["method"]}
    assert job.started_at and job.finished_at


def test_staffing_job_uses_erlang_c_with_shrinkage(planner, history):
    params = planning_parameters()
    params.shrinkage = 0.5
    params.save()
    source = forecast(planner)
    job = services.job_start(actor=planner, kind=JobKind.STAFFING)
    assert job.status == JobStatus.DONE and job.source == source
    rows = list(job.staffing_rows.order_by("start"))
    assert len(rows) == source.forecast_rows.count()
    for row in rows:
        assert row.agents >= row.raw_agents
        assert row.agents <= 2 * row.raw_agents
        if row.calls > 0:
            assert row.service_level >= 0.8
    assert job.result["peak_agents"] == max(r.agents for r in rows)


def test_staffing_with_erlang_a_reports_abandonment(planner, history):
    params = planning_parameters()
    params.staffing_model = StaffingModel.ERLANG_A
    params.save()
    forecast(planner)
    job = services.job_start(actor=planner, kind=JobKind.STAFFING)
    assert job.status == JobStatus.DONE
    assert all(r.abandon_rate is not None for r in job.staffing_rows.all())


def test_roster_names_operators_and_respects_absences(planner, history, operators, templates):
    forecast(planner)
    services.job_start(actor=planner, kind=JobKind.STAFFING)
    ill = operators[0]
    Absence.objects.create(
        user=ill,
        kind=AbsenceKind.SICK_LEAVE,
        starts_at=almaty(2026, 3, 16, 0, 0),
        ends_at=almaty(2026, 3, 18, 0, 0),
    )
    job = services.job_start(actor=planner, kind=JobKind.ROSTER)
    assert job.status == JobStatus.DONE, job.error
    schedule = job.schedule
    assert schedule is not None and schedule.status == ScheduleStatus.DRAFT
    shifts = list(schedule.shifts.all())
    assert shifts
    assert {s.user for s in shifts} <= set(operators[1:])  # nobody works while ill
    assert schedule.coverage.filter(required__gt=0).exists()
    # The coverage stored is what the shifts give.
    for row in schedule.coverage.all():
        on = [
            s
            for s in shifts
            if s.starts_at <= row.start < s.ends_at
            and not any(b <= row.start < e for b, e in s.break_times)
        ]
        assert row.scheduled == len(on)


def test_simulation_runs_the_schedule_against_the_forecast(planner, history, operators, templates):
    forecast(planner, days=1)
    services.job_start(actor=planner, kind=JobKind.STAFFING)
    roster = services.job_start(actor=planner, kind=JobKind.ROSTER)
    job = services.job_start(actor=planner, kind=JobKind.SIMULATION)
    assert job.status == JobStatus.DONE, job.error
    assert job.schedule == roster.schedule
    rows = list(job.simulation_rows.order_by("start"))
    assert rows
    for row in rows:
        assert row.service_level_low <= row.service_level <= row.service_level_high
        assert 0 <= row.abandon_rate <= 1
    assert job.result["replications"] == 4
    assert "service_level" in job.result["overall"]


def test_steps_need_what_comes_before(planner, operators):
    with pytest.raises(ValidationError) as caught:
        services.job_start(actor=planner, kind=JobKind.FORECAST)
    assert "queue" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.job_start(actor=planner, kind=JobKind.STAFFING)
    assert "source" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.job_start(actor=planner, kind=JobKind.SIMULATION)
    assert "schedule" in caught.value.message_dict
    assert not PlanningJob.objects.exists()


def test_a_failed_job_shows_its_error_and_writes_no_rows(planner, history, monkeypatch):
    from callpulse.workforce import pipeline

    real = pipeline._finish

    def explode_half_way(job, write, result):
        def write_then_fail():
            write()
            raise ValueError("disk full")

        return real(job, write_then_fail, result)

    monkeypatch.setattr(pipeline, "_finish", explode_half_way)
    job = forecast(planner)
    assert job.status == JobStatus.FAILED
    assert job.error == "disk full"
    assert job.progress < 100
    assert not job.forecast_rows.exists()


def test_progress_is_written_to_the_job_row_while_it_runs(planner, history, monkeypatch):
    from callpulse.workforce import pipeline

    seen: list[int] = []
    real = pipeline._finish

    def watch(job, write, result):
        seen.append(PlanningJob.objects.get(pk=job.pk).progress)
        return real(job, write, result)

    monkeypatch.setattr(pipeline, "_finish", watch)
    job = forecast(planner)
    assert seen and 0 < seen[0] < 100
    assert job.progress == 100
    progress = jobs.Progress(job.pk)
    PlanningJob.objects.filter(pk=job.pk).update(progress=0)
    progress(42.7, force=True)
    progress(30, force=True)  # never backwards
    assert PlanningJob.objects.get(pk=job.pk).progress == 42


def test_in_the_background_the_job_waits_for_the_commit(planner, history, settings):
    settings.CALLPULSE_WFM_JOBS_INLINE = False
    submitted: list[int] = []
    from unittest import mock

    with mock.patch.object(jobs, "_executor") as executor:
        executor.return_value.submit.side_effect = lambda fn, job_id: submitted.append(job_id)
        job = forecast(planner)
        assert job.status == JobStatus.QUEUED and submitted == []
    # (pytest-django's transaction never commits; run what the pool would run.)
    jobs.execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_schedule_count_unchanged_when_roster_fails(planner, history, operators):
    forecast(planner)
    services.job_start(actor=planner, kind=JobKind.STAFFING)
    with pytest.raises(ValidationError):
        services.job_start(actor=planner, kind=JobKind.ROSTER)  # no templates
    assert not Schedule.objects.exists()


def test_roster_respects_each_operators_contract(planner, history, operators, templates):
    from callpulse.workforce.models import AgentContract

    AgentContract.objects.create(user=operators[0], weekly_minutes=0)
    forecast(planner)
    services.job_start(actor=planner, kind=JobKind.STAFFING)
    job = services.job_start(actor=planner, kind=JobKind.ROSTER)
    assert job.status == JobStatus.DONE, job.error
    assert job.schedule.shifts.exists()
    assert not job.schedule.shifts.filter(user=operators[0]).exists()


def test_finer_history_is_summed_to_the_planning_interval(planner):
    lines = ["start,calls"]
    for day in range(14):
        for quarter in range(4):
            moment = almaty(2026, 3, 2, 10, 0) + timedelta(days=day, minutes=15 * quarter)
            lines.append(f"{moment.isoformat()},{quarter + 1}")
    services.history_import_csv(actor=planner, content="\n".join(lines) + "\n")
    job = services.job_start(actor=planner, kind=JobKind.FORECAST, horizon_start=FIRST, days=1)
    assert job.status == JobStatus.DONE, job.error
    rows = {r.start.astimezone(ALMATY).strftime("%H:%M"): r.calls for r in job.forecast_rows.all()}
    assert set(rows) == {"10:00", "10:30"}
    assert rows["10:00"] == pytest.approx(3, abs=0.01)  # 1 + 2
    assert rows["10:30"] == pytest.approx(7, abs=0.01)  # 3 + 4


def test_coarser_history_than_the_planning_interval_fails_the_job_with_a_reason(planner):
    services.history_import_csv(
        actor=planner, content="start,calls\n2026-03-02T10:00,5\n2026-03-02T11:00,6\n"
    )
    job = services.job_start(actor=planner, kind=JobKind.FORECAST, horizon_start=FIRST, days=1)
    assert job.status == JobStatus.FAILED
    assert "planning interval of 30 minutes" in job.error
    assert not job.forecast_rows.exists()


def test_a_job_left_running_by_a_stopped_server_is_marked_failed_when_the_next_starts(
    planner, history
):
    """Threads die with their process: the planner must not watch a bar that never moves."""
    from django.utils import timezone

    long_ago = timezone.now() - timedelta(hours=2)
    orphan = PlanningJob.objects.create(
        kind=JobKind.FORECAST,
        status=JobStatus.RUNNING,
        progress=40,
        horizon_start=FIRST,
        horizon_days=7,
        created_by=planner,
    )
    PlanningJob.objects.filter(pk=orphan.pk).update(started_at=long_ago, created_at=long_ago)
    recent = PlanningJob.objects.create(
        kind=JobKind.FORECAST,
        status=JobStatus.RUNNING,
        progress=10,
        horizon_start=FIRST,
        horizon_days=7,
        created_by=planner,
        started_at=timezone.now(),
    )
    assert forecast(planner).status == JobStatus.DONE
    orphan.refresh_from_db()
    recent.refresh_from_db()
    assert orphan.status == JobStatus.FAILED and "Start it again" in orphan.error
    assert recent.status == JobStatus.RUNNING  # still within its time: maybe another process
