"""Order taking: lines priced with explanations, offers, terms, the credit check, acceptance.

An order is accepted only when the client has no overdue debt and debt + open orders + this
order stay within the credit limit (checked under a row lock on the client, so two operators
can never push a client past the limit together), after at least CALLPULSE_MIN_OFFERS offers
were presented, and with complete delivery and payment terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from callpulse.catalog.models import NonWorkingDay, Product
from callpulse.catalog.pricing import price_order
from callpulse.core.events import publish_on_commit, user_channel
from callpulse.core.models import NotificationKind, User
from callpulse.core.roles import CREDIT_OVERRIDERS, ORDER_TAKERS, user_has_role
from callpulse.core.selectors import user_standing_in_for
from callpulse.core.services import audit_record, notification_send
from callpulse.crm import services as crm_services
from callpulse.crm.models import Client, CreditEventKind
from callpulse.orders.models import (
    HandOff,
    HandOffTo,
    Offer,
    OfferResult,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentForm,
)
from callpulse.orders.permissions import (
    ensure_may_cancel,
    ensure_may_change,
    may_deliver,
    may_pick,
    may_ship,
)
from callpulse.orders.selectors import credit_verdict

EDITABLE = (OrderStatus.DRAFT, OrderStatus.HANDED_OFF)
# Accepted and not yet shipped: the amount is still an open order on the client's credit.
OPEN = (OrderStatus.ACCEPTED, OrderStatus.PICKED)
DOCUMENTS = ("invoice", "waybill", "certificates", "contract")


@dataclass(frozen=True)
class LineInput:
    product: Product
    quantity: Decimal


def _ensure_taker(actor: User) -> None:
    if not user_has_role(actor, ORDER_TAKERS):
        raise PermissionDenied(_("Your role does not take orders."))


def _ensure_editable(order: Order) -> None:
    if order.status not in EDITABLE:
        raise ValidationError(
            {
                "status": _("A %(status)s order cannot be changed.")
                % {"status": order.get_status_display().lower()}
            }
        )


def _history(order: Order, *, to: str, actor: User | None, note: str = "") -> None:
    OrderEvent.objects.create(
        order=order, from_status=order.status, to_status=to, actor=actor, note=note[:255]
    )
    order.status = to


@transaction.atomic
def order_start(*, actor: User, client: Client, call_id: int | None = None) -> Order:
    """Open a draft order for a client (from a call or on its own)."""
    _ensure_taker(actor)
    if not client.is_active:
        raise ValidationError({"client": _("This client is inactive.")})
    if call_id is not None:
        from callpulse.telephony.models import Call

        call = Call.objects.filter(pk=call_id).first()
        if call is None or (call.client_id is not None and call.client_id != client.pk):
            raise ValidationError({"call": _("This call is not the client's.")})
    order = Order.objects.create(client=client, taken_by=actor, call_id=call_id)
    OrderEvent.objects.create(order=order, to_status=OrderStatus.DRAFT, actor=actor)
    return order


def _reprice(order: Order, lines: Sequence[tuple[Product, Decimal, bool]]) -> None:
    if not lines:
        order.lines.all().delete()
        order.total = order.base_total = Decimal("0.00")
        order.save(update_fields=["total", "base_total"])
        return
    priced = price_order(
        client=order.client, lines=[(p, q) for p, q, _ in lines], on=timezone.localdate()
    )
    from_offer = {p.pk: flag for p, _, flag in lines}
    order.lines.all().delete()
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product=line.product,
                quantity=line.quantity,
                base_price=line.base_price,
                unit_price=line.unit_price,
                line_total=line.line_total,
                explanation=line.explanation,
                from_offer=from_offer.get(line.product.pk, False),
            )
            for line in priced.lines
        ]
    )
    order.price_column = priced.column
    order.currency = priced.currency
    order.total = priced.total
    order.base_total = priced.base_total
    order.save(update_fields=["price_column", "currency", "total", "base_total"])


def _validated_lines(lines: Sequence[LineInput]) -> list[LineInput]:
    errors: list[str] = []
    seen: set[int] = set()
    for index, line in enumerate(lines, start=1):
        if not line.product.is_active:
            errors.append(
                _("%(n)d: %(sku)s is no longer sold.") % {"n": index, "sku": line.product.sku}
            )
        if line.quantity <= 0:
            errors.append(_("%(n)d: the quantity must be positive.") % {"n": index})
        if line.product.pk in seen:
            errors.append(
                _("%(n)d: %(sku)s is listed twice.") % {"n": index, "sku": line.product.sku}
            )
        seen.add(line.product.pk)
    if errors:
        raise ValidationError({"lines": errors})
    return list(lines)


@transaction.atomic
def order_set_lines(*, actor: User, order: Order, lines: Sequence[LineInput]) -> Order:
    """Replace the order's lines and price them; lines that came from offers stay marked."""
    _ensure_taker(actor)
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("client__client_type")
        .get(pk=order.pk)
    )
    ensure_may_change(actor, order)
    _ensure_editable(order)
    checked = _validated_lines(
        [LineInput(line.product, parse_quantity(line.quantity)) for line in lines]
    )
    offered = set(order.lines.filter(from_offer=True).values_list("product_id", flat=True))
    _reprice(order, [(line.product, line.quantity, line.product.pk in offered) for line in checked])
    return order


