"""Shift rosters (CP-SAT): coverage, agents' rules, lexicographic priority, cover proposals.

Every roster is checked against rules recomputed here from the returned datetimes (not from the
engine's own bookkeeping): who is on duty in which interval, rest, consecutive days, absences.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callpulse.wfm import (
    AgentSpec,
    InvalidParameterError,
    Roster,
    RosterProblem,
    ShiftAssignment,
    ShiftTemplate,
    build_roster,
    propose_cover,
)

TZ = timezone(timedelta(hours=5))
MONDAY = datetime(2026, 11, 30, tzinfo=TZ)
HOUR = 60


# --------------------------------------------------------------------------- independent checks


def on_duty(
    shifts: Sequence[ShiftAssignment], start: datetime, interval: int, n: int
) -> np.ndarray:
    """Agents wholly on duty (in a shift, in no break) per interval, from the datetimes."""
    counts = np.zeros(n, dtype=np.int64)
    step = timedelta(minutes=interval)
    origin = start.astimezone(UTC)
    for shift in shifts:
        for i in range(n):
            lo, hi = origin + i * step, origin + (i + 1) * step
            inside = shift.start <= lo and hi <= shift.end
            on_break = any(b0 < hi and b1 > lo for b0, b1 in shift.breaks)
            counts[i] += inside and not on_break
    return counts


def by_agent(shifts: Sequence[ShiftAssignment]) -> dict[str, list[ShiftAssignment]]:
    out: dict[str, list[ShiftAssignment]] = defaultdict(list)
    for shift in shifts:
        assert shift.agent_id is not None
        out[shift.agent_id].append(shift)
    for mine in out.values():
        mine.sort(key=lambda s: s.start)
    return out


def check_rules(problem: RosterProblem, shifts: Sequence[ShiftAssignment]) -> None:
    """Assert every agent rule on the named shifts."""
    specs = {a.id: a for a in problem.agents}
    first_day = problem.start.date()
    for agent_id, mine in by_agent(shifts).items():
        spec = specs[agent_id]
        days = [(s.start.astimezone(problem.start.tzinfo).date() - first_day).days for s in mine]
        assert len(set(days)) == len(days), f"{agent_id}: two shifts on one day"
        for prev, nxt in itertools.pairwise(mine):
            rest = (nxt.start - prev.end).total_seconds() / 60
            assert rest >= spec.min_rest_minutes, f"{agent_id}: rest {rest} min"
        minutes = sum((s.end - s.start).total_seconds() / 60 for s in mine)
        assert spec.min_minutes <= minutes <= spec.max_minutes, f"{agent_id}: {minutes} minutes"
        run = best = 0
        worked = set(days)
        for d in range(max(days) + 1):
            run = run + 1 if d in worked else 0
            best = max(best, run)
        assert best <= spec.max_consecutive_days, f"{agent_id}: {best} days in a row"
        for s in mine:
            for w0, w1 in spec.unavailable:
                assert not (s.start < w1 and s.end > w0), f"{agent_id}: works while absent"
            if spec.templates is not None:
                assert s.template in spec.templates
        k = problem.min_days_off_together
        total_days = -(-len(problem.required) * problem.interval_minutes // 1440)
        for first in range(0, total_days - 6, 7):
            block = range(first, first + 7)
            if k:
                free = [d not in worked for d in block]
                assert any(all(free[j : j + k]) for j in range(len(free) - k + 1)), (
                    f"{agent_id}: no {k} days off together"
                )


def check_report(roster: Roster, problem: RosterProblem) -> None:
    n = len(problem.required)
    scheduled = on_duty(roster.shifts, problem.start, problem.interval_minutes, n)
    assert np.array_equal(roster.scheduled, scheduled)
    required = np.asarray(problem.required)
    assert roster.under == int(np.maximum(required - scheduled, 0).sum())
    assert roster.over == int(np.maximum(scheduled - required, 0).sum())


def hours(*pairs: tuple[int, int], days: int = 1, per_hour: int = 1) -> list[int]:
    """A requirement of ``per_hour`` agents in the hours [a, b) of each day, 0 elsewhere."""
    day = [0] * 24
    for a, b in pairs:
        for h in range(a, b):
            day[h] = per_hour
    return day * days


# --------------------------------------------------------------------------- coverage properties


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    required=st.lists(st.integers(0, 4), min_size=48, max_size=48),
    interval=st.sampled_from([60, 120]),
)
def test_anonymous_roster_covers_a_coverable_requirement(
    required: list[int], interval: int
) -> None:
    # Templates every 4 hours cover any hour of the horizon, so under-staffing must be 0.
    n = 48 * 60 // interval
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=interval,
        required=required[:n],
        templates=[ShiftTemplate(f"S{h:02d}", h * HOUR, 8 * HOUR) for h in range(0, 24, 4)]
        + [ShiftTemplate("Prev", 0, 4 * HOUR)],
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    check_report(roster, problem)
    assert roster.under == 0
    assert np.all(roster.scheduled >= np.asarray(required[:n]))
    assert roster.status == "optimal"
    assert all(s.agent_id is None for s in roster.shifts)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.lists(st.integers(0, 3), min_size=12, max_size=12),
    rests=st.lists(st.sampled_from([0, 480, 660, 720]), min_size=5, max_size=5),
    streaks=st.lists(st.integers(1, 5), min_size=5, max_size=5),
    absent_day=st.integers(0, 6),
)
def test_named_roster_keeps_every_rule(
    shape: list[int], rests: list[int], streaks: list[int], absent_day: int
) -> None:
    required = [shape[(i % 12)] for i in range(7 * 12)]  # 2-hour intervals, a week
    absent = MONDAY + timedelta(days=absent_day)
    agents = [
        AgentSpec(
            f"a{i}",
            max_minutes=5 * 8 * HOUR,
            min_rest_minutes=rests[i],
            max_consecutive_days=streaks[i],
            unavailable=((absent, absent + timedelta(days=1)),) if i == 0 else (),
            templates=frozenset({"Early", "Night"}) if i == 1 else None,
        )
        for i in range(5)
    ]
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=120,
        required=required,
        templates=[
            ShiftTemplate("Early", 6 * HOUR, 8 * HOUR),
            ShiftTemplate("Late", 14 * HOUR, 8 * HOUR, ((4 * HOUR, HOUR),)),
            ShiftTemplate("Night", 22 * HOUR, 8 * HOUR),
        ],
        agents=agents,
        time_limit_seconds=4,
    )
    roster = build_roster(problem)
    check_report(roster, problem)
    check_rules(problem, roster.shifts)


def test_enough_agents_cover_a_week_exactly_where_needed() -> None:
    required = hours((8, 20), days=7, per_hour=2)
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=required,
        templates=[
            ShiftTemplate("Day", 8 * HOUR, 6 * HOUR),
            ShiftTemplate("Eve", 14 * HOUR, 6 * HOUR),
        ],
        agents=[AgentSpec(f"a{i}", max_minutes=5 * 6 * HOUR) for i in range(6)],
        time_limit_seconds=10,
    )
    roster = build_roster(problem)
    check_report(roster, problem)
    check_rules(problem, roster.shifts)
    assert (roster.under, roster.over, len(roster.shifts)) == (0, 0, 28)
    assert roster.status == "optimal"
    assert roster.gaps() == []


# --------------------------------------------------------------------------- midnight, breaks


def test_shift_across_midnight_counts_on_both_days_and_past_the_horizon_end() -> None:
    # Two days; agents needed 22:00-06:00 each night (the first night's early hours too).
    required = hours((0, 6), (22, 24), days=2)
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=required,
        templates=[ShiftTemplate("Night", 22 * HOUR, 8 * HOUR), ShiftTemplate("Dawn", 0, 6 * HOUR)],
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    check_report(roster, problem)
    nights = [s for s in roster.shifts if s.template == "Night"]
    assert [s.start for s in nights] == [MONDAY + timedelta(hours=22), MONDAY + timedelta(hours=46)]
    # The Monday night shift covers Tuesday 00:00-06:00; the Tuesday one ends after the horizon.
    assert nights[1].end == MONDAY + timedelta(hours=54)
    assert [s.start for s in roster.shifts if s.template == "Dawn"] == [MONDAY]
    assert roster.under == 0 and roster.over == 0
    assert list(roster.scheduled[22:30]) == [1] * 8


def test_breaks_are_not_on_duty_and_show_as_gaps() -> None:
    required = hours((9, 17))
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=30,
        required=[r for r in required for _ in range(2)],
        templates=[ShiftTemplate("Day", 9 * HOUR, 8 * HOUR, ((4 * HOUR, 30), (6 * HOUR, 15)))],
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    check_report(roster, problem)
    assert len(roster.shifts) == 1  # a second identical shift would only repeat the same holes
    lunch = 2 * 13  # 13:00
    tea = 2 * 15  # 15:00 (a 15-minute break takes the whole 30-minute interval)
    assert roster.scheduled[lunch] == 0 and roster.scheduled[tea] == 0
    assert roster.scheduled[lunch - 1] == 1 and roster.scheduled[tea + 1] == 1
    assert roster.gaps() == [
        (MONDAY + timedelta(hours=13), MONDAY + timedelta(hours=13, minutes=30), 1),
        (MONDAY + timedelta(hours=15), MONDAY + timedelta(hours=15, minutes=30), 1),
    ]


def test_template_start_follows_local_wall_clock_across_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 24, tzinfo=berlin)  # clocks go back on Sunday 25 October
    hours_in_horizon = 24 + 25 + 24
    required = [0] * hours_in_horizon
    required[22] = required[24 + 25 + 22] = 1  # 22:00 on Saturday and on Monday (local)
    problem = RosterProblem(
        start=start,
        interval_minutes=60,
        required=required,
        templates=[ShiftTemplate("Late", 22 * HOUR, HOUR)],
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    assert [s.start.astimezone(berlin).hour for s in roster.shifts] == [22, 22]
    assert roster.under == 0 and roster.over == 0


# --------------------------------------------------------------------------- agents' rules


def test_rest_rule_forbids_a_late_then_early_turnaround() -> None:
    # Late Monday 14-22, Early Tuesday 06-14: 8 hours of rest.
    required = [0] * 48
    required[14:22] = [1] * 8
    required[24 + 6 : 24 + 14] = [1] * 8
    templates = [
        ShiftTemplate("Early", 6 * HOUR, 8 * HOUR),
        ShiftTemplate("Late", 14 * HOUR, 8 * HOUR),
    ]

    def solve(rest: int) -> Roster:
        problem = RosterProblem(
            start=MONDAY,
            interval_minutes=60,
            required=required,
            templates=templates,
            agents=[AgentSpec("solo", max_minutes=2000, min_rest_minutes=rest)],
            min_days_off_together=0,
            time_limit_seconds=5,
        )
        roster = build_roster(problem)
        check_rules(problem, roster.shifts)
        return roster

    assert solve(8 * HOUR).under == 0
    strict = solve(11 * HOUR)
    assert strict.under == 8 and len(strict.shifts) == 1


def test_max_consecutive_days_and_days_off_together() -> None:
    required = hours((9, 17), days=7)
    templates = [ShiftTemplate("Day", 9 * HOUR, 8 * HOUR)]

    def solve(streak: int, together: int) -> Roster:
        problem = RosterProblem(
            start=MONDAY,
            interval_minutes=60,
            required=required,
            templates=templates,
            agents=[AgentSpec("solo", max_minutes=7 * 8 * HOUR, max_consecutive_days=streak)],
            min_days_off_together=together,
            time_limit_seconds=5,
        )
        roster = build_roster(problem)
        check_rules(problem, roster.shifts)
        assert roster.status == "optimal"
        return roster

    assert len(solve(3, 0).shifts) == 6  # on-on-on-off-on-on-on
    five = solve(7, 2)
    assert len(five.shifts) == 5
    off = sorted(set(range(7)) - {(s.start - MONDAY).days for s in five.shifts})
    assert off[1] - off[0] == 1  # the two days off are adjacent


def test_unavailability_and_contract_are_respected() -> None:
    required = hours((9, 17), days=3, per_hour=2)
    absent = (MONDAY + timedelta(days=1), MONDAY + timedelta(days=2))
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=required,
        templates=[ShiftTemplate("Day", 9 * HOUR, 8 * HOUR)],
        agents=[
            AgentSpec("ill", max_minutes=3 * 8 * HOUR, unavailable=(absent,)),
            AgentSpec("part", max_minutes=8 * HOUR),
            AgentSpec("full", max_minutes=3 * 8 * HOUR, min_minutes=3 * 8 * HOUR),
        ],
        min_days_off_together=0,
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    check_rules(problem, roster.shifts)
    mine = by_agent(roster.shifts)
    assert [(s.start - MONDAY).days for s in mine["ill"]] == [0, 2]
    assert len(mine["part"]) == 1 and len(mine["full"]) == 3
    assert roster.under == 0  # 'part' fills Tuesday
    assert (mine["part"][0].start - MONDAY).days == 1


def test_unreachable_minimum_minutes_names_the_agent() -> None:
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=[1] * 24,
        templates=[ShiftTemplate("Day", 9 * HOUR, 8 * HOUR)],
        agents=[
            AgentSpec("ok", max_minutes=600),
            AgentSpec("greedy", max_minutes=2000, min_minutes=960),
        ],
        time_limit_seconds=5,
    )
    with pytest.raises(InvalidParameterError) as caught:
        build_roster(problem)
    assert caught.value.parameter == "agents.min_minutes" and caught.value.index == 1


# --------------------------------------------------------------------------- objectives


def test_never_trades_under_staffing_for_cost_or_over_staffing() -> None:
    # 'Cheap' misses 16:00-17:00; 'Dear' covers 9-17 fully but costs 100x and adds an hour over.
    required = hours((9, 17))
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=required,
        templates=[
            ShiftTemplate("Cheap", 9 * HOUR, 7 * HOUR, cost=1.0),
            ShiftTemplate("Dear", 9 * HOUR, 9 * HOUR, cost=100.0),
        ],
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    assert [s.template for s in roster.shifts] == ["Dear"]
    assert (roster.under, roster.over) == (0, 1)


def test_over_staffing_before_cost_then_cheapest() -> None:
    required = hours((9, 17))
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=required,
        templates=[
            ShiftTemplate("Long", 9 * HOUR, 10 * HOUR, cost=1.0),  # 2 hours over, cheap
            ShiftTemplate("Exact", 9 * HOUR, 8 * HOUR, cost=3.0),
            ShiftTemplate("ExactCheap", 9 * HOUR, 8 * HOUR, cost=2.0),
        ],
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    assert [s.template for s in roster.shifts] == ["ExactCheap"]
    assert (roster.under, roster.over) == (0, 0)


def test_max_shifts_caps_the_roster_and_under_staffing_is_minimised() -> None:
    required = hours((6, 22), per_hour=2)
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=required,
        templates=[ShiftTemplate("A", 6 * HOUR, 8 * HOUR), ShiftTemplate("B", 14 * HOUR, 8 * HOUR)],
        max_shifts=3,
        time_limit_seconds=5,
    )
    roster = build_roster(problem)
    assert len(roster.shifts) == 3 and roster.under == 8


def test_same_input_same_roster() -> None:
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=hours((7, 23), days=7, per_hour=3),
        templates=[
            ShiftTemplate(n, h * HOUR, 8 * HOUR) for n, h in (("E", 7), ("M", 11), ("L", 15))
        ],
        agents=[AgentSpec(f"a{i}", max_minutes=5 * 8 * HOUR) for i in range(12)],
        time_limit_seconds=10,
    )
    first, second = build_roster(problem), build_roster(problem)
    assert first.shifts == second.shifts
    check_rules(problem, first.shifts)


# --------------------------------------------------------------------------- propose_cover


def cover_problem() -> RosterProblem:
    return RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=hours((8, 20), days=7, per_hour=2),
        templates=[
            ShiftTemplate("Day", 8 * HOUR, 6 * HOUR),
            ShiftTemplate("Eve", 14 * HOUR, 6 * HOUR),
            ShiftTemplate("Mid", 11 * HOUR, 6 * HOUR),
        ],
        agents=[
            *(AgentSpec(f"a{i}", max_minutes=5 * 6 * HOUR) for i in range(6)),
            AgentSpec("spare", max_minutes=3 * 6 * HOUR),
            AgentSpec(
                "away",
                max_minutes=5 * 6 * HOUR,
                unavailable=((MONDAY, MONDAY + timedelta(days=7)),),
            ),
            AgentSpec("full", max_minutes=0),
        ],
        time_limit_seconds=10,
    )


def under_of(shifts: Sequence[ShiftAssignment], problem: RosterProblem) -> int:
    have = on_duty(shifts, problem.start, problem.interval_minutes, len(problem.required))
    return int(np.maximum(np.asarray(problem.required) - have, 0).sum())


def test_propose_cover_fills_the_hole_with_legal_candidates() -> None:
    problem = cover_problem()
    roster = build_roster(problem)
    assert roster.under == 0
    check_rules(problem, roster.shifts)
    victim = roster.shifts[0]
    assert victim.agent_id is not None
    day = (victim.start - MONDAY).days
    window = (MONDAY + timedelta(days=day), MONDAY + timedelta(days=day + 1))
    proposals = propose_cover(
        problem, roster, absent_agent_id=victim.agent_id, start=window[0], end=window[1]
    )
    assert proposals, "someone can cover"
    covered = [p.covered_intervals for p in proposals]
    assert covered == sorted(covered, reverse=True) and covered[-1] > 0
    ids = [p.agent_id for p in proposals]
    assert victim.agent_id not in ids and "away" not in ids and "full" not in ids
    assert len(set(ids)) == len(ids)
    remaining = [
        s
        for s in roster.shifts
        if s.agent_id != victim.agent_id or s.start >= window[1] or s.end <= window[0]
    ]
    hole = under_of(remaining, problem)
    assert hole > 0
    for proposal in proposals:
        assert proposal.reason and proposal.shift.agent_id == proposal.agent_id
        same_day = [
            s
            for s in remaining
            if s.agent_id == proposal.agent_id
            and (s.start - MONDAY).days == (proposal.shift.start - MONDAY).days
        ]
        after = [s for s in remaining if s not in same_day] + [proposal.shift]
        check_rules(problem, after)
        assert under_of(after, problem) == hole - proposal.covered_intervals
        assert window[0] < proposal.shift.end and proposal.shift.start < window[1]


def test_propose_cover_returns_nothing_when_no_hole() -> None:
    problem = cover_problem()
    roster = build_roster(problem)
    # an agent with no shift in the window leaves no hole
    idle = next(a.id for a in problem.agents if a.id not in {s.agent_id for s in roster.shifts[:1]})
    busy_days = {(s.start - MONDAY).days for s in roster.shifts if s.agent_id == idle}
    free = next(d for d in range(7) if d not in busy_days)
    start = MONDAY + timedelta(days=free)
    assert (
        propose_cover(
            problem, roster, absent_agent_id=idle, start=start, end=start + timedelta(days=1)
        )
        == []
    )


def shift(agent: str, template: str, day: int, hour: int, length: int) -> ShiftAssignment:
    begin = MONDAY + timedelta(days=day, hours=hour)
    return ShiftAssignment(agent, template, begin, begin + timedelta(hours=length), ())


@pytest.mark.parametrize(("night_rest", "proposed"), [(11 * HOUR, False), (HOUR, True)])
def test_propose_cover_respects_the_candidates_rest(night_rest: int, proposed: bool) -> None:
    # A roster kept by hand (as stored): 'night' ends Monday's night shift Tuesday 06:00, so a
    # Tuesday 08:00 day shift leaves 2 hours of rest.
    templates = [
        ShiftTemplate("Day", 8 * HOUR, 8 * HOUR),
        ShiftTemplate("Night", 22 * HOUR, 8 * HOUR),
    ]
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=hours((8, 16), days=2),
        templates=templates,
        agents=[
            AgentSpec("day", max_minutes=2000),
            AgentSpec("night", max_minutes=2000, min_rest_minutes=night_rest),
            AgentSpec(
                "spare", max_minutes=480, unavailable=((MONDAY, MONDAY + timedelta(days=2)),)
            ),
        ],
        min_days_off_together=0,
    )
    shifts = (
        shift("day", "Day", 0, 8, 8),
        shift("day", "Day", 1, 8, 8),
        shift("night", "Night", 0, 22, 8),
    )
    scheduled = on_duty(shifts, MONDAY, 60, 48)
    roster = Roster(shifts, np.asarray(problem.required), scheduled, 0, 8, "optimal")
    tuesday = MONDAY + timedelta(days=1)
    proposals = propose_cover(
        problem, roster, absent_agent_id="day", start=tuesday, end=tuesday + timedelta(days=1)
    )
    assert [p.agent_id for p in proposals] == (["night"] if proposed else [])  # 'spare' is away
    for p in proposals:
        assert p.covered_intervals == 8 and p.shift.start == tuesday + timedelta(hours=8)
        assert "rest" in p.reason and p.reason.startswith("Add a Day shift")
        check_rules(problem, [shifts[2], p.shift])


def test_propose_cover_errors_name_the_parameter() -> None:
    problem = cover_problem()
    roster = build_roster(problem)
    with pytest.raises(InvalidParameterError) as caught:
        propose_cover(
            problem, roster, absent_agent_id="nobody", start=MONDAY, end=MONDAY + timedelta(days=1)
        )
    assert caught.value.parameter == "absent_agent_id"
    with pytest.raises(InvalidParameterError) as caught:
        propose_cover(problem, roster, absent_agent_id="a0", start=MONDAY, end=MONDAY)
    assert caught.value.parameter == "end"
    with pytest.raises(InvalidParameterError) as caught:
        propose_cover(
            problem, roster, absent_agent_id="a0", start=datetime(2026, 11, 30), end=MONDAY
        )
    assert caught.value.parameter == "start"


# --------------------------------------------------------------------------- bad input


def base(**changes: object) -> RosterProblem:
    fields: dict[str, object] = {
        "start": MONDAY,
        "interval_minutes": 60,
        "required": [1] * 24,
        "templates": [ShiftTemplate("Day", 9 * HOUR, 8 * HOUR)],
        "time_limit_seconds": 2,
    }
    fields.update(changes)
    return RosterProblem(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "parameter", "index"),
    [
        ({"start": datetime(2026, 11, 30)}, "start", None),
        ({"interval_minutes": 7}, "interval_minutes", None),
        ({"required": [1, -1, 2]}, "required", 1),
        ({"required": [1, 1.5]}, "required", 1),
        ({"required": []}, "required", None),
        ({"templates": []}, "templates", None),
        (
            {"templates": [ShiftTemplate("A", 0, 60), ShiftTemplate("A", 60, 60)]},
            "templates.name",
            1,
        ),
        ({"templates": [ShiftTemplate("A", 1440, 60)]}, "templates.start_minute", 0),
        ({"templates": [ShiftTemplate("A", 0, 0)]}, "templates.length_minutes", 0),
        ({"templates": [ShiftTemplate("A", 0, 60, ((50, 20),))]}, "templates.breaks", 0),
        ({"templates": [ShiftTemplate("A", 0, 60, cost=-1)]}, "templates.cost", 0),
        ({"agents": [AgentSpec("x", max_minutes=60, min_minutes=120)]}, "agents.min_minutes", 0),
        ({"agents": [AgentSpec("x", 60), AgentSpec("x", 60)]}, "agents.id", 1),
        ({"agents": [AgentSpec("x", 60, templates=frozenset({"Nope"}))]}, "agents.templates", 0),
        (
            {"agents": [AgentSpec("x", 60, unavailable=((MONDAY, MONDAY),))]},
            "agents.unavailable",
            0,
        ),
        (
            {"agents": [AgentSpec("x", 60, max_consecutive_days=0)]},
            "agents.max_consecutive_days",
            0,
        ),
        ({"min_days_off_together": 8}, "min_days_off_together", None),
        ({"time_limit_seconds": 0}, "time_limit_seconds", None),
        ({"max_shifts": -1}, "max_shifts", None),
    ],
)
def test_bad_input_names_the_field(
    changes: dict[str, object], parameter: str, index: int | None
) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        build_roster(base(**changes))
    assert caught.value.parameter == parameter
    assert caught.value.index == index
    assert parameter in str(caught.value)


def test_a_team_week_beyond_the_small_model_keeps_rules_and_covers() -> None:
    # 30 agents x 7 days x 8 templates: the greedy start and the two-worker search.
    day = [2] * 6 + [4, 6, 8, 8, 8, 8, 7, 7, 8, 8, 7, 6, 5, 4, 3, 3, 2, 2]
    problem = RosterProblem(
        start=MONDAY,
        interval_minutes=60,
        required=day * 7,
        templates=[
            ShiftTemplate(f"S{h:02d}", h * HOUR, 9 * HOUR, ((4 * HOUR, HOUR),))
            for h in (0, 3, 7, 8, 10, 12, 15, 19)
        ],
        agents=[AgentSpec(f"a{i:02d}", max_minutes=5 * 9 * HOUR) for i in range(30)],
        time_limit_seconds=15,
    )
    roster = build_roster(problem)
    check_report(roster, problem)
    check_rules(problem, roster.shifts)
    anonymous = build_roster(
        RosterProblem(
            start=MONDAY,
            interval_minutes=60,
            required=problem.required,
            templates=problem.templates,
            time_limit_seconds=5,
        )
    )
    # the named week reaches what anonymous counts reach: the agents' rules cost no cover here
    assert (roster.under, roster.over) == (anonymous.under, anonymous.over) == (0, anonymous.over)
    assert roster.status == "optimal"
