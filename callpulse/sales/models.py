"""Sales plans and motivation: plans decomposed to people, target corrections, schemes, incidents.

Facts (accepted orders, payments) are never stored here: they are read live from orders and crm,
so plan vs fact, daily targets and payouts always follow the data they come from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

ZERO = Decimal("0.00")


class PeriodKind(models.TextChoices):
    MONTH = "month", pgettext_lazy("plan period", "Month")
    QUARTER = "quarter", pgettext_lazy("plan period", "Quarter")


class PlanBasis(models.TextChoices):
    ORDERS = "orders", _("Accepted orders (by acceptance date)")
    PAYMENTS = "payments", _("Collected money (payments)")


class SplitMethod(models.TextChoices):
    EQUAL = "equal", _("Equal shares")
    PAST_SALES = "past_sales", _("Share of past sales")
    CAPACITY = "capacity", _("Capacity (working days)")
    MANUAL = "manual", _("By hand")


class Rhythm(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class SalesPlan(models.Model):
    """A department's plan for a month or a quarter, in money (and optionally volume)."""

    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="sales_plans",
    )
    period_kind = models.CharField(
        _("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    basis = models.CharField(
        _("fact basis"), max_length=10, choices=PlanBasis.choices, default=PlanBasis.ORDERS
    )
    method = models.CharField(
        _("split method"), max_length=12, choices=SplitMethod.choices, default=SplitMethod.EQUAL
    )
    rhythm = models.CharField(
        _("reporting rhythm"), max_length=8, choices=Rhythm.choices, default=Rhythm.DAILY
    )
    amount = models.DecimalField(_("plan amount"), max_digits=14, decimal_places=2)
    volume = models.DecimalField(
        _("plan volume (units)"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, default="KZT")
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        ordering = ["-starts_on", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "starts_on", "ends_on"], name="one_plan_per_dept_period"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sales_plan_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="sales_plan_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.starts_on:%m.%Y}–{self.ends_on:%m.%Y}"


class NodeKind(models.TextChoices):
    TEAM = "team", _("Team")
    MANAGER = "manager", _("Account manager")
    OPERATOR = "operator", _("Operator")


class PlanNode(models.Model):
    """One share of a plan: a team (split further to its operators), a manager or an operator.

    Children of a node always sum exactly to it; the top nodes sum exactly to the plan.
    Operators are credited the orders they took, managers the orders (or payments) of their
    clients; a team's fact is its operators'.
    """

    plan = models.ForeignKey(SalesPlan, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=NodeKind.choices)
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sales_plan_nodes",
    )
    name = models.CharField(_("name"), max_length=200)
    weight = models.DecimalField(_("weight"), max_digits=18, decimal_places=4)
    amount = models.DecimalField(_("plan amount"), max_digits=14, decimal_places=2)
    volume = models.DecimalField(
        _("plan volume"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    assortment: models.JSONField[Any, Any] = models.JSONField(
        _("assortment plans"), default=dict, blank=True, help_text=_("target id → amount")
    )

    class Meta:
        verbose_name = _("plan share")
        verbose_name_plural = _("plan shares")
        ordering = ["plan", "parent_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user"], condition=Q(user__isnull=False), name="one_node_per_user"
            ),
            models.UniqueConstraint(
                fields=["plan", "team"], condition=Q(team__isnull=False), name="one_node_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class PlanAssortment(models.Model):
    """An assortment goal inside a plan: sales of a SKU group or of new products."""

    plan = models.ForeignKey(SalesPlan, on_delete=models.CASCADE, related_name="assortment_goals")
    name = models.CharField(_("name"), max_length=120)
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("SKU group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_products = models.BooleanField(
        _("new products"), default=False, help_text=_("Products new within 90 days of the sale.")
    )
    amount = models.DecimalField(_("plan amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("assortment goal")
        verbose_name_plural = _("assortment goals")
        ordering = ["plan", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="assortment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(category__isnull=False) | Q(new_products=True),
                name="assortment_has_scope",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TargetCorrection(models.Model):
    """The head of sales sets one person's target for one day by hand, with a reason."""

    node = models.ForeignKey(PlanNode, on_delete=models.CASCADE, related_name="corrections")
    day = models.DateField(_("day"))
    amount = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("target correction")
        verbose_name_plural = _("target corrections")
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["node", "day"], name="one_correction_per_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="correction_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.node.name} {self.day}: {self.amount}"


class MotivationScheme(models.Model):
    """Bonus and penalty rules the head of sales sets up without code.

    Every rule is a group of fields; a rule whose amount is zero (or empty) is off.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="motivation_schemes",
        help_text=_("Empty: every department."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # tiers by % of plan
    target_bonus = models.DecimalField(
        _("bonus at 100 percent of plan"), max_digits=14, decimal_places=2, default=ZERO
    )
    threshold_pct = models.DecimalField(
        _("no bonus below (percent of plan)"), max_digits=6, decimal_places=2, default=Decimal(80)
    )
    threshold_share_pct = models.DecimalField(
        _("share of the bonus paid at the threshold (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(50),
    )
    accelerator = models.DecimalField(
        _("accelerator above 100%"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(2),
        help_text=_("Each percent over the plan pays this many percent of the bonus."),
    )
    cap_pct = models.DecimalField(
        _("cap (percent of plan)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Percent of plan beyond which nothing more is paid."),
    )
    # records
    record_day_bonus = models.DecimalField(
        _("bonus for a best day ever"), max_digits=14, decimal_places=2, default=ZERO
    )
    record_month_bonus = models.DecimalField(
        _("bonus for a best month ever"), max_digits=14, decimal_places=2, default=ZERO
    )
    # penalties
    penalty_per_point = models.DecimalField(
        _("penalty per incident point"), max_digits=14, decimal_places=2, default=ZERO
    )
    # collective condition
    collective_min_pct = models.DecimalField(
        _("department must reach (percent of plan)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(100),
    )
    collective_reduction_pct = models.DecimalField(
        _("bonuses reduced by (%) when it does not"),
        max_digits=6,
        decimal_places=2,
        default=ZERO,
    )
    # quarterly goal
    promotion_pct = models.DecimalField(
        _("quarter goal for promotion (percent of plan)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("motivation scheme")
        verbose_name_plural = _("motivation schemes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_pct__gte=0) & Q(threshold_pct__lte=100),
                name="scheme_threshold_0_100",
            ),
            models.CheckConstraint(
                condition=Q(collective_reduction_pct__gte=0) & Q(collective_reduction_pct__lte=100),
                name="scheme_reduction_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IncidentKind(models.TextChoices):
    ORDER_ERROR = "order_error", _("Order error")
    COMPLAINT = "complaint", _("Justified complaint")
    OTHER = "other", pgettext_lazy("incident kind", "Other")


class Incident(models.Model):
    """An error or a justified complaint charged to a person: a penalty in money and/or points."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="sales_incidents",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=IncidentKind.choices)
    day = models.DateField(_("date"))
    amount = models.DecimalField(_("penalty"), max_digits=14, decimal_places=2, default=ZERO)
    points = models.PositiveSmallIntegerField(_("points"), default=0)
    note = models.CharField(_("note"), max_length=255, blank=True)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["user", "day"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="incident_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(points__gt=0), name="incident_has_penalty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} {self.day}"
