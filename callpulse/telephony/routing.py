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

The facts (staff, departments, absences, agent states) come from the process's routing directory
(:mod:`callpulse.telephony.directory`), so a decision costs one indexed query: the caller's number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from callpulse.core.db import fetchone_prepared
from callpulse.core.models import AbsenceKind, User
from callpulse.core.phones import normalize_phone
from callpulse.crm.models import Client, Phone
from callpulse.telephony.directory import (
    AWAY_STATES,
    DepartmentEntry,
    RoutingDirectory,
    StaffEntry,
    routing_directory,
)
from callpulse.telephony.models import AgentState, Purpose

QUEUE = "queue"
USER = "user"


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True, slots=True)
class CallerRef:
    """The few facts about a client that routing reads."""

    id: int
    name: str
    client_type_id: int
    manager_id: int | None

    @classmethod
    def of(cls, client: Client) -> CallerRef:
        return cls(client.pk, client.name, client.client_type_id, client.manager_id)


@dataclass
class RoutingDecision:
    """The target (a person or the operators' queue) and the chain of reasons that led there."""

    target_kind: str
    target_entry: StaffEntry | None
    queue: str
    caller: CallerRef | None
    reasons: list[Reason]
    new_client: bool = False

    @property
    def target(self) -> User | None:
        """The target as a user (one query; the decision itself carries only its id and name)."""
        if self.target_entry is None:
            return None
        return User.objects.get(pk=self.target_entry.id)

    @property
    def client_id(self) -> int | None:
        return self.caller.id if self.caller else None

    def as_dict(self) -> dict[str, Any]:
        """What is stored on the call and answered to the phone system."""
        entry = self.target_entry
        return {
            "target": {
                "kind": self.target_kind,
                "user": entry.id if entry else None,
                "name": entry.name if entry else None,
                "extension": entry.extension if entry else None,
                "queue": self.queue if self.target_kind == QUEUE else None,
            },
            "client": self.caller.id if self.caller else None,
            "new_client": self.new_client,
            "reasons": [r.as_dict() for r in self.reasons],
        }


