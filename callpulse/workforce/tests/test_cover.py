"""Cover when an operator falls ill: proposals from the engine, applied to the schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from callpulse.core.models import Absence, AbsenceKind
from callpulse.workforce import services
from callpulse.workforce.models import CoverageRow, ScheduleStatus

from .conftest import MONDAY, almaty
from .factories import make_schedule, make_shift

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(planner, operators, templates):
    """Tuesday needs two agents 9:00-17:00; two are on, the other three work other days."""
    schedule = make_schedule(MONDAY, days=3, status=ScheduleStatus.PUBLISHED)
    ill, partner, *others = operators
    make_shift(schedule, ill, almaty(2026, 3, 3, 9, 0))
    make_shift(schedule, partner, almaty(2026, 3, 3, 9, 0))
    for op in others:
        make_shift(schedule, op, almaty(2026, 3, 2, 9, 0))
    step = timedelta(minutes=30)
    CoverageRow.objects.bulk_create(
        [
            CoverageRow(
                schedule=schedule,
                start=almaty(2026, 3, 3, 9, 0) + i * step,
                required=2,
                scheduled=2,
            )
            for i in range(16)
        ]
    )
    absence = Absence.objects.create(
        user=ill,
        kind=AbsenceKind.SICK_LEAVE,
        starts_at=almaty(2026, 3, 3, 0, 0),
        ends_at=almaty(2026, 3, 4, 0, 0),
    )
    return schedule, absence


def test_cover_is_proposed_and_applied(planner, operators, week):
    schedule, absence = week
    ill, _partner, *others = operators
    proposals = services.cover_propose(schedule=schedule, absence=absence)
    assert proposals
    assert {p.user for p in proposals} <= set(others)  # not the ill one, not the one already on
    best = proposals[0]
    assert best.covered_intervals > 0
    assert best.starts_at.date() == almaty(2026, 3, 3, 0, 0).date()
    shift = services.cover_apply(
        actor=planner,
        schedule=schedule,
        absence=absence,
        user=best.user,
        starts_at=best.starts_at,
        ends_at=best.ends_at,
        template=best.template,
        breaks=best.breaks,
    )
    assert shift.user == best.user and "Covers" in shift.note
    assert not schedule.shifts.filter(user=ill).exists()
    noon = schedule.coverage.get(start=almaty(2026, 3, 3, 12, 0))
    assert noon.scheduled == 2


def test_only_absences_that_leave_a_hole_are_offered(operators, week):
    schedule, absence = week
    Absence.objects.create(  # away on a day they do not work anyway
        user=operators[1],
        kind=AbsenceKind.DAY_OFF,
        starts_at=almaty(2026, 3, 4, 0, 0),
        ends_at=almaty(2026, 3, 5, 0, 0),
    )
    from callpulse.workforce.selectors import absences_for_schedule

    assert absences_for_schedule(schedule) == [absence]


def test_cover_refuses_someone_away_too(planner, operators, week):
    schedule, absence = week
    other = operators[2]
    Absence.objects.create(
        user=other,
        kind=AbsenceKind.VACATION,
        starts_at=almaty(2026, 3, 3, 0, 0),
        ends_at=almaty(2026, 3, 5, 0, 0),
    )
    with pytest.raises(ValidationError) as caught:
        services.cover_apply(
            actor=planner,
            schedule=schedule,
            absence=absence,
            user=other,
            starts_at=almaty(2026, 3, 3, 9, 0),
            ends_at=almaty(2026, 3, 3, 17, 0),
        )
    assert "user" in caught.value.message_dict
    assert schedule.shifts.filter(user=operators[0]).exists()  # nothing changed


def test_cover_page_lists_proposals_and_applies_one(planner, operators, week, make_user):
    schedule, absence = week
    client = Client()
    client.force_login(planner)
    url = reverse("workforce:cover", args=[schedule.pk, absence.pk])
    grid = client.get(reverse("workforce:schedule", args=[schedule.pk])).content.decode()
    assert f'href="{url}"' in grid  # the ill operator's hole is offered for cover
    page = client.get(url).content.decode()
    assert "Apply" in page
    proposals = services.cover_propose(schedule=schedule, absence=absence)
    best = proposals[0]
    import json

    answer = client.post(
        url,
        {
            "user": best.user.pk,
            "starts_at": best.starts_at.isoformat(),
            "ends_at": best.ends_at.isoformat(),
            "template": best.template,
            "breaks": json.dumps(best.breaks),
        },
    )
    assert answer.status_code == 302
    assert schedule.shifts.filter(user=best.user, starts_at=best.starts_at).exists()
    supervisor = Client()
    supervisor.force_login(make_user("supervisor"))
    assert supervisor.get(url).status_code == 403
