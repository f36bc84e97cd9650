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

Still to come (same conventions; each module re-exported here and given a CLI command by adding
its registrar to :data:`callpulse.wfm.cli.COMMANDS`): ``forecast`` (arrivals and AHT per interval,
method chosen by rolling-origin backtest), ``roster`` (shift schedules with CP-SAT) and
``simulate`` (discrete-event simulation with confidence intervals).
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
