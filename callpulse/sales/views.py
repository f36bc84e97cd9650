"""Sales plans: screens. Thin: parse, call one service or selector, render.

Pages: the overview (my plan today and the plans I may open), a plan (plan vs fact, charts,
leaderboard, corrections), the daily stand-up, the weekly meeting report (printable), payouts
(with the XLSX for payroll), motivation schemes, incidents, and control of money.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from callpulse.catalog.models import Category
from callpulse.core.formfields import LocalizedDecimalField
from callpulse.core.models import Department, User
from callpulse.core.permissions import staff_user_from
from callpulse.core.roles import user_has_role
from callpulse.sales import selectors, services
from callpulse.sales.charts import comparison_bars, cumulative_chart
from callpulse.sales.exports import payouts_xlsx as build_xlsx
from callpulse.sales.models import (
    Incident,
    IncidentKind,
    MotivationScheme,
    NodeKind,
    PeriodKind,
    PlanBasis,
    PlanNode,
    Rhythm,
    SalesPlan,
    SplitMethod,
    TargetCorrection,
)
from callpulse.sales.motivation import plan_payouts, scheme_for
from callpulse.sales.permissions import PAYROLL_EXPORTERS, PLAN_EDITORS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(request: HttpRequest, name: str = "day") -> date:
    raw = request.GET.get(name, "")
    try:
        day = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return timezone.localdate()
    return day if 2000 <= day.year <= 2100 else timezone.localdate()


def _plan_for(request: HttpRequest, plan_id: int) -> SalesPlan:
    plan = selectors.plans_visible(staff_user_from(request)).filter(pk=plan_id).first()
    if plan is None:
        raise Http404(_("No such plan."))
    return plan


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# --- forms --------------------------------------------------------------------------------


class PlanForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), label=gettext_lazy("Department")
    )
    period_kind = forms.ChoiceField(choices=PeriodKind.choices, label=gettext_lazy("Period"))
    day = forms.DateField(
        label=gettext_lazy("Any day of the period"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    amount = LocalizedDecimalField(
        max_digits=14, decimal_places=2, label=gettext_lazy("Plan amount")
    )
    volume = LocalizedDecimalField(
        max_digits=14, decimal_places=3, required=False, label=gettext_lazy("Volume (units)")
    )
    basis = forms.ChoiceField(choices=PlanBasis.choices, label=gettext_lazy("Fact basis"))
    method = forms.ChoiceField(choices=SplitMethod.choices, label=gettext_lazy("Split method"))
    rhythm = forms.ChoiceField(choices=Rhythm.choices, label=gettext_lazy("Reporting rhythm"))
    category = forms.ModelChoiceField(
        queryset=Category.objects.order_by("name"),
        required=False,
        label=gettext_lazy("Assortment goal: SKU group"),
    )
    category_amount = LocalizedDecimalField(
        max_digits=14, decimal_places=2, required=False, label=gettext_lazy("SKU group amount")
    )
    new_products_amount = LocalizedDecimalField(
        max_digits=14, decimal_places=2, required=False, label=gettext_lazy("New products amount")
    )
    note = forms.CharField(required=False, max_length=255, label=gettext_lazy("Note"))

    def plan_arguments(self) -> dict[str, Any]:
        """The service's arguments: the assortment goals gathered from their fields."""
        data = dict(self.cleaned_data)
        category = data.pop("category")
        category_amount = data.pop("category_amount")
        new_amount = data.pop("new_products_amount")
        goals: list[dict[str, Any]] = []
        if category is not None or category_amount:
            goals.append({"category": category, "amount": category_amount or Decimal(0)})
        if new_amount:
            goals.append({"new_products": True, "amount": new_amount})
        data["assortment"] = goals
        return data


class RedecomposeForm(forms.Form):
    method = forms.ChoiceField(choices=SplitMethod.choices, label=gettext_lazy("Split method"))
    amount = LocalizedDecimalField(
        max_digits=14, decimal_places=2, required=False, label=gettext_lazy("Plan amount")
    )


class CorrectionForm(forms.Form):
    node = forms.ModelChoiceField(queryset=PlanNode.objects.none(), label=gettext_lazy("Person"))
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = LocalizedDecimalField(max_digits=14, decimal_places=2, label=gettext_lazy("Target"))
    reason = forms.CharField(max_length=255, label=gettext_lazy("Reason"))


class SchemeForm(forms.ModelForm[MotivationScheme]):
    class Meta:
        model = MotivationScheme
        fields = [
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
        ]
        # amounts and percentages shown as the reader's language writes them (item 10, #14)
        field_classes = {
            name: LocalizedDecimalField
            for name in fields
            if isinstance(MotivationScheme._meta.get_field(name), models.DecimalField)
        }

    def validate_unique(self) -> None:
        """Uniqueness is the service's rule (it names the field)."""


class IncidentForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("full_name"),
        label=gettext_lazy("Person"),
    )
    kind = forms.ChoiceField(choices=IncidentKind.choices, label=gettext_lazy("Kind"))
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = LocalizedDecimalField(
        max_digits=14, decimal_places=2, required=False, label=gettext_lazy("Penalty")
    )
    points = forms.IntegerField(min_value=0, required=False, label=gettext_lazy("Points"))
    note = forms.CharField(max_length=255, required=False, label=gettext_lazy("Note"))


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    for field, problems in _errors(exc).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


# --- pages --------------------------------------------------------------------------------


def _overseen(user: User, today: date) -> list[tuple[SalesPlan, selectors.Row]]:
    """The running plans the user leads (`selectors.plans_led`)."""
    return selectors.plans_led(user, today=today)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """My plan today (or the running plans I lead), and the plans I may open."""
    user = staff_user_from(request)
    today = timezone.localdate()
    mine = selectors.my_rows(user, today=today)
    return render(
        request,
        "sales/home.html",
        {
            "mine": mine,
            "overseen": [] if mine else _overseen(user, today),
            "plans": list(
                selectors.plans_visible(user).order_by("-starts_on", "department__name")[:60]
            ),
            "can_edit": user_has_role(user, PLAN_EDITORS),
            "today": today,
        },
    )


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    user = staff_user_from(request)
    if not user_has_role(user, PLAN_EDITORS):
        raise PermissionDenied
    form = PlanForm(request.POST or None, initial={"day": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=user, **form.plan_arguments())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The plan is decomposed."))
            return redirect("sales:plan", plan_id=plan.pk)
    return render(request, "sales/plan_new.html", {"form": form})


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Plan vs fact, live: every visible share, charts, leaderboard; editors correct targets."""
    user = staff_user_from(request)
    plan = _plan_for(request, plan_id)
    progress = selectors.plan_progress(plan, today=_day(request))
    rows = selectors.visible_rows(user, progress)
    whole = selectors.sees_whole_plan(user, plan)
    focus = progress.department if whole else next((r for r in rows), progress.department)
    can_edit = user_has_role(user, PLAN_EDITORS)
    correction_form = CorrectionForm(initial={"day": progress.today})
    correction_form.fields["node"].queryset = plan.nodes.exclude(kind=NodeKind.TEAM).order_by(  # type: ignore[attr-defined]
        "name"
    )
    visible_ids = {id(r) for r in rows}
    top = [r for r in progress.rows if id(r) in visible_ids]
    return render(
        request,
        "sales/plan.html",
        {
            "plan": plan,
            "progress": progress,
            "rows": rows,
            "whole": whole,
            "can_edit": can_edit,
            "green_from": selectors.light_thresholds()[0],
            "yellow_from": selectors.light_thresholds()[1],
            "correction_form": correction_form,
            "redecompose_form": RedecomposeForm(initial={"method": plan.method}),
            "leaders": [r for r in selectors.leaderboard(progress) if id(r) in visible_ids],
            "curve": cumulative_chart(
                focus,
                plan.starts_on,
                plan.ends_on,
                title=_("Cumulative plan and fact: %(name)s") % {"name": focus.name},
            ),
            "bars": comparison_bars(top, title=_("Plan to date and fact by share")),
            "corrections": TargetCorrection.objects.filter(node__plan=plan)
            .select_related("node", "created_by")
            .order_by("day", "pk")
            if can_edit
            else [],
        },
    )


@login_required
@require_POST
def plan_redecompose(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = staff_user_from(request)
    plan = _plan_for(request, plan_id)
    form = RedecomposeForm(request.POST)
    weights = {
        key.removeprefix("w:"): value
        for key in request.POST
        if key.startswith("w:") and (value := request.POST.get(key, "").strip().replace(",", "."))
    }
    if form.is_valid():
        try:
            services.plan_redecompose(
                actor=user,
                plan=plan,
                weights=weights if form.cleaned_data["method"] == SplitMethod.MANUAL else None,
                **form.cleaned_data,
            )
            messages.success(request, _("The plan is decomposed again."))
        except ValidationError as exc:
            for problems in _errors(exc).values():
                for problem in problems:
                    messages.error(request, problem)
    return redirect("sales:plan", plan_id=plan.pk)


@login_required
@require_POST
def correct_target(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = staff_user_from(request)
    plan = _plan_for(request, plan_id)
    form = CorrectionForm(request.POST)
    form.fields["node"].queryset = plan.nodes.all()  # type: ignore[attr-defined]
    if form.is_valid():
        try:
            services.target_correct(actor=user, **form.cleaned_data)
            messages.success(request, _("The target is corrected; the reason is logged."))
        except ValidationError as exc:
            for problems in _errors(exc).values():
                for problem in problems:
                    messages.error(request, problem)
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
    return redirect("sales:plan", plan_id=plan.pk)


@login_required
def standup(request: HttpRequest) -> HttpResponse:
    """The daily stand-up: yesterday's result against its target, today's target."""
    user = staff_user_from(request)
    today = _day(request)
    boards = []
    for plan in selectors.current_plans(user, today=today):
        progress = selectors.plan_progress(plan, today=today)
        rows = [r for r in selectors.visible_rows(user, progress) if r.kind != NodeKind.TEAM]
        boards.append(
            {
                "plan": plan,
                "progress": progress,
                "rows": rows,
                "whole": selectors.sees_whole_plan(user, plan),
            }
        )
    return render(request, "sales/standup.html", {"boards": boards, "today": today})


@login_required
def weekly(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The weekly meeting report, printable (a print stylesheet hides the rest of the page)."""
    user = staff_user_from(request)
    plan = _plan_for(request, plan_id)
    report = selectors.weekly_report(plan, week_day=_day(request, "week"), rows_for=user)
    return render(
        request,
        "sales/weekly.html",
        {
            "plan": plan,
            "report": report,
            "whole": selectors.sees_whole_plan(user, plan),
            "bars": comparison_bars(
                [line.row for line in report.lines if line.row.kind != NodeKind.OPERATOR],
                title=_("Plan to date and fact by share"),
            ),
        },
    )


def _payouts(request: HttpRequest, plan: SalesPlan) -> tuple[MotivationScheme | None, list[Any]]:
    user = staff_user_from(request)
    scheme = scheme_for(plan)
    if scheme is None:
        return None, []
    progress = selectors.plan_progress(plan, today=min(_day(request), plan.ends_on))
    payouts = plan_payouts(plan, scheme=scheme, progress=progress)
    if not user_has_role(user, PAYROLL_EXPORTERS):
        visible = {r.user_id for r in selectors.visible_rows(user, progress)}
        payouts = [p for p in payouts if p.user_id in visible]
    return scheme, payouts


@login_required
def payouts(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    scheme, rows = _payouts(request, plan)
    return render(
        request,
        "sales/payouts.html",
        {
            "plan": plan,
            "scheme": scheme,
            "payouts": rows,
            "can_export": user_has_role(staff_user_from(request), PAYROLL_EXPORTERS),
        },
    )


@login_required
def payouts_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:
    if not user_has_role(staff_user_from(request), PAYROLL_EXPORTERS):
        raise PermissionDenied
    plan = _plan_for(request, plan_id)
    _scheme, rows = _payouts(request, plan)
    response = HttpResponse(build_xlsx(plan, rows), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="payouts-{plan.department.code}-{plan.starts_on:%Y-%m}.xlsx"'
    )
    return response


@login_required
def schemes(request: HttpRequest, scheme_id: int | None = None) -> HttpResponse:
    """The motivation schemes; the head of sales and the director edit them here."""
    user = staff_user_from(request)
    can_edit = user_has_role(user, PLAN_EDITORS)
    scheme = get_object_or_404(MotivationScheme, pk=scheme_id) if scheme_id else None
    form = SchemeForm(request.POST or None, instance=scheme) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                saved = services.scheme_save(actor=user, scheme=scheme, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The scheme is saved."))
                return redirect("sales:scheme", scheme_id=saved.pk)
    return render(
        request,
        "sales/schemes.html",
        {
            "schemes": MotivationScheme.objects.select_related("department").order_by("name"),
            "scheme": scheme,
            "form": form,
            "can_edit": can_edit,
        },
    )


@login_required
def incidents(request: HttpRequest) -> HttpResponse:
    """Order errors and justified complaints: editors record them, people see their own."""
    user = staff_user_from(request)
    can_edit = user_has_role(user, PLAN_EDITORS)
    form = IncidentForm(request.POST or None, initial={"day": timezone.localdate()})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["amount"] = data.get("amount") or Decimal("0.00")
            data["points"] = data.get("points") or 0
            try:
                services.incident_record(actor=user, **data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The incident is recorded."))
                return redirect("sales:incidents")
    rows = Incident.objects.select_related("user").order_by("-day", "-pk")
    if not selectors.reads_all(user):
        rows = rows.filter(user=user)
    return render(
        request,
        "sales/incidents.html",
        {"incidents": rows[:200], "form": form if can_edit else None},
    )


@login_required
def money(request: HttpRequest) -> HttpResponse:
    """Payments received this month, receivables and overdue clients per manager."""
    user = staff_user_from(request)
    until = _day(request, "until")
    since = _day(request, "since") if request.GET.get("since") else until.replace(day=1)
    rows = selectors.money_control(
        managers=selectors.managers_visible(user), start=since, end=until
    )
    return render(request, "sales/money.html", {"rows": rows, "since": since, "until": until})