@transaction.atomic
def order_offer_record(
    *,
    actor: User,
    order: Order,
    product: Product,
    source: str,
    accepted: bool,
    quantity: Decimal | None = None,
) -> Offer:
    """Record that an item was offered and the client's answer; an accepted one joins the order."""
    _ensure_taker(actor)
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("client__client_type")
        .get(pk=order.pk)
    )
    ensure_may_change(actor, order)
    _ensure_editable(order)
    if order.lines.filter(product=product).exists():
        raise ValidationError(
            {"product": _("%(sku)s is already in the order.") % {"sku": product.sku}}
        )
    if order.offers.filter(product=product).exists():
        raise ValidationError({"product": _("%(sku)s was already offered.") % {"sku": product.sku}})
    offer = Offer(
        order=order,
        product=product,
        source=source,
        result=OfferResult.ACCEPTED if accepted else OfferResult.DECLINED,
        presented_by=actor,
    )
    offer.full_clean(exclude=["order", "product", "presented_by"])
    if accepted:
        qty = quantity if quantity is not None else product.pack_size
        if qty <= 0:
            raise ValidationError({"quantity": _("The quantity must be positive.")})
        before = order.total
        current = [
            (line.product, line.quantity, line.from_offer)
            for line in order.lines.select_related("product")
        ]
        _reprice(order, [*current, (product, qty, True)])
        offer.added_revenue = order.total - before
    offer.save()
    return offer


