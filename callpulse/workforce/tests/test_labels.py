"""What planners read: human labels instead of engine codes, localized numbers and titles, the
"who is missing" empty states, chart legends and scales."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from callpulse.telephony.models import AgentState, AgentStatus
from callpulse.workforce import charts
from callpulse.workforce.models import JobKind, JobStatus, PlanningJob, ScheduleStatus

from .conftest import MONDAY, almaty
from .factories import make_schedule, make_shift

pytestmark = pytest.mark.django_db


def signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def done_job(kind: str, result: dict, **fields) -> PlanningJob:
    return PlanningJob.objects.create(
        kind=kind,
        status=JobStatus.DONE,
        progress=100,
        horizon_start=MONDAY,
        horizon_days=7,
        result=result,
        finished_at=timezone.now(),
        **fields,
    )


def card(client: Client, job: PlanningJob) -> str:
    return client.get(reverse("workforce:job", args=[job.pk])).content.decode()


def test_forecast_card_names_the_method_and_rounds_the_calls(planner):
    job = done_job(
        JobKind.FORECAST,
        {"method": "holt_winters", "wape": {"holt_winters": 0.12, "mstl": None}, "calls": 792.0},
    )
    page = card(signed_in(planner), job)
    assert "Holt-Winters" in page and "Multi-seasonal decomposition" in page
    assert "holt_winters" not in page and "mstl" not in page
    assert "792 calls expected" in page and "792.0" not in page
    planning = signed_in(planner).get(reverse("workforce:planner")).content.decode()
    assert "Holt-Winters" in planning and "holt_winters" not in planning


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("seasonal_naive", "Seasonal naive (same slot last week)"),
        ("slot_mean", "Mean of recent same weekday-slots"),
    ],
)
def test_every_forecast_method_has_a_label(planner, code, label):
    page = card(signed_in(planner), done_job(JobKind.FORECAST, {"method": code, "calls": 10}))
    assert label in page and code not in page


def test_roster_and_schedule_say_what_the_solver_proved(planner):
    schedule = make_schedule(MONDAY, days=2)
    schedule.solver_status = "feasible"
    schedule.save()
    job = done_job(
        JobKind.ROSTER,
        {"status": "optimal", "under": 3, "over": 1, "shifts": 12, "gaps": 0},
        schedule=schedule,
    )
    client = signed_in(planner)
    page = card(client, job)
    assert "12 shifts (proven best)" in page and "optimal" not in page
    page = client.get(reverse("workforce:schedule", args=[schedule.pk])).content.decode()
    assert "best found in the time limit" in page and "feasible" not in page


def test_staffing_card_formats_numbers(planner):
    job = done_job(JobKind.STAFFING, {"peak_agents": 14, "agent_hours": 312.0})
    page = card(signed_in(planner), job)
    assert "Peak 14 agents; 312 agent-hours" in page


def test_simulation_card_labels_measures_in_percent_and_seconds(planner):
    job = done_job(
        JobKind.SIMULATION,
        {
            "overall": {
                "service_level": [0.8234, 0.8, 0.85],
                "asa": [12.4, 10.1, 15.6],
                "abandon_rate": [0.05, 0.04, 0.06],
                "occupancy": [0.9, 0.88, 0.92],
            },
            "replications": 4,
        },
    )
    page = card(signed_in(planner), job)
    assert "Service level 82.3% [80–85%]" in page
    assert "Average speed of answer 12 s [10–16 s]" in page
    assert "Abandoned 5%" in page and "Occupancy 90%" in page
    for code in ("service_level", "abandon_rate", "asa 12", "occupancy 0.9"):
        assert code not in page


def test_planning_parameters_are_shown_in_percent(planner):
    page = signed_in(planner).get(reverse("workforce:planner")).content.decode()
    assert "target 80% of calls" in page and "shrinkage 30%." in page


def test_generated_schedule_title_is_localized_with_the_day(planner):
    schedule = make_schedule(date(2026, 11, 23), name="Week of 2026-11-23")
    url = reverse("workforce:schedule", args=[schedule.pk])
    english = signed_in(planner).get(url).content.decode()
    assert "<h1>Week of 23.11.2026</h1>" in english and "Week of 2026-11-23" not in english
    with translation.override("ru"):
        title = schedule.display_name
    assert "23.11.2026" in title and "Week of" not in title
    russian = signed_in(planner, "ru").get(url).content.decode()
    assert f"<h1>{title}</h1>" in russian and "Week of" not in russian
    planning = signed_in(planner, "ru").get(reverse("workforce:planner")).content.decode()
    assert title in planning and "Week of 2026-11-23" not in planning


def test_a_name_the_planner_typed_is_kept(planner):
    schedule = make_schedule(date(2026, 11, 23), name="Black Friday week")
    with translation.override("ru"):
        assert schedule.display_name == "Black Friday week"
    page = signed_in(planner, "ru").get(reverse("workforce:schedule", args=[schedule.pk]))
    assert "<h1>Black Friday week</h1>" in page.content.decode()


def test_schedule_generated_in_another_language_is_recognized(planner):
    with translation.override("kk"):
        name = translation.gettext("Week of %(day)s") % {"day": "2026-11-23"}
    schedule = make_schedule(date(2026, 11, 23), name=name)
    assert schedule.is_auto_named
    with translation.override("en"):
        assert schedule.display_name == "Week of 23.11.2026"


def test_missing_page_tells_nobody_scheduled_from_everyone_present(planner, operators):
    client = signed_in(planner)
    page = client.get(reverse("workforce:missing")).content.decode()
    assert "Nobody is scheduled right now." in page
    assert "Everyone scheduled now is on the phones." not in page

    schedule = make_schedule(timezone.localdate(), status=ScheduleStatus.PUBLISHED)
    now = timezone.localtime()
    make_shift(schedule, operators[0], now - timedelta(hours=1), hours=4)
    AgentStatus.objects.create(user=operators[0], state=AgentState.AVAILABLE, since=now)
    page = client.get(reverse("workforce:missing")).content.decode()
    assert "Everyone scheduled now is on the phones." in page
    assert "Nobody is scheduled right now." not in page


def test_line_chart_has_a_legend_and_y_axis_values():
    starts = [almaty(2026, 3, 2, 9, 0) + timedelta(minutes=30 * i) for i in range(4)]
    svg = charts.line_chart(
        title="t",
        starts=starts,
        series=[
            charts.Series("Actual", [1, 2, 3, 4], "actual", bars=True),
            charts.Series("Forecast", [1.5, 2.5, 3.5, 4.5], "forecast"),
        ],
        y_label="Calls",
    )
    assert svg.count('class="actual swatch"') == 1 and svg.count('class="forecast swatch"') == 1
    assert ">Actual</text>" in svg and ">Forecast</text>" in svg and ">Calls</text>" in svg
    ticks = re.findall(
        r'<text class="axis" x="\d+" y="[\d.]+" text-anchor="end">([^<]*)</text>', svg
    )
    assert ticks == ["0", "1.25", "2.5", "3.75", "5"]
    with translation.override("ru"):
        svg = charts.line_chart(
            title="t", starts=starts, series=[charts.Series("F", [1, 2, 3, 4.5], "forecast")]
        )
    assert ">2,5</text>" in svg


def test_heat_map_has_a_colour_scale():
    svg = charts.heat_map(
        title="t",
        cells={(0, 9): 2.0, (0, 10): 8.5, (1, 9): 4.0},
        weekdays=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    )
    assert 'class="heat-scale"' in svg and "Mean calls in the hour" in svg
    assert re.search(r'class="scale-label scale-min"[^>]*>0</text>', svg)
    assert re.search(r'class="scale-label scale-max"[^>]*>8.5</text>', svg)
