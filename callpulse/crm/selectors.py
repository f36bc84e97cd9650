"""Reads of client data: lookup by number, search, the client card, credit status, dormancy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from callpulse.core.models import Absence, User
from callpulse.core.phones import looks_like_phone, normalize_phone
from callpulse.core.selectors import user_absence_at
from callpulse.crm.models import Client, CreditEvent, CreditEventKind, DoNotCall
from callpulse.crm.receivables import ZERO, Receivables, compute_receivables


def clients_with_card_relations() -> QuerySet[Client]:
    """Clients with what every list and card shows already joined (no N+1)."""
    return Client.objects.select_related("client_type", "manager", "manager__department")


def client_find_by_phone(raw: str) -> Client | None:
    """The client a number belongs to, in one indexed query; raises ValidationError if no number."""
    number = normalize_phone(raw)
    # the number is unique: no ORDER BY, at most one row
    return next(
        iter(clients_with_card_relations().filter(phones__number=number).order_by()[:1]), None
    )


def clients_search(query: str, *, limit: int = 25) -> QuerySet[Client]:
    """Clients matching what an operator typed: a number in any form, a name, a BIN or a region."""
    text = query.strip()
    clients = clients_with_card_relations().filter(is_active=True)
    if not text:
        return clients.none()
    if looks_like_phone(text):
        try:
            return clients.filter(phones__number=normalize_phone(text))[:limit]
        except ValidationError:  # a partial number: match the digits typed so far
            digits = "".join(ch for ch in text if ch.isdigit())
            return clients.filter(Q(phones__number__contains=digits) | Q(tax_id=digits)).distinct()[
                :limit
            ]
    return clients.filter(
        Q(name__icontains=text) | Q(contacts__full_name__icontains=text) | Q(region__iexact=text)
    ).distinct()[:limit]


def dormancy_cutoff(at: datetime) -> datetime:
    return at - timedelta(days=settings.CALLPULSE_DORMANT_AFTER_DAYS)


def clients_dormant(*, at: datetime | None = None) -> QuerySet[Client]:
    """Active clients with no order for CALLPULSE_DORMANT_AFTER_DAYS days (or none ever)."""
    cutoff = dormancy_cutoff(at or timezone.now())
    return (
        clients_with_card_relations()
        .filter(is_active=True, created_at__lt=cutoff)
        .filter(Q(last_order_at__lt=cutoff) | Q(last_order_at__isnull=True))
    )


def client_is_dormant(client: Client, *, at: datetime | None = None) -> bool:
    cutoff = dormancy_cutoff(at or timezone.now())
    if client.created_at >= cutoff:
        return False
    return client.last_order_at is None or client.last_order_at < cutoff


def receivables_from_history(*, client_id: int, as_of: date) -> Receivables:
    """Recompute a client's receivables from the credit history (two queries)."""
    events = CreditEvent.objects.filter(client_id=client_id, occurred_on__lte=as_of)
    invoices = list(events.filter(kind=CreditEventKind.INVOICE).values_list("due_on", "amount"))
    settled = events.exclude(kind=CreditEventKind.INVOICE).aggregate(total=Sum("amount"))["total"]
    return compute_receivables(
        invoices=[(due, amount) for due, amount in invoices if due is not None],
        settled=settled or ZERO,
        as_of=as_of,
    )


@dataclass(frozen=True)
class CreditStatus:
    """What an operator must know before taking an order: may this client buy on credit?"""

    credit_limit: Decimal
    debt: Decimal
    overdue_debt: Decimal
    overdue_since: date | None
    as_of: date

    @property
    def available(self) -> Decimal:
        return max(self.credit_limit - self.debt, ZERO)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_debt > 0

    @property
    def is_over_limit(self) -> bool:
        return self.debt > self.credit_limit

    @property
    def is_blocked(self) -> bool:
        """Red on the card: overdue debt or debt past the limit."""
        return self.is_overdue or self.is_over_limit


def client_credit_status(client: Client, *, today: date | None = None) -> CreditStatus:
    """The client's credit status today: stored figures when fresh, else recomputed live."""
    day = today or timezone.localdate()
    if client.receivables_as_of == day:
        receivables = Receivables(
            debt=client.debt,
            overdue_debt=client.overdue_debt,
            overdue_since=client.overdue_since,
            as_of=day,
        )
    else:
        receivables = receivables_from_history(client_id=client.pk, as_of=day)
    return CreditStatus(
        credit_limit=client.credit_limit,
        debt=receivables.debt,
        overdue_debt=receivables.overdue_debt,
        overdue_since=receivables.overdue_since,
        as_of=day,
    )


def client_with_live_receivables(client: Client, *, today: date | None = None) -> Client:
    """The client with its debt figures restated for today in memory (nothing is saved)."""
    status = client_credit_status(client, today=today)
    client.debt = status.debt
    client.overdue_debt = status.overdue_debt
    client.overdue_since = status.overdue_since
    client.receivables_as_of = status.as_of
    return client


@dataclass(frozen=True)
class ManagerPresence:
    manager: User | None
    absence: Absence | None

    @property
    def is_in(self) -> bool:
        return self.manager is not None and self.absence is None


@dataclass(frozen=True)
class ClientCard:
    """Everything the client card shows, fetched in a fixed number of queries."""

    client: Client
    presence: ManagerPresence
    credit: CreditStatus
    contacts: list
    phones: list
    credit_events: list[CreditEvent]
    is_dormant: bool
    local_time: datetime
    do_not_call: frozenset[str] = frozenset()  # the client's numbers nobody may dial


def client_card(
    *, client_id: int, at: datetime | None = None, history_limit: int = 50
) -> ClientCard:
    """The client card: type, manager and whether they are in, credit status, contacts, history."""
    moment = at or timezone.now()
    client = (
        clients_with_card_relations()
        .prefetch_related("contacts__phones", "phones")
        .get(pk=client_id)
    )
    absence = user_absence_at(user=client.manager, at=moment) if client.manager else None
    phones = list(client.phones.all())
    refused = DoNotCall.objects.filter(number__in=[p.number for p in phones])
    return ClientCard(
        client=client,
        presence=ManagerPresence(manager=client.manager, absence=absence),
        credit=client_credit_status(client, today=timezone.localdate(moment)),
        contacts=list(client.contacts.all()),
        phones=phones,
        credit_events=list(client.credit_events.select_related("created_by").all()[:history_limit]),
        is_dormant=client_is_dormant(client, at=moment),
        local_time=moment.astimezone(ZoneInfo(client.timezone)),
        do_not_call=frozenset(refused.values_list("number", flat=True)) if phones else frozenset(),
    )
