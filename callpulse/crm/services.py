"""Writes to client data: cards, numbers, credit limits, the credit history and receivables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.core.models import NotificationKind, User
from callpulse.core.phones import format_phone, normalize_phone
from callpulse.core.roles import (
    CLIENT_ASSIGNERS,
    CLIENT_EDITORS,
    CLIENT_STATUS_EDITORS,
    CREDIT_CONTROLLERS,
    RoleCode,
    user_has_role,
)
from callpulse.core.selectors import user_standing_in_for
from callpulse.core.services import audit_record, notification_send, notifications_settle
from callpulse.crm.models import (
    Client,
    ClientType,
    Contact,
    CreditEvent,
    CreditEventKind,
    Phone,
    PhoneKind,
)
from callpulse.crm.receivables import ZERO, Receivables, compute_receivables
from callpulse.crm.selectors import department_for_new_clients, receivables_from_history


@dataclass(frozen=True)
class PhoneInput:
    number: str
    kind: str = PhoneKind.WORK


@dataclass(frozen=True)
class ContactInput:
    full_name: str
    position: str = ""
    email: str = ""
    is_primary: bool = False


CLIENT_FIELDS = {
    "kind",
    "name",
    "client_type",
    "manager",
    "region",
    "timezone",
    "address",
    "email",
    "tax_id",
    "notes",
    "is_active",
}


def _ensure(actor: User, roles: frozenset[str], message: str) -> None:
    if not user_has_role(actor, roles):
        raise PermissionDenied(message)


def _normalized_phones(
    phones: Sequence[PhoneInput], *, client: Client | None
) -> list[tuple[str, str]]:
    """E.164 numbers for the inputs; field errors name the position of each bad number."""
    errors: dict[str, list[str]] = {}
    result: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, phone in enumerate(phones):
        try:
            number = normalize_phone(phone.number)
        except ValidationError as exc:
            errors.setdefault("phones", []).append(f"{index + 1}: {exc.messages[0]}")
            continue
        if phone.kind not in PhoneKind.values:
            errors.setdefault("phones", []).append(
                f"{index + 1}: " + _("Unknown kind “%(kind)s”.") % {"kind": phone.kind}
            )
            continue
        if number in seen:
            errors.setdefault("phones", []).append(
                f"{index + 1}: " + _("%(number)s is listed twice.") % {"number": number}
            )
            continue
        seen.add(number)
        result.append((number, phone.kind))
    taken = Phone.objects.filter(number__in=seen).select_related("client")
    if client is not None:
        taken = taken.exclude(client=client)
    for phone_row in taken:
        errors.setdefault("phones", []).append(
            _("%(number)s already belongs to %(client)s.")
            % {"number": phone_row.number, "client": phone_row.client}
        )
    if errors:
        raise ValidationError(errors)
    return result


def _replace_phones(client: Client, numbers: list[tuple[str, str]]) -> None:
    client.phones.exclude(number__in=[n for n, _ in numbers]).delete()
    existing = {p.number: p for p in client.phones.all()}
    for number, kind in numbers:
        row = existing.get(number)
        if row is None:
            Phone.objects.create(client=client, number=number, kind=kind)
        elif row.kind != kind:
            row.kind = kind
            row.save(update_fields=["kind"])


def _ensure_may_assign(actor: User, manager: User | None, *, current: User | None) -> None:
    """Naming a client's manager is a head's call. An account manager may name only themselves,
    and only for a client nobody manages yet: taking over a colleague's client is a head's call.
    """
    if user_has_role(actor, CLIENT_ASSIGNERS):
        return
    if (
        current is None
        and manager is not None
        and manager.pk == actor.pk
        and user_has_role(actor, frozenset({RoleCode.ACCOUNT_MANAGER}))
    ):
        return
    raise PermissionDenied(_("Only a department head assigns a client's manager."))


def _check_manager(manager: User | None) -> None:
    if manager is not None and not manager.is_active:
        raise ValidationError({"manager": _("%(name)s no longer works here.") % {"name": manager}})


@transaction.atomic
def client_create(
    *,
    actor: User,
    name: str,
    client_type: ClientType,
    phones: Sequence[PhoneInput] = (),
    contacts: Sequence[ContactInput] = (),
    credit_limit: Decimal = ZERO,
    **fields: Any,
) -> Client:
    """Open a client card. Setting a credit limit is finance's call, not the operator's."""
    _ensure(actor, CLIENT_EDITORS, _("You may not create clients."))
    if credit_limit != ZERO:
        _ensure(actor, CREDIT_CONTROLLERS, _("Only finance sets a credit limit."))
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise ValidationError({name_: _("Unknown field.") for name_ in unknown})
    if fields.get("manager") is not None:
        _ensure_may_assign(actor, fields["manager"], current=None)
    if fields.get("is_active") is False:
        _ensure(actor, CLIENT_STATUS_EDITORS, _("Only a head deactivates a client."))
    _check_manager(fields.get("manager"))
    client = Client(name=name, client_type=client_type, credit_limit=credit_limit, **fields)
    client.full_clean()
    numbers = _normalized_phones(phones, client=None)
    client.receivables_as_of = timezone.localdate()
    client.save()
    _replace_phones(client, numbers)
    for contact in contacts:
        contact_row = Contact(client=client, **contact.__dict__)
        contact_row.full_clean()
        contact_row.save()
    audit_record(actor=actor, action="client.create", target=client, changes={"name": name})
    if client.manager is None:
        _ask_head_to_assign(client, actor=actor)
    else:
        _tell_manager_assigned(client, actor=actor)
    return client


@transaction.atomic
def client_update(
    *,
    actor: User,
    client: Client,
    phones: Sequence[PhoneInput] | None = None,
    credit_limit: Decimal | None = None,
    **fields: Any,
) -> Client:
    """Change a client card; phones, when given, replace the client's numbers."""
    _ensure(actor, CLIENT_EDITORS | CREDIT_CONTROLLERS, _("You may not edit clients."))
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise ValidationError({name_: _("This field cannot be changed here.") for name_ in unknown})
    if fields:
        _ensure(actor, CLIENT_EDITORS, _("You may not edit client cards."))
    client = Client.objects.select_for_update().get(pk=client.pk)
    changes: dict[str, Any] = {}
    if credit_limit is not None and credit_limit != client.credit_limit:
        _ensure(actor, CREDIT_CONTROLLERS, _("Only finance changes a credit limit."))
        changes["credit_limit"] = [str(client.credit_limit), str(credit_limit)]
        client.credit_limit = credit_limit
    if "manager" in fields and fields["manager"] != client.manager:
        _ensure_may_assign(actor, fields["manager"], current=client.manager)
        _check_manager(fields["manager"])
    if "client_type" in fields and fields["client_type"] != client.client_type:
        _ensure(
            actor,
            CLIENT_STATUS_EDITORS,
            _("Only a head changes a client's type: it sets the client's prices."),
        )
    if "is_active" in fields and fields["is_active"] != client.is_active:
        _ensure(actor, CLIENT_STATUS_EDITORS, _("Only a head deactivates or restores a client."))
    for field_name, value in fields.items():
        old = getattr(client, field_name)
        if old != value:
            changes[field_name] = [str(old), str(value)]
            setattr(client, field_name, value)
    client.full_clean()
    client.save()
    if phones is not None:
        _ensure(actor, CLIENT_EDITORS, _("You may not edit client cards."))
        _replace_phones(client, _normalized_phones(phones, client=client))
        changes["phones"] = [p.number for p in phones]
    if changes:
        action = "client.credit_limit" if set(changes) == {"credit_limit"} else "client.update"
        audit_record(actor=actor, action=action, target=client, changes=changes)
    if "manager" in changes and client.manager is not None:
        _tell_manager_assigned(client, actor=actor)
    return client


