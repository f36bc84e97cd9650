"""Clients of the center: companies and people, their numbers, types and receivables."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callpulse.core.names import STANDARD_CLIENT_TYPES, name_by_code
from callpulse.core.validators import validate_multiline, validate_single_line

ZERO = Decimal("0.00")


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone (e.g. Asia/Almaty)."), params={"value": value}
        )


class ClientType(models.Model):
    """Key, marketer, own outlet, retail, regional, new…: an editable list that drives routing."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(
        _("name"), max_length=120, unique=True, validators=[validate_single_line]
    )
    is_key = models.BooleanField(
        _("key client"),
        default=False,
        help_text=_("Calls of clients of this type go to key-account managers."),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="client_types",
        help_text=_("Whose head takes callers of this type who have no manager yet."),
    )

    class Meta:
        verbose_name = _("client type")
        verbose_name_plural = _("client types")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language while it is the seeded one (see core.names)."""
        return name_by_code(self.name, self.code, STANDARD_CLIENT_TYPES)


class ClientKind(models.TextChoices):
    COMPANY = "company", _("Company")
    PERSON = "person", _("Person")


class Client(models.Model):
    """A company or a person the center sells to.

    `debt`, `overdue_debt` and `overdue_since` follow from the credit history (CreditEvent) and
    are stored, as of `receivables_as_of`, so lists and credit checks need no recomputation.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=ClientKind.choices, default=ClientKind.COMPANY
    )
    name = models.CharField(
        _("name"), max_length=200, db_index=True, validators=[validate_single_line]
    )
    client_type = models.ForeignKey(
        ClientType, verbose_name=_("client type"), on_delete=models.PROTECT, related_name="clients"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_clients",
    )
    region = models.CharField(
        _("region"), max_length=80, blank=True, db_index=True, validators=[validate_single_line]
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Almaty", validators=[validate_timezone]
    )
    address = models.CharField(
        _("address"), max_length=255, blank=True, validators=[validate_single_line]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    tax_id = models.CharField(_("BIN / IIN"), max_length=20, blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[validate_multiline])
    credit_limit = models.DecimalField(
        _("credit limit"), max_digits=14, decimal_places=2, default=ZERO
    )
    debt = models.DecimalField(_("debt"), max_digits=14, decimal_places=2, default=ZERO)
    overdue_debt = models.DecimalField(
        _("overdue debt"), max_digits=14, decimal_places=2, default=ZERO
    )
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    receivables_as_of = models.DateField(_("receivables as of"), null=True, blank=True)
    open_orders_total = models.DecimalField(
        _("accepted orders not yet invoiced"), max_digits=14, decimal_places=2, default=ZERO
    )
    last_order_at = models.DateTimeField(_("last order at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["client_type", "name"]),
            models.Index(fields=["manager", "name"]),
            models.Index(fields=["last_order_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__gte=0), name="client_credit_limit_gte_0"
            ),
            models.CheckConstraint(condition=Q(overdue_debt__gte=0), name="client_overdue_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person to speak to at a client (buyer, accountant, the one who receives goods)."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts"
    )
    full_name = models.CharField(_("full name"), max_length=200, validators=[validate_single_line])
    position = models.CharField(
        _("position"), max_length=120, blank=True, validators=[validate_single_line]
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "full_name"]

    def __str__(self) -> str:
        return self.full_name


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")


class Phone(models.Model):
    """A number that identifies its client when it calls; stored as E.164, unique, indexed."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="phones",
    )
    number = models.CharField(_("number"), max_length=16, unique=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=PhoneKind.choices, default=PhoneKind.WORK
    )

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(number__startswith="+"), name="phone_number_is_e164"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CreditEventKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    PAYMENT = "payment", _("Payment")
    WRITE_OFF = "write_off", _("Write-off")


class CreditEvent(models.Model):
    """One line of a client's credit history; the debt figures follow from these lines."""

    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="credit_events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CreditEventKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    occurred_on = models.DateField(_("date"))
    due_on = models.DateField(
        _("payment due"), null=True, blank=True, help_text=_("For invoices: when payment is due.")
    )
    document = models.CharField(_("document"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit event")
        verbose_name_plural = _("credit history")
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["client", "occurred_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_event_amount_gt_0"),
            models.CheckConstraint(
                condition=~Q(kind="invoice") | Q(due_on__isnull=False),
                name="credit_event_invoice_has_due_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.occurred_on})"


class DoNotCall(models.Model):
    """A number nobody may dial from here: no campaign, callback or click-to-call passes it.

    Kept in crm (below telephony) so the one service that creates dial commands can check it.
    """

    number = models.CharField(_("number"), max_length=16, unique=True)
    client = models.ForeignKey(
        Client,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="do_not_call",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("do-not-call number")
        verbose_name_plural = _("do-not-call list")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(number__startswith="+"), name="dnc_number_is_e164"),
        ]

    def __str__(self) -> str:
        return self.number
