"""Schedules: editing a draft, publishing rules, operators' own shifts, who is missing now."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from callpulse.core.models import Absence, AbsenceKind, Team
from callpulse.telephony.models import AgentState, AgentStateSpan, AgentStatus
from callpulse.workforce import selectors, services
from callpulse.workforce.models import CoverageRow, ScheduleStatus

from .conftest import MONDAY, almaty
from .factories import make_schedule, make_shift

pytestmark = pytest.mark.django_db


def test_planner_adds_moves_and_deletes_shifts_on_a_draft(planner, operators, templates):
    schedule = make_schedule(MONDAY)
    day, _late = templates
    shift = services.shift_add(
        actor=planner,
        schedule=schedule,
        user=operators[0],
        starts_at=almaty(2026, 3, 2, 9, 0),
        template=day,
    )
    assert shift.ends_at == almaty(2026, 3, 2, 17, 0)
    assert shift.break_times == [(almaty(2026, 3, 2, 13, 0), almaty(2026, 3, 2, 13, 30))]
    coverage = {r.start: r.scheduled for r in schedule.coverage.all()}
    assert coverage[almaty(2026, 3, 2, 9, 0)] == 1
    assert coverage.get(almaty(2026, 3, 2, 13, 0), 0) == 0  # on a break
    assert almaty(2026, 3, 2, 17, 0) not in coverage

    moved = services.shift_move(
        actor=planner, shift=shift, starts_at=almaty(2026, 3, 3, 10, 0), user=operators[1]
    )
    assert (moved.user, moved.ends_at) == (operators[1], almaty(2026, 3, 3, 18, 0))
    assert moved.break_times[0][0] == almaty(2026, 3, 3, 14, 0)
    coverage = {r.start: r.scheduled for r in schedule.coverage.all()}
    assert coverage[almaty(2026, 3, 2, 9, 0)] == 0
    assert coverage[almaty(2026, 3, 3, 10, 0)] == 1

    services.shift_delete(actor=planner, shift=moved)
    assert not schedule.shifts.exists()
    assert set(CoverageRow.objects.values_list("scheduled", flat=True)) == {0}


def test_shift_edits_are_checked(planner, operators, templates):
    schedule = make_schedule(MONDAY, days=2)
    make_shift(schedule, operators[0], almaty(2026, 3, 2, 9, 0))
    with pytest.raises(ValidationError) as caught:
        services.shift_add(
            actor=planner,
            schedule=schedule,
            user=operators[0],
            starts_at=almaty(2026, 3, 2, 12, 0),
            template=templates[0],
        )
    assert "already works" in caught.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as caught:
        services.shift_add(
            actor=planner,
            schedule=schedule,
            user=operators[1],
            starts_at=almaty(2026, 3, 5, 9, 0),
            template=templates[0],
        )
    assert "starts_at" in caught.value.message_dict


def test_published_schedule_cannot_be_edited_and_only_planners_edit(
    planner, operators, templates, make_user
):
    schedule = make_schedule(MONDAY)
    shift = make_shift(schedule, operators[0], almaty(2026, 3, 2, 9, 0))
    with pytest.raises(PermissionDenied):
        services.shift_delete(actor=make_user("supervisor"), shift=shift)
    with pytest.raises(PermissionDenied):
        services.schedule_publish(actor=operators[0], schedule=schedule)
    services.schedule_publish(actor=planner, schedule=schedule)
    schedule.refresh_from_db()
    assert schedule.status == ScheduleStatus.PUBLISHED and schedule.published_by == planner
    with pytest.raises(ValidationError):
        services.shift_delete(actor=planner, shift=shift)
    with pytest.raises(ValidationError):
        services.schedule_publish(actor=planner, schedule=schedule)


def test_publishing_refuses_empty_or_overlapping_schedules(planner, operators):
    empty = make_schedule(MONDAY)
    with pytest.raises(ValidationError) as caught:
        services.schedule_publish(actor=planner, schedule=empty)
    assert "no shifts" in caught.value.messages[0]
    first = make_schedule(MONDAY, name="A")
    make_shift(first, operators[0], almaty(2026, 3, 2, 9, 0))
    services.schedule_publish(actor=planner, schedule=first)
    second = make_schedule(MONDAY + timedelta(days=3), name="B")
    make_shift(second, operators[0], almaty(2026, 3, 6, 9, 0))
    with pytest.raises(ValidationError) as caught:
        services.schedule_publish(actor=planner, schedule=second)
    assert "“A”" in caught.value.messages[0]
    after = make_schedule(MONDAY + timedelta(days=7), name="C")
    make_shift(after, operators[0], almaty(2026, 3, 9, 9, 0))
    services.schedule_publish(actor=planner, schedule=after)


def test_operator_sees_only_own_published_shifts(planner, operators):
    now = almaty(2026, 3, 2, 8, 0)
    published = make_schedule(MONDAY, status=ScheduleStatus.PUBLISHED)
    draft = make_schedule(MONDAY + timedelta(days=7))
    mine = make_shift(published, operators[0], almaty(2026, 3, 3, 9, 0))
    make_shift(published, operators[1], almaty(2026, 3, 3, 9, 0))
    make_shift(draft, operators[0], almaty(2026, 3, 10, 9, 0))
    far = make_schedule(MONDAY + timedelta(days=21), status=ScheduleStatus.PUBLISHED)
    make_shift(far, operators[0], almaty(2026, 3, 23, 9, 0))  # beyond two weeks
    past = make_schedule(MONDAY - timedelta(days=7), status=ScheduleStatus.PUBLISHED)
    make_shift(past, operators[0], almaty(2026, 2, 24, 9, 0))
    assert list(selectors.my_shifts(operators[0], now=now)) == [mine]


def test_who_is_missing_now(planner, operators, make_user):
    supervisor = make_user("supervisor")
    team = Team.objects.create(name="T", supervisor=supervisor)
    for op in operators:
        op.team = team
        op.save()
    outsider = make_user("operator", full_name="Чужой")
    now = almaty(2026, 3, 2, 10, 20)
    schedule = make_schedule(MONDAY, status=ScheduleStatus.PUBLISHED)
    absent, offline, on_break, on_call, planned_break = operators
    for op in operators:
        breaks = []
        if op == planned_break:
            breaks = [(almaty(2026, 3, 2, 10, 0), almaty(2026, 3, 2, 10, 30))]
        make_shift(schedule, op, almaty(2026, 3, 2, 9, 0), breaks=breaks)
    make_shift(schedule, outsider, almaty(2026, 3, 2, 9, 0))
    make_shift(schedule, make_user("operator"), almaty(2026, 3, 2, 12, 0))  # not yet on
    Absence.objects.create(
        user=absent,
        kind=AbsenceKind.SICK_LEAVE,
        starts_at=almaty(2026, 3, 2, 0, 0),
        ends_at=almaty(2026, 3, 4, 0, 0),
    )
    AgentStatus.objects.create(user=offline, state=AgentState.OFFLINE, since=almaty(2026, 3, 1, 18))
    AgentStatus.objects.create(
        user=on_break, state=AgentState.BREAK, since=almaty(2026, 3, 2, 10, 5)
    )
    AgentStateSpan.objects.create(
        user=on_break,
        state=AgentState.AVAILABLE,
        started_at=almaty(2026, 3, 2, 9, 2),
        ended_at=almaty(2026, 3, 2, 10, 5),
    )
    AgentStatus.objects.create(user=on_call, state=AgentState.ON_CALL, since=almaty(2026, 3, 2, 10))
    AgentStatus.objects.create(user=planned_break, state=AgentState.BREAK, since=now)

    rows = selectors.missing_now(viewer=supervisor, at=now)
    found = {r.user: r for r in rows}
    assert set(found) == {absent, offline, on_break}  # the outsider is not the supervisor's
    assert found[absent].reason == "absent" and found[absent].absence is not None
    assert found[offline].reason == "offline" and found[offline].late_minutes == 80
    assert found[on_break].reason == "break" and found[on_break].late_minutes is None

    everyone = {r.user for r in selectors.missing_now(viewer=planner, at=now)}
    assert outsider in everyone  # no status at all: never logged in
