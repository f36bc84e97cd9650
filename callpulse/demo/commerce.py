"""The demo's catalog and order history, priced in memory the way the product prices.

Thousands of orders are bulk-created rather than taken through `callpulse.orders.services`
(that would take minutes), so this module stores what the services would have stored: prices
from the client's column with the discount rules valid that day and the same explanations as
`callpulse.catalog.pricing`, three offers per order with their answers, and, where the credit
check would have stopped an order, the hand-off and the head of sales' override.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from callpulse.catalog.explain import price_reason
from callpulse.catalog.models import (
    Category,
    DiscountKind,
    DiscountRule,
    NonWorkingDay,
    Price,
    PriceColumn,
    PriceList,
    Product,
    TraditionalProduct,
)
from callpulse.core.models import User
from callpulse.core.money import quantize
from callpulse.crm.models import Client, ClientType, CreditEvent, CreditEventKind
from callpulse.demo import assortment, identities
from callpulse.demo.clock import Clock
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
    PaymentForm,
)
from callpulse.orders.selectors import NEW_PRODUCT_DAYS
from callpulse.telephony.models import Call

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
CURRENCY = "KZT"

LINE_VOLUME_FROM = Decimal(50)
ORDER_VOLUME_FROM = Decimal(500_000)
# Lines per order (before offers), and the products a client usually buys, by client type.
LINES_BY_TYPE = {
    "key": (6, 12),
    "marketer": (5, 10),
    "own_outlet": (4, 7),
    "retail": (3, 7),
    "regional": (4, 8),
    "new": (2, 5),
}
BASKET_BY_TYPE = {
    "key": 30,
    "marketer": 24,
    "own_outlet": 14,
    "retail": 18,
    "regional": 18,
    "new": 10,
}
# How often an offer of each kind is taken.
OFFER_TAKEN: dict[str, float] = {
    OfferSource.NEW: 0.25,
    OfferSource.PROMOTED: 0.4,
    OfferSource.TRADITIONAL: 0.3,
    OfferSource.BOUGHT_TOGETHER: 0.45,
}
OFFERS_PER_ORDER = 3
# How readily the operator picks an offer of each kind from those proposed.
OFFER_WEIGHTS: dict[str, int] = {
    OfferSource.NEW: 2,
    OfferSource.PROMOTED: 3,
    OfferSource.TRADITIONAL: 2,
    OfferSource.BOUGHT_TOGETHER: 3,
}


class CatalogError(Exception):
    """The database lacks what the catalog needs (price columns, client types)."""


@dataclass(eq=False)
class Item:
    """A product as the generator uses it: saved, with what pricing and offers read."""

    product: Product
    pack: Decimal
    retail: int
    category_pk: int

    @property
    def pk(self) -> int:
        return self.product.pk


@dataclass(frozen=True)
class _Rule:
    pk: int
    position: int
    kind: str
    percent: Decimal
    threshold: Decimal | None
    valid_from: date | None
    valid_to: date | None
    type_ids: frozenset[int]
    product_ids: frozenset[int]
    category_ids: frozenset[int]
    label: dict[str, Any]  # the step of the price explanation (catalog.explain)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )

    def applies(self, type_pk: int, item: Item, quantity: Decimal, order_total: Decimal) -> bool:
        if self.type_ids and type_pk not in self.type_ids:
            return False
        targeted = bool(self.product_ids or self.category_ids)
        if (
            targeted
            and item.pk not in self.product_ids
            and item.category_pk not in self.category_ids
        ):
            return False
        if self.kind == DiscountKind.LINE_VOLUME:
            return self.threshold is not None and quantity >= self.threshold
        if self.kind == DiscountKind.ORDER_VOLUME:
            return self.threshold is not None and order_total >= self.threshold
        return True


@dataclass
class PricedLine:
    item: Item
    quantity: Decimal
    base_price: Decimal
    unit_price: Decimal
    line_total: Decimal
    explanation: list[dict[str, Any]]
    from_offer: bool = False


@dataclass
class Priced:
    column: PriceColumn
    lines: list[PricedLine]
    total: Decimal
    base_total: Decimal


@dataclass
class Catalog:
    """The assortment as created, with everything pricing and offers need, in memory."""

    items: list[Item]
    categories: list[Category]
    price_lists: list[tuple[PriceList, dict[tuple[int, int], Decimal]]]  # newest first
    columns: list[PriceColumn]
    column_types: dict[int, frozenset[int]]
    rules: list[_Rule]
    traditional: dict[str, list[Item]]
    partners: dict[int, Item]
    holidays: list[NonWorkingDay]
    _rules_on: dict[date, list[_Rule]] = field(default_factory=dict)
    _reasons: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    _new_on: dict[date, list[Item]] = field(default_factory=dict)
    _promoted_on: dict[date, list[Item]] = field(default_factory=dict)

    @property
    def prices(self) -> int:
        return sum(len(prices) for _, prices in self.price_lists)

    def available(self, item: Item, day: date) -> bool:
        """On sale that day: a new product is not in orders from before it came."""
        new_since = item.product.new_since
        return new_since is None or new_since <= day

    def new_on(self, day: date) -> list[Item]:
        if day not in self._new_on:
            since = day - timedelta(days=NEW_PRODUCT_DAYS)
            self._new_on[day] = [
                i
                for i in self.items
                if i.product.new_since is not None and since <= i.product.new_since <= day
            ]
        return self._new_on[day]

    def promoted_on(self, day: date) -> list[Item]:
        if day not in self._promoted_on:
            self._promoted_on[day] = [
                i
                for i in self.items
                if i.product.promoted_from is not None
                and i.product.promoted_to is not None
                and i.product.promoted_from <= day <= i.product.promoted_to
            ]
        return self._promoted_on[day]

    # --- pricing, as callpulse.catalog.pricing.price_order ------------------------------------

    def _price_list_on(self, day: date) -> tuple[PriceList, dict[tuple[int, int], Decimal]]:
        for price_list, prices in self.price_lists:
            if price_list.is_active and price_list.valid_from <= day:
                return price_list, prices
        raise CatalogError(f"No price list is valid on {day}.")

    def _rules_valid_on(self, day: date) -> list[_Rule]:
        if day not in self._rules_on:
            self._rules_on[day] = [rule for rule in self.rules if rule.valid_on(day)]
        return self._rules_on[day]

    def _column_for(
        self, client_type: ClientType, subtotal_at: dict[int, Decimal]
    ) -> tuple[PriceColumn, dict[str, Any]]:
        by_type = next((c for c in self.columns if client_type.pk in self.column_types[c.pk]), None)
        reference = by_type or next(
            (c for c in self.columns if c.code == settings.CALLPULSE_DEFAULT_PRICE_COLUMN), None
        )
        if reference is None:
            raise CatalogError("No price column fits the client type " + client_type.code)
        volume = [
            c
            for c in self.columns
            if c.min_order_total is not None and subtotal_at[reference.pk] >= c.min_order_total
        ]
        if volume:
            best = max(volume, key=lambda c: c.min_order_total or ZERO)
            total = str(subtotal_at[reference.pk])
            return best, price_reason("volume", total=total, column=best.name)
        key = (client_type.pk, reference.pk)
        if key not in self._reasons:
            if by_type is not None:
                self._reasons[key] = price_reason(
                    "client_type",
                    type=client_type.name,
                    type_code=client_type.code,
                    column=by_type.name,
                )
            else:
                self._reasons[key] = price_reason("default_column", column=reference.name)
        return reference, self._reasons[key]

    def price(
        self, client_type: ClientType, lines: Sequence[tuple[Item, Decimal]], day: date
    ) -> Priced:
        """The lines priced for a client of this type on this day, each price explained."""
        _price_list, prices = self._price_list_on(day)
        # Only the reference column's subtotal is read (volume columns, order-volume rules).
        subtotal_at = _Subtotals(prices, lines)
        column, reason = self._column_for(client_type, subtotal_at)
        order_total = subtotal_at[column.pk]
        rules = self._rules_valid_on(day)
        priced: list[PricedLine] = []
        total = base_total = ZERO
        for item, quantity in lines:
            base = prices[(item.pk, column.pk)]
            unit = base
            explanation = [reason]
            for rule in rules:
                if rule.applies(client_type.pk, item, quantity, order_total):
                    unit = unit * (HUNDRED - rule.percent) / HUNDRED
                    explanation.append(rule.label)
            unit_price = quantize(unit)
            line_total = quantize(unit_price * quantity)
            priced.append(PricedLine(item, quantity, base, unit_price, line_total, explanation))
            total += line_total
            base_total += quantize(base * quantity)
        return Priced(column=column, lines=priced, total=total, base_total=base_total)


class _Subtotals(dict[int, Decimal]):
    """The order's subtotal in each column, worked out when first asked for."""

    def __init__(
        self, prices: dict[tuple[int, int], Decimal], lines: Sequence[tuple[Item, Decimal]]
    ):
        super().__init__()
        self.prices = prices
        self.lines = lines

    def __missing__(self, column_pk: int) -> Decimal:
        value = sum((self.prices[(item.pk, column_pk)] * q for item, q in self.lines), ZERO)
        self[column_pk] = value
        return value


