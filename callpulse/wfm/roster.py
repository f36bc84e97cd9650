"""Shift rosters with CP-SAT (OR-Tools): cover the agents required per interval.

:func:`build_roster` turns a requirement curve (agents per interval, a week or more), shift
templates (start, length, breaks, cost) and, optionally, named agents with their contracts into a
schedule; :func:`propose_cover` finds replacements when someone falls ill, without rebuilding the
week. Pure Python (OR-Tools, NumPy), no Django.

The model (why it is built this way)
------------------------------------
- **Time grid.** Interval ``i`` is ``[start + i*interval, start + (i+1)*interval)`` in absolute
  time. A template starts at its wall-clock ``start_minute`` on every local day of the horizon
  (so a shift at 22:00 stays at 22:00 across a DST change); a shift crossing midnight simply runs
  on into the next day. A shift that starts on the last day and runs past the horizon end is
  kept whole (its end is after the horizon, its minutes count in full towards the contract) but
  covers only the intervals inside the horizon: the week is **not wrapped** onto its own
  Monday morning, and no shift of the week before is assumed — plan the night before the
  horizon with a template of its own or start the horizon at a quiet hour.
- **On duty.** An agent counts in an interval only when on duty for the whole of it: inside
  the shift and in none of its breaks. A 15-minute break in a 30-minute interval therefore takes
  the agent out of that interval (conservative: ``scheduled`` never overstates cover).
- **Lexicographic objectives, solved in stages.** Stage 1 minimises under-staffing
  (agent-intervals short), stage 2 fixes that optimum as a constraint and minimises
  over-staffing, stage 3 fixes both and minimises the total template cost. Under-staffing is
  therefore never traded for cost or over-staffing. Each stage gets half of what remains of its
  step's share of the time limit (the last stage all of it) and starts from the previous
  stage's solution. If a stage stops at the limit, the bound it fixes is the best found and the
  roster's status is ``"feasible"``; ``"optimal"`` means all three stages were proven.
  ``max_shifts`` caps the number of shifts (under-staffing is then minimised within it).
- **Named agents: one model, started well.** The named model has a boolean per (agent, day,
  template) with every rule of every agent, and its coverage rows sum those booleans per
  (day, template). Two separate phases (counts first, then assignment) would be smaller, but
  counts the agents cannot fill (rest, consecutive days, contracts, absences) lose cover that
  the first phase cannot see. So the counts are only the start: (1) the anonymous count model,
  with aggregate limits every named roster obeys (agents available per day and template,
  contracted minutes, working days per window), is a relaxation whose optimum is a lower bound,
  solved in a fraction of a second; (2) a greedy pass hands those counts to agents keeping every
  rule (streaks kept together so that days off stay together) and CP-SAT improves it within the
  counts; (3) if that misses the bound, the full named model continues from it. A roster that
  reaches the relaxation's bound is proven optimal at once. A week of 65-100 agents x 10
  templates (4,500-7,000 booleans) solves to proven optimality in 5-10 s on two cores
  (``bench/roster_bench.py``).
- **Agents' rules.** At most one shift starting per day; ``min_rest_minutes`` between the end of
  one shift and the start of the next (overlaps forbidden too); at most
  ``max_consecutive_days`` working days (days on which a shift starts) in a row; shift lengths
  (breaks included, they are paid) between ``min_minutes`` and ``max_minutes`` over the horizon;
  no shift touching an ``unavailable`` window; only the ``templates`` allowed. With
  ``min_days_off_together = k > 0`` each whole 7-day block of the horizon (from its first day;
  a shorter horizon or a last partial week has no such rule) holds ``k`` consecutive days off.
- **Determinism.** CP-SAT runs with a fixed seed and its work is budgeted in deterministic
  time (the wall-clock limit stays the hard limit). Models up to ``_SMALL_MODEL`` variables
  (anonymous counts, small teams) use one worker and give the same roster for the same input
  whenever the wall clock does not cut them. Bigger named models use two workers (never more:
  ``_WORKERS``), which close gaps one worker leaves open; the optimum they prove is the same,
  the assignment reaching it may differ between runs.
"""

from __future__ import annotations

import itertools
import math
import time as _time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Literal

import numpy as np
from ortools.sat.python import cp_model

from callpulse.wfm.errors import InvalidParameterError

__all__ = [
    "MAX_EXTENDED_SHIFT_MINUTES",
    "AgentSpec",
    "CoverProposal",
    "Roster",
    "RosterProblem",
    "ShiftAssignment",
    "ShiftTemplate",
    "build_roster",
    "propose_cover",
]

DAY = 1440
MAX_EXTENDED_SHIFT_MINUTES = 720
"""The longest shift :func:`propose_cover` creates by extending someone's shift (overtime)."""

_SMALL_MODEL = 1500  # variables up to which the stronger linear relaxation pays
_COST_SCALE = 1000  # template costs are kept to 1/1000 in the integer model
_WORKERS = 2  # the machine's cores; never more
_WORK_PER_SECOND = 0.25  # CP-SAT deterministic time planned per wall second (it runs 0.3-0.5)


# --------------------------------------------------------------------------- public dataclasses


@dataclass(frozen=True)
class ShiftTemplate:
    """A kind of shift: starts ``start_minute`` after local midnight, may cross midnight.

    ``breaks`` are ``(offset from the shift start, length)`` in minutes; the agent is not on duty
    during them. ``cost`` weighs the shift in the last objective stage (1.0 = count shifts).
    """

    name: str
    start_minute: int
    length_minutes: int
    breaks: tuple[tuple[int, int], ...] = ()
    cost: float = 1.0


@dataclass(frozen=True)
class AgentSpec:
    """A named agent and the rules of their contract (minutes over the whole horizon)."""

    id: str
    max_minutes: int
    min_minutes: int = 0
    unavailable: tuple[tuple[datetime, datetime], ...] = ()
    min_rest_minutes: int = 660
    max_consecutive_days: int = 5
    templates: frozenset[str] | None = None


@dataclass(frozen=True)
class RosterProblem:
    """Everything :func:`build_roster` needs; ``required`` has one entry per interval."""

    start: datetime
    interval_minutes: int
    required: Sequence[int]
    templates: Sequence[ShiftTemplate]
    agents: Sequence[AgentSpec] = ()
    min_days_off_together: int = 2
    time_limit_seconds: float = 20.0
    max_shifts: int | None = None


