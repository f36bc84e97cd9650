"""callpulse's workforce engine: pure Python (NumPy, SciPy), no Django. Arrays in, arrays out.

The Django app ``workforce`` feeds it from the database and stores what it returns; planners can
also drive it from the command line (``python -m callpulse.wfm --help``, see
:mod:`callpulse.wfm.cli`). Nothing here imports Django (a test enforces it).

Conventions for every function
------------------------------
- Times are seconds; ``calls`` is the number offered per ``interval`` (a forecast, so it need not
  be whole). Arguments are keyword-only.
- Any numeric argument may be a number or an array (one element per interval); arrays broadcast
  together and results have their shape (0-d arrays for scalar input; ``result.records()`` gives
  one plain ``dict`` per element).
- Bad input raises :class:`InvalidParameterError`, a ``ValueError`` naming the parameter (and, for
  arrays, the index of the first bad element); a target that no staffing can meet raises its
  subclass :class:`TargetUnreachableError`.

Staffing (queueing)
-------------------
:func:`erlang_c` (module :mod:`callpulse.wfm.erlang_c`)
    Required agents when callers wait as long as it takes (M/M/n): the least ``n`` above the
    offered load with service level >= target (and occupancy <= cap), plus agents after
    shrinkage, achieved service level, ASA, occupancy and probability of waiting.
:func:`erlang_c_performance`
    The same measures for a given number of agents.
:func:`erlang_a` / :func:`erlang_a_performance` (module :mod:`callpulse.wfm.erlang_a`)
    Callers who hang up after an exponential patience (M/M/n+M), solved exactly; adds the
    abandonment probability. The service level is stated by ``sl_variant``: ``"offered"``
    (answered within T over offered, the default), ``"answered"`` (over answered) or
    ``"exclude_early_abandons"`` (abandons within T left out of the denominator). ASA is the mean
    wait of answered calls. The search for agents covers every ``n >= 1``.

Forecast and simulation
-----------------------
:func:`forecast_series` (module :mod:`callpulse.wfm.forecast`)
    Arrivals (or AHT, weighted by calls) per interval from a history of ``(start, value)`` rows:
    any interval length, gaps are closed hours, special days left out of fitting. Methods
    :data:`FORECAST_METHODS` (seasonal naive, mean of the last k same weekday-slots, Holt-Winters
    on daily totals x intraday profile, a multi-seasonal decomposition); the one with the least
    rolling-origin backtest WAPE is chosen and every method's WAPE reported (:class:`Forecast`).
:func:`simulate` (module :mod:`callpulse.wfm.simulate`)
    Discrete-event simulation of the intervals (Poisson arrivals, handle times, exponential
    patience, the staffed agents per interval), replicated: service level, ASA, abandonment and
    occupancy per interval and overall, with 95% confidence intervals (:class:`SimulationResult`).

Rosters
-------
:func:`build_roster` (module :mod:`callpulse.wfm.roster`, CLI ``roster``)
    Shift schedules with CP-SAT from agents required per interval (a week or more; shifts may
    cross midnight; breaks are off duty), shift templates and optionally named agents with
    contracts, absences, rest, consecutive-day and days-off rules: first the least
    under-staffing, then the least over-staffing, then the least cost (:class:`Roster`, with
    required vs scheduled per interval and the gaps). The arguments are one frozen
    :class:`RosterProblem`. :func:`propose_cover` ranks who can fill the hole of an absent agent
    without rebuilding the week (:class:`CoverProposal`). See ``docs/wfm-roster.md``.

Every module is re-exported here and has a CLI command registered in
:data:`callpulse.wfm.cli.COMMANDS`.
"""

from callpulse.wfm.erlang_a import (
    SL_VARIANTS,
    ErlangAPerformance,
    ErlangAStaffing,
    SlVariant,
    erlang_a,
    erlang_a_performance,
)
from callpulse.wfm.erlang_c import (
    ErlangCPerformance,
    ErlangCStaffing,
    erlang_c,
    erlang_c_performance,
)
from callpulse.wfm.errors import InvalidParameterError, TargetUnreachableError, WfmError

__all__ = [
    "SL_VARIANTS",
    "ErlangAPerformance",
    "ErlangAStaffing",
    "ErlangCPerformance",
    "ErlangCStaffing",
    "InvalidParameterError",
    "SlVariant",
    "TargetUnreachableError",
    "WfmError",
    "erlang_a",
    "erlang_a_performance",
    "erlang_c",
    "erlang_c_performance",
]

# --- forecast and simulate ---
# isort: split
from callpulse.wfm.forecast import METHODS as FORECAST_METHODS
from callpulse.wfm.forecast import Forecast, forecast_series
from callpulse.wfm.simulate import Estimate, SimulationResult, simulate

__all__ += [
    "FORECAST_METHODS",
    "Estimate",
    "Forecast",
    "SimulationResult",
    "forecast_series",
    "simulate",
]
# --- end forecast and simulate ---

# --- roster ---
# isort: split
from callpulse.wfm.roster import (  # noqa: E402 (after the blocks above, kept apart)
    AgentSpec,
    CoverProposal,
    Roster,
    RosterProblem,
    ShiftAssignment,
    ShiftTemplate,
    build_roster,
    propose_cover,
)

__all__ += [
    "AgentSpec",
    "CoverProposal",
    "Roster",
    "RosterProblem",
    "ShiftAssignment",
    "ShiftTemplate",
    "build_roster",
    "propose_cover",
]
# --- end roster ---
