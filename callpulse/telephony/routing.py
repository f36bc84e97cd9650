"""Where a call goes, and why, by the rules of PRODUCT.md ("Inbound calls and routing").

- Orders and reference questions stay with the operators' queue (the operator takes orders from
  key and new clients personally).
- Any other purpose: a key client goes to the assigned manager; if absent, to another reachable
  key-account manager (the colleague covering first); if none, to the head of the key-accounts
  (wholesale) department.
- A non-key client goes to the assigned manager; if absent, to the head of that manager's
  department.
- A new caller (unknown number, or no manager) goes to a department head, flagged "new client —
  assign a manager".
Absent = an absence now, or agent state offline or on break. Each step leaves a reason, kept as a
code with parameters so it can be told in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from callpulse.core.models import Absence, AbsenceKind, Department, User
from callpulse.core.roles import RoleCode
from callpulse.core.selectors import user_absence_at
from callpulse.crm.models import Client
from callpulse.crm.selectors import client_find_by_phone
from callpulse.telephony.models import AgentState, AgentStatus, Purpose
from callpulse.telephony.selectors import staff_reachable

QUEUE = "queue"
USER = "user"


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass
class RoutingDecision:
    """The target (a person or the operators' queue) and the chain of reasons that led there."""

    target_kind: str
    target: User | None
    queue: str
    client: Client | None
    reasons: list[Reason]
    new_client: bool = False

    def as_dict(self) -> dict[str, Any]:
        """What is stored on the call and answered to the phone system."""
        return {
            "target": {
                "kind": self.target_kind,
                "user": self.target.pk if self.target else None,
                "name": str(self.target) if self.target else None,
                "extension": self.target.extension if self.target else None,
                "queue": self.queue if self.target_kind == QUEUE else None,
            },
            "client": self.client.pk if self.client else None,
            "new_client": self.new_client,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def reason_text(code: str, params: dict[str, str]) -> str:
    """One reason in words, in the active language."""
    texts = {
        "known_client": _("%(client)s, %(type)s"),
        "unknown_number": _("Unknown number"),
        "no_manager": _("%(client)s has no manager"),
        "purpose_stays": _("%(purpose)s: stays with the operators' queue"),
        "purpose_unknown": _("Purpose not given: the operator asks and transfers if needed"),
        "operator_personally": _("the operator takes the order personally"),
        "manager_in": _("%(name)s, account manager"),
        "absent": _("%(name)s: %(kind)s until %(until)s"),
        "on_break": _("%(name)s: on a break"),
        "offline": _("%(name)s: offline"),
        "key_account_manager": _("%(name)s, key accounts"),
        "no_key_account_manager": _("no key-account manager available"),
        "department_head": _("%(name)s, head of %(department)s"),
        "nobody": _("nobody available: operators' queue"),
        "assign_manager": _("new client — assign a manager"),
    }
    template = texts.get(code, code)
    try:
        return template % {key: _param_text(key, value) for key, value in params.items()}
    except (KeyError, ValueError):
        return template


def _param_text(key: str, value: str) -> str:
    """Codes and stored English names become words of the active language at reading time."""
    if key == "kind" and value in AbsenceKind.values:
        return str(AbsenceKind(value).label)
    if key == "purpose" and value in Purpose.values:
        return str(Purpose(value).label)
    if key == "until":
        try:
            return formats.date_format(date.fromisoformat(value), "j M")
        except ValueError:
            return value
    if key in {"type", "department"}:
        return _(value)
    return value


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    """The chain as the operator reads it.

    'Ivanova: vacation until 28 Nov → Petrov, key accounts'.
    """
    return " → ".join(reason_text(r["code"], r.get("params", {})) for r in reasons)


def _why_away(user: User, at: datetime) -> tuple[Reason, Absence | None] | None:
    """None when the user can take a call at `at`, else the reason (and the absence, if any)."""
    absence = user_absence_at(user=user, at=at)
    if absence is not None:
        until = timezone.localtime(absence.ends_at).date().isoformat()
        reason = Reason("absent", {"name": str(user), "kind": absence.kind, "until": until})
        return reason, absence
    status = AgentStatus.objects.filter(user=user).values_list("state", flat=True).first()
    if status == AgentState.BREAK:
        return Reason("on_break", {"name": str(user)}), None
    if status == AgentState.OFFLINE:
        return Reason("offline", {"name": str(user)}), None
    if not user.is_active:
        return Reason("offline", {"name": str(user)}), None
    return None


def _department_head(
    department: Department | None, at: datetime, reasons: list[Reason]
) -> User | None:
    """The department's head, when reachable; otherwise the reason joins the chain."""
    if department is None or department.head is None:
        return None
    away = _why_away(department.head, at)
    if away is not None:
        reasons.append(away[0])
        return None
    reasons.append(
        Reason("department_head", {"name": str(department.head), "department": department.name})
    )
    return department.head


def _queue(
    client: Client | None, reasons: list[Reason], *, new_client: bool = False
) -> RoutingDecision:
    return RoutingDecision(
        target_kind=QUEUE,
        target=None,
        queue=settings.CALLPULSE_OPERATORS_QUEUE,
        client=client,
        reasons=reasons,
        new_client=new_client,
    )


def _to(
    user: User, client: Client | None, reasons: list[Reason], *, new_client: bool = False
) -> RoutingDecision:
    return RoutingDecision(
        target_kind=USER,
        target=user,
        queue=settings.CALLPULSE_OPERATORS_QUEUE,
        client=client,
        reasons=reasons,
        new_client=new_client,
    )


def identify_caller(phone: str | None) -> Client | None:
    """The client a number belongs to; None for unknown, withheld or internal numbers."""
    if not phone:
        return None
    try:
        return client_find_by_phone(phone)
    except ValidationError:
        return None  # a withheld or internal number: an unknown caller


def call_route(
    *,
    phone: str | None,
    purpose: str | None,
    at: datetime | None = None,
    client: Client | None = None,
) -> RoutingDecision:
    """Decide where a call from `phone` about `purpose` goes at moment `at` (default now)."""
    moment = at or timezone.now()
    if purpose and purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Choose one of: order, info, other.")})
    client = client or identify_caller(phone)
    reasons: list[Reason] = []
    new_client = client is None or client.manager is None
    if client is None:
        reasons.append(Reason("unknown_number"))
    else:
        reasons.append(
            Reason("known_client", {"client": client.name, "type": client.client_type.name})
        )
        if client.manager is None:
            reasons.append(Reason("no_manager", {"client": client.name}))

    if purpose in (Purpose.ORDER, Purpose.INFO):
        reasons.append(Reason("purpose_stays", {"purpose": purpose}))
        if purpose == Purpose.ORDER and (new_client or (client and client.client_type.is_key)):
            reasons.append(Reason("operator_personally"))
        if new_client:
            reasons.append(Reason("assign_manager"))
        return _queue(client, reasons, new_client=new_client)
    if not purpose:
        reasons.append(Reason("purpose_unknown"))
        if new_client:
            reasons.append(Reason("assign_manager"))
        return _queue(client, reasons, new_client=new_client)

    if new_client:
        department = _new_client_department(client)
        head = _department_head(department, moment, reasons)
        if head is None:
            head = _any_department_head(moment, reasons, exclude=department)
        reasons.append(Reason("assign_manager"))
        if head is None:
            reasons.insert(-1, Reason("nobody"))
            return _queue(client, reasons, new_client=True)
        return _to(head, client, reasons, new_client=True)

    assert client is not None and client.manager is not None
    manager = client.manager
    away = _why_away(manager, moment)
    if away is None:
        reasons.append(Reason("manager_in", {"name": str(manager)}))
        return _to(manager, client, reasons)
    reasons.append(away[0])

    if client.client_type.is_key:
        cover = _key_account_cover(manager, away[1], moment)
        if cover is not None:
            reasons.append(Reason("key_account_manager", {"name": str(cover)}))
            return _to(cover, client, reasons)
        reasons.append(Reason("no_key_account_manager"))
        department = (
            Department.objects.filter(code=settings.CALLPULSE_KEY_ACCOUNTS_DEPARTMENT)
            .select_related("head")
            .first()
        )
    else:
        department = manager.department
    head = _department_head(department, moment, reasons)
    if head is None:
        reasons.append(Reason("nobody"))
        return _queue(client, reasons)
    return _to(head, client, reasons)


def _key_account_cover(manager: User, absence: Absence | None, at: datetime) -> User | None:
    """Another reachable key-account manager: the named cover first, then the same department."""
    reachable = staff_reachable(at=at).filter(is_key_account_manager=True).exclude(pk=manager.pk)
    if absence is not None and absence.covered_by_id is not None:
        covering = reachable.filter(pk=absence.covered_by_id).first()
        if covering is not None:
            return covering
    same_department = reachable.filter(department=manager.department_id).first()
    return same_department or reachable.first()


def _new_client_department(client: Client | None) -> Department | None:
    if client is not None and client.client_type.department_id is not None:
        return Department.objects.select_related("head").get(pk=client.client_type.department_id)
    return (
        Department.objects.select_related("head")
        .filter(code=settings.CALLPULSE_NEW_CLIENTS_DEPARTMENT)
        .first()
    )


def _any_department_head(
    at: datetime, reasons: list[Reason], *, exclude: Department | None
) -> User | None:
    heads = staff_reachable(at=at, role=RoleCode.DEPARTMENT_HEAD).filter(
        headed_departments__isnull=False
    )
    if exclude is not None:
        heads = heads.exclude(headed_departments=exclude)
    head = heads.first()
    if head is not None:
        department = head.headed_departments.first()
        reasons.append(
            Reason(
                "department_head",
                {"name": str(head), "department": department.name if department else ""},
            )
        )
    return head