@dataclass(frozen=True)
class ShiftAssignment:
    """One shift of the roster (``agent_id`` is None in anonymous mode)."""

    agent_id: str | None
    template: str
    start: datetime
    end: datetime
    breaks: tuple[tuple[datetime, datetime], ...]


@dataclass(frozen=True)
class Roster:
    """The schedule and its coverage per interval (breaks are not counted as on duty).

    ``start`` and ``interval_minutes`` (filled by :func:`build_roster`) place the intervals in
    time for :meth:`gaps`; a roster rebuilt from storage may pass them too.
    """

    shifts: tuple[ShiftAssignment, ...]
    required: np.ndarray
    scheduled: np.ndarray
    under: int
    over: int
    status: str
    start: datetime | None = field(default=None, compare=False)
    interval_minutes: int | None = field(default=None, compare=False)

    def gaps(self) -> list[tuple[datetime, datetime, int]]:
        """Under-staffed runs ``(start, end, missing agents)``.

        A run ends where the shortfall changes, so ``missing`` is exact for the whole run.
        """
        if self.start is None or not self.interval_minutes:
            raise InvalidParameterError(
                "roster.start", "set (with interval_minutes) to place the gaps in time"
            )
        short = np.maximum(
            np.asarray(self.required, dtype=np.int64) - np.asarray(self.scheduled, dtype=np.int64),
            0,
        )
        step = timedelta(minutes=self.interval_minutes)
        origin = self.start.astimezone(UTC)
        tz = self.start.tzinfo
        runs: list[tuple[datetime, datetime, int]] = []
        i = 0
        while i < len(short):
            if short[i] == 0:
                i += 1
                continue
            j = i
            while j + 1 < len(short) and short[j + 1] == short[i]:
                j += 1
            runs.append(
                (
                    (origin + i * step).astimezone(tz),
                    (origin + (j + 1) * step).astimezone(tz),
                    int(short[i]),
                )
            )
            i = j + 1
        return runs


@dataclass(frozen=True)
class CoverProposal:
    """A candidate to fill the hole left by an absent agent, with a plain English reason."""

    agent_id: str
    shift: ShiftAssignment
    covered_intervals: int
    reason: str


# --------------------------------------------------------------------------- the time grid


@dataclass(frozen=True)
class _Grid:
    origin: datetime  # UTC
    tz: object
    first_day: date  # local date of the horizon start
    interval: int
    n: int
    days: int  # local days that may hold a shift start

    @classmethod
    def of(cls, problem: RosterProblem, n: int) -> _Grid:
        tz = problem.start.tzinfo
        horizon = n * problem.interval_minutes
        local = problem.start
        lead = local.hour * 60 + local.minute
        return cls(
            origin=problem.start.astimezone(UTC),
            tz=tz,
            first_day=local.date(),
            interval=problem.interval_minutes,
            n=n,
            days=math.ceil((horizon + lead) / DAY),
        )

    def minutes(self, moment: datetime) -> float:
        return (moment.astimezone(UTC) - self.origin).total_seconds() / 60.0

    def at(self, minutes: float) -> datetime:
        return (self.origin + timedelta(minutes=minutes)).astimezone(self.tz)  # type: ignore[arg-type]

    def wall(self, day: int, minute: int) -> float:
        """Minutes from the origin of ``minute`` after local midnight of day ``day``."""
        midnight = datetime.combine(self.first_day + timedelta(days=day), dtime(0), self.tz)  # type: ignore[arg-type]
        return self.minutes(midnight + timedelta(minutes=minute))

    def day_of(self, minutes: float) -> int:
        return (self.at(minutes).date() - self.first_day).days

    def duty(self, begin: float, end: float, breaks: Sequence[tuple[float, float]]) -> np.ndarray:
        """Indices of the intervals wholly inside ``[begin, end)`` and outside every break."""
        first = max(math.ceil(begin / self.interval - 1e-9), 0)
        last = min(math.floor(end / self.interval + 1e-9), self.n)
        if last <= first:
            return np.empty(0, dtype=np.int64)
        idx = np.arange(first, last, dtype=np.int64)
        keep = np.ones(len(idx), dtype=bool)
        for b0, b1 in breaks:
            lo = idx * self.interval
            keep &= ~((lo < b1) & (lo + self.interval > b0))
        return idx[keep]


@dataclass(frozen=True)
class _Slot:
    """A template placed on a day: minutes from the origin, duty intervals."""

    day: int
    template: int
    begin: float
    end: float
    breaks: tuple[tuple[float, float], ...]
    duty: np.ndarray

    @property
    def length(self) -> int:
        return round(self.end - self.begin)


def _slots(grid: _Grid, templates: Sequence[ShiftTemplate]) -> list[_Slot]:
    horizon = grid.n * grid.interval
    slots: list[_Slot] = []
    for day in range(grid.days):
        for t, tpl in enumerate(templates):
            begin = grid.wall(day, tpl.start_minute)
            if begin < 0 or begin >= horizon:
                continue
            end = begin + tpl.length_minutes
            breaks = tuple((begin + off, begin + off + ln) for off, ln in tpl.breaks)
            slots.append(_Slot(day, t, begin, end, breaks, grid.duty(begin, end, breaks)))
    return slots


# --------------------------------------------------------------------------- validation


def _check_int(name: str, value: object, low: int, index: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InvalidParameterError(name, f"an integer >= {low}", value, index)
    return int(value)


def _aware(name: str, value: object, index: int | None = None) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidParameterError(name, "a timezone-aware datetime", value, index)
    return value


def _required(problem: RosterProblem) -> np.ndarray:
    raw = problem.required
    if isinstance(raw, str | bytes) or len(raw) == 0:
        raise InvalidParameterError("required", "a non-empty sequence of agent counts", raw)
    values = np.empty(len(raw), dtype=np.int64)
    for i, value in enumerate(raw):
        ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        )
        if not ok or not math.isfinite(float(value)) or value < 0 or float(value) % 1:
            raise InvalidParameterError("required", "whole numbers >= 0", value, i)
        values[i] = int(value)
    return values