def _whole_tenge(tenge_times_1000: int) -> Decimal:
    """Per-mille arithmetic rounded half up to whole tenge, as a 2-place Decimal."""
    return Decimal((tenge_times_1000 + 500) // 1000).quantize(Decimal("0.01"))


def create_catalog(rng: random.Random, clock: Clock) -> Catalog:
    """Categories, products, two price lists, traditional products, discounts, holidays."""
    today = clock.today
    columns = list(PriceColumn.objects.prefetch_related("client_types"))
    if not columns:
        raise CatalogError("Price columns are missing (catalog migration 0002).")
    types_by_code = ClientType.objects.in_bulk(field_name="code")
    missing = sorted(set(assortment.TRADITIONAL) - set(types_by_code))
    if missing:
        raise CatalogError("Client types are missing: " + ", ".join(missing) + ".")

    categories = [Category(name=name) for name, _specs in assortment.ASSORTMENT]
    Category.objects.bulk_create(categories)
    season = assortment.season_of(today)
    season_start, season_end = assortment.season_bounds(today)
    new_names = set(assortment.NEW_PRODUCTS)
    products: list[Product] = []
    specs: list[tuple[assortment.ProductSpec, Category]] = []
    for category, (_name, category_specs) in zip(categories, assortment.ASSORTMENT, strict=True):
        for spec in category_specs:
            product = Product(
                sku=f"KZ-{len(products) + 1:04d}",
                name=spec.name,
                unit=spec.unit,
                category=category,
                pack_size=Decimal(spec.pack),
            )
            if spec.name in new_names:
                product.new_since = today - timedelta(days=rng.randint(3, 58))
            products.append(product)
            specs.append((spec, category))
    season_category = next(c for c in categories if c.name == season.category)
    in_season = [p for p in products if p.category is season_category and p.new_since is None]
    elsewhere = [p for p in products if p.category is not season_category and p.new_since is None]
    promoted = rng.sample(in_season, assortment.PROMOTED_IN_SEASON_CATEGORY) + rng.sample(
        elsewhere, assortment.PROMOTED_PRODUCTS - assortment.PROMOTED_IN_SEASON_CATEGORY
    )
    notes = rng.sample(assortment.PROMOTION_NOTES, len(promoted))
    for product, note in zip(promoted, notes, strict=True):
        product.promoted_from = max(season_start, today - timedelta(days=rng.randint(2, 20)))
        product.promoted_to = min(season_end, today + timedelta(days=rng.randint(5, 30)))
        product.promotion_note = f"{season.adjective} акция: {note}"
    Product.objects.bulk_create(products)
    items = [
        Item(product=product, pack=product.pack_size, retail=spec.retail, category_pk=category.pk)
        for product, (spec, category) in zip(products, specs, strict=True)
    ]
    by_name = {item.product.name: item for item in items}

    # This year's price list, and last year's for the orders taken before January.
    this_year = PriceList(
        name=f"Прайс-лист {today.year}", currency=CURRENCY, valid_from=date(today.year, 1, 1)
    )
    last_year = PriceList(
        name=f"Прайс-лист {today.year - 1}",
        currency=CURRENCY,
        valid_from=date(today.year - 1, 1, 1),
    )
    PriceList.objects.bulk_create([this_year, last_year])
    current: dict[tuple[int, int], Decimal] = {}
    previous: dict[tuple[int, int], Decimal] = {}
    rows: list[Price] = []
    for item in items:
        last_year_share = rng.randint(*assortment.LAST_YEAR_SHARE)
        for column in columns:
            low, high = assortment.COLUMN_SHARES.get(column.code, (1000, 1000))
            amount = _whole_tenge(item.retail * rng.randint(low, high))
            before = _whole_tenge(int(amount) * last_year_share)
            current[(item.pk, column.pk)] = amount
            previous[(item.pk, column.pk)] = before
            rows.append(
                Price(price_list=this_year, product=item.product, column=column, amount=amount)
            )
            rows.append(
                Price(price_list=last_year, product=item.product, column=column, amount=before)
            )
    Price.objects.bulk_create(rows, batch_size=500)

    traditional = {
        code: [by_name[name] for name in names] for code, names in assortment.TRADITIONAL.items()
    }
    TraditionalProduct.objects.bulk_create(
        [
            TraditionalProduct(client_type=types_by_code[code], product=item.product)
            for code, chosen in traditional.items()
            for item in chosen
        ]
    )
    partners: dict[int, Item] = {}
    for first, second in assortment.BOUGHT_TOGETHER:
        partners[by_name[first].pk] = by_name[second]
        partners[by_name[second].pk] = by_name[first]

    rule_rows = [
        DiscountRule(
            name=season.name,
            kind=DiscountKind.PROMOTION,
            percent=Decimal(assortment.PROMOTION_PERCENT),
            position=10,
            valid_from=season_start,
            valid_to=season_end,
        ),
        DiscountRule(
            name="Объём строки от 50 единиц",
            kind=DiscountKind.LINE_VOLUME,
            percent=Decimal(3),
            position=20,
            threshold=LINE_VOLUME_FROM,
        ),
        DiscountRule(
            name="Заказ от 500 000 ₸",
            kind=DiscountKind.ORDER_VOLUME,
            percent=Decimal(2),
            position=30,
            threshold=ORDER_VOLUME_FROM,
        ),
    ]
    DiscountRule.objects.bulk_create(rule_rows)
    rule_rows[0].categories.add(season_category)
    rules = [
        _Rule(
            pk=row.pk,
            position=row.position,
            kind=row.kind,
            percent=row.percent,
            threshold=row.threshold,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            type_ids=frozenset(),
            product_ids=frozenset(),
            category_ids=frozenset({season_category.pk}) if index == 0 else frozenset(),
            label=price_reason(
                "discount",
                kind=str(row.kind),
                name=row.name,
                percent=f"{row.percent.normalize():f}",
            ),
        )
        for index, row in enumerate(rule_rows)
    ]
    rules.sort(key=lambda rule: (rule.position, rule.pk))

    holidays = _holidays_ahead(clock)
    NonWorkingDay.objects.bulk_create(holidays)
    return Catalog(
        items=items,
        categories=categories,
        price_lists=[(this_year, current), (last_year, previous)],
        columns=columns,
        column_types={c.pk: frozenset(t.pk for t in c.client_types.all()) for c in columns},
        rules=rules,
        traditional=traditional,
        partners=partners,
        holidays=holidays,
    )


def _holidays_ahead(clock: Clock) -> list[NonWorkingDay]:
    """The public holidays of the coming months, and a Saturday of stock-taking this month."""
    today = clock.today
    horizon = today + timedelta(days=assortment.HOLIDAYS_AHEAD_DAYS)
    days: dict[date, str] = {}
    for year in (today.year, today.year + 1):
        for month, day, note in assortment.HOLIDAYS:
            when = date(year, month, day)
            if today < when <= horizon:
                days[when] = note
    # The last Saturday of this month (or of the next, when this month's is past).
    for months_ahead in (0, 1):
        month_index = today.month - 1 + months_ahead
        first_of_next = date(today.year + (month_index + 1) // 12, (month_index + 1) % 12 + 1, 1)
        saturday = first_of_next - timedelta(days=(first_of_next.weekday() - 5) % 7 or 7)
        if saturday > today and clock.is_open(saturday) and saturday not in days:
            days[saturday] = assortment.STOCKTAKING_NOTE
            break
    rows = [NonWorkingDay(day=day, note=note) for day, note in sorted(days.items())]
    clock.holidays.update(days)
    return rows


# --- orders -------------------------------------------------------------------------------


@dataclass
class OfferDraft:
    item: Item
    source: str
    accepted: bool
    added_revenue: Decimal = ZERO


@dataclass(eq=False)
class OrderDraft:
    """An order as the services would have left it, before its timeline is settled."""

    client: Client
    client_type: ClientType
    day: date
    priced: Priced
    offers: list[OfferDraft]
    receiver: str = ""
    payment_form: str = ""
    documents: list[str] = field(default_factory=list)
    delivery_date: date | None = None
    arrival_date: date | None = None
    carrier: str = ""
    shipping_address: str = ""
    # The credit check: passed, or stopped and then overridden (or still waiting).
    verdict_reason: str = ""
    verdict_params: dict[str, str] = field(default_factory=dict)  # code "over_limit"
    override_reason: str = ""
    awaiting_decision: bool = False  # handed off today; nobody has decided yet
    accepted_at: datetime | None = None
    handed_off_at: datetime | None = None
    # Settled by the timeline (calls, operators, numbers, statuses).
    taken_by: User | None = None
    created_at: datetime | None = None
    call: Call | None = None
    number: str | None = None
    status: str = ""
    open: bool = False  # accepted, not shipped: counts in the client's open orders
    credit_events: list[CreditEvent] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.priced.total

    @property
    def total_tiyn(self) -> int:
        return int(self.priced.total * 100)

    @property
    def needs_override(self) -> bool:
        return bool(self.verdict_reason)

    @property
    def call_ends_at(self) -> datetime:
        """The call ended just after the order was accepted (or handed off) on the phone."""
        moment = self.handed_off_at or self.accepted_at
        assert moment is not None
        return moment + timedelta(seconds=30)


class OrderMaker:
    """Drafts a client's orders: the usual basket, lines sized to an amount, offers, terms."""

    def __init__(self, *, rng: random.Random, clock: Clock, catalog: Catalog) -> None:
        self.rng = rng
        self.clock = clock
        self.catalog = catalog
        self.baskets: dict[int, list[Item]] = {}

    def basket(self, client: Client, type_code: str) -> list[Item]:
        """What this client usually buys: its type's traditional products and a few dozen more."""
        key = id(client)
        if key not in self.baskets:
            rng = self.rng
            basket = list(self.catalog.traditional.get(type_code, []))
            others = [i for i in self.catalog.items if i not in basket]
            basket += rng.sample(others, BASKET_BY_TYPE.get(type_code, 15))
            for item in list(basket):
                partner = self.catalog.partners.get(item.pk)
                if partner is not None and partner not in basket and rng.random() < 0.8:
                    basket.append(partner)
            self.baskets[key] = basket
        return self.baskets[key]

    def make(
        self,
        *,
        client: Client,
        client_type: ClientType,
        day: date,
        target_tiyn: int,
        exposure_tiyn: int,
        limit_tiyn: int,
        decided: bool = True,
        exact: bool = False,
    ) -> OrderDraft:
        """An order of about `target_tiyn` (never more; exactly, with `exact`) taken on `day`.

        `exposure_tiyn` is the client's debt and open orders at that moment: when the order
        does not fit the limit, it was handed off and the head of sales let it through.
        """
        rng = self.rng
        catalog = self.catalog
        target = Decimal(target_tiyn).scaleb(-2)
        code = client_type.code
        # Lines: from the client's basket, with what goes with them, small enough to fit.
        affordable = [
            item
            for item in self.basket(client, code)
            if catalog.available(item, day) and item.retail * item.pack * 3 <= target
        ]
        if exact:
            # Whole-tenge prices, below the quantity discount: lines that add up to the tenge.
            affordable = [
                i
                for i in affordable
                if i.pack < LINE_VOLUME_FROM and self._whole_unit_price(client_type, i, day)
            ]
        if not affordable:
            affordable = sorted(
                (i for i in catalog.items if catalog.available(i, day)),
                key=lambda i: i.retail * i.pack,
            )[:3]
        low, high = LINES_BY_TYPE.get(code, (3, 8))
        chosen = rng.sample(affordable, min(rng.randint(low, high), len(affordable)))
        for item in list(chosen):
            partner = catalog.partners.get(item.pk)
            if (
                partner is not None
                and partner not in chosen
                and partner in affordable
                and rng.random() < assortment.TOGETHER_SHARE
            ):
                chosen.append(partner)
        offers = self._offers(code, chosen, affordable, day, target)
        if exact:
            for offer in offers:
                offer.accepted = False
        taken = [(offer.item, offer.item.pack) for offer in offers if offer.accepted]
        reserve = min(Decimal(6000), target / 10) if exact else ZERO
        cap = LINE_VOLUME_FROM - 1 if exact else None
        base = self._fill(client_type, chosen, taken, target - reserve, day, cap=cap)
        if exact:
            base = self._close_gap(client_type, base, taken, offers, target, day)
        priced = self._with_offers(client_type, base, offers, day)
        if exact and priced.total != target:
            raise CatalogError(f"The order comes to {priced.total}, not {target}.")
        order = OrderDraft(
            client=client, client_type=client_type, day=day, priced=priced, offers=offers
        )
        self._set_terms(order)
        total_tiyn = order.total_tiyn
        if exposure_tiyn + total_tiyn > limit_tiyn:
            order.verdict_params = {
                "exposure": str(Decimal(exposure_tiyn).scaleb(-2)),
                "amount": str(order.total),
                "limit": str(Decimal(limit_tiyn).scaleb(-2)),
                "currency": CURRENCY,
            }
            order.verdict_reason = credit_reason_text("over_limit", order.verdict_params)
            kind = "prepaid" if limit_tiyn == 0 else "over_limit"
            order.override_reason = rng.choice(assortment.OVERRIDE_REASONS[kind])
        self._timeline(order, decided=decided)
        return order

    def _offers(
        self, type_code: str, chosen: list[Item], regulars: list[Item], day: date, target: Decimal
    ) -> list[OfferDraft]:
        """Three offers of what the order screen proposes: new, promoted, traditional, together."""
        rng = self.rng
        catalog = self.catalog
        seen = {item.pk for item in chosen}
        partners = [catalog.partners[i.pk] for i in chosen if i.pk in catalog.partners]
        regulars = rng.sample(regulars, len(regulars))
        traditional = catalog.traditional.get(type_code, [])
        groups = (
            (OfferSource.NEW, rng.sample(catalog.new_on(day), len(catalog.new_on(day)))),
            (
                OfferSource.PROMOTED,
                rng.sample(catalog.promoted_on(day), len(catalog.promoted_on(day))),
            ),
            (OfferSource.TRADITIONAL, rng.sample(traditional, len(traditional))),
            (OfferSource.BOUGHT_TOGETHER, partners + regulars),
        )
        pools: dict[str, list[Item]] = {}
        for source, group in groups:
            pools[source] = []
            for item in group:
                if item.pk not in seen and catalog.available(item, day):
                    pools[source].append(item)
                    seen.add(item.pk)
        # The operator picks from what the screen proposes, a bit of each kind.
        picked: list[tuple[str, Item]] = []
        while len(picked) < OFFERS_PER_ORDER and any(pools.values()):
            sources = [source for source, pool in pools.items() if pool]
            chosen_source = rng.choices(sources, weights=[OFFER_WEIGHTS[s] for s in sources])[0]
            picked.append((chosen_source, pools[chosen_source].pop(0)))
        while len(picked) < OFFERS_PER_ORDER:
            item = rng.choice(catalog.items)
            if item.pk not in seen and catalog.available(item, day):
                picked.append((OfferSource.BOUGHT_TOGETHER, item))
                seen.add(item.pk)
        return [
            OfferDraft(
                item=item,
                source=source,
                # a pack too dear for this order's size is declined
                accepted=rng.random() < OFFER_TAKEN[source]
                and item.retail * item.pack * 4 <= target,
            )
            for source, item in picked
        ]

    def _fill(
        self,
        client_type: ClientType,
        chosen: list[Item],
        taken: list[tuple[Item, Decimal]],
        target: Decimal,
        day: date,
        *,
        cap: Decimal | None = None,
    ) -> list[tuple[Item, Decimal]]:
        """Quantities (in whole packs, at most `cap`) that bring the order close to `target`."""
        rng = self.rng
        price = self.catalog.price
        lines = [(item, item.pack) for item in chosen]
        # Money goes mostly to the staples sold in big packs, less to bay leaf and matches.
        weights = [rng.uniform(0.5, 1.5) * float(item.retail * item.pack) ** 0.5 for item in chosen]
        priced = price(client_type, lines + taken, day)
        while priced.total > target and len(lines) > 1:
            costs = {line.item.pk: line.unit_price * line.item.pack for line in priced.lines}
            dearest = max(range(len(lines)), key=lambda n: costs[lines[n][0].pk])
            del lines[dearest], weights[dearest]
            priced = price(client_type, lines + taken, day)
        remaining = float(target - priced.total)
        if remaining > 0:
            cost = {line.item.pk: float(line.unit_price * line.item.pack) for line in priced.lines}
            total_weight = sum(weights)
            lines = [
                (item, quantity + item.pack * int(remaining * w / total_weight // cost[item.pk]))
                for (item, quantity), w in zip(lines, weights, strict=True)
            ]
            if cap is not None:
                lines = [(item, min(q, cap // item.pack * item.pack)) for item, q in lines]
        # Top up one pack at a time, dearest first, at the prices reached so far.
        priced = price(client_type, lines + taken, day)
        left = target - priced.total
        packs = {line.item.pk: line.unit_price * line.item.pack for line in priced.lines}
        quantities = {item.pk: quantity for item, quantity in lines}
        by_cost = sorted((item for item, _q in lines), key=lambda i: packs[i.pk], reverse=True)
        added = True
        while added and left > 0:
            added = False
            for item in by_cost:
                if packs[item.pk] <= left and (
                    cap is None or quantities[item.pk] + item.pack <= cap
                ):
                    quantities[item.pk] += item.pack
                    left -= packs[item.pk]
                    added = True
        return [(item, quantities[item.pk]) for item, _q in lines]

    def _close_gap(
        self,
        client_type: ClientType,
        base: list[tuple[Item, Decimal]],
        taken: list[tuple[Item, Decimal]],
        offers: list[OfferDraft],
        target: Decimal,
        day: date,
    ) -> list[tuple[Item, Decimal]]:
        """Add one or two lines of a few units each so that the total is exactly `target`."""
        priced = self.catalog.price(client_type, base + taken, day)
        gap = target - priced.total
        used = {item.pk for item, _q in base + taken} | {offer.item.pk for offer in offers}
        units: list[tuple[Item, Decimal]] = []
        for item in self.catalog.items:
            if item.pk not in used and self.catalog.available(item, day):
                unit = self._whole_unit_price(client_type, item, day)
                if unit is not None:
                    units.append((item, unit))
        limit = int(LINE_VOLUME_FROM) - 1
        for first, first_price in units:
            for count in range(1, limit + 1):
                rest = gap - first_price * count
                if rest < 0:
                    break
                if rest == 0:
                    return [*base, (first, Decimal(count))]
                for second, second_price in units:
                    if second is not first and rest % second_price == 0:
                        second_count = rest / second_price
                        if 1 <= second_count <= limit:
                            return [
                                *base,
                                (first, Decimal(count)),
                                (second, second_count.quantize(Decimal(1))),
                            ]
        raise CatalogError(f"No lines make up exactly {gap} ₸.")

    def _whole_unit_price(self, client_type: ClientType, item: Item, day: date) -> Decimal | None:
        """The item's price for one unit, if it is whole tenge (no promotion's kopecks)."""
        unit = self.catalog.price(client_type, [(item, Decimal(1))], day).lines[0].unit_price
        return unit if unit == unit.to_integral_value() else None

    def _with_offers(
        self,
        client_type: ClientType,
        base: list[tuple[Item, Decimal]],
        offers: list[OfferDraft],
        day: date,
    ) -> Priced:
        """The lines, then each accepted offer added in turn: what it added is its revenue."""
        price = self.catalog.price
        lines = list(base)
        before = price(client_type, lines, day).total
        for offer in offers:
            if offer.accepted:
                lines.append((offer.item, offer.item.pack))
                after = price(client_type, lines, day).total
                offer.added_revenue = after - before
                before = after
        priced = price(client_type, lines, day)
        for line in priced.lines[len(base) :]:
            line.from_offer = True
        return priced

    def _set_terms(self, order: OrderDraft) -> None:
        """Who receives, how it is paid, which documents go with it, when it arrives."""
        rng = self.rng
        contact = identities.person_name(rng)
        order.receiver = f"{contact.first_name}, {rng.choice(assortment.RECEIVER_POSITIONS)}"
        order.documents = ["invoice", "waybill"]
        if rng.random() < 0.25:
            order.documents.append("certificates")
        code = order.client_type.code
        if code == "new":
            order.payment_form = rng.choice(
                (PaymentForm.BANK_TRANSFER, PaymentForm.CASH, PaymentForm.CARD)
            )
            order.documents.append("contract")
        else:
            order.payment_form = (
                PaymentForm.DEFERRED if rng.random() < 0.85 else PaymentForm.BANK_TRANSFER
            )
        if code == "regional":
            order.carrier = rng.choice(assortment.CARRIERS)
            order.shipping_address = order.client.address
            order.arrival_date = order.day + timedelta(days=rng.randint(2, 6))
        else:
            order.delivery_date = self.clock.next_shipping_day(order.day)

    def _timeline(self, order: OrderDraft, *, decided: bool) -> None:
        """When it was accepted (or handed off): during the working day, before `now`."""
        rng = self.rng
        clock = self.clock
        moment = clock.working_moment(rng, order.day)
        if not order.needs_override:
            order.accepted_at = moment
            return
        if not decided:
            order.handed_off_at = moment
            order.awaiting_decision = True
            return
        # Handed off during the call; the head of sales decided within the hour or so.
        order.accepted_at = moment
        handed_off = max(
            moment - timedelta(minutes=rng.randint(10, 75)), clock.moment(order.day, 9, 5)
        )
        order.handed_off_at = min(handed_off, moment - timedelta(minutes=3))


# --- the rows -----------------------------------------------------------------------------


@dataclass
class OrderRows:
    orders: list[Order] = field(default_factory=list)
    lines: list[OrderLine] = field(default_factory=list)
    offers: list[Offer] = field(default_factory=list)
    events: list[OrderEvent] = field(default_factory=list)
    hand_offs: list[HandOff] = field(default_factory=list)


@dataclass(frozen=True)
class Staff:
    """Who does what in the order history besides the operator who takes the call."""

    operators: list[User]
    head_of_sales: User  # decides the orders the credit check stopped
    finance: User  # ships (raises the invoice) and marks deliveries


def order_rows(
    drafts: list[OrderDraft], *, rng: random.Random, clock: Clock, staff: Staff
) -> OrderRows:
    """Number the orders in the order they were accepted and turn them into rows.

    Orders without a call (older than the call history) get an operator who had joined by then.
    Invoices raised on shipping carry the order's number, as `order_ship` writes them.
    """
    for draft in drafts:
        if draft.taken_by is None:
            joined = [
                op
                for op in staff.operators
                if timezone.localdate(op.date_joined, clock.tz) < draft.day
            ]
            draft.taken_by = rng.choice(joined or staff.operators)
        if draft.created_at is None:
            started = draft.call_ends_at - timedelta(seconds=30 + rng.randint(180, 600))
            draft.created_at = started
    accepted = sorted(
        (d for d in drafts if d.accepted_at is not None),
        key=lambda d: d.accepted_at or clock.now,
    )
    for sequence, draft in enumerate(accepted, start=1):
        assert draft.accepted_at is not None
        draft.number = f"{timezone.localtime(draft.accepted_at, clock.tz):%y%m}-{sequence:06d}"
        for event in draft.credit_events:
            if event.kind == CreditEventKind.INVOICE:
                event.document = draft.number
            else:
                event.note = f"Оплата по {draft.number}"
    rows = OrderRows()
    for draft in sorted(drafts, key=lambda d: d.created_at or clock.now):
        _order_row(draft, rows, rng=rng, clock=clock, staff=staff)
    return rows


def _order_row(
    draft: OrderDraft, rows: OrderRows, *, rng: random.Random, clock: Clock, staff: Staff
) -> None:
    operator = draft.taken_by
    assert operator is not None and draft.created_at is not None
    order = Order(
        number=draft.number,
        client=draft.client,
        taken_by=operator,
        call=draft.call,
        price_column=draft.priced.column,
        currency=CURRENCY,
        total=draft.priced.total,
        base_total=draft.priced.base_total,
        delivery_date=draft.delivery_date,
        receiver=draft.receiver,
        payment_form=draft.payment_form,
        documents=draft.documents,
        carrier=draft.carrier,
        shipping_address=draft.shipping_address,
        arrival_date=draft.arrival_date,
        created_at=draft.created_at,
        accepted_at=draft.accepted_at,
    )
    rows.orders.append(order)
    rows.lines += [
        OrderLine(
            order=order,
            product=line.item.product,
            quantity=line.quantity,
            base_price=line.base_price,
            unit_price=line.unit_price,
            line_total=line.line_total,
            explanation=line.explanation,
            from_offer=line.from_offer,
        )
        for line in draft.priced.lines
    ]
    on_the_phone_until = draft.call_ends_at - timedelta(seconds=30)
    step = (on_the_phone_until - draft.created_at) / (len(draft.offers) + 1)
    rows.offers += [
        Offer(
            order=order,
            product=offer.item.product,
            source=offer.source,
            result=OfferResult.ACCEPTED if offer.accepted else OfferResult.DECLINED,
            added_revenue=offer.added_revenue,
            presented_by=operator,
            presented_at=(draft.created_at + step * (n + 1)).replace(microsecond=0),
        )
        for n, offer in enumerate(draft.offers)
    ]
    history: list[tuple[str, datetime, User, str]] = [
        (OrderStatus.DRAFT, draft.created_at, operator, "")
    ]
    if draft.handed_off_at is not None:
        to_manager = draft.client.manager is not None
        rows.hand_offs.append(
            HandOff(
                order=order,
                to=HandOffTo.MANAGER if to_manager else HandOffTo.FINANCE,
                assignee=draft.client.manager if to_manager else staff.finance,
                reason=draft.verdict_reason,
                reason_code="over_limit",
                reason_params=draft.verdict_params,
                created_by=operator,
                created_at=draft.handed_off_at,
                resolved_at=draft.accepted_at,
            )
        )
        history.append(
            (OrderStatus.HANDED_OFF, draft.handed_off_at, operator, draft.verdict_reason)
        )
    if draft.accepted_at is not None:
        if draft.needs_override:
            order.credit_override_reason = draft.override_reason
            order.credit_override_by = staff.head_of_sales
            history.append(
                (
                    OrderStatus.ACCEPTED,
                    draft.accepted_at,
                    staff.head_of_sales,
                    draft.override_reason,
                )
            )
        else:
            history.append((OrderStatus.ACCEPTED, draft.accepted_at, operator, ""))
        if not draft.open:
            shipped_at = max(clock.moment(draft.day, 18), draft.accepted_at + timedelta(minutes=5))
            history.append((OrderStatus.SHIPPED, shipped_at, staff.finance, ""))
            arrives = draft.delivery_date or draft.arrival_date or draft.day
            delivered_at = clock.moment(arrives, rng.randint(10, 16), rng.randrange(60))
            if delivered_at <= clock.now:
                history.append((OrderStatus.DELIVERED, delivered_at, staff.finance, ""))
    previous = ""
    for status, at, actor, note in history:
        rows.events.append(
            OrderEvent(
                order=order, from_status=previous, to_status=status, actor=actor, note=note, at=at
            )
        )
        previous = status
    order.status = previous
    draft.status = previous