def _terms_errors(order: Order) -> dict[str, str]:
    """What is missing or wrong in the delivery and payment terms, by field."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    regional = order.client.client_type.code == "regional"
    if not order.receiver.strip():
        errors["receiver"] = _("Who receives the goods at the client's?")
    if not order.payment_form:
        errors["payment_form"] = _("Agree the form of payment.")
    if any(doc not in DOCUMENTS for doc in order.documents):
        errors["documents"] = _("Documents are any of: %(docs)s.") % {"docs": ", ".join(DOCUMENTS)}
    if regional:
        has_shipping = bool(order.carrier.strip() and order.shipping_address.strip())
        if order.arrival_date is None and not has_shipping:
            errors["arrival_date"] = _(
                "A regional client agrees the arrival date or the shipping details."
            )
            if not order.carrier.strip():
                errors["carrier"] = _("Name the carrier, or give the arrival date.")
            if not order.shipping_address.strip():
                errors["shipping_address"] = _("Give the shipping address, or the arrival date.")
        if order.arrival_date is not None and order.arrival_date < today:
            errors["arrival_date"] = _("The arrival date cannot be in the past.")
    if order.delivery_date is None:
        if not regional:
            errors["delivery_date"] = _("Agree the delivery date.")
    else:
        problem = delivery_date_problem(order.delivery_date, today=today)
        if problem:
            errors["delivery_date"] = problem
    return errors


def delivery_date_problem(day: date, *, today: date) -> str:
    """Why the warehouse cannot deliver that day, or an empty string."""
    if day < today:
        return _("The delivery date cannot be in the past.")
    if day.weekday() in settings.CALLPULSE_WAREHOUSE_DAYS_OFF:
        return _("The warehouse does not work on %(day)s.") % {"day": formats.date_format(day, "l")}
    holiday = NonWorkingDay.objects.filter(day=day).first()
    if holiday is not None:
        return _("The warehouse does not work on %(day)s (%(note)s).") % {
            "day": day.strftime("%d.%m.%Y"),
            "note": holiday.note,
        }
    return ""


TERM_FIELDS = {
    "delivery_date",
    "receiver",
    "payment_form",
    "documents",
    "carrier",
    "shipping_address",
    "arrival_date",
}


@transaction.atomic
def order_set_terms(*, actor: User, order: Order, **terms: Any) -> Order:
    """Set delivery and payment terms; wrong values are field errors at once, gaps at acceptance."""
    _ensure_taker(actor)
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("client__client_type")
        .get(pk=order.pk)
    )
    ensure_may_change(actor, order)
    _ensure_editable(order)
    unknown = set(terms) - TERM_FIELDS
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    for name, value in terms.items():
        setattr(
            order,
            name,
            value if value is not None or name in {"delivery_date", "arrival_date"} else "",
        )
    if order.payment_form and order.payment_form not in PaymentForm.values:
        raise ValidationError({"payment_form": _("Choose a form of payment from the list.")})
    # lengths and types of the terms, by field
    order.full_clean(exclude=[f.name for f in Order._meta.fields if f.name not in TERM_FIELDS])
    wrong = {
        k: v
        for k, v in _terms_errors(order).items()
        if k in terms and getattr(order, k) not in (None, "", [])
    }
    if wrong:
        raise ValidationError(wrong)
    order.save()
    return order


@transaction.atomic
def order_accept(*, actor: User, order: Order, override_reason: str = "") -> Order:
    """Accept the order: offers made, terms complete, the credit check passed (or overridden)."""
    if not user_has_role(actor, ORDER_TAKERS | CREDIT_OVERRIDERS):
        raise PermissionDenied(_("Your role does not accept orders."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    ensure_may_change(actor, order)
    _ensure_editable(order)
    client = crm_services.client_lock(order.client)  # serialises credit decisions per client
    order.client = client
    errors: dict[str, Any] = {}
    if not order.lines.exists():
        errors["lines"] = _("The order has no lines.")
    verdict = credit_verdict(client, order.total)
    override = override_reason.strip()
    if not verdict.ok and not override:
        # The credit check decides first: offers and terms are not demanded of an order that
        # cannot be accepted anyway; the screen offers the hand-off instead.
        raise ValidationError(
            {"credit": _("Not accepted: %(reason)s.") % {"reason": verdict.reason}},
            code=verdict.code,
        )
    offers = order.offers.count()
    needed = settings.CALLPULSE_MIN_OFFERS
    if offers < needed:
        errors["offers"] = _(
            "Offer at least %(needed)d items beyond the order (%(made)d so far)."
        ) % {
            "needed": needed,
            "made": offers,
        }
    errors.update(_terms_errors(order))
    if errors:
        raise ValidationError(errors)
    if not verdict.ok:
        if not user_has_role(actor, CREDIT_OVERRIDERS):
            raise PermissionDenied(
                _("Only finance or the head of sales may override the credit check.")
            )
        order.credit_override_reason = override[:255]
        order.credit_override_by = actor
        audit_record(
            actor=actor,
            action="order.credit_override",
            target=order,
            changes={"verdict": verdict.code, "reason": override, "total": str(order.total)},
        )
    now = timezone.now()
    order.accepted_at = now
    order.number = f"{timezone.localtime(now):%y%m}-{order.pk:06d}"
    _history(order, to=OrderStatus.ACCEPTED, actor=actor, note=override)
    order.save()
    crm_services.client_exposure_adjust(client=client, delta=order.total, ordered_at=now.date())
    HandOff.objects.filter(order=order, resolved_at__isnull=True).update(resolved_at=now)
    _notify_accepted(order)
    publish_on_commit(
        "orders", {"type": "order_accepted", "order": order.pk, "total": str(order.total)}
    )
    _tell_the_desk(order)
    return order


def _tell_the_desk(order: Order) -> None:
    """An order taken during a call: the desk of the call's operator pre-sets the wrap-up
    outcome and refreshes the client's credit (the order screen is another tab)."""
    if order.call_id is None:
        return
    from callpulse.telephony.models import Call

    operator_id = Call.objects.filter(pk=order.call_id).values_list("operator_id", flat=True)
    for user_id in operator_id:
        if user_id is not None:
            publish_on_commit(
                user_channel(user_id),
                {"type": "order_accepted", "call": order.call_id, "order": order.pk},
            )


