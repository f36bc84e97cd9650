"""Writes for sales plans: create and decompose plans, correct targets, schemes, incidents.

Decomposition: the department's plan goes to its teams (split further to their operators), its
account managers and any operators outside a team, by weights: equal, share of past sales (the
previous period of the same length, same basis), capacity (each person's working days in the
period: the calendar less their absences; shift schedules are not published by the workforce
app yet), or by hand. Each level sums exactly to its parent: `decomposition.split_exact`
(largest remainder to the kopeck, ties by name). A plan on collected money goes to account
managers only: payments are credited to the client's manager, never to an operator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from callpulse.catalog.models import Category
from callpulse.core.models import Department, Team, User
from callpulse.core.roles import RoleCode, user_has_role
from callpulse.core.services import audit_record
from callpulse.orders.models import Order
from callpulse.sales.decomposition import Part, split_exact
from callpulse.sales.facts import collect_facts
from callpulse.sales.models import (
    Incident,
    IncidentKind,
    MotivationScheme,
    NodeKind,
    PeriodKind,
    PlanAssortment,
    PlanBasis,
    PlanNode,
    Rhythm,
    SalesPlan,
    SplitMethod,
    TargetCorrection,
)
from callpulse.sales.permissions import PLAN_EDITORS
from callpulse.sales.selectors import period_bounds, previous_period
from callpulse.sales.workdays import load_calendar

ZERO = Decimal("0.00")
MILLI = Decimal("0.001")


def _ensure_editor(actor: User) -> None:
    if not user_has_role(actor, PLAN_EDITORS):
        raise PermissionDenied(_("Only the head of sales or the director edit sales plans."))


# --- who the plan goes to -----------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """A person or a team the plan is split to (teams carry their operators)."""

    key: str  # "team:3", "user:17"
    kind: str
    name: str
    user: User | None = None
    team: Team | None = None
    operators: tuple[Member, ...] = ()


def plan_members(department: Department, *, basis: str) -> list[Member]:
    """The department's teams (with their operators), account managers and team-less operators."""
    people = (
        User.objects.filter(department=department, is_active=True)
        .prefetch_related("roles")
        .order_by("full_name", "username")
    )
    members: list[Member] = []
    if basis == PlanBasis.ORDERS:
        teams = Team.objects.filter(department=department).order_by("name")
        for team in teams:
            operators = (
                User.objects.filter(team=team, is_active=True, roles__code=RoleCode.OPERATOR)
                .distinct()
                .order_by("full_name", "username")
            )
            children = tuple(
                Member(f"user:{u.pk}", NodeKind.OPERATOR, str(u), user=u) for u in operators
            )
            if children:
                members.append(
                    Member(
                        f"team:{team.pk}", NodeKind.TEAM, team.name, team=team, operators=children
                    )
                )
    in_teams = {op.user.pk for m in members for op in m.operators if op.user}
    for user in people:
        if user.pk in in_teams:
            continue
        if RoleCode.ACCOUNT_MANAGER in user.role_codes:
            members.append(Member(f"user:{user.pk}", NodeKind.MANAGER, str(user), user=user))
        elif (
            basis == PlanBasis.ORDERS
            and RoleCode.OPERATOR in user.role_codes
            and user.team_id is None  # an operator in a team sells in their team's plan
        ):
            members.append(Member(f"user:{user.pk}", NodeKind.OPERATOR, str(user), user=user))
    return members


def _leaves(members: Sequence[Member]) -> list[Member]:
    out: list[Member] = []
    for m in members:
        out.extend(m.operators if m.kind == NodeKind.TEAM else (m,))
    return out


