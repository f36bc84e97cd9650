"""The API: history import, jobs with progress, rows, schedules and shifts, my shifts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callpulse.workforce.models import ArrivalRecord, ScheduleStatus, Shift

from .conftest import MONDAY, almaty, history_csv
from .factories import make_schedule, make_shift

pytestmark = pytest.mark.django_db
URL = "/api/v1/workforce/"


def test_import_answers_400_naming_the_row(api_as, planner):
    api = api_as(planner)
    answer = api.post(URL + "history/import", {"csv": "start,calls\nnope,1\n"}, format="json")
    assert answer.status_code == 400
    assert "Row 2, column start" in answer.json()["file"][0]
    answer = api.post(URL + "history/import", {"csv": history_csv(days=7)}, format="json")
    assert answer.status_code == 201 and answer.json()["imported"] == 6 * 18
    listed = api.get(URL + "history").json()
    assert listed["count"] == 6 * 18


def test_jobs_start_and_report_progress_and_rows(api_as, planner):
    api = api_as(planner)
    api.post(URL + "history/import", {"csv": history_csv()}, format="json")
    answer = api.post(
        URL + "jobs",
        {"kind": "forecast", "horizon_start": (MONDAY + timedelta(days=14)).isoformat(), "days": 1},
        format="json",
    )
    assert answer.status_code == 202
    job = answer.json()
    assert (job["status"], job["progress"]) == ("done", 100)
    rows = api.get(f"{URL}jobs/{job['id']}/forecast-rows").json()
    assert len(rows) == 18 and rows[0]["calls"] > 0
    staffing = api.post(URL + "jobs", {"kind": "staffing"}, format="json").json()
    assert staffing["source"] == job["id"]
    rows = api.get(f"{URL}jobs/{staffing['id']}/staffing-rows").json()
    assert len(rows) == 18 and all(r["agents"] >= r["raw_agents"] for r in rows)
    polled = api.get(f"{URL}jobs/{staffing['id']}").json()
    assert polled["progress"] == 100


def test_job_refusals_are_400_per_field(api_as, planner):
    answer = api_as(planner).post(URL + "jobs", {"kind": "roster"}, format="json")
    assert answer.status_code == 400 and "source" in answer.json()


@pytest.mark.parametrize("role", ["supervisor", "operator"])
def test_non_planners_cannot_write(api_as, make_user, role):
    api = api_as(make_user(role))
    assert (
        api.post(URL + "history/import", {"csv": history_csv(days=1)}, format="json").status_code
        == 403
    )
    assert api.post(URL + "jobs", {"kind": "forecast"}, format="json").status_code == 403
    assert not ArrivalRecord.objects.exists()


def test_supervisor_reads_operator_does_not(api_as, make_user):
    assert api_as(make_user("supervisor")).get(URL + "jobs").status_code == 200
    assert api_as(make_user("operator")).get(URL + "jobs").status_code == 403
    assert api_as(make_user("operator")).get(URL + "schedules").status_code == 403


def test_shifts_edit_publish_and_my_shifts(api_as, planner, operators, templates):
    from django.utils import timezone

    today = timezone.localdate()
    schedule = make_schedule(today, days=3)
    api = api_as(planner)
    start = almaty(today.year, today.month, today.day, 9, 0) + timedelta(days=1)
    created = api.post(
        URL + "shifts",
        {
            "schedule": schedule.pk,
            "user": operators[0].pk,
            "starts_at": start.isoformat(),
            "template": "Day",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    shift_id = created.json()["id"]
    moved = api.patch(
        f"{URL}shifts/{shift_id}",
        {"starts_at": (start + timedelta(hours=1)).isoformat()},
        format="json",
    )
    assert moved.status_code == 200
    assert api_as(operators[0]).get(URL + "my-shifts").json() == []  # not yet published
    published = api.post(f"{URL}schedules/{schedule.pk}/publish")
    assert published.status_code == 200 and published.json()["status"] == ScheduleStatus.PUBLISHED
    mine = api_as(operators[0]).get(URL + "my-shifts").json()
    assert [s["id"] for s in mine] == [shift_id]
    assert api_as(operators[1]).get(URL + "my-shifts").json() == []
    refused = api.delete(f"{URL}shifts/{shift_id}")
    assert refused.status_code == 400 and "schedule" in refused.json()
    assert Shift.objects.filter(pk=shift_id).exists()
    coverage = api.get(f"{URL}schedules/{schedule.pk}/coverage").json()
    assert any(r["scheduled"] == 1 for r in coverage)


def test_operator_cannot_edit_shifts(api_as, operators):
    schedule = make_schedule(MONDAY)
    shift = make_shift(schedule, operators[0], almaty(2026, 3, 2, 9, 0))
    assert api_as(operators[0]).delete(f"{URL}shifts/{shift.pk}").status_code == 403
