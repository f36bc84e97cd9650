"""Forms of the planner's screens: they parse what was typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from callpulse.core.formfields import LocalizedFloatField
from callpulse.core.models import Team, User
from callpulse.core.roles import RoleCode
from callpulse.workforce.models import JobKind, PlanningParameters, ShiftTemplate


class ParametersForm(forms.ModelForm[PlanningParameters]):
    class Meta:
        model = PlanningParameters
        fields = [
            "interval_minutes",
            "target_sl",
            "answer_time_seconds",
            "staffing_model",
            "patience_seconds",
            "shrinkage",
            "max_occupancy",
            "default_aht_seconds",
            "weekly_minutes",
        ]
        # shares such as 0.85 shown as the reader's language writes them (item 10, #14)
        field_classes = {
            "target_sl": LocalizedFloatField,
            "shrinkage": LocalizedFloatField,
            "max_occupancy": LocalizedFloatField,
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file (start,calls[,aht])"))
    queue = forms.CharField(label=_("Queue"), required=False, max_length=60)


class FromCallsForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    queue = forms.CharField(label=_("Queue"), required=False, max_length=60)


class SpecialDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)


class JobForm(forms.Form):
    kind = forms.ChoiceField(choices=JobKind.choices)
    horizon_start = forms.DateField(
        label=_("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    days = forms.IntegerField(label=_("Days"), required=False, min_value=1, max_value=28)
    queue = forms.CharField(label=_("Queue"), required=False, max_length=60)
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("All operators")
    )


def _operators() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, roles__code=RoleCode.OPERATOR)
        .distinct()
        .order_by("full_name", "username")
    )


class ShiftAddForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Operator"), queryset=_operators())
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    template = forms.ModelChoiceField(
        label=_("Shift"), queryset=ShiftTemplate.objects.filter(is_active=True)
    )


class ShiftMoveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("New start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    user = forms.ModelChoiceField(label=_("Operator"), queryset=_operators(), required=False)


class CoverApplyForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    starts_at = forms.DateTimeField()
    ends_at = forms.DateTimeField()
    template = forms.CharField(required=False, max_length=40)
    breaks = forms.JSONField(required=False)

    def clean_breaks(self) -> Any:
        value = self.cleaned_data.get("breaks") or []
        if not isinstance(value, list) or not all(
            isinstance(b, list) and len(b) == 2 and all(isinstance(t, str) for t in b)
            for b in value
        ):
            raise forms.ValidationError(_("Breaks are pairs of times."))
        return value
