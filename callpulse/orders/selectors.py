"""Reads for orders: the credit verdict, cross-sell candidates, offer KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.catalog.models import Price, Product, TraditionalProduct
from callpulse.catalog.pricing import active_price_list
from callpulse.core.money import format_money
from callpulse.crm.models import Client
from callpulse.crm.selectors import client_credit_status
from callpulse.orders.models import Offer, OfferResult, OfferSource, Order, OrderLine, OrderStatus
from callpulse.orders.permissions import orders_visible_to

if TYPE_CHECKING:
    from callpulse.core.models import User

ZERO = Decimal("0.00")
NEW_PRODUCT_DAYS = 90
OPEN_STATUSES = (OrderStatus.ACCEPTED,)


@dataclass(frozen=True)
class CreditVerdict:
    """May this client take this much more on credit now? If not, why, in words."""

    ok: bool
    code: str  # ok, overdue, over_limit
    reason: str
    available: Decimal
    exposure: Decimal


def credit_verdict(client: Client, amount: Decimal, *, today: date | None = None) -> CreditVerdict:
    """No overdue debt, and debt + open orders + this order ≤ the credit limit."""
    status = client_credit_status(client, today=today)
    exposure = status.debt + client.open_orders_total
    available = client.credit_limit - exposure
    currency = "KZT"
    if status.is_overdue:
        since = status.overdue_since.strftime("%d.%m.%Y") if status.overdue_since else ""
        reason = _("overdue %(amount)s since %(since)s") % {
            "amount": format_money(status.overdue_debt, currency),
            "since": since,
        }
        return CreditVerdict(False, "overdue", reason, available, exposure)
    if exposure + amount > client.credit_limit:
        reason = _(
            "debt and open orders %(exposure)s + this order %(amount)s exceed the limit %(limit)s"
        ) % {
            "exposure": format_money(exposure, currency),
            "amount": format_money(amount, currency),
            "limit": format_money(client.credit_limit, currency),
        }
        return CreditVerdict(False, "over_limit", reason, available, exposure)
    return CreditVerdict(True, "ok", _("within the credit limit"), available, exposure)


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
    """What to propose beyond the order, best first.

    New products, promoted positions, the client type's traditional products missing from the
    order, and what this client and clients of its type buy with these items. Items the
    client's credit allows come first.
    """
    day = today or timezone.localdate()
    order = Order.objects.select_related("client").get(pk=order.pk)  # the latest prices and total
    in_order = set(order.lines.values_list("product_id", flat=True))
    offered = set(order.offers.values_list("product_id", flat=True))
    skip = in_order | offered
    picked: dict[int, str] = {}

    def add(products: QuerySet[Product], source: str) -> None:
        for product_id in products.exclude(pk__in=skip).values_list("pk", flat=True)[:limit]:
            picked.setdefault(product_id, source)

    active = Product.objects.filter(is_active=True)
    # what is bought together: lines of accepted orders that share a product with this one
    if in_order:
        together = (
            OrderLine.objects.filter(
                order__status__in=[
                    OrderStatus.ACCEPTED,
                    OrderStatus.SHIPPED,
                    OrderStatus.DELIVERED,
                ],
                order__lines__product_id__in=in_order,
            )
            .filter(
                Q(order__client=order.client)
                | Q(order__client__client_type=order.client.client_type_id)
            )
            .exclude(product_id__in=skip)
            .values("product_id")
            .annotate(times=Count("id"))
            .order_by("-times", "product_id")[:limit]
        )
        for row in together:
            picked.setdefault(row["product_id"], OfferSource.BOUGHT_TOGETHER)
    add(
        active.filter(promoted_from__lte=day, promoted_to__gte=day).order_by("promoted_to"),
        OfferSource.PROMOTED,
    )
    add(
        active.filter(new_since__gte=day - timedelta(days=NEW_PRODUCT_DAYS)).order_by("-new_since"),
        OfferSource.NEW,
    )
    traditional = TraditionalProduct.objects.filter(client_type=order.client.client_type_id)
    add(active.filter(pk__in=traditional.values("product_id")), OfferSource.TRADITIONAL)

    products = {p.pk: p for p in Product.objects.filter(pk__in=picked)}
    prices: dict[int, Decimal] = {}
    if order.price_column_id is not None:
        try:
            price_list = active_price_list(day)
            prices = dict(
                Price.objects.filter(
                    price_list=price_list, column=order.price_column_id, product__in=products
                ).values_list("product_id", "amount")
            )
        except ValidationError:  # no price list yet: propose without prices
            prices = {}
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
    candidates.sort(key=lambda c: (not c.fits_credit, list(OfferSource.values).index(c.source)))
    return candidates[:limit]


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
