"""Staff forms: an absence with its cover, a team's operators, a mentor for a trainee.

Forms only parse; who may, the overlaps and the team bounds are in `core.services`, whose field
errors come back onto these forms (`add_service_errors`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from callpulse.core.models import AbsenceKind, Team, User
from callpulse.core.roles import RoleCode

MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def _moment_field(label: Any) -> forms.DateTimeField:
    """A date and time in the center's zone (an aware datetime once cleaned)."""
    return forms.DateTimeField(
        label=label,
        input_formats=MOMENT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def active_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("full_name", "username")


class ServiceErrorsMixin:
    """Put a service's field errors next to their fields, anything else above the form."""

    def add_service_errors(self, exc: ValidationError) -> None:
        form: Any = self
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc.messages)
            return
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)


class AbsenceForm(ServiceErrorsMixin, forms.Form):
    """Who is away, when ([from, until)), why, and who covers."""

    user = forms.ModelChoiceField(label=_("Who is away"), queryset=active_staff())
    kind = forms.ChoiceField(label=_("Why"), choices=AbsenceKind.choices)
    starts_at = _moment_field(_("From"))
    ends_at = _moment_field(_("Until"))
    covered_by = forms.ModelChoiceField(
        label=_("Covered by"),
        queryset=active_staff(),
        required=False,
        empty_label=_("Nobody"),
    )
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


def _day_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TeamOperatorsForm(ServiceErrorsMixin, forms.Form):
    """The team's operators: its own and those in no team (moving from a team is explicit)."""

    operators = forms.ModelMultipleChoiceField(
        label=_("Operators"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["operators"]
        field.queryset = (
            active_staff()
            .filter(roles__code=RoleCode.OPERATOR)
            .filter(Q(team__isnull=True) | Q(team=team))
            .prefetch_related("roles")
            .distinct()
        )
        if not self.is_bound:
            field.initial = [u.pk for u in team.members.all()]


class MentorForm(ServiceErrorsMixin, forms.Form):
    """A trainee of the team and the mentor who guides them through probation."""

    trainee = forms.ModelChoiceField(label=_("Trainee"), queryset=User.objects.none())
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none())
    starts_on = _day_field(_("Starts on"))
    probation_ends_on = _day_field(_("Probation ends on"), required=False)

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trainee: Any = self.fields["trainee"]
        mentor: Any = self.fields["mentor"]
        trainee.queryset = active_staff().filter(team=team)
        mentor.queryset = (
            active_staff().filter(roles__code=RoleCode.MENTOR).prefetch_related("roles").distinct()
        )