def _validate(problem: RosterProblem) -> np.ndarray:
    _aware("start", problem.start)
    interval = _check_int("interval_minutes", problem.interval_minutes, 1)
    if DAY % interval:
        raise InvalidParameterError("interval_minutes", "a divisor of 1440", interval)
    required = _required(problem)
    if not problem.templates:
        raise InvalidParameterError("templates", "at least one shift template", problem.templates)
    names: set[str] = set()
    for i, tpl in enumerate(problem.templates):
        if not isinstance(tpl, ShiftTemplate):
            raise InvalidParameterError("templates", "ShiftTemplate objects", tpl, i)
        if not tpl.name or tpl.name in names:
            raise InvalidParameterError("templates.name", "unique and not empty", tpl.name, i)
        names.add(tpl.name)
        if not 0 <= _check_int("templates.start_minute", tpl.start_minute, 0, i) < DAY:
            raise InvalidParameterError("templates.start_minute", "in 0..1439", tpl.start_minute, i)
        length = _check_int("templates.length_minutes", tpl.length_minutes, 1, i)
        if length > DAY:
            raise InvalidParameterError("templates.length_minutes", "in 1..1440", length, i)
        end_of_last = 0
        for offset, span in sorted(tpl.breaks):
            _check_int("templates.breaks", offset, 0, i)
            _check_int("templates.breaks", span, 1, i)
            if offset < end_of_last or offset + span > length:
                raise InvalidParameterError(
                    "templates.breaks",
                    "(offset, length) pairs inside the shift that do not overlap",
                    tpl.breaks,
                    i,
                )
            end_of_last = offset + span
        if not isinstance(tpl.cost, int | float) or not math.isfinite(tpl.cost) or tpl.cost < 0:
            raise InvalidParameterError("templates.cost", "a finite number >= 0", tpl.cost, i)
    ids: set[str] = set()
    for i, agent in enumerate(problem.agents):
        if not isinstance(agent, AgentSpec):
            raise InvalidParameterError("agents", "AgentSpec objects", agent, i)
        if not agent.id or agent.id in ids:
            raise InvalidParameterError("agents.id", "unique and not empty", agent.id, i)
        ids.add(agent.id)
        top = _check_int("agents.max_minutes", agent.max_minutes, 0, i)
        low = _check_int("agents.min_minutes", agent.min_minutes, 0, i)
        if low > top:
            raise InvalidParameterError("agents.min_minutes", f"<= max_minutes ({top})", low, i)
        _check_int("agents.min_rest_minutes", agent.min_rest_minutes, 0, i)
        _check_int("agents.max_consecutive_days", agent.max_consecutive_days, 1, i)
        for window in agent.unavailable:
            if len(window) != 2:
                raise InvalidParameterError("agents.unavailable", "(start, end) pairs", window, i)
            begin = _aware("agents.unavailable", window[0], i)
            end = _aware("agents.unavailable", window[1], i)
            if end <= begin:
                raise InvalidParameterError(
                    "agents.unavailable", "windows whose end is after their start", window, i
                )
        if agent.templates is not None:
            unknown = sorted(set(agent.templates) - names)
            if unknown:
                raise InvalidParameterError(
                    "agents.templates", "names of the shift templates", unknown, i
                )
    if not 0 <= _check_int("min_days_off_together", problem.min_days_off_together, 0) <= 7:
        raise InvalidParameterError(
            "min_days_off_together", "in 0..7", problem.min_days_off_together
        )
    limit = problem.time_limit_seconds
    if not isinstance(limit, int | float) or not math.isfinite(limit) or limit <= 0:
        raise InvalidParameterError("time_limit_seconds", "a number > 0", limit)
    if problem.max_shifts is not None:
        _check_int("max_shifts", problem.max_shifts, 0)
    return required


# --------------------------------------------------------------------------- agents' rules


def _blocked(agent: AgentSpec, grid: _Grid, begin: float, end: float) -> bool:
    """Whether ``[begin, end)`` touches one of the agent's unavailable windows."""
    return any(grid.minutes(w0) < end and grid.minutes(w1) > begin for w0, w1 in agent.unavailable)


def _off_blocks(days: int, k: int) -> list[range]:
    """The whole 7-day blocks (from the first day) that must hold ``k`` consecutive days off."""
    if k <= 0:
        return []
    return [range(first, first + 7) for first in range(0, days - 6, 7)]


@dataclass
class _Shift:
    """One agent's shift in minutes from the origin (for checking the rules by hand)."""

    begin: float
    end: float
    day: int


def _rule_breaks(
    agent: AgentSpec, shifts: Sequence[_Shift], grid: _Grid, days_off_together: int
) -> str | None:
    """The first rule ``shifts`` (one agent's) break, as a plain phrase, or None."""
    ordered = sorted(shifts, key=lambda s: s.begin)
    worked = [s.day for s in ordered]
    if len(set(worked)) != len(worked):
        return "two shifts on one day"
    for prev, nxt in itertools.pairwise(ordered):
        rest = nxt.begin - prev.end
        if rest < agent.min_rest_minutes:
            return f"only {_hours(max(rest, 0))} of rest (needs {_hours(agent.min_rest_minutes)})"
    total = sum(s.end - s.begin for s in ordered)
    if total > agent.max_minutes + 1e-6:
        return f"{round(total)} minutes over a contract of at most {agent.max_minutes}"
    span = max(grid.days, max(worked, default=0) + 1)
    on = np.zeros(span, dtype=bool)
    on[worked] = True
    run = best = 0
    for value in on:
        run = run + 1 if value else 0
        best = max(best, run)
    if best > agent.max_consecutive_days:
        return f"{best} working days in a row (at most {agent.max_consecutive_days})"
    for block in _off_blocks(grid.days, days_off_together):
        free = [not on[d] for d in block]
        if not any(
            all(free[s : s + days_off_together]) for s in range(len(free) - days_off_together + 1)
        ):
            return f"no {days_off_together} days off together in the week from day {block[0] + 1}"
    return None


def _hours(minutes: float) -> str:
    h, m = divmod(round(minutes), 60)
    return f"{h} h" if not m else f"{h} h {m:02d} min"


# --------------------------------------------------------------------------- the CP-SAT model

Key = tuple[int, int] | int  # (agent, slot) for named agents, slot for counts


@dataclass
class _Result:
    values: dict[Key, int]
    objectives: list[int]  # under, over, cost (cost scaled)
    proven: bool  # every stage proven optimal


