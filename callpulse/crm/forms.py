"""The new-client form: what an operator asks a caller who is not a client yet (seed 002).

The form only parses; the rules (who may open a card, who names its manager, numbers that
belong to someone else) are in `crm.services.client_create`, whose field errors come back here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from callpulse.core.formfields import LocalizedDecimalField
from callpulse.core.phones import normalize_phone
from callpulse.crm.models import ClientKind, ClientType, CreditEventKind
from callpulse.crm.services import ContactInput, PhoneInput

# The time zones of Kazakhstan and its neighbours, the clients' clocks.
CLIENT_TIMEZONES = (
    ("Asia/Almaty", _("Almaty, Astana (UTC+5)")),
    ("Asia/Aqtobe", _("Aktobe (UTC+5)")),
    ("Asia/Aqtau", _("Aktau (UTC+5)")),
    ("Asia/Atyrau", _("Atyrau (UTC+5)")),
    ("Asia/Oral", _("Oral (UTC+5)")),
    ("Asia/Qostanay", _("Kostanay (UTC+5)")),
    ("Asia/Qyzylorda", _("Kyzylorda (UTC+5)")),
    ("Asia/Bishkek", _("Bishkek (UTC+6)")),
    ("Asia/Tashkent", _("Tashkent (UTC+5)")),
    ("Europe/Moscow", _("Moscow (UTC+3)")),
)

# Where a service's error keys land on this form.
SERVICE_FIELD_TO_FORM = {
    "phones": "phone",
    "full_name": "contact_name",
    "position": "contact_position",
}


def _default_type() -> ClientType | None:
    return ClientType.objects.filter(code="new").first()


class NewClientForm(forms.Form):
    """Name, type, contact and region; the caller's number filled in by the desk."""

    kind = forms.ChoiceField(
        label=_("Company or person"), choices=ClientKind.choices, initial=ClientKind.COMPANY
    )
    name = forms.CharField(label=_("Client name"), max_length=200)
    client_type = forms.ModelChoiceField(
        label=_("Client type"), queryset=ClientType.objects.all(), empty_label=None
    )
    region = forms.CharField(label=_("Region"), max_length=80, required=False)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=CLIENT_TIMEZONES)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_position = forms.CharField(label=_("Position"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_type"].initial = _default_type()
        zones = {code for code, _label in CLIENT_TIMEZONES}
        self.fields["timezone"].initial = (
            settings.TIME_ZONE if settings.TIME_ZONE in zones else "Asia/Almaty"
        )

    def clean_phone(self) -> str:
        raw: str = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        return normalize_phone(raw)  # ValidationError names the field

    def numbers(self) -> list[str]:
        number = self.cleaned_data.get("phone", "")
        return [number] if number else []

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `client_create` (the actor aside)."""
        data = self.cleaned_data
        contacts = []
        if data["contact_name"].strip():
            contacts.append(
                ContactInput(
                    full_name=data["contact_name"].strip(),
                    position=data["contact_position"].strip(),
                    is_primary=True,
                )
            )
        return {
            "name": data["name"].strip(),
            "kind": data["kind"],
            "client_type": data["client_type"],
            "region": data["region"].strip(),
            "timezone": data["timezone"],
            "phones": [PhoneInput(number=n) for n in self.numbers()],
            "contacts": contacts,
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's field errors next to the fields they name."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for field, messages in error.message_dict.items():
            target = SERVICE_FIELD_TO_FORM.get(field, field)
            self.add_error(target if target in self.fields else None, messages)


# --- finance on the client card (issue #14, item 5) ---------------------------------------------


def _amount_field(label: Any, **kwargs: Any) -> LocalizedDecimalField:
    """A sum of money typed as people type it: "1 250 000,50" in ru/kk, "1,250,000.50" in en."""
    return LocalizedDecimalField(label=label, max_digits=14, decimal_places=2, **kwargs)


class CreditLimitForm(forms.Form):
    """The credit limit finance sets; the rule and the audit line are in `client_update`."""

    credit_limit = _amount_field(_("Credit limit"), min_value=0)


class CreditEventForm(forms.Form):
    """A payment (or invoice, write-off) finance records; `credit_event_record` checks the rest."""

    kind = forms.ChoiceField(
        label=_("Event"), choices=CreditEventKind.choices, initial=CreditEventKind.PAYMENT
    )
    amount = _amount_field(_("Amount"))
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    due_on = forms.DateField(
        label=_("Payment due"),
        required=False,
        help_text=_("Invoices only."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    document = forms.CharField(label=_("Document"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's field errors on their fields; anything else above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.message_dict.items():
            self.add_error(field if field in self.fields else None, errors)
