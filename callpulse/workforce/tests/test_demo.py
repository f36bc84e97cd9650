"""The workforce demo: built on the demo center, reproducible, and the screens show it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from callpulse.core.models import User
from callpulse.demo.generator import generate_center
from callpulse.telephony.models import Call, Direction
from callpulse.workforce import selectors
from callpulse.workforce.demo import build_demo
from callpulse.workforce.models import ArrivalRecord, PlanningJob, Schedule, ScheduleStatus, Shift

NOW = datetime(2025, 3, 12, 10, 30, tzinfo=ZoneInfo("Asia/Almaty"))  # a Wednesday


@pytest.mark.django_db
def test_demo_fills_history_forecast_and_a_published_week():
    generate_center(seed=42, clients=150, now=NOW)
    counts = build_demo(seed=42, now=NOW)
    assert counts["shift templates"] == 3
    assert counts["history intervals"] > 14 * 10
    assert counts["forecast intervals"] > 0
    assert counts["shifts published"] > 0
    schedule = Schedule.objects.get()
    assert schedule.status == ScheduleStatus.PUBLISHED
    assert schedule.starts_on.isoformat() == "2025-03-10"  # this week's Monday
    assert schedule.coverage.filter(required__gt=0).exists()
    # History is the registry's inbound calls, per interval.
    inbound = Call.objects.filter(direction=Direction.INBOUND, ringing_at__lte=NOW).count()
    assert sum(ArrivalRecord.objects.values_list("calls", flat=True)) == inbound
    # The week is CP-SAT's, published: operators see their own shifts, within their contract.
    assert schedule.solver_status in ("optimal", "feasible")
    assert schedule.coverage.filter(scheduled__gt=0).exists()
    names = set(schedule.shifts.values_list("user__username", flat=True))
    assert names and all(n.startswith("operator") for n in names)
    someone = User.objects.get(username=sorted(names)[0])
    mine = list(selectors.my_shifts(someone, now=NOW.replace(hour=0)))
    assert 1 <= len(mine) <= 5
    # The simulation of that week ran with the demo's seed.
    assert PlanningJob.objects.get(kind="simulation").simulation_rows.exists()
    # The planner's page draws the charts.
    client = Client()
    client.force_login(User.objects.get(username="planner"))
    page = client.get(reverse("workforce:planner")).content.decode()
    assert page.count("<svg") >= 3
    assert counts["shifts published"] == schedule.shifts.count()


@pytest.mark.django_db
def test_demo_is_reproducible():
    generate_center(seed=7, clients=40, now=NOW)
    build_demo(seed=7, now=NOW)
    first = list(
        Shift.objects.order_by("starts_at", "user__username").values_list(
            "user__username", "starts_at"
        )
    )
    Shift.objects.all().delete()
    Schedule.objects.all().delete()
    build_demo(seed=7, now=NOW)
    again = list(
        Shift.objects.order_by("starts_at", "user__username").values_list(
            "user__username", "starts_at"
        )
    )
    assert first == again
