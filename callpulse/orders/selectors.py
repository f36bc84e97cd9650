"""Reads for orders: the credit verdict, cross-sell candidates, offer KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Sum, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy

from callpulse.catalog.models import Price, Product, TraditionalProduct
from callpulse.catalog.pricing import active_price_list, price_order
from callpulse.crm.models import Client
from callpulse.crm.selectors import client_credit_status
from callpulse.orders.explain import credit_reason_text
from callpulse.orders.models import (
    HandOff,
    HandOffTo,
    Offer,
    OfferResult,
    OfferSource,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from callpulse.orders.permissions import orders_visible_to

if TYPE_CHECKING:
    from callpulse.core.models import User

ZERO = Decimal("0.00")
NEW_PRODUCT_DAYS = 90
OPEN_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.PICKED)
# Orders the client took: what "bought together" learns from.
TAKEN_STATUSES = (
    OrderStatus.ACCEPTED,
    OrderStatus.PICKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


@dataclass(frozen=True)
class CreditVerdict:
    """May this client take this much more on credit now? If not, why: a code and its
    parameters (stored with a hand-off), in words of the active language through `reason`."""

    ok: bool
    code: str  # ok, overdue, over_limit
    params: dict[str, str]
    available: Decimal
    exposure: Decimal

    @property
    def reason(self) -> str:
        return credit_reason_text(self.code, self.params)


def credit_verdict(client: Client, amount: Decimal, *, today: date | None = None) -> CreditVerdict:
    """No overdue debt, and debt + open orders + this order ≤ the credit limit."""
    status = client_credit_status(client, today=today)
    exposure = status.debt + client.open_orders_total
    available = client.credit_limit - exposure
    currency = "KZT"
    if status.is_overdue:
        since = status.overdue_since.isoformat() if status.overdue_since else ""
        params = {"amount": str(status.overdue_debt), "since": since, "currency": currency}
        return CreditVerdict(False, "overdue", params, available, exposure)
    if exposure + amount > client.credit_limit:
        params = {
            "exposure": str(exposure),
            "amount": str(amount),
            "limit": str(client.credit_limit),
            "currency": currency,
        }
        return CreditVerdict(False, "over_limit", params, available, exposure)
    return CreditVerdict(True, "ok", {}, available, exposure)


@dataclass(frozen=True)
class Candidate:
    product: Product
    source: str
    unit_price: Decimal | None
    fits_credit: bool

    @property
    def source_label(self) -> str:
        return str(OfferSource(self.source).label)


def offer_candidates(order: Order, *, limit: int = 8, today: date | None = None) -> list[Candidate]:
    """What to propose beyond the order, best first, with the client's price from the start.

    New products, promoted positions, the client type's traditional products missing from the
    order, and what this client and clients of its type buy with these items: the sources take
    turns (one of each, then the next of each…), so no source crowds the others out. Items the
    client's credit allows come first.
    """
    day = today or timezone.localdate()
    order = Order.objects.select_related("client").get(pk=order.pk)  # the latest prices and total
    in_order = set(order.lines.values_list("product_id", flat=True))
    offered = set(order.offers.values_list("product_id", flat=True))
    skip = in_order | offered
    active = Product.objects.filter(is_active=True).exclude(pk__in=skip)

    by_source: dict[str, list[int]] = {}
    by_source[OfferSource.NEW] = list(
        active.filter(new_since__gte=day - timedelta(days=NEW_PRODUCT_DAYS))
        .order_by("-new_since", "sku")
        .values_list("pk", flat=True)[:limit]
    )
    by_source[OfferSource.PROMOTED] = list(
        active.filter(promoted_from__lte=day, promoted_to__gte=day)
        .order_by("promoted_to", "sku")
        .values_list("pk", flat=True)[:limit]
    )
    traditional = TraditionalProduct.objects.filter(client_type=order.client.client_type_id)
    by_source[OfferSource.TRADITIONAL] = list(
        active.filter(pk__in=traditional.values("product_id"))
        .order_by("sku")
        .values_list("pk", flat=True)[:limit]
    )
    by_source[OfferSource.BOUGHT_TOGETHER] = []
    if in_order:
        together = (
            OrderLine.objects.filter(
                order__status__in=TAKEN_STATUSES, order__lines__product_id__in=in_order
            )
            .filter(
                Q(order__client=order.client)
                | Q(order__client__client_type=order.client.client_type_id)
            )
            .filter(product__is_active=True)
            .exclude(product_id__in=skip)
            .values("product_id")
            .annotate(times=Count("id"))
            .order_by("-times", "product_id")[:limit]
        )
        by_source[OfferSource.BOUGHT_TOGETHER] = [row["product_id"] for row in together]

    picked: dict[int, str] = {}  # product → the source it is offered for, in turn order
    pending = {source: iter(by_source[source]) for source in OfferSource.values}
    while pending and len(picked) < limit:
        for source in list(pending):
            product_id = next((pid for pid in pending[source] if pid not in picked), None)
            if product_id is None:
                del pending[source]
            elif len(picked) < limit:
                picked[product_id] = source

    products = {p.pk: p for p in Product.objects.filter(pk__in=picked)}
    prices = _candidate_prices(order, list(products), day)
    verdict = credit_verdict(order.client, order.total, today=day)
    room = verdict.available - order.total
    candidates = [
        Candidate(
            product=products[pid],
            source=source,
            unit_price=prices.get(pid),
            fits_credit=verdict.ok
            and (prices.get(pid) is None or prices[pid] * products[pid].pack_size <= room),
        )
        for pid, source in picked.items()
        if pid in products
    ]
    candidates.sort(key=lambda c: not c.fits_credit)  # stable: the turns stay mixed
    return candidates


def _candidate_prices(order: Order, product_ids: list[int], day: date) -> dict[int, Decimal]:
    """Prices in the order's column; before the first line, in the column the client gets
    (individual agreement, type, default), so candidates show prices from the start."""
    try:
        price_list = active_price_list(day)
    except ValidationError:  # no price list yet: propose without prices
        return {}
    column_id = order.price_column_id
    if column_id is None:
        try:
            column_id = price_order(client=order.client, lines=[], on=day).column.pk
        except ValidationError:  # no column fits the client: the lines will say so
            return {}
    return dict(
        Price.objects.filter(
            price_list=price_list, column=column_id, product__in=product_ids
        ).values_list("product_id", "amount")
    )


@dataclass(frozen=True)
class OfferStats:
    orders: int
    offers: int
    accepted: int
    added_revenue: Decimal

    @property
    def offers_per_order(self) -> float:
        return self.offers / self.orders if self.orders else 0.0

    @property
    def acceptance_rate(self) -> float:
        return self.accepted / self.offers if self.offers else 0.0


def offer_stats(*, since: date, until: date, taken_by: int | None = None) -> OfferStats:
    """Cross-sell KPIs over accepted orders: offers per order, acceptance, added revenue."""
    orders = Order.objects.filter(accepted_at__date__gte=since, accepted_at__date__lte=until)
    if taken_by is not None:
        orders = orders.filter(taken_by_id=taken_by)
    offers = Offer.objects.filter(order__in=orders)
    figures = offers.aggregate(
        total=Count("id"),
        accepted=Count("id", filter=Q(result=OfferResult.ACCEPTED)),
        revenue=Sum("added_revenue"),
    )
    return OfferStats(
        orders=orders.count(),
        offers=figures["total"] or 0,
        accepted=figures["accepted"] or 0,
        added_revenue=figures["revenue"] or ZERO,
    )


def order_detail(order_id: int, *, visible_to: User | None = None) -> Order:
    """One order with everything its screen shows; `visible_to` limits it to what they may open."""
    orders = Order.objects.all() if visible_to is None else orders_visible_to(visible_to)
    return (
        orders.select_related(
            "client", "client__client_type", "client__manager", "taken_by", "price_column"
        )
        .prefetch_related("lines__product", "offers__product", "history__actor", "hand_offs")
        .get(pk=order_id)
    )


class OrderScope(TextChoices):
    """The tabs of the orders list: whose orders, within what the user may see."""

    ALL = "all", gettext_lazy("All I may see")
    MINE = "mine", gettext_lazy("Mine")
    DEPARTMENT = "department", gettext_lazy("My department")
    HANDED_TO_ME = "handed_to_me", gettext_lazy("Handed to me")
    FINANCE = "finance", gettext_lazy("Waiting for finance")


def orders_list(
    *,
    user: User,
    scope: str = OrderScope.ALL,
    status: str = "",
    since: date | None = None,
    until: date | None = None,
    client_id: int | None = None,
    query: str = "",
) -> QuerySet[Order]:
    """The orders list: always within `orders_visible_to`, then the tab, filters and search.

    Mine: taken by the user or for a client they manage. My department: clients managed in, or
    typed for, the user's department (or the departments they head). Handed to me: open
    hand-offs assigned to the user. Waiting for finance: open hand-offs to finance.
    """
    orders = orders_visible_to(user).select_related(
        "client", "client__client_type", "client__manager", "taken_by"
    )
    open_hand_offs = HandOff.objects.filter(order=OuterRef("pk"), resolved_at__isnull=True)
    if scope == OrderScope.MINE:
        orders = orders.filter(Q(taken_by=user) | Q(client__manager=user))
    elif scope == OrderScope.DEPARTMENT:
        departments = {d.pk for d in user.headed_departments.all()}
        if user.department_id is not None:
            departments.add(user.department_id)
        orders = orders.filter(
            Q(client__manager__department__in=departments)
            | Q(client__client_type__department__in=departments)
        )
    elif scope == OrderScope.HANDED_TO_ME:
        orders = orders.filter(
            status=OrderStatus.HANDED_OFF,
            pk__in=open_hand_offs.filter(assignee=user).values("order"),
        )
    elif scope == OrderScope.FINANCE:
        orders = orders.filter(
            status=OrderStatus.HANDED_OFF,
            pk__in=open_hand_offs.filter(to=HandOffTo.FINANCE).values("order"),
        )
    if status:
        orders = orders.filter(status=status)
    if since is not None:
        orders = orders.filter(created_at__date__gte=since)
    if until is not None:
        orders = orders.filter(created_at__date__lte=until)
    if client_id is not None:
        orders = orders.filter(client_id=client_id)
    text = query.strip()
    if text:
        orders = orders.filter(Q(number__icontains=text) | Q(client__name__icontains=text))
    open_only = HandOff.objects.filter(resolved_at__isnull=True).select_related("assignee")
    return orders.prefetch_related(
        Prefetch("hand_offs", queryset=open_only, to_attr="open_hand_offs")
    ).order_by("-created_at", "-pk")


def product_sku_example() -> str:
    """A real SKU of the catalog, for the search box's placeholder ('' with no products)."""
    return (
        Product.objects.filter(is_active=True).order_by("sku").values_list("sku", flat=True).first()
        or ""
    )


def fulfilment_steps(order: Order) -> list[tuple[str, str, OrderEvent | None]]:
    """Accepted → picked → shipped → delivered: each step's code, label and the history entry
    that recorded it (None while ahead); uses the order's prefetched history."""
    recorded: dict[str, OrderEvent] = {}
    for event in order.history.all():
        recorded[event.to_status] = event  # the latest, were a step ever recorded twice
    steps = (OrderStatus.ACCEPTED, OrderStatus.PICKED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
    return [(step.value, str(step.label), recorded.get(step)) for step in steps]


def call_took_an_order(call_id: int) -> bool:
    """Whether an order was accepted during this call (and still stands): the desk pre-sets
    the wrap-up outcome to "order taken"."""
    return (
        Order.objects.filter(call_id=call_id, accepted_at__isnull=False)
        .exclude(status=OrderStatus.CANCELLED)
        .exists()
    )
