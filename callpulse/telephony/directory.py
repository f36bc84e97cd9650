"""What routing needs to know about the organisation, read once and shared by many decisions.

A routing decision asks the same questions every time: who manages this client, is that person in,
who covers, who heads the department. The answers change a few times a day (staff, departments,
client types, absences) or a few times a minute (agent states), while a busy center asks them many
times a second. So each app process keeps one snapshot of them, taken in five queries, for at most
``CALLPULSE_ROUTING_SNAPSHOT_SECONDS`` (1 s by default; 0 in tests, where every decision reads
afresh). Changes to staff, roles, departments, client types and absences made in this process drop
the snapshot at once; other processes see them within that time, as they see agent states.

The rules themselves stay in :mod:`callpulse.telephony.routing`; this module only answers facts.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from callpulse.core.models import Absence, Department, User
from callpulse.core.roles import RoleCode
from callpulse.crm.models import ClientType
from callpulse.telephony.models import AgentState, AgentStatus

AWAY_STATES = frozenset({AgentState.OFFLINE.value, AgentState.BREAK.value})


@dataclass(frozen=True, slots=True)
class StaffEntry:
    id: int
    name: str
    extension: str | None
    department_id: int | None
    is_key_account_manager: bool
    is_active: bool
    is_department_head: bool  # holds the department-head role

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class DepartmentEntry:
    id: int
    code: str
    name: str
    head_id: int | None


@dataclass(frozen=True, slots=True)
class ClientTypeEntry:
    id: int
    name: str
    is_key: bool
    department_id: int | None


@dataclass(frozen=True, slots=True)
class AbsenceEntry:
    kind: str
    ends_at: datetime
    covered_by_id: int | None


@dataclass(frozen=True)
class RoutingDirectory:
    """The organisation at one moment: staff in name order, departments, types, who is away."""

    moment: datetime
    staff: dict[int, StaffEntry]
    staff_in_order: tuple[StaffEntry, ...]  # as people read lists: by name
    departments: dict[int, DepartmentEntry]
    departments_by_code: dict[str, DepartmentEntry]
    headed_by: dict[int, tuple[DepartmentEntry, ...]]  # user id -> departments, by name
    client_types: dict[int, ClientTypeEntry]
    absences: dict[int, AbsenceEntry]  # user id -> the absence in force
    states: dict[int, str]  # user id -> agent state (absent: never used the desk)

    def absence_of(self, user_id: int) -> AbsenceEntry | None:
        return self.absences.get(user_id)

    def reachable(self, user_id: int) -> bool:
        """In, active, not offline and not on a break (as `staff_reachable` answers)."""
        entry = self.staff.get(user_id)
        return (
            entry is not None
            and entry.is_active
            and user_id not in self.absences
            and self.states.get(user_id) not in AWAY_STATES
        )

    def department_by_code(self, code: str) -> DepartmentEntry | None:
        return self.departments_by_code.get(code)


def _build(moment: datetime) -> RoutingDirectory:
    head_role_holders = set(
        User.roles.through.objects.filter(role__code=RoleCode.DEPARTMENT_HEAD).values_list(
            "user_id", flat=True
        )
    )
    staff_in_order = tuple(
        StaffEntry(
            id=pk,
            name=full_name or username,
            extension=extension,
            department_id=department_id,
            is_key_account_manager=is_kam,
            is_active=is_active,
            is_department_head=pk in head_role_holders,
        )
        for pk, full_name, username, extension, department_id, is_kam, is_active in (
            User.objects.order_by("full_name", "username").values_list(
                "pk",
                "full_name",
                "username",
                "extension",
                "department_id",
                "is_key_account_manager",
                "is_active",
            )
        )
    )
    departments = {
        pk: DepartmentEntry(id=pk, code=code, name=name, head_id=head_id)
        for pk, code, name, head_id in Department.objects.order_by("name").values_list(
            "pk", "code", "name", "head_id"
        )
    }
    headed_by: dict[int, list[DepartmentEntry]] = {}
    for department in departments.values():  # already by name
        if department.head_id is not None:
            headed_by.setdefault(department.head_id, []).append(department)
    client_types = {
        pk: ClientTypeEntry(id=pk, name=name, is_key=is_key, department_id=department_id)
        for pk, name, is_key, department_id in ClientType.objects.values_list(
            "pk", "name", "is_key", "department_id"
        )
    }
    absences: dict[int, AbsenceEntry] = {}
    rows = (
        Absence.objects.filter(starts_at__lte=moment, ends_at__gt=moment)
        .order_by("-starts_at")
        .values_list("user_id", "kind", "ends_at", "covered_by_id")
    )
    for user_id, kind, ends_at, covered_by_id in rows:
        absences.setdefault(user_id, AbsenceEntry(kind, ends_at, covered_by_id))
    states = dict(AgentStatus.objects.values_list("user_id", "state"))
    return RoutingDirectory(
        moment=moment,
        staff={entry.id: entry for entry in staff_in_order},
        staff_in_order=staff_in_order,
        departments=departments,
        departments_by_code={d.code: d for d in departments.values()},
        headed_by={user_id: tuple(ds) for user_id, ds in headed_by.items()},
        client_types=client_types,
        absences=absences,
        states=states,
    )


LIVE_WINDOW = timedelta(minutes=1)
_lock = threading.Lock()
_cached: tuple[float, RoutingDirectory] | None = None


def routing_directory(at: datetime | None = None) -> RoutingDirectory:
    """The organisation as routing sees it at `at` (default now), from the snapshot when fresh."""
    global _cached
    ttl = float(getattr(settings, "CALLPULSE_ROUTING_SNAPSHOT_SECONDS", 1.0))
    now = timezone.now()
    moment = at or now
    # A ring reported by the phone system carries its clock, seconds off ours and a little
    # late: within a minute of now the call meets the organisation as it is now.
    near_now = abs(moment - now) <= max(timedelta(seconds=ttl), LIVE_WINDOW)
    if ttl <= 0 or not near_now:
        return _build(moment)
    clock = time.monotonic()
    cached = _cached
    if cached is not None and cached[0] > clock:
        return cached[1]
    directory = _build(now)
    with _lock:
        _cached = (clock + ttl, directory)
    return directory


def forget_routing_directory(**_kwargs: Any) -> None:
    """Drop this process's snapshot (a change to staff, departments, types or absences)."""
    global _cached
    with _lock:
        _cached = None


for _model in (User, Department, ClientType, Absence):
    post_save.connect(forget_routing_directory, sender=_model, dispatch_uid=f"routing-{_model}")
    post_delete.connect(forget_routing_directory, sender=_model, dispatch_uid=f"routing-d{_model}")
m2m_changed.connect(
    forget_routing_directory, sender=User.roles.through, dispatch_uid="routing-roles"
)
