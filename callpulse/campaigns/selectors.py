"""Reads for outbound work: campaign lists, live progress, script results, exports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from callpulse.campaigns.models import (
    Campaign,
    CampaignAttempt,
    CampaignRecord,
    CampaignStatus,
    RecordStatus,
    ScriptResponse,
    disposition_label,
)
from callpulse.campaigns.roles import RESULT_READERS
from callpulse.core.models import User
from callpulse.core.roles import user_has_role
from callpulse.orders.models import Order, OrderStatus

ZERO = Decimal("0.00")


def campaigns_for(user: User) -> QuerySet[Campaign]:
    """Managers see every campaign; an operator the active and paused ones assigned to them."""
    campaigns = Campaign.objects.select_related("owner", "script")
    if user_has_role(user, RESULT_READERS):
        return campaigns
    return campaigns.filter(
        operators=user, status__in=[CampaignStatus.ACTIVE, CampaignStatus.PAUSED]
    )


def user_may_read_results(user: User, campaign: Campaign) -> bool:
    return user_has_role(user, RESULT_READERS) or campaign.owner_id == user.pk


def campaign_orders(campaign: Campaign) -> QuerySet[Order]:
    """Orders credited to the campaign: started from its calls (the attempt's link or call)."""
    return (
        Order.objects.filter(
            Q(campaign_attempts__record__campaign=campaign)
            | Q(call__commands__campaign_attempt__record__campaign=campaign)
        )
        .exclude(status=OrderStatus.CANCELLED)
        .distinct()
    )


@dataclass
class OperatorRow:
    operator: str
    attempts: int = 0
    reached: int = 0
    orders: int = 0
    revenue: Decimal = ZERO


@dataclass
class Progress:
    total: int = 0
    pending: int = 0
    in_progress: int = 0
    done: int = 0
    failed: int = 0
    excluded: int = 0
    reached: int = 0
    attempts: int = 0
    orders: int = 0
    revenue: Decimal = ZERO
    dispositions: list[tuple[str, int]] = field(default_factory=list)
    by_operator: list[OperatorRow] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.excluded

    @property
    def percent_done(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 0


def campaign_progress(campaign: Campaign) -> Progress:
    """Records by state, reached, dispositions, orders and revenue, by operator (few queries)."""
    progress = Progress()
    for status, count in (
        CampaignRecord.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        setattr(progress, str(status), count)
        progress.total += count
    progress.reached = CampaignRecord.objects.filter(
        campaign=campaign, disposition__reached=True
    ).count()
    attempts = CampaignAttempt.objects.filter(record__campaign=campaign)
    progress.attempts = attempts.count()
    progress.dispositions = [
        (disposition_label(str(label)), n)
        for label, n in attempts.filter(disposition__isnull=False)
        .values_list("disposition__label")
        .annotate(n=Count("id"))
        .order_by("-n", "disposition__label")
    ]
    rows: dict[int | None, OperatorRow] = {}
    names = dict(
        User.objects.filter(pk__in=attempts.values("operator")).values_list("pk", "full_name")
    )
    for operator_id, n, reached in (
        attempts.values_list("operator")
        .annotate(n=Count("id"), reached=Count("id", filter=Q(disposition__reached=True)))
        .order_by()
    ):
        rows[operator_id] = OperatorRow(
            operator=names.get(operator_id) or "—", attempts=n, reached=reached
        )
    orders = campaign_orders(campaign).filter(accepted_at__isnull=False)
    for order in orders.only("total", "taken_by_id"):
        progress.orders += 1
        progress.revenue += order.total
        row = rows.setdefault(
            order.taken_by_id, OperatorRow(operator=names.get(order.taken_by_id) or "—")
        )
        row.orders += 1
        row.revenue += order.total
    progress.by_operator = sorted(rows.values(), key=lambda r: (-r.attempts, r.operator))
    return progress


@dataclass
class StepResult:
    key: str
    question: str
    answers: list[tuple[str, int]]
    total: int


def script_results(campaign: Campaign) -> list[StepResult]:
    """Answers per question across the campaign's calls (free text: the most frequent ones)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    questions: dict[str, str] = {}
    order: dict[str, int] = {}
    rows = (
        ScriptResponse.objects.filter(attempt__record__campaign=campaign)
        .values_list("step_key", "question", "value", "position")
        .order_by()
    )
    for key, question, value, position in rows:
        questions.setdefault(key, question)
        order[key] = min(order.get(key, position), position)
        counts[key][value] += 1
    results = []
    for key in sorted(counts, key=lambda k: (order[k], k)):
        answers = sorted(counts[key].items(), key=lambda kv: (-kv[1], kv[0]))
        results.append(
            StepResult(
                key=key,
                question=questions[key],
                answers=answers[:20],
                total=sum(counts[key].values()),
            )
        )
    return results


def export_rows(campaign: Campaign) -> tuple[list[str], list[list[object]]]:
    """One row per record: number, client, state, attempts, last disposition, orders, answers."""
    records = (
        CampaignRecord.objects.filter(campaign=campaign)
        .select_related("client", "disposition")
        .order_by("pk")
    )
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    keys: list[str] = []
    for record_id, key, value in (
        ScriptResponse.objects.filter(attempt__record__campaign=campaign)
        .values_list("attempt__record_id", "step_key", "value")
        .order_by("attempt_id", "position")
    ):
        answers[record_id][key] = value  # the latest call's answer wins
        if key not in keys:
            keys.append(key)
    orders: dict[int, tuple[int, Decimal]] = {}
    for record_id, n, total in (
        CampaignAttempt.objects.filter(record__campaign=campaign, order__isnull=False)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("record_id")
        .annotate(n=Count("order", distinct=True), total=Sum("order__total"))
        .order_by()
    ):
        orders[record_id] = (n, total or ZERO)
    header = [
        "phone",
        "name",
        "client_id",
        "status",
        "attempts",
        "disposition",
        "orders",
        "order_total",
        *keys,
    ]
    rows: list[list[object]] = []
    for record in records.iterator(chunk_size=2000):
        n, total = orders.get(record.pk, (0, ZERO))
        rows.append(
            [
                record.phone,
                record.name,
                record.client_id or "",
                record.status,
                record.attempts,
                record.disposition.code if record.disposition else "",
                n,
                total,
                *(answers[record.pk].get(k, "") for k in keys),
            ]
        )
    return header, rows


def record_in_hand(user: User, campaign: Campaign) -> CampaignRecord | None:
    """The record the operator is working in this campaign, with its attempts."""
    return (
        CampaignRecord.objects.filter(
            campaign=campaign, assigned_to=user, status=RecordStatus.IN_PROGRESS
        )
        .select_related("client", "client__client_type")
        .first()
    )