def client_assign_link(client: Client) -> str:
    """The small screen where a head gives a new client to a manager."""
    return reverse("crm:assign", kwargs={"client_id": client.pk})


def _ask_head_to_assign(client: Client, *, actor: User) -> None:
    """Seed 002: a new client goes to the department head, who assigns a manager.

    The head of the type's department (or CALLPULSE_NEW_CLIENTS_DEPARTMENT), or whoever covers
    while they are away; with no head at all, the head of sales.
    """
    department = department_for_new_clients(client.client_type)
    recipients: list[User] = []
    if department is not None and department.head is not None and department.head.is_active:
        stand_in, _absence = user_standing_in_for(user=department.head, at=timezone.now())
        recipients.append(stand_in)
    else:
        recipients.extend(
            User.objects.filter(is_active=True, roles__code=RoleCode.HEAD_OF_SALES).order_by("pk")
        )
    numbers = ", ".join(format_phone(p.number) for p in client.phones.all())
    body = _("%(type)s%(region)s. Opened by %(actor)s.") % {
        "type": client.client_type,
        "region": f", {client.region}" if client.region else "",
        "actor": actor,
    }
    if numbers:
        body += "\n" + numbers
    for recipient in dict.fromkeys(recipients):
        notification_send(
            recipient=recipient,
            title=_("New client, assign a manager: %(client)s") % {"client": client.name},
            body=body,
            link=client_assign_link(client),
            kind=NotificationKind.NEW_CLIENT,
        )