def _notify_accepted(order: Order) -> None:
    """The head of the client's department and the manager control the fulfilment."""
    client = order.client
    recipients: list[User] = []
    department = client.manager.department if client.manager else client.client_type.department
    if department is not None and department.head is not None:
        recipients.append(department.head)
    if client.manager is not None:
        recipients.append(client.manager)
    title = _("Order %(number)s accepted: %(client)s, %(total)s %(currency)s") % {
        "number": order.number,
        "client": client.name,
        "total": order.total,
        "currency": order.currency,
    }
    body = _("Delivery %(date)s, receiving: %(receiver)s. Taken by %(operator)s.") % {
        "date": order.delivery_date or order.arrival_date or "—",
        "receiver": order.receiver,
        "operator": order.taken_by,
    }
    for recipient in dict.fromkeys(recipients):
        notification_send(
            recipient=recipient,
            title=title,
            body=body,
            link=f"/orders/{order.pk}/",
            email=True,
            kind=NotificationKind.ORDER,
        )


@transaction.atomic
def order_hand_off(*, actor: User, order: Order, to: str) -> HandOff:
    """One click: the draft goes to the manager or finance as a task, with the reason."""
    _ensure_taker(actor)
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("client__manager")
        .get(pk=order.pk)
    )
    ensure_may_change(actor, order)
    if order.status != OrderStatus.DRAFT:
        raise ValidationError({"status": _("Only a draft is handed off.")})
    if to not in HandOffTo.values:
        raise ValidationError({"to": _("Hand off to the manager or to finance.")})
    verdict = credit_verdict(order.client, order.total)
    standing_in = ""
    assignee: User | None
    if to == HandOffTo.MANAGER:
        manager = order.client.manager
        if manager is None:
            raise ValidationError({"to": _("The client has no manager: hand it to finance.")})
        assignee, standing_in = _manager_or_stand_in(manager)
    else:
        assignee = User.objects.filter(is_active=True, roles__code="finance").order_by("pk").first()
    hand_off = HandOff.objects.create(
        order=order,
        to=to,
        assignee=assignee,
        reason=verdict.reason[:255],
        reason_code=verdict.code,
        reason_params=verdict.params,
        created_by=actor,
    )
    _history(order, to=OrderStatus.HANDED_OFF, actor=actor, note=verdict.reason)
    order.save(update_fields=["status"])
    if assignee is not None:
        notification_send(
            recipient=assignee,
            title=_("Order handed to you: %(client)s, %(total)s")
            % {"client": order.client.name, "total": order.total},
            body="\n".join(line for line in (standing_in, verdict.reason) if line),
            link=f"/orders/{order.pk}/",
            email=True,
            kind=NotificationKind.HAND_OFF,
        )
    return hand_off


def _manager_or_stand_in(manager: User) -> tuple[User, str]:
    """Who takes a hand-off for the manager now, and a line saying why when it is not them.

    An absent manager's colleague who covers (the person the client card names) takes it; with
    nobody covering, the head of the manager's department does (seed 002: the department head
    when the manager is absent); with no head either, it waits for the manager.
    """
    now = timezone.now()
    stand_in, absence = user_standing_in_for(user=manager, at=now)
    if absence is None:
        return manager, ""
    if stand_in.pk != manager.pk:
        return stand_in, _("%(manager)s is away (%(kind)s); you cover.") % {
            "manager": manager,
            "kind": absence.get_kind_display(),
        }
    department = manager.department
    head = department.head if department is not None else None
    if head is not None and head.is_active and head.pk != manager.pk:
        head_stand_in, _head_absence = user_standing_in_for(user=head, at=now)
        return head_stand_in, _(
            "%(manager)s is away (%(kind)s) and nobody covers: to the department head."
        ) % {"manager": manager, "kind": absence.get_kind_display()}
    return manager, ""


