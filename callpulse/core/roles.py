"""The roles of PRODUCT.md and the role rules every permission is built from.

A rule is a set of roles; `user_has_role` answers it. Keeping the sets here, in one place, is what
lets each permission be tested both ways (may, may not).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from callpulse.core.models import User


class RoleCode(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    MENTOR = "mentor", _("Mentor")
    SUPERVISOR = "supervisor", _("Supervisor")
    HEAD_OF_SALES = "head_of_sales", _("Head of sales")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    FINANCE = "finance", _("Finance")
    WORKFORCE_PLANNER = "workforce_planner", _("Workforce planner")
    QA_SPECIALIST = "qa_specialist", _("QA specialist")
    TRAINER = "trainer", _("Training manager")
    ANALYST = "analyst", _("Analyst")
    DIRECTOR = "director", _("Contact-center director")


R = RoleCode

# Who may read colleagues' personal data (e-mail, mobile, absences of others).
STAFF_DIRECTORY = frozenset(
    {R.SUPERVISOR, R.HEAD_OF_SALES, R.DEPARTMENT_HEAD, R.WORKFORCE_PLANNER, R.DIRECTOR}
)
# Who records and edits absences and cover.
ABSENCE_EDITORS = frozenset(
    {R.SUPERVISOR, R.HEAD_OF_SALES, R.DEPARTMENT_HEAD, R.WORKFORCE_PLANNER, R.DIRECTOR}
)
# Who edits the organisation: departments, teams, client types.
ORGANISATION_EDITORS = frozenset({R.HEAD_OF_SALES, R.DIRECTOR})
# Who sets a team's operators and pairs its trainees with mentors (issue #14, item 5): a supervisor
# the team they supervise (`core.services.team_may_manage`), ORGANISATION_EDITORS any team.
TEAM_MANAGERS = frozenset({R.SUPERVISOR, R.HEAD_OF_SALES, R.DIRECTOR})
# Who creates clients and edits their card (name, contacts, numbers, type, manager).
CLIENT_EDITORS = frozenset(
    {R.OPERATOR, R.ACCOUNT_MANAGER, R.DEPARTMENT_HEAD, R.HEAD_OF_SALES, R.SUPERVISOR, R.DIRECTOR}
)
# Who sets a client's credit limit and records invoices, payments and write-offs.
CREDIT_CONTROLLERS = frozenset({R.FINANCE, R.DIRECTOR})
# Who takes orders by phone.
ORDER_TAKERS = frozenset(
    {R.OPERATOR, R.ACCOUNT_MANAGER, R.DEPARTMENT_HEAD, R.HEAD_OF_SALES, R.SUPERVISOR, R.DIRECTOR}
)
# Who may accept an order the credit check refused, with a reason (logged).
CREDIT_OVERRIDERS = frozenset({R.FINANCE, R.HEAD_OF_SALES, R.DIRECTOR})
# Who ships and delivers orders, and edits the catalog and prices.
CATALOG_EDITORS = frozenset({R.HEAD_OF_SALES, R.DIRECTOR})
# Who marks an accepted order picked at the warehouse (issue #14): the head of sales' people and
# the heads of the client departments, who control fulfilment (seed 002); shipping, which raises
# the invoice, stays with CATALOG_EDITORS | CREDIT_OVERRIDERS.
ORDER_PICKERS = frozenset({R.HEAD_OF_SALES, R.DEPARTMENT_HEAD, R.DIRECTOR})
# Who reads every order. Everyone else reads the orders they took, the orders of the clients they
# manage and the orders handed off to them (`callpulse.orders.permissions`). QA, the trainer and
# the planner have no business in orders: they read none.
ORDER_READERS_ALL = frozenset(
    {R.SUPERVISOR, R.HEAD_OF_SALES, R.DEPARTMENT_HEAD, R.FINANCE, R.ANALYST, R.DIRECTOR}
)
# Who may take over and change or cancel a colleague's order (besides the client's manager and
# the person it was handed off to).
ORDER_SUPERVISORS = frozenset({R.SUPERVISOR, R.HEAD_OF_SALES, R.DEPARTMENT_HEAD, R.DIRECTOR})

# Who may place outbound calls from callpulse (click-to-call, callbacks, campaigns).
CALLERS = frozenset(
    {
        R.OPERATOR,
        R.ACCOUNT_MANAGER,
        R.SUPERVISOR,
        R.HEAD_OF_SALES,
        R.DEPARTMENT_HEAD,
        R.DIRECTOR,
    }
)


# Who may close or cancel a callback a colleague holds (reserved or promised), saying why.
CALLBACK_SUPERVISORS = frozenset({R.SUPERVISOR, R.HEAD_OF_SALES, R.DEPARTMENT_HEAD, R.DIRECTOR})

# --- decisions of the security review (issue #17), each tested both ways in tests/security ---
# May any manager reassign another manager's client? No: a department head assigns managers
# (seed 002: a new client goes to the head, who assigns a manager), or the head of sales and
# the director. An account manager may name themselves as the manager of a client they open.
CLIENT_ASSIGNERS = frozenset({R.DEPARTMENT_HEAD, R.HEAD_OF_SALES, R.DIRECTOR})
# May any operator deactivate a client or change its type (and so its price column)? No: the
# type sets the prices, so heads decide; the operator picks a type only when opening a card.
CLIENT_STATUS_EDITORS = frozenset({R.DEPARTMENT_HEAD, R.HEAD_OF_SALES, R.DIRECTOR})
# May every staff role list all closed website requests with names and phones? No: closed and
# cancelled callbacks are read by those who steer the queue and by analysts; an operator reads
# the closed ones they handled. The open queue is for those who call (`callback_queue`).
CALLBACK_HISTORY_READERS = CALLBACK_SUPERVISORS | {R.ANALYST}
# Who reads the open callback queue (names and numbers of people waiting for a call): those who
# call, and those who read the history. QA, the trainer, the planner and finance do not.
CALLBACK_QUEUE_READERS = CALLERS | CALLBACK_HISTORY_READERS
# May anonymous visitors read the API schema and docs? No: SPECTACULAR_SETTINGS' SERVE_PERMISSIONS
# asks for a signed-in user (settings/base.py).


def user_has_role(user: User | AnonymousUser, roles: frozenset[str] | str) -> bool:
    """True when the user holds one of the roles; superusers hold them all."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    wanted = {roles} if isinstance(roles, str) else roles
    return not wanted.isdisjoint(user.role_codes)