def _tell_manager_assigned(client: Client, *, actor: User) -> None:
    """The manager learns of their new client; the heads' "assign a manager" task is done."""
    notifications_settle(kind=NotificationKind.NEW_CLIENT, link=client_assign_link(client))
    manager = client.manager
    if manager is None or manager.pk == actor.pk:
        return
    notification_send(
        recipient=manager,
        title=_("Client assigned to you: %(client)s") % {"client": client.name},
        body=_("Assigned by %(actor)s.") % {"actor": actor},
        link=reverse("crm:card", kwargs={"client_id": client.pk}),
        kind=NotificationKind.ASSIGNMENT,
    )


@transaction.atomic
def client_phone_add(
    *, actor: User, client: Client, number: str, kind: str = PhoneKind.WORK
) -> str:
    """Add a number to a client's card (a known client calling from a new number)."""
    _ensure(actor, CLIENT_EDITORS, _("You may not edit client cards."))
    normalized = _normalized_phones([PhoneInput(number=number, kind=kind)], client=client)
    e164, phone_kind = normalized[0]
    if not client.phones.filter(number=e164).exists():
        Phone.objects.create(client=client, number=e164, kind=phone_kind)
        audit_record(
            actor=actor, action="client.phone_add", target=client, changes={"number": e164}
        )
    return e164


def client_receivables_refresh(*, client: Client, as_of: date | None = None) -> Receivables:
    """Store the debt figures that follow from the credit history as of a day (default today)."""
    day = as_of or timezone.localdate()
    receivables = receivables_from_history(client_id=client.pk, as_of=day)
    Client.objects.filter(pk=client.pk).update(
        debt=receivables.debt,
        overdue_debt=receivables.overdue_debt,
        overdue_since=receivables.overdue_since,
        receivables_as_of=day,
    )
    client.debt = receivables.debt
    client.overdue_debt = receivables.overdue_debt
    client.overdue_since = receivables.overdue_since
    client.receivables_as_of = day
    return receivables


def receivables_refresh_all(*, as_of: date | None = None, batch_size: int = 1000) -> int:
    """Nightly: invoices fall overdue with no event, so restate every client's figures.

    One pass over the credit history ordered by client, computed in memory and written in
    batches: a few queries per thousand clients instead of three per client.
    """
    day = as_of or timezone.localdate()
    history: dict[int, tuple[list[tuple[date, Decimal]], Decimal]] = {}
    events = (
        CreditEvent.objects.filter(occurred_on__lte=day)
        .order_by()
        .values_list("client_id", "kind", "amount", "due_on")
    )
    for client_id, kind, amount, due_on in events.iterator(chunk_size=5000):
        invoices, settled = history.get(client_id, ([], ZERO))
        if kind == CreditEventKind.INVOICE:
            if due_on is not None:
                invoices.append((due_on, amount))
        else:
            settled += amount
        history[client_id] = (invoices, settled)
    count = 0
    batch: list[Client] = []
    for client in Client.objects.only("pk").order_by("pk").iterator(chunk_size=batch_size):
        invoices, settled = history.get(client.pk, ([], ZERO))
        figures = compute_receivables(invoices=invoices, settled=settled, as_of=day)
        client.debt = figures.debt
        client.overdue_debt = figures.overdue_debt
        client.overdue_since = figures.overdue_since
        client.receivables_as_of = day
        batch.append(client)
        if len(batch) >= batch_size:
            count += _store_receivables(batch)
            batch = []
    return count + _store_receivables(batch)


