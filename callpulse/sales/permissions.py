"""Who may do what with sales plans; every set is built from RoleCode (tested both ways)."""

from __future__ import annotations

from callpulse.core.roles import RoleCode

R = RoleCode

# Who creates plans, decomposes them, corrects targets, sets motivation schemes, records incidents.
PLAN_EDITORS = frozenset({R.HEAD_OF_SALES, R.DIRECTOR})
# Who reads every plan, every person's figures and payouts (finance: for payroll, read only).
PLAN_READERS_ALL = frozenset({R.HEAD_OF_SALES, R.DIRECTOR, R.FINANCE})
# Who reads the plans of their own scope: the department they head, the team they supervise.
PLAN_SCOPE_READERS = frozenset({R.DEPARTMENT_HEAD, R.SUPERVISOR})
# Who exports payouts for payroll (the payroll clerk sits in finance).
PAYROLL_EXPORTERS = frozenset({R.HEAD_OF_SALES, R.DIRECTOR, R.FINANCE})
# Who sees payments and receivables of every manager.
MONEY_READERS_ALL = frozenset({R.HEAD_OF_SALES, R.DIRECTOR, R.FINANCE})
