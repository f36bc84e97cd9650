"""Who may do what in workforce planning (the role rules, kept in one place to test both ways)."""

from __future__ import annotations

from callpulse.core.roles import RoleCode

R = RoleCode

# Who imports history, runs the pipeline, edits and publishes schedules.
PLANNERS = frozenset({R.WORKFORCE_PLANNER, R.HEAD_OF_SALES, R.DIRECTOR})
# Who reads forecasts, staffing, schedules and who is missing now.
PLAN_READERS = PLANNERS | {R.SUPERVISOR, R.DEPARTMENT_HEAD}