def _reason_templates() -> dict[str, str]:
    return {
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


# Catalogues do not change while the process runs: translate the templates once per language.
_templates_by_language: dict[str | None, dict[str, str]] = {}


def reason_text(code: str, params: dict[str, str]) -> str:
    """One reason in words, in the active language."""
    language = get_language()
    texts = _templates_by_language.get(language)
    if texts is None:
        texts = _templates_by_language.setdefault(language, _reason_templates())
    template = texts.get(code, code)
    try:
        return template % {
            key: _param_text_cached(language, key, value) if key in _TRANSLATED else value
            for key, value in params.items()
        }
    except (KeyError, ValueError):
        return template


# Parameters that are codes, dates or stored English names: their words depend only on the
# language, and a decision's summary would otherwise translate and format them every time.
_TRANSLATED = frozenset({"kind", "purpose", "until", "type", "department"})
_param_texts: dict[tuple[str | None, str, str], str] = {}


def _param_text_cached(language: str | None, key: str, value: str) -> str:
    cache_key = (language, key, value)
    text = _param_texts.get(cache_key)
    if text is None:
        if len(_param_texts) > 10_000:
            _param_texts.clear()  # dates of absences come and go: keep the memory bounded
        text = _param_texts[cache_key] = _param_text(key, value)
    return text


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


def _why_away(directory: RoutingDirectory, user_id: int) -> tuple[Reason, int | None] | None:
    """None when the user can take a call, else the reason (and who covers, if the absence says)."""
    entry = directory.staff[user_id]
    absence = directory.absence_of(user_id)
    if absence is not None:
        until = timezone.localtime(absence.ends_at).date().isoformat()
        reason = Reason("absent", {"name": entry.name, "kind": absence.kind, "until": until})
        return reason, absence.covered_by_id
    state = directory.states.get(user_id)
    if state == AgentState.BREAK:
        return Reason("on_break", {"name": entry.name}), None
    if state in AWAY_STATES or not entry.is_active:
        return Reason("offline", {"name": entry.name}), None
    return None


def _department_head(
    directory: RoutingDirectory, department: DepartmentEntry | None, reasons: list[Reason]
) -> StaffEntry | None:
    """The department's head, when reachable; otherwise the reason joins the chain."""
    if department is None or department.head_id is None:
        return None
    away = _why_away(directory, department.head_id)
    if away is not None:
        reasons.append(away[0])
        return None
    head = directory.staff[department.head_id]
    reasons.append(Reason("department_head", {"name": head.name, "department": department.name}))
    return head


def _queue(
    caller: CallerRef | None, reasons: list[Reason], *, new_client: bool = False
) -> RoutingDecision:
    return RoutingDecision(
        target_kind=QUEUE,
        target_entry=None,
        queue=settings.CALLPULSE_OPERATORS_QUEUE,
        caller=caller,
        reasons=reasons,
        new_client=new_client,
    )


def _to(
    person: StaffEntry,
    caller: CallerRef | None,
    reasons: list[Reason],
    *,
    new_client: bool = False,
) -> RoutingDecision:
    return RoutingDecision(
        target_kind=USER,
        target_entry=person,
        queue=settings.CALLPULSE_OPERATORS_QUEUE,
        caller=caller,
        reasons=reasons,
        new_client=new_client,
    )


@cache
def _caller_sql() -> str:
    """The caller lookup as plain SQL: the ORM would spend longer building it than the database
    spends running it (a unique index probe and a primary-key join)."""
    phone, client = Phone._meta, Client._meta
    column = {f.name: f.column for f in client.concrete_fields}
    return (
        f'SELECT p."{phone.get_field("client").column}", c."{column["name"]}", '
        f'c."{column["client_type"]}", c."{column["manager"]}" '
        f'FROM "{phone.db_table}" p JOIN "{client.db_table}" c '
        f'ON c."{client.pk.column}" = p."{phone.get_field("client").column}" '
        f'WHERE p."{phone.get_field("number").column}" = %s'
    )


def _caller_by_phone(phone: str | None) -> CallerRef | None:
    """Just what routing reads about the caller: one query on the unique number index."""
    if not phone:
        return None
    try:
        number = normalize_phone(phone)
    except ValidationError:
        return None
    row = fetchone_prepared(_caller_sql(), [number])
    return CallerRef(*row) if row else None


def call_route(
    *,
    phone: str | None,
    purpose: str | None,
    at: datetime | None = None,
    client: Client | None = None,
) -> RoutingDecision:
    """Decide where a call from `phone` about `purpose` goes at moment `at` (default now)."""
    if purpose and purpose not in Purpose.values:
        raise ValidationError({"purpose": _("Choose one of: order, info, other.")})
    caller = CallerRef.of(client) if client is not None else _caller_by_phone(phone)
    directory = routing_directory(at)
    reasons: list[Reason] = []
    manager_id = caller.manager_id if caller else None
    new_client = caller is None or manager_id is None
    client_type = directory.client_types.get(caller.client_type_id) if caller else None
    is_key = client_type is not None and client_type.is_key
    if caller is None:
        reasons.append(Reason("unknown_number"))
    else:
        type_name = client_type.name if client_type else ""
        reasons.append(Reason("known_client", {"client": caller.name, "type": type_name}))
        if manager_id is None:
            reasons.append(Reason("no_manager", {"client": caller.name}))

    if purpose in (Purpose.ORDER, Purpose.INFO):
        reasons.append(Reason("purpose_stays", {"purpose": purpose}))
        if purpose == Purpose.ORDER and (new_client or is_key):
            reasons.append(Reason("operator_personally"))
        if new_client:
            reasons.append(Reason("assign_manager"))
        return _queue(caller, reasons, new_client=new_client)
    if not purpose:
        reasons.append(Reason("purpose_unknown"))
        if new_client:
            reasons.append(Reason("assign_manager"))
        return _queue(caller, reasons, new_client=new_client)

    if new_client or manager_id is None or manager_id not in directory.staff:
        department = _new_client_department(directory, client_type)
        head = _department_head(directory, department, reasons)
        if head is None:
            head = _any_department_head(directory, reasons, exclude=department)
        reasons.append(Reason("assign_manager"))
        if head is None:
            reasons.insert(-1, Reason("nobody"))
            return _queue(caller, reasons, new_client=True)
        return _to(head, caller, reasons, new_client=True)

    manager = directory.staff[manager_id]
    away = _why_away(directory, manager_id)
    if away is None:
        reasons.append(Reason("manager_in", {"name": manager.name}))
        return _to(manager, caller, reasons)
    reasons.append(away[0])

    if is_key:
        cover = _key_account_cover(directory, manager, covered_by_id=away[1])
        if cover is not None:
            reasons.append(Reason("key_account_manager", {"name": cover.name}))
            return _to(cover, caller, reasons)
        reasons.append(Reason("no_key_account_manager"))
        department = directory.department_by_code(settings.CALLPULSE_KEY_ACCOUNTS_DEPARTMENT)
    else:
        department = (
            directory.departments.get(manager.department_id) if manager.department_id else None
        )
    head = _department_head(directory, department, reasons)
    if head is None:
        reasons.append(Reason("nobody"))
        return _queue(caller, reasons)
    return _to(head, caller, reasons)


def _key_account_cover(
    directory: RoutingDirectory, manager: StaffEntry, *, covered_by_id: int | None
) -> StaffEntry | None:
    """Another reachable key-account manager: the named cover first, then the same department."""
    reachable = [
        entry
        for entry in directory.staff_in_order
        if entry.is_key_account_manager and entry.id != manager.id and directory.reachable(entry.id)
    ]
    if covered_by_id is not None:
        for entry in reachable:
            if entry.id == covered_by_id:
                return entry
    for entry in reachable:
        if entry.department_id == manager.department_id:
            return entry
    return reachable[0] if reachable else None


def _new_client_department(directory: RoutingDirectory, client_type: Any) -> DepartmentEntry | None:
    if client_type is not None and client_type.department_id is not None:
        return directory.departments.get(client_type.department_id)
    return directory.department_by_code(settings.CALLPULSE_NEW_CLIENTS_DEPARTMENT)


def _any_department_head(
    directory: RoutingDirectory, reasons: list[Reason], *, exclude: DepartmentEntry | None
) -> StaffEntry | None:
    """Any reachable department head (by name), other than the head of `exclude`."""
    for entry in directory.staff_in_order:
        headed = directory.headed_by.get(entry.id, ())
        if not entry.is_department_head or not headed or not directory.reachable(entry.id):
            continue
        if exclude is not None and any(d.id == exclude.id for d in headed):
            continue
        reasons.append(
            Reason("department_head", {"name": entry.name, "department": headed[0].name})
        )
        return entry
    return None
