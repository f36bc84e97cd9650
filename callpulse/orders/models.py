"""Orders taken by phone: lines with explained prices, offers presented, terms, history."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callpulse.catalog.explain import explanation_texts


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACCEPTED = "accepted", _("Accepted")
    HANDED_OFF = "handed_off", _("Handed off")
    CANCELLED = "cancelled", _("Cancelled")
    PICKED = "picked", _("Picked")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")


class PaymentForm(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CASH = "cash", _("Cash on delivery")
    CARD = "card", _("Card")
    DEFERRED = "deferred", _("Deferred payment (credit)")


class Order(models.Model):
    """An order taken by phone; accepted only past the credit check and the offers rule."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    client = models.ForeignKey(
        "crm.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="orders"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="orders_taken",
    )
    call = models.ForeignKey(
        "telephony.Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.DRAFT
    )
    price_column = models.ForeignKey(
        "catalog.PriceColumn", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(_("currency"), max_length=3, default="KZT")
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=0)
    base_total = models.DecimalField(
        _("total before discounts"), max_digits=14, decimal_places=2, default=0
    )
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    receiver = models.CharField(_("receiving person"), max_length=200, blank=True)
    payment_form = models.CharField(
        _("payment form"), max_length=14, choices=PaymentForm.choices, blank=True
    )
    documents: models.JSONField[Any, Any] = models.JSONField(
        _("documents"), default=list, blank=True, help_text=_("invoice, waybill, certificates…")
    )
    carrier = models.CharField(_("carrier"), max_length=120, blank=True)
    shipping_address = models.CharField(_("shipping address"), max_length=255, blank=True)
    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    credit_override_reason = models.CharField(
        _("credit override reason"), max_length=255, blank=True
    )
    credit_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.number or _("Draft %(id)s") % {"id": self.pk}


class OrderLine(models.Model):
    """One product of an order with its price and why it is that price."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    base_price = models.DecimalField(_("column price"), max_digits=14, decimal_places=2)
    unit_price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    line_total = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    explanation: models.JSONField[Any, Any] = models.JSONField(_("price explanation"), default=list)
    from_offer = models.BooleanField(_("from an offer"), default=False)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="one_line_per_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def explanation_text(self) -> list[str]:
        """The explanation in the reader's language (old rows: the words as stored)."""
        return explanation_texts(self.explanation)


class OfferSource(models.TextChoices):
    NEW = "new", _("New product")
    PROMOTED = "promoted", _("Promoted")
    TRADITIONAL = "traditional", _("Traditional for the client type")
    BOUGHT_TOGETHER = "bought_together", _("Bought with these items")


class OfferResult(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Offer(models.Model):
    """A product proposed beyond the order, and the client's answer (a KPI)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="offers")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("why offered"), max_length=16, choices=OfferSource.choices)
    result = models.CharField(_("result"), max_length=10, choices=OfferResult.choices)
    added_revenue = models.DecimalField(
        _("added revenue"), max_digits=14, decimal_places=2, default=0
    )
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    presented_at = models.DateTimeField(_("presented at"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["presented_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="one_offer_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.result}"


class OrderEvent(models.Model):
    """The order's history: every status change, hand-off and override, who and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class HandOffTo(models.TextChoices):
    MANAGER = "manager", _("Account manager")
    FINANCE = "finance", _("Finance")


class HandOff(models.Model):
    """A task for the manager or finance: an order the credit check stopped, with its draft."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="hand_offs")
    to = models.CharField(_("to"), max_length=10, choices=HandOffTo.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="hand_offs"
    )
    # The words in the language of whoever handed it off: what old rows (no code) show.
    reason = models.CharField(_("reason"), max_length=255)
    # The credit verdict's code and parameters: shown in the reader's language.
    reason_code = models.CharField(_("reason code"), max_length=20, blank=True)
    reason_params: models.JSONField[Any, Any] = models.JSONField(
        _("reason parameters"), default=dict, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hand-off")
        verbose_name_plural = _("hand-offs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order} → {self.get_to_display()}"

    @property
    def reason_text(self) -> str:
        """Why, in the reader's language; rows kept before codes read as stored."""
        if not self.reason_code:
            return self.reason
        from callpulse.orders.explain import credit_reason_text

        return credit_reason_text(self.reason_code, self.reason_params) or self.reason
