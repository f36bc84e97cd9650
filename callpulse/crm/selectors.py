"""Reads of client data: lookup by number, search, the client card, credit status, dormancy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from callpulse.core.models import Absence, Department, User
from callpulse.core.phones import looks_like_phone, normalize_phone
from callpulse.core.roles import RoleCode
from callpulse.core.selectors import user_absence_at, users_with_presence
from callpulse.crm.models import Client, ClientType, CreditEvent, CreditEventKind, DoNotCall
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
    open_orders: Decimal = ZERO  # accepted, not yet shipped (invoiced): they use the limit too

    @property
    def available(self) -> Decimal:
        """What the client may still order on credit: the limit less debt and open orders."""
        return max(self.credit_limit - self.debt - self.open_orders, ZERO)

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
        open_orders=client.open_orders_total,
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


# --- new clients: duplicates, whose head assigns them, to whom ---------------------------------

# Legal forms and filler that say nothing about which client it is (ru, kk, en).
_NAME_NOISE = frozenset(
    {"тоо", "ип", "ао", "оао", "зао", "ооо", "пао", "кх", "чп", "жшс", "llp", "llc", "ltd", "too"}
)
_NAME_PUNCTUATION = re.compile(r"[«»\"'“”„`.,:;()\[\]/\\–—-]+")


def client_name_words(name: str) -> frozenset[str]:
    """The words that identify a client's name: no quotes, no legal form, any case."""
    text = _NAME_PUNCTUATION.sub(" ", name.casefold())
    return frozenset(word for word in text.split() if word not in _NAME_NOISE)


def _names_alike(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    if not mine or not theirs:
        return False
    if mine <= theirs or theirs <= mine:
        return True
    return len(mine & theirs) / len(mine | theirs) >= 0.5


def client_duplicates(*, name: str, numbers: Sequence[str], limit: int = 10) -> list[Client]:
    """Clients that may be the one about to be opened: a number already theirs, or a name alike.

    `numbers` are E.164. Names compare by their words, without quotes and legal forms, so
    «Алтын Дала» finds ТОО «Алтын Дала» and Алтын Дала Дистрибьюшн.
    """
    found: dict[int, Client] = {}
    if numbers:
        for client in clients_with_card_relations().filter(phones__number__in=list(numbers)):
            found.setdefault(client.pk, client)
    words = client_name_words(name)
    telling = [word for word in words if len(word) >= 3] or list(words)
    if telling:
        any_word = Q()
        for word in sorted(telling, key=len, reverse=True)[:5]:
            any_word |= Q(name__icontains=word)
        for client in clients_with_card_relations().filter(any_word)[:200]:
            if _names_alike(words, client_name_words(client.name)):
                found.setdefault(client.pk, client)
    return list(found.values())[:limit]


def department_for_new_clients(client_type: ClientType | None) -> Department | None:
    """The department whose head assigns a manager to a new client of this type.

    The type's department, else CALLPULSE_NEW_CLIENTS_DEPARTMENT (as routing decides).
    """
    if client_type is not None and client_type.department_id is not None:
        return Department.objects.select_related("head").get(pk=client_type.department_id)
    return (
        Department.objects.select_related("head")
        .filter(code=settings.CALLPULSE_NEW_CLIENTS_DEPARTMENT)
        .first()
    )


def managers_to_assign(*, department: Department | None, at: datetime | None = None) -> list[User]:
    """Active account managers a head may give a client to: the department's, else all.

    Each carries `current_absences` (who is away now) and `client_count` (their load).
    """
    managers = users_with_presence(at=at or timezone.now()).filter(
        roles__code=RoleCode.ACCOUNT_MANAGER
    )
    if department is not None and managers.filter(department=department).exists():
        managers = managers.filter(department=department)
    return list(
        managers.annotate(
            client_count=Count("managed_clients", filter=Q(managed_clients__is_active=True))
        ).order_by("full_name", "username")
    )