class _Budget:
    """The time limit, as wall-clock seconds (hard) and CP-SAT deterministic time (the stages'
    shares are planned in the latter, so that a run not cut by the wall clock is reproducible
    whatever the machine's load)."""

    def __init__(self, seconds: float) -> None:
        self.deadline = _time.monotonic() + seconds
        self.work = seconds * _WORK_PER_SECOND

    def solver(self, work: float, *, small: bool = True) -> cp_model.CpSolver:
        """A CP-SAT solver with a fixed seed.

        Small models get one worker, which is reproducible, and a stronger LP that proves small
        weeks optimal far sooner. Big ones (more than ``_SMALL_MODEL`` variables: named weeks of
        tens of agents) get CP-SAT's two-worker portfolio: on a week of 65 agents it closes the
        gap a single worker (with or without interleaved search) leaves open, but which worker
        finds a solution first can vary between runs.
        """
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(self.deadline - _time.monotonic(), 0.05)
        params.max_deterministic_time = max(min(work, self.work), 0.01)
        params.random_seed = 0
        if small:
            params.num_workers = 1
            params.linearization_level = 2
        else:
            params.num_workers = _WORKERS
        return solver

    def spend(self, solver: cp_model.CpSolver) -> None:
        self.work = max(self.work - solver.response_proto.deterministic_time, 0.0)


def _solver(seconds: float) -> cp_model.CpSolver:
    budget = _Budget(seconds)
    return budget.solver(budget.work)


def _allowed(problem: RosterProblem, grid: _Grid, slots: list[_Slot]) -> list[list[int]]:
    """For each agent, the slots their templates, contract length and absences allow."""
    names = [tpl.name for tpl in problem.templates]
    return [
        [
            s
            for s, slot in enumerate(slots)
            if (agent.templates is None or names[slot.template] in agent.templates)
            and slot.length <= agent.max_minutes
            and not _blocked(agent, grid, slot.begin, slot.end)
        ]
        for agent in problem.agents
    ]


