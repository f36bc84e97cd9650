"""The screens: who may open and do what, the job card's progress, the charts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from callpulse.workforce import services
from callpulse.workforce.models import ArrivalRecord, PlanningJob, ScheduleStatus

from .conftest import MONDAY, almaty, history_csv
from .factories import make_schedule, make_shift

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["workforce_planner", "head_of_sales", "director", "supervisor"])
def test_readers_get_the_planning_page(make_user, role):
    page = signed_in(make_user(role)).get(reverse("workforce:home"))
    assert page.status_code == 200
    assert "Pipeline" in page.content.decode()


def test_operator_home_is_their_shifts_and_planning_is_closed(make_user):
    operator = make_user("operator")
    client = signed_in(operator)
    home = client.get(reverse("workforce:home"))
    assert home.status_code == 200 and "My shifts" in home.content.decode()
    assert "Pipeline" not in home.content.decode()
    for name in ("workforce:planner", "workforce:missing"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("workforce:job-start"), {"kind": "forecast"}).status_code == 403


def test_supervisor_reads_but_does_not_plan(make_user):
    supervisor = make_user("supervisor")
    client = signed_in(supervisor)
    page = client.get(reverse("workforce:planner")).content.decode()
    assert "Run forecast" not in page and "Import CSV" not in page
    upload = SimpleUploadedFile("h.csv", history_csv(days=1).encode(), content_type="text/csv")
    answer = client.post(reverse("workforce:history-import"), {"file": upload})
    assert answer.status_code == 403
    assert not ArrivalRecord.objects.exists()
    assert client.get(reverse("workforce:missing")).status_code == 200


def test_planner_imports_and_sees_errors_named(planner):
    client = signed_in(planner)
    bad = SimpleUploadedFile("h.csv", b"start,calls\n2026-03-02T09:00,x\n")
    page = client.post(reverse("workforce:history-import"), {"file": bad}, follow=True)
    assert "Row 2, column calls" in page.content.decode()
    good = SimpleUploadedFile("h.csv", history_csv(days=14).encode())
    page = client.post(reverse("workforce:history-import"), {"file": good}, follow=True)
    assert "intervals imported" in page.content.decode()
    assert ArrivalRecord.objects.count() == 12 * 18
    assert 'class="heatmap"' in page.content.decode()


def test_job_card_shows_progress_then_the_chart(planner):
    services.history_import_csv(actor=planner, content=history_csv())
    client = signed_in(planner)
    card = client.post(
        reverse("workforce:job-start"),
        {"kind": "forecast", "horizon_start": (MONDAY + timedelta(days=14)).isoformat(), "days": 2},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    job = PlanningJob.objects.get()
    assert 'value="100"' in card and 'data-status="done"' in card
    assert 'hx-trigger="every 1s"' not in card  # finished: no more polling
    assert "<svg" in card and "Forecast vs actual" in card
    # A running job polls its card.
    PlanningJob.objects.filter(pk=job.pk).update(status="running", progress=37)
    card = client.get(reverse("workforce:job", args=[job.pk])).content.decode()
    assert 'value="37"' in card and 'hx-trigger="every 1s"' in card
    PlanningJob.objects.filter(pk=job.pk).update(status="failed", error="No operators to schedule.")
    card = client.get(reverse("workforce:job", args=[job.pk])).content.decode()
    assert 'role="alert"' in card and "No operators to schedule." in card


def test_job_start_refusal_is_shown(planner):
    answer = signed_in(planner).post(
        reverse("workforce:job-start"), {"kind": "staffing"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 400
    assert "Run a forecast first." in answer.content.decode()
    assert not PlanningJob.objects.exists()


def test_schedule_grid_edit_and_publish(planner, operators, templates, make_user):
    schedule = make_schedule(MONDAY, days=2)
    make_shift(schedule, operators[0], almaty(2026, 3, 2, 9, 0))
    client = signed_in(planner)
    page = client.get(reverse("workforce:schedule", args=[schedule.pk])).content.decode()
    assert "Оператор 1" in page and "09:00–17:00" in page and "Publish" in page
    client.post(
        reverse("workforce:shift-add", args=[schedule.pk]),
        {"user": operators[1].pk, "day": "2026-03-03", "template": templates[1].pk},
    )
    assert schedule.shifts.count() == 2
    reader = signed_in(make_user("supervisor"))
    page = reader.get(reverse("workforce:schedule", args=[schedule.pk])).content.decode()
    assert "Publish" not in page and "Move" not in page
    assert reader.post(reverse("workforce:schedule-publish", args=[schedule.pk])).status_code == 403
    client.post(reverse("workforce:schedule-publish", args=[schedule.pk]))
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PUBLISHED


def test_my_shifts_page_lists_only_published_own(operators, planner, settings):
    schedule = make_schedule(MONDAY, status=ScheduleStatus.PUBLISHED)
    from django.utils import timezone

    today = timezone.localdate()
    schedule.starts_on = today
    schedule.save()
    start = almaty(today.year, today.month, today.day, 9, 0) + timedelta(days=1)
    make_shift(schedule, operators[0], start)
    make_shift(schedule, operators[1], start + timedelta(hours=1))
    page = signed_in(operators[0]).get(reverse("workforce:my-shifts")).content.decode()
    assert "09:00–17:00" in page and "10:00–18:00" not in page