def _weights(
    *,
    method: str,
    members: Sequence[Member],
    start: date,
    end: date,
    period_kind: str,
    basis: str,
    manual: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    """A weight for every member and every operator of a team (teams: their operators' sum)."""
    leaves = _leaves(members)
    leaf: dict[str, Decimal] = {}
    if method == SplitMethod.EQUAL:
        leaf = {m.key: Decimal(1) for m in leaves}
    elif method == SplitMethod.CAPACITY:
        calendar = load_calendar(start, end, [m.user.pk for m in leaves if m.user])
        leaf = {
            m.key: Decimal(len(calendar.working_days(m.user.pk, start, end)))
            for m in leaves
            if m.user
        }
    elif method == SplitMethod.PAST_SALES:
        past_start, past_end = previous_period(period_kind, start)
        facts = collect_facts(
            basis=basis,
            start=past_start,
            end=past_end,
            operator_ids=[m.user.pk for m in leaves if m.user and m.kind == NodeKind.OPERATOR],
            manager_ids=[m.user.pk for m in leaves if m.user and m.kind == NodeKind.MANAGER],
        )
        leaf = {
            m.key: sum(facts.person(m.kind, m.user.pk).values(), ZERO) for m in leaves if m.user
        }
    else:
        wanted = [m.key for m in members] + [
            op.key for m in members if m.kind == NodeKind.TEAM for op in m.operators
        ]
        missing = [k for k in wanted if k not in manual]
        if missing:
            names = {m.key: m.name for m in [*members, *leaves]}
            raise ValidationError(
                {
                    "weights": _("Give a weight for: %(names)s.")
                    % {"names": ", ".join(names[k] for k in missing)}
                }
            )
        if any(manual[k] < 0 for k in wanted):
            raise ValidationError({"weights": _("Weights cannot be negative.")})
        return {k: manual[k] for k in wanted}
    weights = dict(leaf)
    for m in members:
        if m.kind == NodeKind.TEAM:
            weights[m.key] = sum((leaf[op.key] for op in m.operators), ZERO)
    return weights


def _parse_weights(raw: Mapping[str, Any] | None) -> dict[str, Decimal]:
    weights: dict[str, Decimal] = {}
    for key, value in (raw or {}).items():
        try:
            weights[str(key)] = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValidationError(
                {"weights": _("“%(value)s” is not a number.") % {"value": value}}
            ) from exc
    return weights


def _build_nodes(
    plan: SalesPlan,
    members: Sequence[Member],
    weights: Mapping[str, Decimal],
    goals: Sequence[PlanAssortment],
) -> None:
    """Create the nodes: each level split exactly from its parent, money, volume, assortment."""

    def parts(group: Sequence[Member]) -> list[Part]:
        return [Part(m.key, m.name, weights[m.key]) for m in group]

    def split_all(
        group: Sequence[Member],
        amount: Decimal,
        volume: Decimal | None,
        goal_amounts: Mapping[str, Decimal],
    ) -> dict[str, tuple[Decimal, Decimal | None, dict[str, Decimal]]]:
        money = split_exact(amount, parts(group))
        units = split_exact(volume, parts(group), unit=MILLI) if volume is not None else {}
        per_goal = {g: split_exact(a, parts(group)) for g, a in goal_amounts.items()}
        return {
            m.key: (
                money[m.key],
                units.get(m.key) if volume is not None else None,
                {g: per_goal[g][m.key] for g in per_goal},
            )
            for m in group
        }

    top = split_all(members, plan.amount, plan.volume, {str(g.pk): g.amount for g in goals})
    for member in members:
        amount, volume, goal_amounts = top[member.key]
        node = PlanNode.objects.create(
            plan=plan,
            kind=member.kind,
            team=member.team,
            user=member.user,
            name=member.name,
            weight=weights[member.key],
            amount=amount,
            volume=volume,
            assortment={g: str(a) for g, a in goal_amounts.items()},
        )
        if member.kind != NodeKind.TEAM:
            continue
        inner = split_all(member.operators, amount, volume, goal_amounts)
        PlanNode.objects.bulk_create(
            [
                PlanNode(
                    plan=plan,
                    parent=node,
                    kind=op.kind,
                    user=op.user,
                    name=op.name,
                    weight=weights[op.key],
                    amount=inner[op.key][0],
                    volume=inner[op.key][1],
                    assortment={g: str(a) for g, a in inner[op.key][2].items()},
                )
                for op in member.operators
            ]
        )


def _validate_goals(raw: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    goals: list[dict[str, Any]] = []
    for item in raw:
        category = item.get("category")
        if isinstance(category, int):
            category = Category.objects.filter(pk=category).first()
        new_products = bool(item.get("new_products"))
        amount = Decimal(str(item.get("amount", "0")))
        if category is None and not new_products:
            raise ValidationError(
                {"assortment": _("An assortment goal needs a SKU group or “new products”.")}
            )
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError({"assortment": _("An assortment goal needs a positive amount.")})
        name = str(item.get("name") or (category.name if category else _("New products")))
        goals.append(
            {
                "name": name[:120],
                "category": category,
                "new_products": new_products,
                "amount": amount,
            }
        )
    return goals


@transaction.atomic
def plan_create(
    *,
    actor: User,
    department: Department,
    period_kind: str,
    day: date,
    amount: Decimal,
    basis: str = PlanBasis.ORDERS,
    method: str = SplitMethod.EQUAL,
    rhythm: str = Rhythm.DAILY,
    volume: Decimal | None = None,
    weights: Mapping[str, Any] | None = None,
    assortment: Sequence[Mapping[str, Any]] = (),
    note: str = "",
    currency: str = "KZT",
) -> SalesPlan:
    """Create the department's plan for the month/quarter containing `day`, decomposed."""
    _ensure_editor(actor)
    errors: dict[str, str] = {}
    if period_kind not in PeriodKind.values:
        errors["period_kind"] = _("Choose a month or a quarter.")
    if basis not in PlanBasis.values:
        errors["basis"] = _("Choose accepted orders or payments.")
    if method not in SplitMethod.values:
        errors["method"] = _("Choose how to split the plan.")
    if rhythm not in Rhythm.values:
        errors["rhythm"] = _("Choose a daily or weekly rhythm.")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("The plan is a positive amount, to the kopeck.")
    if volume is not None and (volume <= 0 or volume != volume.quantize(MILLI)):
        errors["volume"] = _("The volume is a positive number of units.")
    if not 2000 <= day.year <= 2100:
        errors["day"] = _("The period must lie between 2000 and 2100.")
    if errors:
        raise ValidationError(errors)
    start, end = period_bounds(period_kind, day)
    if SalesPlan.objects.filter(department=department, starts_on=start, ends_on=end).exists():
        raise ValidationError(
            {
                "day": _("%(department)s already has a plan for this period.")
                % {"department": department}
            }
        )
    members = plan_members(department, basis=basis)
    if not members:
        raise ValidationError(
            {
                "department": _("No one in %(department)s can be given this plan.")
                % {"department": department}
            }
        )
    goals_data = _validate_goals(assortment)
    weights_in = _weights(
        method=method,
        members=members,
        start=start,
        end=end,
        period_kind=period_kind,
        basis=basis,
        manual=_parse_weights(weights),
    )
    plan = SalesPlan.objects.create(
        department=department,
        period_kind=period_kind,
        starts_on=start,
        ends_on=end,
        basis=basis,
        method=method,
        rhythm=rhythm,
        amount=amount,
        volume=volume,
        note=note[:255],
        currency=currency,
        created_by=actor,
    )
    goals = [PlanAssortment.objects.create(plan=plan, **g) for g in goals_data]
    _build_nodes(plan, members, weights_in, goals)
    audit_record(
        actor=actor,
        action="sales.plan_create",
        target=plan,
        changes={"amount": str(amount), "method": method, "basis": basis},
    )
    return plan


@transaction.atomic
def plan_redecompose(
    *,
    actor: User,
    plan: SalesPlan,
    method: str,
    amount: Decimal | None = None,
    weights: Mapping[str, Any] | None = None,
) -> SalesPlan:
    """Split the plan again (a new method, new weights, a corrected amount, new staff).

    Target corrections of people who keep a share are kept.
    """
    _ensure_editor(actor)
    plan = SalesPlan.objects.select_for_update().get(pk=plan.pk)
    if method not in SplitMethod.values:
        raise ValidationError({"method": _("Choose how to split the plan.")})
    if amount is not None and (amount <= 0 or amount != amount.quantize(Decimal("0.01"))):
        raise ValidationError({"amount": _("The plan is a positive amount, to the kopeck.")})
    members = plan_members(plan.department, basis=plan.basis)
    if not members:
        raise ValidationError({"department": _("No one in the department can be given this plan.")})
    weights_in = _weights(
        method=method,
        members=members,
        start=plan.starts_on,
        end=plan.ends_on,
        period_kind=plan.period_kind,
        basis=plan.basis,
        manual=_parse_weights(weights),
    )
    kept = list(
        TargetCorrection.objects.filter(node__plan=plan).values(
            "node__user_id", "day", "amount", "reason", "created_by_id"
        )
    )
    before = {"amount": str(plan.amount), "method": plan.method}
    plan.nodes.all().delete()
    plan.method = method
    if amount is not None:
        plan.amount = amount
    plan.save(update_fields=["method", "amount"])
    _build_nodes(plan, members, weights_in, list(plan.assortment_goals.all()))
    by_user = {n.user_id: n for n in plan.nodes.exclude(user__isnull=True)}
    TargetCorrection.objects.bulk_create(
        [
            TargetCorrection(
                node=by_user[c["node__user_id"]],
                day=c["day"],
                amount=c["amount"],
                reason=c["reason"],
                created_by_id=c["created_by_id"],
            )
            for c in kept
            if c["node__user_id"] in by_user
        ]
    )
    audit_record(
        actor=actor,
        action="sales.plan_redecompose",
        target=plan,
        changes={"before": before, "amount": str(plan.amount), "method": method},
    )
    return plan


# --- target corrections -------------------------------------------------------------------


@transaction.atomic
def target_correct(
    *, actor: User, node: PlanNode, day: date, amount: Decimal, reason: str
) -> TargetCorrection:
    """Fix one person's target for one working day, with a reason (audited).

    The following days keep following the rule of carry-over: while the day is ahead its amount
    is reserved; once it is past, what was really sold counts.
    """
    _ensure_editor(actor)
    node = PlanNode.objects.select_related("plan").get(pk=node.pk)
    errors: dict[str, str] = {}
    if node.kind == NodeKind.TEAM or node.user_id is None:
        errors["node"] = _("Targets are corrected for a person, not a team.")
    if not reason.strip():
        errors["reason"] = _("Say why the target changes.")
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("The target is an amount of zero or more, to the kopeck.")
    if not node.plan.starts_on <= day <= node.plan.ends_on:
        errors["day"] = _("The day is outside the plan's period.")
    elif node.user_id is not None:
        calendar = load_calendar(day, day, [node.user_id])
        if not calendar.works(node.user_id, day):
            errors["day"] = _("%(name)s does not work that day.") % {"name": node.name}
    if errors:
        raise ValidationError(errors)
    previous = TargetCorrection.objects.filter(node=node, day=day).first()
    correction, _created = TargetCorrection.objects.update_or_create(
        node=node,
        day=day,
        defaults={"amount": amount, "reason": reason.strip()[:255], "created_by": actor},
    )
    audit_record(
        actor=actor,
        action="sales.target_correct",
        target=node,
        changes={
            "day": day.isoformat(),
            "amount": str(amount),
            "before": str(previous.amount) if previous else None,
            "reason": reason.strip(),
        },
    )
    return correction


@transaction.atomic
def target_correction_remove(*, actor: User, correction: TargetCorrection, reason: str) -> None:
    """Give the day back to the carry-over rule (audited)."""
    _ensure_editor(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the correction is withdrawn.")})
    audit_record(
        actor=actor,
        action="sales.target_correction_remove",
        target=correction.node,
        changes={
            "day": correction.day.isoformat(),
            "amount": str(correction.amount),
            "reason": reason.strip(),
        },
    )
    correction.delete()


# --- motivation ---------------------------------------------------------------------------

SCHEME_FIELDS = (
    "name",
    "department",
    "is_active",
    "target_bonus",
    "threshold_pct",
    "threshold_share_pct",
    "accelerator",
    "cap_pct",
    "record_day_bonus",
    "record_month_bonus",
    "penalty_per_point",
    "collective_min_pct",
    "collective_reduction_pct",
    "promotion_pct",
)


@transaction.atomic
def scheme_save(
    *, actor: User, scheme: MotivationScheme | None = None, **fields: Any
) -> MotivationScheme:
    """Create or change a motivation scheme (audited); the checks name the field at fault."""
    _ensure_editor(actor)
    unknown = set(fields) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationError({k: _("Unknown field.") for k in sorted(unknown)})
    target = scheme or MotivationScheme()
    before = {k: str(getattr(target, k)) for k in SCHEME_FIELDS if k != "department"}
    for key, value in fields.items():
        setattr(target, key, value)
    errors: dict[str, str] = {}
    for key in ("target_bonus", "record_day_bonus", "record_month_bonus", "penalty_per_point"):
        if getattr(target, key) < 0:
            errors[key] = _("Cannot be negative.")
    for key in ("threshold_pct", "threshold_share_pct", "collective_reduction_pct"):
        if not 0 <= getattr(target, key) <= 100:
            errors[key] = _("A percentage from 0 to 100.")
    if target.accelerator < 0:
        errors["accelerator"] = _("Cannot be negative.")
    if target.cap_pct is not None and target.cap_pct <= 100:
        errors["cap_pct"] = _("The cap must be above 100 percent of the plan.")
    if target.promotion_pct is not None and target.promotion_pct <= 0:
        errors["promotion_pct"] = _("A positive percentage.")
    if target.collective_min_pct < 0:
        errors["collective_min_pct"] = _("Cannot be negative.")
    if not str(target.name).strip():
        errors["name"] = _("Give the scheme a name.")
    elif MotivationScheme.objects.filter(name=target.name).exclude(pk=target.pk).exists():
        errors["name"] = _("A scheme with this name exists.")
    if errors:
        raise ValidationError(errors)
    target.updated_by = actor
    target.save()
    target.refresh_from_db()  # the stored (quantized) values, for the log and the caller
    after = {k: str(getattr(target, k)) for k in SCHEME_FIELDS if k != "department"}
    audit_record(
        actor=actor,
        action="sales.scheme_save",
        target=target,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return target


@transaction.atomic
def incident_record(
    *,
    actor: User,
    user: User,
    kind: str,
    day: date,
    amount: Decimal = ZERO,
    points: int = 0,
    note: str = "",
    order: Order | None = None,
) -> Incident:
    """Charge an order error or a justified complaint to a person (audited)."""
    _ensure_editor(actor)
    errors: dict[str, str] = {}
    if kind not in IncidentKind.values:
        errors["kind"] = _("Choose the kind of incident.")
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = _("The penalty is an amount of zero or more, to the kopeck.")
    if points < 0:
        errors["points"] = _("Points cannot be negative.")
    if amount == 0 and points == 0 and "amount" not in errors:
        errors["amount"] = _("Give a penalty amount or points.")
    if errors:
        raise ValidationError(errors)
    incident = Incident.objects.create(
        user=user,
        kind=kind,
        day=day,
        amount=amount,
        points=points,
        note=note.strip()[:255],
        order=order,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="sales.incident_record",
        target=incident,
        changes={"user": user.pk, "kind": kind, "amount": str(amount), "points": points},
    )
    return incident


@transaction.atomic
def incident_delete(*, actor: User, incident: Incident) -> None:
    _ensure_editor(actor)
    audit_record(
        actor=actor,
        action="sales.incident_delete",
        target=incident,
        changes={"user": incident.user_id, "kind": incident.kind, "amount": str(incident.amount)},
    )
    incident.delete()