@transaction.atomic
def order_cancel(*, actor: User, order: Order, reason: str) -> Order:
    """Cancel; an accepted order gives its amount back to the client's credit."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    ensure_may_cancel(actor, order)
    if order.status not in (*EDITABLE, *OPEN):
        raise ValidationError({"status": _("This order can no longer be cancelled.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    if order.status in OPEN:
        client = crm_services.client_lock(order.client)
        crm_services.client_exposure_adjust(client=client, delta=-order.total)
    _history(order, to=OrderStatus.CANCELLED, actor=actor, note=reason)
    order.save(update_fields=["status"])
    return order


def _step_note(note: str) -> str:
    """A fulfilment step's note as it goes to the history (refused, not cut, when too long)."""
    text = note.strip()
    if len(text) > 255:
        raise ValidationError({"note": _("Keep the note within 255 characters.")})
    return text


@transaction.atomic
def order_pick(*, actor: User, order: Order, note: str = "") -> Order:
    """Picked at the warehouse: the goods are ready to ship (still an open order on credit)."""
    if not may_pick(actor):
        raise PermissionDenied(_("Your role does not mark orders picked."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.ACCEPTED:
        raise ValidationError({"status": _("Only an accepted order is picked.")})
    _history(order, to=OrderStatus.PICKED, actor=actor, note=_step_note(note))
    order.save(update_fields=["status"])
    return order


@transaction.atomic
def order_ship(*, actor: User, order: Order, carrier: str = "", note: str = "") -> Order:
    """Shipped: the invoice is raised, so the amount moves from open orders to debt.

    Picking is recorded when the warehouse records it: an accepted order may ship directly.
    `carrier` (if given) replaces the agreed one; `note` (a waybill number…) goes to history.
    """
    if not may_ship(actor):
        raise PermissionDenied(_("Your role does not ship orders."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in OPEN:
        raise ValidationError({"status": _("Only an accepted or picked order is shipped.")})
    note = _step_note(note)
    carrier = carrier.strip()
    if len(carrier) > Order._meta.get_field("carrier").max_length:  # type: ignore[operator]
        raise ValidationError({"carrier": _("The carrier's name is too long.")})
    client = crm_services.client_lock(order.client)
    today = timezone.localdate()
    crm_services.credit_event_record_system(
        client=client,
        kind=CreditEventKind.INVOICE,
        amount=order.total,
        occurred_on=today,
        due_on=today + timedelta(days=settings.CALLPULSE_PAYMENT_TERMS_DAYS),
        document=order.number or "",
    )
    crm_services.client_exposure_adjust(client=client, delta=-order.total)
    if carrier:
        order.carrier = carrier
    _history(order, to=OrderStatus.SHIPPED, actor=actor, note=_step_note(note))
    order.save(update_fields=["status", "carrier"])
    return order


@transaction.atomic
def order_deliver(*, actor: User, order: Order, note: str = "") -> Order:
    """Delivered: the client received the goods (`note`: who signed, what was short…)."""
    if not may_deliver(actor):
        raise PermissionDenied(_("Your role does not mark deliveries."))
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.SHIPPED:
        raise ValidationError({"status": _("Only a shipped order is delivered.")})
    _history(order, to=OrderStatus.DELIVERED, actor=actor, note=_step_note(note))
    order.save(update_fields=["status"])
    return order


def parse_quantity(raw: str | Decimal | int) -> Decimal:
    """A quantity as operators type it: '2', '2,5', '2.5'."""
    try:
        value = Decimal(str(raw).replace(",", ".").replace(" ", "").strip())
    except InvalidOperation as exc:
        raise ValidationError(
            {"quantity": _("“%(value)s” is not a number.") % {"value": raw}}
        ) from exc
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int) or exponent < -3:
        raise ValidationError({"quantity": _("“%(value)s” is not a quantity.") % {"value": raw}})
    if abs(value) >= Decimal("1e9"):
        raise ValidationError({"quantity": _("“%(value)s” is too large.") % {"value": raw}})
    return value