class _Model:
    """One staged CP-SAT model.

    ``named=False``: an integer count per slot. With agents in the problem this is a relaxation
    of the named model (only aggregate limits: agents available per slot and per day, total
    contracted minutes, working days per window), so its optimum bounds the named one from below.
    ``named=True``: a boolean per (agent, allowed slot) with every rule of every agent; ``caps``
    limits the agents per slot (to fill the counts of the relaxation first).
    """

    def __init__(
        self,
        problem: RosterProblem,
        required: np.ndarray,
        grid: _Grid,
        slots: list[_Slot],
        allowed: list[list[int]],
        *,
        named: bool,
        caps: np.ndarray | None = None,
    ) -> None:
        self.model = cp_model.CpModel()
        self.slots, self.grid = slots, grid
        m = self.model
        agents = list(problem.agents)
        self.keys: list[tuple[Key, cp_model.IntVar]] = []
        self.picks: list[tuple[int, int, cp_model.IntVar]] = []  # (agent, first day off, bool)
        self.agents = agents
        self.together = problem.min_days_off_together
        counts: list[cp_model.LinearExprT]
        if named:
            per_slot: list[list[cp_model.IntVar]] = [[] for _ in slots]
            for a, agent in enumerate(agents):
                mine = [s for s in allowed[a] if caps is None or caps[s] > 0]
                xs = self._agent(problem, a, agent, mine)
                for s, var in xs.items():
                    per_slot[s].append(var)
                    self.keys.append(((a, s), var))
            counts = [sum(vs) if vs else 0 for vs in per_slot]
            most = [len(vs) for vs in per_slot]  # the largest value of each count
            if caps is not None:
                for s, vs in enumerate(per_slot):
                    if len(vs) > caps[s]:
                        m.add(sum(vs) <= int(caps[s]))
        else:
            available = np.zeros(len(slots), dtype=np.int64)
            for mine in allowed:
                available[mine] += 1
            counts, most = [], []
            for s, slot in enumerate(slots):
                cap = int(required[slot.duty].max(initial=0))
                if agents:
                    cap = min(cap, int(available[s]))
                if problem.max_shifts is not None:
                    cap = min(cap, problem.max_shifts)
                var = m.new_int_var(0, cap, f"n{s}")
                counts.append(var)
                most.append(cap)
                self.keys.append((s, var))
            if agents:
                self._aggregate(problem, allowed, counts)
        cover: list[list[int]] = [[] for _ in range(grid.n)]
        for s, slot in enumerate(slots):
            for i in slot.duty:
                cover[int(i)].append(s)
        under, over = [], []
        for i in range(grid.n):
            need = int(required[i])
            u = m.new_int_var(0, need, f"u{i}")
            o = m.new_int_var(0, max(sum(most[s] for s in cover[i]) - need, 0), f"o{i}")
            m.add(sum(counts[s] for s in cover[i]) - need == o - u)
            under.append(u)
            over.append(o)
        self.under_vars, self.over_vars = under, over
        if problem.max_shifts is not None:
            m.add(sum(counts) <= problem.max_shifts)
        self.required = required
        self.costs = [round(problem.templates[slot.template].cost * _COST_SCALE) for slot in slots]
        cost = sum(self.costs[s] * counts[s] for s in range(len(slots)))
        self.objectives: list[cp_model.LinearExprT] = [sum(under), sum(over), cost]

    def _agent(
        self, problem: RosterProblem, a: int, agent: AgentSpec, mine: list[int]
    ) -> dict[int, cp_model.IntVar]:
        m, grid, slots = self.model, self.grid, self.slots
        xs = {s: m.new_bool_var(f"x{a}_{s}") for s in mine}
        by_day: dict[int, list[cp_model.IntVar]] = {}
        for s, var in xs.items():
            by_day.setdefault(slots[s].day, []).append(var)
        for vs in by_day.values():
            if len(vs) > 1:
                m.add_at_most_one(vs)
        ranked = sorted(xs, key=lambda s: slots[s].begin)
        for k, s in enumerate(ranked):  # rest (and no overlap) between shifts of different days
            limit = slots[s].end + agent.min_rest_minutes
            clash = [
                xs[t]
                for t in ranked[k + 1 :]
                if slots[t].begin < limit and slots[t].day != slots[s].day
            ]
            if clash:
                m.add_bool_and([~c for c in clash]).only_enforce_if(xs[s])
        minutes = sum(slots[s].length * var for s, var in xs.items())
        m.add(minutes <= agent.max_minutes)
        if agent.min_minutes:
            m.add(minutes >= agent.min_minutes)
        worked = [sum(by_day.get(d, [])) for d in range(grid.days)]
        k = agent.max_consecutive_days
        for first in range(0, grid.days - k):
            window = [w for w in worked[first : first + k + 1] if not isinstance(w, int)]
            if len(window) > k:
                m.add(sum(window) <= k)
        together = problem.min_days_off_together
        for block in _off_blocks(grid.days, together):
            choices = []
            for first in range(block[0], block[-1] - together + 2):
                pick = m.new_bool_var(f"off{a}_{first}")
                self.picks.append((a, first, pick))
                busy = [w for w in worked[first : first + together] if not isinstance(w, int)]
                if busy:
                    m.add(sum(busy) == 0).only_enforce_if(pick)
                choices.append(pick)
            m.add_bool_or(choices)
        return xs

    def _aggregate(
        self,
        problem: RosterProblem,
        allowed: list[list[int]],
        counts: Sequence[cp_model.LinearExprT],
    ) -> None:
        """Limits every named roster obeys, written on the counts (keeps this a relaxation)."""
        m, grid, slots = self.model, self.grid, self.slots
        agents = list(problem.agents)
        day_of = [slot.day for slot in slots]
        on_day = [[s for s in range(len(slots)) if day_of[s] == d] for d in range(grid.days)]
        for d in range(grid.days):
            can = sum(1 for mine in allowed if any(day_of[s] == d for s in mine))
            if on_day[d]:
                m.add(sum(counts[s] for s in on_day[d]) <= can)
        m.add(
            sum(slots[s].length * counts[s] for s in range(len(slots)))
            <= sum(a.max_minutes for a in agents)
        )
        shortest = min((slot.length for slot in slots), default=1)
        for span in sorted({a.max_consecutive_days + 1 for a in agents} | {7}):
            if span > grid.days:
                continue
            most = 0
            for agent in agents:
                k = agent.max_consecutive_days
                work = span - span // (k + 1)
                if span == 7 and problem.min_days_off_together:
                    work = min(work, 7 - problem.min_days_off_together)
                most += min(work, agent.max_minutes // shortest)
            for first in range(0, grid.days - span + 1):
                days = [s for d in range(first, first + span) for s in on_day[d]]
                if days:
                    m.add(sum(counts[s] for s in days) <= most)

    def solve(
        self,
        budget: _Budget,
        share: float,
        *,
        bounds: Sequence[int] | None = None,
        hint: dict[Key, int] | None = None,
    ) -> _Result | None:
        """Minimise under, over and cost in turn within ``share`` of the budget's work.

        ``bounds`` (the relaxation's proven optimum) is added as a lower bound on a stage while
        the earlier stages match it, so a roster that reaches it is proven optimal at once.
        Returns None when no roster was found in time; raises :class:`_Infeasible`.
        """
        m = self.model
        work = budget.work * share
        shares = [0.5, 0.5, 1.0]
        values: dict[Key, int] | None = None
        found: list[int] = []
        proven = True
        if hint:
            self._hint(hint)
        for stage, (objective, share) in enumerate(zip(self.objectives, shares, strict=True)):
            if isinstance(objective, int):
                found.append(objective)
                continue
            tight = bounds is not None and proven and found == list(bounds[:stage])
            if tight and bounds is not None:
                m.add(objective >= bounds[stage])
            m.minimize(objective)
            solver = budget.solver(work * share, small=len(self.keys) <= _SMALL_MODEL)
            code = solver.solve(m)
            work -= solver.response_proto.deterministic_time
            budget.spend(solver)
            if code in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                if values is None:
                    raise _Infeasible
                break  # cannot happen: the previous solution is feasible; be safe
            if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                proven = False
                break
            value = round(solver.objective_value)
            proven = proven and code == cp_model.OPTIMAL
            values = {key: int(solver.value(var)) for key, var in self.keys}
            found.append(value)
            m.add(objective <= value)
            self._hint(values)
        if values is None:
            return None
        return _Result(values, self.evaluate(values), proven and len(found) == 3)

    def _hint(self, values: dict[Key, int]) -> None:
        """Hint a whole solution (every variable: CP-SAT completes a partial hint slowly)."""
        m = self.model
        m.clear_hints()
        for key, var in self.keys:
            m.add_hint(var, values.get(key, 0))
        scheduled = self._scheduled(values)
        for u, o, have, need in zip(
            self.under_vars, self.over_vars, scheduled, self.required, strict=True
        ):
            m.add_hint(u, max(int(need - have), 0))
            m.add_hint(o, max(int(have - need), 0))
        worked: dict[int, set[int]] = {}
        for key, value in values.items():
            if isinstance(key, tuple) and value:
                worked.setdefault(key[0], set()).add(self.slots[key[1]].day)
        first_free: dict[tuple[int, int], int] = {}  # (agent, week) -> first day of the days off
        for a, first, _ in self.picks:
            days = worked.get(a, set())
            if (a, first // 7) not in first_free and not any(
                d in days for d in range(first, first + self.together)
            ):
                first_free[(a, first // 7)] = first
        for a, first, var in self.picks:
            m.add_hint(var, int(first_free.get((a, first // 7)) == first))

    def _scheduled(self, values: dict[Key, int]) -> np.ndarray:
        counts = np.zeros(len(self.slots), dtype=np.int64)
        for key, value in values.items():
            counts[key[1] if isinstance(key, tuple) else key] += value
        scheduled = np.zeros(self.grid.n, dtype=np.int64)
        for s, slot in enumerate(self.slots):
            if counts[s]:
                scheduled[slot.duty] += counts[s]
        return scheduled

    def evaluate(self, values: dict[Key, int]) -> list[int]:
        """Under, over and scaled cost of a solution (also for stages not reached in time)."""
        counts = np.zeros(len(self.slots), dtype=np.int64)
        for key, value in values.items():
            counts[key[1] if isinstance(key, tuple) else key] += value
        diff = self._scheduled(values) - self.required
        cost = sum(int(counts[s]) * self.costs[s] for s in range(len(self.slots)))
        return [int(np.maximum(-diff, 0).sum()), int(np.maximum(diff, 0).sum()), cost]


class _Infeasible(Exception):
    pass


# --------------------------------------------------------------------------- build_roster


def build_roster(problem: RosterProblem) -> Roster:
    """The roster that first minimises under-staffing, then over-staffing, then cost.

    With named agents, three steps share the time limit: the count relaxation (a lower bound,
    usually instant), the named model restricted to the relaxation's counts (when it reaches the
    bound the roster is proven optimal and we stop), and the full named model started from that
    roster. The best in lexicographic order is returned.
    """
    required = _validate(problem)
    grid = _Grid.of(problem, len(required))
    slots = _slots(grid, problem.templates)
    allowed = _allowed(problem, grid, slots)
    budget = _Budget(float(problem.time_limit_seconds))
    result: _Result | None
    try:
        relaxed = _Model(problem, required, grid, slots, allowed, named=False).solve(
            budget, 0.2 if problem.agents else 1.0
        )
        if not problem.agents:
            result = relaxed
        else:
            result = _named(problem, required, grid, slots, allowed, relaxed, budget)
    except _Infeasible:
        raise _explain_infeasible(problem, grid, slots, allowed) from None
    if result is None:
        raise InvalidParameterError(
            "time_limit_seconds", "long enough to find a first roster", problem.time_limit_seconds
        )
    agents = list(problem.agents)
    chosen: list[tuple[str | None, _Slot]] = []
    for key, value in result.values.items():
        if isinstance(key, tuple):
            if value:
                chosen.append((agents[key[0]].id, slots[key[1]]))
        else:
            chosen.extend((None, slots[key]) for _ in range(value))
    shifts = [_assignment(agent_id, slot, problem, grid) for agent_id, slot in chosen]
    shifts.sort(key=lambda s: (s.start, s.template, s.agent_id or ""))
    scheduled = np.zeros(grid.n, dtype=np.int64)
    for _, slot in chosen:
        scheduled[slot.duty] += 1
    status = "optimal" if result.proven else "feasible"
    return _roster(tuple(shifts), required, scheduled, status, problem)


def _named(
    problem: RosterProblem,
    required: np.ndarray,
    grid: _Grid,
    slots: list[_Slot],
    allowed: list[list[int]],
    relaxed: _Result | None,
    budget: _Budget,
) -> _Result | None:
    """Fill the relaxation's counts with named agents; if that misses its bound, search the
    full named model from there."""
    bounds = relaxed.objectives if relaxed is not None and relaxed.proven else None
    first: _Result | None = None
    if relaxed is not None:
        caps = np.zeros(len(slots), dtype=np.int64)
        for key, value in relaxed.values.items():
            assert isinstance(key, int)
            caps[key] = value
        capped = _Model(problem, required, grid, slots, allowed, named=True, caps=caps)
        start, complete = _greedy(problem, grid, slots, allowed, caps, capped.evaluate)
        try:
            first = capped.solve(budget, 0.4, bounds=bounds, hint=start)
        except _Infeasible:
            first = None  # the counts leave someone's minimum minutes unreachable
        if complete:
            quick = _Result(start, capped.evaluate(start), False)
            if first is None or _worse(first, quick):
                first = quick
        if first is not None and bounds is not None and first.objectives == list(bounds):
            first.proven = True  # reaches the relaxation's optimum: nothing named can do better
            return first
    full = _Model(problem, required, grid, slots, allowed, named=True)
    second = full.solve(
        budget,
        1.0,
        bounds=bounds,
        hint=first.values if first is not None else None,
    )
    if second is None or (first is not None and _worse(second, first)):
        if first is not None:
            first.proven = False
        return first
    return second


def _greedy(
    problem: RosterProblem,
    grid: _Grid,
    slots: list[_Slot],
    allowed: list[list[int]],
    caps: np.ndarray,
    evaluate: Callable[[dict[Key, int]], list[int]],
) -> tuple[dict[Key, int], bool]:
    """A quick named roster filling the counts ``caps``: the best of a few greedy passes.

    CP-SAT starts from it (finding a first named roster from nothing is where the model spends
    its time). Passes run forwards and backwards in time, each with two agent priorities.
    Returns the values and whether every agent's minimum minutes is met.
    """
    best: tuple[list[int], dict[Key, int], bool] | None = None
    for backwards in (False, True):
        for streaks_first in (True, False):
            values, complete = _greedy_pass(
                problem,
                grid,
                slots,
                allowed,
                caps,
                backwards=backwards,
                streaks_first=streaks_first,
            )
            score = evaluate(values)
            if best is None or (not best[2], best[0]) > (not complete, score):
                best = (score, values, complete)
    assert best is not None
    return best[1], best[2]


def _greedy_pass(
    problem: RosterProblem,
    grid: _Grid,
    slots: list[_Slot],
    allowed: list[list[int]],
    caps: np.ndarray,
    *,
    backwards: bool,
    streaks_first: bool,
) -> tuple[dict[Key, int], bool]:
    """Give each unit of ``caps`` to an eligible agent, in time order, keeping every rule.

    The agent chosen loses the fewest possible runs of days off by it (days off stay together:
    working streaks continue) and has the most contracted minutes left, in that order or the
    other, then comes first.
    """
    agents = list(problem.agents)
    k_off = problem.min_days_off_together
    blocks = _off_blocks(grid.days, k_off)
    may = [set(mine) for mine in allowed]
    used = [0] * len(agents)
    shifts: list[dict[int, _Slot]] = [{} for _ in agents]  # agent -> day -> slot
    values: dict[Key, int] = {}

    def windows(days: Collection[int], block: range) -> int:
        """How many runs of ``k_off`` days off ``block`` can still hold."""
        return sum(
            all(d not in days for d in range(first, first + k_off))
            for first in range(block[0], block[-1] - k_off + 2)
        )

    def fits(a: int, slot: _Slot) -> bool:
        agent, mine = agents[a], shifts[a]
        if slot.day in mine or used[a] + slot.length > agent.max_minutes:
            return False
        for other in mine.values():
            if other.begin < slot.begin:
                if slot.begin < other.end + agent.min_rest_minutes:
                    return False
            elif other.begin < slot.end + agent.min_rest_minutes:
                return False
        before = after = 0
        while slot.day - before - 1 in mine:
            before += 1
        while slot.day + after + 1 in mine:
            after += 1
        if before + 1 + after > agent.max_consecutive_days:
            return False
        days = set(mine) | {slot.day}
        return all(windows(days, block) for block in blocks if slot.day in block)

    def lost(a: int, day: int) -> int:
        days = set(shifts[a])
        return sum(
            windows(days, block) - windows(days | {day}, block) for block in blocks if day in block
        )

    order = sorted(range(len(slots)), key=lambda s: (slots[s].begin, s), reverse=backwards)
    for s in order:
        slot = slots[s]
        for _ in range(int(caps[s])):
            chosen, chosen_key = -1, None
            for a in range(len(agents)):
                if s not in may[a] or not fits(a, slot):
                    continue
                left = -(agents[a].max_minutes - used[a])
                loss = lost(a, slot.day)
                key = (loss, left, a) if streaks_first else (left, loss, a)
                if chosen_key is None or key < chosen_key:
                    chosen, chosen_key = a, key
            if chosen < 0:
                break
            values[(chosen, s)] = 1
            shifts[chosen][slot.day] = slot
            used[chosen] += slot.length
    complete = all(used[a] >= agent.min_minutes for a, agent in enumerate(agents))
    return values, complete


def _worse(a: _Result, b: _Result) -> bool:
    return a.objectives > b.objectives


def _roster(
    shifts: tuple[ShiftAssignment, ...],
    required: np.ndarray,
    scheduled: np.ndarray,
    status: str,
    problem: RosterProblem,
) -> Roster:
    diff = scheduled - required
    return Roster(
        shifts=shifts,
        required=required,
        scheduled=scheduled,
        under=int(np.maximum(-diff, 0).sum()),
        over=int(np.maximum(diff, 0).sum()),
        status=status,
        start=problem.start,
        interval_minutes=problem.interval_minutes,
    )


def _assignment(
    agent_id: str | None, slot: _Slot, problem: RosterProblem, grid: _Grid
) -> ShiftAssignment:
    return ShiftAssignment(
        agent_id=agent_id,
        template=problem.templates[slot.template].name,
        start=grid.at(slot.begin),
        end=grid.at(slot.end),
        breaks=tuple((grid.at(b0), grid.at(b1)) for b0, b1 in slot.breaks),
    )


def _explain_infeasible(
    problem: RosterProblem, grid: _Grid, slots: list[_Slot], allowed: list[list[int]]
) -> InvalidParameterError:
    """Name the agent whose own rules admit no roster, if one does."""
    zeros = np.zeros(grid.n, dtype=np.int64)
    for i, agent in enumerate(problem.agents):
        if not agent.min_minutes:
            continue
        single = RosterProblem(
            start=problem.start,
            interval_minutes=problem.interval_minutes,
            required=[0] * grid.n,
            templates=problem.templates,
            agents=(agent,),
            min_days_off_together=problem.min_days_off_together,
        )
        probe = _Model(single, zeros, grid, slots, [allowed[i]], named=True)
        if _solver(2.0).solve(probe.model) == cp_model.INFEASIBLE:
            return InvalidParameterError(
                "agents.min_minutes",
                "reachable with the agent's templates, availability, rest and day rules",
                agent.min_minutes,
                i,
            )
    if problem.max_shifts is not None:
        return InvalidParameterError(
            "max_shifts", "enough for the agents' minimum contracted minutes", problem.max_shifts
        )
    return InvalidParameterError(
        "agents", "satisfiable together (their minimum minutes and rules admit no roster)"
    )


# --------------------------------------------------------------------------- propose_cover


Kind = Literal["add", "extend", "move"]


def propose_cover(
    problem: RosterProblem,
    roster: Roster,
    *,
    absent_agent_id: str,
    start: datetime,
    end: datetime,
    limit: int = 5,
) -> list[CoverProposal]:
    """The best replacements for the absent agent's shifts in ``[start, end)``, best first.

    The absent agent's shifts overlapping the window are taken out; the hole is every interval
    overlapping the window that is then short of the requirement. Each other agent is offered
    at most once (their best option): a shift of a template on a day they are off ("add"), their
    shift of that day stretched earlier or later over the hole up to
    :data:`MAX_EXTENDED_SHIFT_MINUTES` ("extend"), or swapped for another template the same
    day ("move"). Each proposal must fill part of the hole; ``covered_intervals`` is by how many
    agent-intervals it lowers the roster's under-staffing over the whole horizon (so a move is
    counted net of what it leaves short elsewhere). Every proposal keeps the candidate's rest,
    consecutive days, days off together, contracted maximum, availability and allowed
    templates; an agent whose current shifts already break a rule is not proposed. Ranked by
    ``covered_intervals``, then fewer intervals left short, less over-staffing added, fewer
    extra minutes, lower cost and the agent's id. The absent agent's shifts outside the window
    stay as they are.
    """
    required = _validate(problem)
    grid = _Grid.of(problem, len(required))
    if not problem.agents:
        raise InvalidParameterError("problem.agents", "named agents to propose as cover")
    agents = {agent.id: agent for agent in problem.agents}
    if absent_agent_id not in agents:
        raise InvalidParameterError(
            "absent_agent_id", "the id of one of the agents", absent_agent_id
        )
    w0 = grid.minutes(_aware("start", start))
    w1 = grid.minutes(_aware("end", end))
    if w1 <= w0:
        raise InvalidParameterError("end", "after start", end)
    _check_int("limit", limit, 1)
    if len(roster.required) != grid.n or len(roster.scheduled) != grid.n:
        raise InvalidParameterError("roster", f"a roster of {grid.n} intervals for this problem")

    own: dict[str, list[tuple[_Shift, ShiftAssignment]]] = {}
    scheduled = np.zeros(grid.n, dtype=np.int64)
    for shift in roster.shifts:
        b0, b1 = grid.minutes(shift.start), grid.minutes(shift.end)
        if shift.agent_id == absent_agent_id and b0 < w1 and b1 > w0:
            continue
        breaks = [(grid.minutes(x), grid.minutes(y)) for x, y in shift.breaks]
        scheduled[grid.duty(b0, b1, breaks)] += 1
        if shift.agent_id is not None:
            own.setdefault(shift.agent_id, []).append((_Shift(b0, b1, grid.day_of(b0)), shift))
    lo = max(int(w0 // grid.interval), 0)
    hi = min(math.ceil(w1 / grid.interval), grid.n)
    short = np.zeros(grid.n, dtype=bool)
    short[lo:hi] = scheduled[lo:hi] < required[lo:hi]
    hole = int(short.sum())
    if hole == 0:
        return []
    under = int(np.maximum(required - scheduled, 0).sum())
    over = int(np.maximum(scheduled - required, 0).sum())
    slots = _slots(grid, problem.templates)
    names = [tpl.name for tpl in problem.templates]
    best: dict[str, tuple[tuple[object, ...], CoverProposal]] = {}
    for agent_id, agent in agents.items():
        if agent_id == absent_agent_id:
            continue
        mine = own.get(agent_id, [])
        current = [s for s, _ in mine]
        if _rule_breaks(agent, current, grid, problem.min_days_off_together):
            continue
        used = sum(s.end - s.begin for s in current)
        # (kind, new shift, its assignment, template cost, replaced shift, its duty)
        options: list[tuple[Kind, _Shift, ShiftAssignment, float, _Shift | None, np.ndarray]] = []
        worked_days = {s.day for s in current}
        nothing = np.empty(0, dtype=np.int64)
        for slot in slots:  # add a template shift on a day off
            if slot.day in worked_days or not short[slot.duty].any():
                continue
            if agent.templates is not None and names[slot.template] not in agent.templates:
                continue
            cost = problem.templates[slot.template].cost
            shift = _assignment(agent_id, slot, problem, grid)
            options.append(
                ("add", _Shift(slot.begin, slot.end, slot.day), shift, cost, None, nothing)
            )
        for old, assigned in mine:
            old_breaks = [(grid.minutes(x), grid.minutes(y)) for x, y in assigned.breaks]
            old_duty = grid.duty(old.begin, old.end, old_breaks)
            for stretched, shift in _extensions(old, assigned, short, grid):
                options.append(("extend", stretched, shift, 0.0, old, old_duty))
            for slot in slots:  # the same day, another template
                if slot.day != old.day or names[slot.template] == assigned.template:
                    continue
                if agent.templates is not None and names[slot.template] not in agent.templates:
                    continue
                if not short[slot.duty].any():
                    continue
                cost = problem.templates[slot.template].cost
                shift = _assignment(agent_id, slot, problem, grid)
                moved = _Shift(slot.begin, slot.end, slot.day)
                options.append(("move", moved, shift, cost, old, old_duty))
        for kind, new, shift, cost, replaced, old_duty in options:
            if _blocked(agent, grid, new.begin, new.end):
                continue
            after = [s for s in current if s is not replaced] + [new]
            if _rule_breaks(agent, after, grid, problem.min_days_off_together):
                continue
            breaks = [(grid.minutes(x), grid.minutes(y)) for x, y in shift.breaks]
            duty = grid.duty(new.begin, new.end, breaks)
            if not short[duty].any():
                continue
            changed = scheduled.copy()
            changed[old_duty] -= 1
            changed[duty] += 1
            net = under - int(np.maximum(required - changed, 0).sum())
            if net <= 0:
                continue
            lost = int(((changed < scheduled) & (changed < required)).sum())
            excess = int(np.maximum(changed - required, 0).sum()) - over
            extra = (new.end - new.begin) - ((replaced.end - replaced.begin) if replaced else 0)
            rank = (-net, lost, excess, extra, cost, agent_id, shift.start)
            if agent_id in best and best[agent_id][0] <= rank:
                continue
            reason = _reason(
                kind, shift, replaced, net, hole, lost, used + extra, agent, after, new, grid
            )
            best[agent_id] = (rank, CoverProposal(agent_id, shift, net, reason))
    ranked = sorted(best.values(), key=lambda item: item[0])
    return [proposal for _, proposal in ranked[:limit]]


def _extensions(
    old: _Shift, assigned: ShiftAssignment, short: np.ndarray, grid: _Grid
) -> list[tuple[_Shift, ShiftAssignment]]:
    """``old`` stretched later (and earlier) over the adjacent short intervals."""
    out: list[tuple[_Shift, ShiftAssignment]] = []
    step = grid.interval
    room = MAX_EXTENDED_SHIFT_MINUTES - (old.end - old.begin)
    if room < step:
        return out
    # later: whole intervals after the end while short
    end = old.end
    first = math.ceil(end / step - 1e-9)
    i = first
    while i < grid.n and short[i] and (i + 1) * step - old.begin <= MAX_EXTENDED_SHIFT_MINUTES:
        i += 1
    if i > first:
        new_end = i * step
        out.append(
            (
                _Shift(old.begin, new_end, old.day),
                ShiftAssignment(
                    assigned.agent_id,
                    assigned.template,
                    assigned.start,
                    grid.at(new_end),
                    assigned.breaks,
                ),
            )
        )
    last = math.floor(old.begin / step + 1e-9) - 1
    i = last
    while i >= 0 and short[i] and old.end - i * step <= MAX_EXTENDED_SHIFT_MINUTES:
        i -= 1
    if i < last:
        new_begin = (i + 1) * step
        if grid.day_of(new_begin) == old.day:  # a shift keeps the day it starts on
            out.append(
                (
                    _Shift(new_begin, old.end, old.day),
                    ShiftAssignment(
                        assigned.agent_id,
                        assigned.template,
                        grid.at(new_begin),
                        assigned.end,
                        assigned.breaks,
                    ),
                )
            )
    return out


def _reason(
    kind: Kind,
    shift: ShiftAssignment,
    old: _Shift | None,
    net: int,
    hole: int,
    lost: int,
    minutes_after: float,
    agent: AgentSpec,
    after: list[_Shift],
    new: _Shift,
    grid: _Grid,
) -> str:
    span = f"{shift.start:%a %d %b %H:%M}-{shift.end:%H:%M}"
    if kind == "add":
        text = f"Add a {shift.template} shift ({span}) on a day off"
    elif kind == "extend":
        assert old is not None
        text = (
            f"Extend the {shift.template} shift from {_hours(old.end - old.begin)} "
            f"to {_hours(new.end - new.begin)} ({span})"
        )
    else:
        assert old is not None
        text = (
            f"Move the shift of that day ({grid.at(old.begin):%H:%M}-{grid.at(old.end):%H:%M}) "
            f"to {shift.template} ({span})"
        )
    text += (
        f": fills {net} agent-intervals of under-staffing ({hole} intervals short in the window)"
    )
    if lost:
        text += f", net of {lost} it leaves short elsewhere"
    ordered = sorted(after, key=lambda s: s.begin)
    k = ordered.index(new)
    rests = []
    if k > 0:
        rests.append(new.begin - ordered[k - 1].end)
    if k + 1 < len(ordered):
        rests.append(ordered[k + 1].begin - new.end)
    text += f"; {round(minutes_after)} of at most {agent.max_minutes} contracted minutes"
    if rests:
        text += f"; shortest rest {_hours(min(rests))} (needs {_hours(agent.min_rest_minutes)})"
    return text + "."