def _store_receivables(clients: list[Client]) -> int:
    with transaction.atomic():
        Client.objects.bulk_update(
            clients, ["debt", "overdue_debt", "overdue_since", "receivables_as_of"]
        )
    return len(clients)


@transaction.atomic
def credit_event_record(
    *,
    actor: User,
    client: Client,
    kind: str,
    amount: Decimal,
    occurred_on: date,
    due_on: date | None = None,
    document: str = "",
    note: str = "",
) -> CreditEvent:
    """Record an invoice, payment or write-off and restate the client's receivables."""
    _ensure(actor, CREDIT_CONTROLLERS, _("Only finance records invoices and payments."))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if kind not in CreditEventKind.values:
        errors["kind"] = _("Choose one of: %(kinds)s.") % {
            "kinds": ", ".join(CreditEventKind.values)
        }
    if amount <= 0:
        errors["amount"] = _("The amount must be positive.")
    if occurred_on > today:
        errors["occurred_on"] = _("The date cannot be in the future.")
    if kind == CreditEventKind.INVOICE:
        if due_on is None:
            errors["due_on"] = _("An invoice needs a payment due date.")
        elif due_on < occurred_on:
            errors["due_on"] = _("Payment cannot be due before the invoice date.")
    elif due_on is not None:
        errors["due_on"] = _("Only invoices have a payment due date.")
    if errors:
        raise ValidationError(errors)
    locked = Client.objects.select_for_update().get(pk=client.pk)
    event = CreditEvent(
        client=locked,
        kind=kind,
        amount=amount,
        occurred_on=occurred_on,
        due_on=due_on,
        document=document,
        note=note,
        created_by=actor,
    )
    event.full_clean()
    event.save()
    client_receivables_refresh(client=locked, as_of=today)
    for attr in ("debt", "overdue_debt", "overdue_since", "receivables_as_of"):
        setattr(client, attr, getattr(locked, attr))
    audit_record(
        actor=actor,
        action=f"credit.{kind}",
        target=locked,
        changes={"amount": str(amount), "document": document},
    )
    return event


def client_exposure_adjust(
    *, client: Client, delta: Decimal, ordered_at: date | None = None
) -> None:
    """Accepted orders not yet invoiced count against the credit limit; call under the lock."""
    Client.objects.filter(pk=client.pk).update(open_orders_total=F("open_orders_total") + delta)
    client.refresh_from_db(fields=["open_orders_total"])
    if ordered_at is not None:
        Client.objects.filter(pk=client.pk).update(last_order_at=timezone.now())


def client_lock(client: Client) -> Client:
    """The client row, locked until the end of the transaction (credit decisions)."""
    return (
        Client.objects.select_for_update(of=("self",))
        .select_related("client_type", "manager")
        .get(pk=client.pk)
    )


def credit_event_record_system(
    *,
    client: Client,
    kind: str,
    amount: Decimal,
    occurred_on: date,
    due_on: date | None,
    document: str,
) -> CreditEvent:
    """An invoice the system raises itself (an order shipped): no role check, same arithmetic."""
    event = CreditEvent.objects.create(
        client=client,
        kind=kind,
        amount=amount,
        occurred_on=occurred_on,
        due_on=due_on,
        document=document,
    )
    client_receivables_refresh(client=client)
    return event
