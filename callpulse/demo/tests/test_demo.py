"""The demo center: reproducible from its seed, realistic, consistent with the product's rules."""

from __future__ import annotations

import random
import re
import zoneinfo
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from itertools import combinations, pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
from callpulse.catalog.pricing import price_order
from callpulse.core.models import Absence, AbsenceKind, Department, Mentorship, Team, User
from callpulse.core.phones import normalize_phone
from callpulse.core.roles import RoleCode
from callpulse.core.selectors import absences_at, user_absence_at
from callpulse.crm.models import Client, ClientType, CreditEvent, CreditEventKind, Phone
from callpulse.crm.selectors import (
    client_find_by_phone,
    clients_dormant,
    receivables_from_history,
)
from callpulse.demo import assortment, identities, names
from callpulse.demo.generator import (
    CLIENT_TYPE_SHARES,
    DEMO_PASSWORD,
    SHOWCASE_CLIENT_NAME,
    client_type_quotas,
    demo_staff_specs,
    generate_center,
)
from callpulse.demo.identities import Gender
from callpulse.orders import services
from callpulse.orders.models import HandOff, Offer, Order, OrderEvent, OrderLine, OrderStatus
from callpulse.orders.selectors import credit_verdict, offer_candidates
from callpulse.telephony.models import (
    AgentState,
    AgentStateSpan,
    AgentStatus,
    Call,
    Callback,
    CallbackStatus,
    Direction,
)
from callpulse.telephony.selectors import calls_without_outcome

NOW = datetime(2025, 3, 12, 10, 30, tzinfo=ZoneInfo("Asia/Almaty"))
TODAY = NOW.date()
SMALL = 150


@pytest.fixture
def center(db: None) -> Any:
    return generate_center(seed=42, clients=SMALL, now=NOW)


def center_signature() -> tuple[list[Any], ...]:
    """Everything a demo shows, free of primary keys, so two runs can be compared."""
    clients = sorted(
        (
            c.name,
            c.kind,
            c.client_type.code,
            c.manager.username if c.manager else "",
            c.region,
            c.timezone,
            c.address,
            c.email,
            c.tax_id,
            c.notes,
            c.credit_limit,
            c.debt,
            c.overdue_debt,
            c.overdue_since,
            c.last_order_at,
            c.created_at,
            c.updated_at,
            tuple(sorted(p.number for p in c.phones.all())),
            tuple(sorted((ct.full_name, ct.position, ct.email) for ct in c.contacts.all())),
        )
        for c in Client.objects.select_related("client_type", "manager").prefetch_related(
            "phones", "contacts"
        )
    )
    events = sorted(
        (e.client.name, e.kind, e.amount, e.occurred_on, e.due_on, e.document, e.created_at)
        for e in CreditEvent.objects.select_related("client")
    )
    users = sorted(
        (
            u.username,
            u.full_name,
            u.extension,
            u.mobile_phone,
            u.password,
            u.date_joined,
            u.team.name if u.team else "",
            tuple(sorted(u.role_codes)),
        )
        for u in User.objects.select_related("team").prefetch_related("roles")
    )
    absences = sorted(
        (a.user.username, a.kind, a.starts_at, a.ends_at, a.created_at)
        for a in Absence.objects.select_related("user")
    )
    products = sorted(
        (
            p.sku,
            p.name,
            p.unit,
            p.pack_size,
            p.category.name if p.category else "",
            p.new_since,
            p.promoted_from,
            p.promoted_to,
            p.promotion_note,
        )
        for p in Product.objects.select_related("category")
    )
    prices = sorted(
        Price.objects.values_list("price_list__name", "product__sku", "column__code", "amount")
    )
    orders = sorted(
        (
            o.number or "",
            o.client.name,
            o.status,
            o.total,
            o.created_at,
            o.accepted_at,
            o.taken_by.username,
            o.call.call_id if o.call else "",
            tuple(o.lines.values_list("product__sku", "quantity", "unit_price")),
            tuple(o.offers.values_list("product__sku", "source", "result")),
        )
        for o in Order.objects.select_related("client", "taken_by", "call")
    )
    calls = sorted(
        (
            c.call_id,
            c.from_number,
            c.to_number,
            c.operator.username if c.operator else "",
            c.ringing_at,
            c.ended_at,
            c.outcome,
        )
        for c in Call.objects.select_related("operator")
    )
    agents = sorted(
        AgentStatus.objects.values_list("user__username", "state", "since"),
    )
    return clients, events, users, absences, products, prices, orders, calls, agents


def generate_and_undo(seed: int) -> tuple[list[Any], ...]:
    """Generate into the test's database, take the signature, and roll the center back."""
    savepoint = transaction.savepoint()
    try:
        generate_center(seed=seed, clients=SMALL, now=NOW)
        return center_signature()
    finally:
        transaction.savepoint_rollback(savepoint)


# --- word lists and identities ------------------------------------------------------------


def test_every_city_has_a_real_time_zone() -> None:
    available = zoneinfo.available_timezones()
    assert [c.timezone for c in names.CITIES if c.timezone not in available] == []
    zones = {c.timezone for c in names.CITIES}
    assert {"Asia/Almaty", "Asia/Aqtobe", "Asia/Atyrau", "Asia/Oral", "Europe/Moscow"} <= zones


def test_people_have_gender_consistent_names() -> None:
    rng = random.Random(7)
    male_first = set(names.RUSSIAN_MALE_FIRST_NAMES) | set(names.KAZAKH_MALE_FIRST_NAMES)
    female_first = set(names.RUSSIAN_FEMALE_FIRST_NAMES) | set(names.KAZAKH_FEMALE_FIRST_NAMES)
    surnames = names.RUSSIAN_SURNAMES + names.KAZAKH_SURNAMES
    for _ in range(500):
        person = identities.person_name(rng)
        if person.gender is Gender.MALE:
            assert person.first_name in male_first
            assert person.surname in {male for male, _ in surnames}
            assert person.patronymic.endswith(("ич", names.KAZAKH_SON_OF))
        else:
            assert person.first_name in female_first
            assert person.surname in {female for _, female in surnames}
            assert person.patronymic.endswith(("на", names.KAZAKH_DAUGHTER_OF))


def _checksum_ok(number: str) -> bool:
    digits = [int(ch) for ch in number]
    check = sum(d * w for d, w in zip(digits[:11], range(1, 12), strict=True)) % 11
    if check == 10:
        weights = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
        check = sum(d * w for d, w in zip(digits[:11], weights, strict=True)) % 11
    return len(number) == 12 and check == digits[11]


def test_bin_and_iin_carry_valid_check_digits() -> None:
    rng = random.Random(3)
    for _ in range(200):
        bin_ = identities.business_id(rng, registered=TODAY)
        iin = identities.individual_id(rng, born=TODAY.replace(year=1985), gender=Gender.FEMALE)
        assert _checksum_ok(bin_) and bin_[4] == "4"
        assert _checksum_ok(iin) and iin[6] == "4"  # a woman born in the 1900s


def test_type_quotas_add_up_and_leave_no_type_out() -> None:
    assert client_type_quotas(2000) == {
        "key": 100,
        "marketer": 200,
        "own_outlet": 100,
        "retail": 900,
        "regional": 500,
        "new": 200,
    }
    for total in (1, 2, 5, 6, 7, 33, 150, 999):
        quotas = client_type_quotas(total)
        assert sum(quotas.values()) == total
        assert quotas["key"] >= 1  # room for the showcase client
        if total >= len(CLIENT_TYPE_SHARES):
            assert min(quotas.values()) >= 1


# --- the generated center -----------------------------------------------------------------


def test_same_seed_and_now_give_the_same_center(db: None) -> None:
    first = generate_and_undo(42)
    assert Client.objects.count() == 0  # the rollback really emptied the database
    second = generate_and_undo(42)
    assert first == second
    assert len(first[0]) == SMALL
    products, prices, orders, calls = first[4:8]
    assert len(products) == 120 and len(prices) == 960 and len(calls) > 100
    assert len(orders) > SMALL and all(re.fullmatch(r"\d{4}-\d{6}", o[0]) for o in orders if o[0])


def test_another_seed_gives_another_center(db: None) -> None:
    clients_42, _, users_42, *_ = generate_and_undo(42)
    clients_43, _, users_43, *_ = generate_and_undo(43)
    assert clients_42 != clients_43
    assert [u[1] for u in users_42] != [u[1] for u in users_43]  # different people
    assert [u[0] for u in users_42] == [u[0] for u in users_43]  # the same logins


def test_staff_teams_and_mentors(center: Any) -> None:
    assert center.staff == User.objects.count() == len(demo_staff_specs()) == 42
    assert Team.objects.count() == 3
    for team in Team.objects.select_related("supervisor"):
        operators = list(team.members.prefetch_related("roles"))
        assert 3 <= len(operators) <= 20
        assert all(RoleCode.OPERATOR in op.role_codes for op in operators)
        assert RoleCode.SUPERVISOR in team.supervisor.role_codes
        assert team.department is not None and team.department.code == "contact_center"
    trainees = Mentorship.objects.select_related("trainee", "mentor")
    assert sorted(m.trainee.username for m in trainees) == ["operator14", "operator21", "operator7"]
    for mentorship in trainees:
        assert RoleCode.MENTOR in mentorship.mentor.role_codes
        assert mentorship.probation_ends_on is not None
        assert 50 <= (mentorship.probation_ends_on - TODAY).days <= 75
    heads = dict(Department.objects.values_list("code", "head__username"))
    assert heads["wholesale"] == "head.wholesale" and heads["regional"] == "head.regional"


def test_logins_and_their_roles(center: Any) -> None:
    users = {u.username: u for u in User.objects.prefetch_related("roles")}
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert not users["head.sales"].is_staff
    assert users["head.sales"].role_codes == {RoleCode.HEAD_OF_SALES}
    assert users["planner"].role_codes == {RoleCode.WORKFORCE_PLANNER}
    assert users["operator1"].role_codes == {RoleCode.OPERATOR, RoleCode.MENTOR}
    assert [n for n in range(1, 7) if users[f"manager{n}"].is_key_account_manager] == [1, 2, 3]
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    assert len({u.full_name for u in users.values()}) == len(users)
    extensions = [u.extension for u in users.values() if u.extension]
    assert len(extensions) == len(set(extensions)) and users["operator1"].extension == "101"


def test_clients_of_every_type_with_managers_by_department(center: Any) -> None:
    assert center.clients == Client.objects.count() == SMALL
    used_types = ClientType.objects.filter(clients__isnull=False).values_list("code", flat=True)
    assert set(used_types) == set(CLIENT_TYPE_SHARES)
    for client in Client.objects.select_related("client_type", "manager__department"):
        code = client.client_type.code
        if code == "new":
            assert client.manager is None and client.credit_limit == 0
            continue
        assert client.manager is not None and client.credit_limit > 0
        if code == "key":
            assert client.manager.is_key_account_manager
        if code == "regional":
            assert client.manager.department is not None
            assert client.manager.department.code == "regional"
        assert client.created_at < NOW - timedelta(days=150)


def test_some_clients_are_overdue_some_dormant(center: Any) -> None:
    assert Client.objects.filter(overdue_debt__gt=0).count() == center.overdue_clients > 1
    assert clients_dormant(at=NOW).count() == center.dormant_clients > 1
    assert Client.objects.filter(last_order_at__gte=NOW - timedelta(days=14)).exists()


def test_absences_in_force_now(center: Any) -> None:
    away_now = {a.user.username: a for a in absences_at(NOW).select_related("user", "covered_by")}
    assert set(away_now) == {"manager1", "operator5", "manager5"}
    vacation = away_now["manager1"]
    assert vacation.kind == AbsenceKind.VACATION
    assert vacation.covered_by is not None and vacation.covered_by.username == "manager2"
    assert away_now["operator5"].kind == AbsenceKind.SICK_LEAVE
    assert away_now["manager5"].kind == AbsenceKind.BUSINESS_TRIP
    tomorrow = absences_at(NOW + timedelta(days=1)).filter(user__username="operator12").get()
    assert tomorrow.kind == AbsenceKind.DAY_OFF


def test_every_phone_is_valid_e164_and_unique(center: Any) -> None:
    numbers = list(Phone.objects.values_list("number", flat=True))
    assert len(numbers) == center.phones == len(set(numbers))
    assert all(normalize_phone(number) == number for number in numbers)
    assert all(number[2:5] in names.KAZAKHSTAN_MOBILE_PREFIXES for number in numbers)
    staff_mobiles = set(User.objects.values_list("mobile_phone", flat=True))
    assert staff_mobiles.isdisjoint(numbers)


def test_showcase_client_is_found_by_the_number_an_operator_types(center: Any) -> None:
    client = client_find_by_phone("8 (701) 123-45-67")
    assert client is not None and client.name == SHOWCASE_CLIENT_NAME
    assert client.client_type.code == "key"
    assert client.manager is not None and client.manager.username == "manager1"
    assert user_absence_at(user=client.manager, at=NOW) is not None  # away: routing shows cover
    assert client.overdue_debt == Decimal("84500.00") > 0
    assert client.debt == Decimal("84500.00")
    assert client.overdue_since == TODAY - timedelta(days=42)
    assert client.credit_limit == Decimal("5000000.00")
    assert client in clients_dormant(at=NOW + timedelta(days=4))  # ordered 57 days ago
    assert client not in clients_dormant(at=NOW)


def test_stored_debts_follow_from_the_credit_history(center: Any) -> None:
    clients = list(Client.objects.all())
    assert all(c.receivables_as_of == TODAY for c in clients)
    for client in clients:
        recomputed = receivables_from_history(client_id=client.pk, as_of=TODAY)
        assert (client.debt, client.overdue_debt, client.overdue_since) == (
            recomputed.debt,
            recomputed.overdue_debt,
            recomputed.overdue_since,
        ), client.name
    assert any(c.debt > c.credit_limit for c in clients) or center.over_limit_clients == 0


def test_credit_history_is_dated_in_the_past_with_sane_terms(center: Any) -> None:
    events = list(CreditEvent.objects.all())
    assert len(events) == center.credit_events
    assert {e.kind for e in events} >= {CreditEventKind.INVOICE, CreditEventKind.PAYMENT}
    assert all(e.occurred_on <= TODAY and e.created_at <= NOW for e in events)
    assert all(e.amount > 0 and e.amount == e.amount.quantize(Decimal("0.01")) for e in events)
    for invoice in (e for e in events if e.kind == CreditEventKind.INVOICE):
        assert invoice.due_on is not None
        assert 14 <= (invoice.due_on - invoice.occurred_on).days <= 45


# --- the catalog --------------------------------------------------------------------------


def test_the_assortment_refers_to_its_own_products() -> None:
    names_ = [spec.name for _category, specs in assortment.ASSORTMENT for spec in specs]
    assert len(names_) == len(set(names_)) == 120 and len(assortment.ASSORTMENT) == 10
    known = set(names_)
    assert set(assortment.NEW_PRODUCTS) <= known
    assert {name for pair in assortment.BOUGHT_TOGETHER for name in pair} <= known
    assert all(3 <= len(chosen) <= 6 for chosen in assortment.TRADITIONAL.values())
    assert {name for chosen in assortment.TRADITIONAL.values() for name in chosen} <= known
    assert {season.category for season in assortment.SEASONS} <= {
        category for category, _specs in assortment.ASSORTMENT
    }
    assert assortment.season_bounds(date(2026, 1, 15)) == (date(2025, 12, 1), date(2026, 2, 28))
    assert assortment.season_bounds(date(2026, 11, 23)) == (date(2026, 9, 1), date(2026, 11, 30))


def test_a_distributors_catalog_with_every_price(center: Any) -> None:
    products = list(Product.objects.select_related("category"))
    assert len(products) == center.products == 120
    assert Category.objects.count() == center.categories == 10
    assert all(re.fullmatch(r"KZ-\d{4}", p.sku) for p in products)
    assert {p.unit for p in products} == {"pcs", "kg", "l", "box", "pack"}
    assert all(p.pack_size > 0 and p.category is not None and p.is_active for p in products)
    this_year = PriceList.objects.get(valid_from=date(TODAY.year, 1, 1))
    assert this_year.currency == "KZT" and this_year.is_active
    columns = {c.code: c for c in PriceColumn.objects.all()}
    assert set(columns) >= {"retail", "wholesale", "key", "regional"}
    for price_list in PriceList.objects.all():
        cells = set(
            Price.objects.filter(price_list=price_list).values_list("product_id", "column_id")
        )
        assert cells == {(p.pk, c.pk) for p in products for c in columns.values()}
    amounts = {
        (sku, code): amount
        for sku, code, amount in Price.objects.filter(price_list=this_year).values_list(
            "product__sku", "column__code", "amount"
        )
    }
    for product in products:
        retail = amounts[(product.sku, "retail")]
        assert retail > 0 and retail == retail.quantize(Decimal("0.01"))
        for code, share in (("wholesale", 0.90), ("key", 0.85), ("regional", 0.95)):
            assert abs(float(amounts[(product.sku, code)] / retail) - share) < 0.015, product.sku


def test_new_and_promoted_products_today(center: Any) -> None:
    new = Product.objects.filter(new_since__gte=TODAY - timedelta(days=60), new_since__lte=TODAY)
    assert new.count() == center.new_products == 8
    promoted = Product.objects.filter(promoted_from__lte=TODAY, promoted_to__gte=TODAY)
    assert promoted.count() == center.promoted_products == 6
    season = assortment.season_of(TODAY)
    assert all(p.promotion_note.startswith(f"{season.adjective} акция: ") for p in promoted)
    assert promoted.filter(category__name=season.category).count() == 3


def test_traditional_products_discounts_and_holidays(center: Any) -> None:
    per_type = Counter(TraditionalProduct.objects.values_list("client_type__code", flat=True))
    assert set(per_type) == set(CLIENT_TYPE_SHARES)
    assert all(3 <= n <= 6 for n in per_type.values())
    rules = {rule.kind: rule for rule in DiscountRule.objects.prefetch_related("categories")}
    promotion = rules[DiscountKind.PROMOTION]
    assert promotion.name == assortment.season_of(TODAY).name and promotion.percent == 5
    assert promotion.valid_from is not None and promotion.valid_from <= TODAY
    assert promotion.valid_to is not None and promotion.valid_to >= TODAY
    assert [c.name for c in promotion.categories.all()] == [assortment.season_of(TODAY).category]
    assert (rules[DiscountKind.LINE_VOLUME].percent, rules[DiscountKind.LINE_VOLUME].threshold) == (
        3,
        50,
    )
    assert (
        rules[DiscountKind.ORDER_VOLUME].percent,
        rules[DiscountKind.ORDER_VOLUME].threshold,
    ) == (2, 500_000)
    assert [r.position for r in DiscountRule.objects.order_by("position")] == [10, 20, 30]
    holidays = list(NonWorkingDay.objects.all())
    assert len(holidays) == center.holidays >= 2
    assert all(TODAY < h.day <= TODAY + timedelta(days=90) for h in holidays)
    assert {(h.day, h.note) for h in holidays} >= {
        (date(2025, 3, 22), "Наурыз мейрамы"),
        (date(2025, 5, 9), "День Победы"),
    }


# --- the order history --------------------------------------------------------------------


def test_order_history_counts_and_numbers(center: Any) -> None:
    orders = list(Order.objects.select_related("taken_by").prefetch_related("taken_by__roles"))
    assert len(orders) == center.orders
    assert OrderLine.objects.count() == center.order_lines
    assert Offer.objects.count() == center.offers == 3 * len(orders)
    numbers = [o.number for o in orders if o.number]
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"\d{4}-\d{6}", number) for number in numbers)
    for order in orders:
        assert RoleCode.OPERATOR in order.taken_by.role_codes
        assert order.created_at < NOW and (order.accepted_at or order.created_at) <= NOW
        if order.accepted_at is not None:
            local = timezone.localtime(order.accepted_at, ZoneInfo("Asia/Almaty"))
            assert order.number and order.number.startswith(f"{local:%y%m}-")
            assert order.created_at < order.accepted_at
    statuses = Counter(o.status for o in orders)
    assert statuses[OrderStatus.DELIVERED] > statuses[OrderStatus.SHIPPED] > 0
    assert statuses[OrderStatus.ACCEPTED] == center.open_orders > 0
    results = Counter(Offer.objects.values_list("result", flat=True))
    assert results["accepted"] > 0 and results["declined"] > results["accepted"]
    assert set(Offer.objects.values_list("source", flat=True)) == {
        "new",
        "promoted",
        "traditional",
        "bought_together",
    }


def test_every_order_has_the_history_the_services_write(center: Any) -> None:
    chains = {
        (OrderStatus.DRAFT, OrderStatus.ACCEPTED),
        (OrderStatus.DRAFT, OrderStatus.ACCEPTED, OrderStatus.SHIPPED),
        (OrderStatus.DRAFT, OrderStatus.ACCEPTED, OrderStatus.SHIPPED, OrderStatus.DELIVERED),
    }
    chains |= {(c[0], OrderStatus.HANDED_OFF, *c[1:]) for c in chains}
    chains.add((OrderStatus.DRAFT, OrderStatus.HANDED_OFF))
    events: dict[int, list[OrderEvent]] = defaultdict(list)
    for event in OrderEvent.objects.order_by("at", "pk"):
        events[event.order_id].append(event)
    for order in Order.objects.prefetch_related("hand_offs"):
        history = events[order.pk]
        steps = tuple(e.to_status for e in history)
        assert steps in chains, (order.number, steps)
        assert [e.from_status for e in history] == ["", *steps[:-1]]
        assert steps[-1] == order.status and history[0].at == order.created_at
        assert all(a.at < b.at for a, b in pairwise(history))
        hand_offs = list(order.hand_offs.all())
        if OrderStatus.HANDED_OFF in steps:
            # the credit check stopped it; the head of sales let it through, with a reason
            assert len(hand_offs) == 1 and hand_offs[0].reason.startswith("debt and open orders")
            assert (hand_offs[0].resolved_at is None) == (order.accepted_at is None)
            if order.accepted_at is not None:
                assert order.credit_override_reason and order.credit_override_by is not None
        else:
            assert not hand_offs and not order.credit_override_reason


def test_shipped_orders_are_the_invoices_of_the_credit_history(center: Any) -> None:
    invoices = {e.document: e for e in CreditEvent.objects.filter(kind=CreditEventKind.INVOICE)}
    shipped = Order.objects.filter(status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED])
    for order in shipped.prefetch_related("history"):
        invoice = invoices[order.number or ""]
        shipped_on = next(e.at for e in order.history.all() if e.to_status == OrderStatus.SHIPPED)
        assert (invoice.client_id, invoice.amount) == (order.client_id, order.total)
        assert invoice.occurred_on == timezone.localdate(shipped_on, ZoneInfo("Asia/Almaty"))
    unshipped = Order.objects.exclude(number__isnull=True).exclude(pk__in=shipped)
    assert not unshipped.filter(number__in=list(invoices)).exists()
    payments = CreditEvent.objects.filter(kind=CreditEventKind.PAYMENT, note__regex=r"\d{4}-")
    assert payments.exists() and not CreditEvent.objects.filter(document="").exists()


def test_open_orders_fit_the_credit_limit_of_every_client(center: Any) -> None:
    open_by_client = dict(
        Order.objects.filter(status=OrderStatus.ACCEPTED)
        .values_list("client_id")
        .annotate(total=Sum("total"))
    )
    assert open_by_client
    for client in Client.objects.all():
        assert client.open_orders_total == open_by_client.get(client.pk, Decimal("0.00"))
        if client.open_orders_total > 0:
            assert client.overdue_debt == 0
            assert client.debt + client.open_orders_total <= client.credit_limit, client.name
            verdict = credit_verdict(client, Decimal("0.00"), today=TODAY)
            assert verdict.ok and verdict.available >= 0


def test_the_newest_order_is_the_clients_last_order(center: Any) -> None:
    newest = dict(
        Order.objects.filter(accepted_at__isnull=False)
        .values_list("client_id")
        .annotate(last=Max("accepted_at"))
    )
    for client in Client.objects.all():
        assert client.last_order_at == newest.get(client.pk), client.name
    ordered = Client.objects.filter(last_order_at__isnull=False)
    counts = Counter(Order.objects.values_list("client_id", flat=True))
    assert all(counts[c.pk] >= 1 for c in ordered)
    assert sum(1 for c in ordered if counts[c.pk] >= 2) > ordered.count() * 0.7


def test_order_prices_are_what_the_pricing_gives(center: Any) -> None:
    """Lines priced as catalog.pricing would have priced them on the day they were taken."""
    tz = ZoneInfo("Asia/Almaty")
    orders = list(Order.objects.select_related("client__client_type").order_by("pk"))
    for order in random.Random(5).sample(orders, 40):
        lines = list(order.lines.select_related("product").order_by("pk"))
        day = timezone.localdate(order.accepted_at or order.created_at, tz)
        priced = price_order(
            client=order.client, lines=[(ln.product, ln.quantity) for ln in lines], on=day
        )
        assert priced.column.pk == order.price_column_id
        assert (priced.total, priced.base_total) == (order.total, order.base_total), order.number
        for stored, expected in zip(lines, priced.lines, strict=True):
            assert (stored.base_price, stored.unit_price, stored.line_total) == (
                expected.base_price,
                expected.unit_price,
                expected.line_total,
            )
            assert stored.explanation == expected.explanation
        accepted = [o for o in order.offers.all() if o.result == "accepted"]
        assert {o.product_id for o in accepted} == {ln.product_id for ln in lines if ln.from_offer}
        assert sum((o.added_revenue for o in accepted), Decimal(0)) <= order.total


def test_some_products_are_bought_together(center: Any) -> None:
    products: dict[int, set[int]] = defaultdict(set)
    for order_id, product_id in OrderLine.objects.values_list("order_id", "product_id"):
        products[order_id].add(product_id)
    pairs = Counter(
        pair for chosen in products.values() for pair in combinations(sorted(chosen), 2)
    )
    sku_names = dict(Product.objects.values_list("pk", "name"))
    top = {frozenset((sku_names[a], sku_names[b])) for (a, b), _n in pairs.most_common(5)}
    known = {frozenset(pair) for pair in assortment.BOUGHT_TOGETHER}
    assert len(top & known) >= 4


# --- calls and agents ---------------------------------------------------------------------


def test_two_weeks_of_calls_in_working_hours(center: Any) -> None:
    tz = ZoneInfo("Asia/Almaty")
    calls = list(Call.objects.select_related("operator"))
    assert len(calls) == center.calls
    days = Counter(timezone.localdate(c.ringing_at, tz) for c in calls if c.ringing_at)
    assert min(days) >= TODAY - timedelta(days=13) and max(days) == TODAY
    assert all(day.weekday() not in settings.CALLPULSE_WAREHOUSE_DAYS_OFF for day in days)
    for call in calls:
        assert call.ringing_at is not None and call.ended_at is not None
        local = timezone.localtime(call.ringing_at, tz)
        assert 9 <= local.hour < 18 and call.ended_at <= NOW
        assert call.wait_seconds is not None
        if call.answered_at is not None:
            assert call.talk_seconds == round((call.ended_at - call.answered_at).total_seconds())
            assert call.operator is not None and call.operator.extension
        if call.logged_at is not None:
            assert call.wrap_up_seconds == round((call.logged_at - call.ended_at).total_seconds())
        if call.direction == Direction.OUTBOUND:
            assert call.operator is not None and call.from_number == call.operator.extension
        else:
            assert call.to_number == assortment.CENTER_LINE
            assert call.is_new_caller == (call.client_id is None)
    answered = [c for c in calls if c.answered_at is not None and c.operator_id]
    by_operator: dict[int, list[Call]] = defaultdict(list)
    for call in answered:
        by_operator[call.operator_id].append(call)
    for own in by_operator.values():
        own.sort(key=lambda c: c.answered_at)
        assert all(a.ended_at <= b.answered_at for a, b in pairwise(own))


def test_orders_of_the_last_two_weeks_were_taken_on_calls(center: Any) -> None:
    recent = Order.objects.filter(created_at__gte=NOW - timedelta(days=12)).select_related("call")
    assert recent.exists()
    for order in recent:
        assert order.call is not None, order.number
        assert (
            order.call.operator_id == order.taken_by_id and order.call.client_id == order.client_id
        )
        assert order.call.outcome == "order_taken" and order.call.purpose == "order"
        assert order.call.answered_at is not None and order.call.ended_at is not None
        assert order.call.answered_at < order.created_at < order.call.ended_at


def test_the_supervisor_has_calls_to_log_and_callbacks_to_make(center: Any) -> None:
    to_log = list(calls_without_outcome())
    assert len(to_log) == center.calls_to_log >= 3
    assert all(timezone.localdate(c.ringing_at, ZoneInfo("Asia/Almaty")) == TODAY for c in to_log)
    open_callbacks = Callback.objects.filter(status=CallbackStatus.OPEN)
    assert open_callbacks.count() == center.open_callbacks >= 3
    assert open_callbacks.values("phone").distinct().count() == open_callbacks.count()
    abandoned = Call.objects.filter(outcome="abandoned")
    assert abandoned.exists() and not abandoned.filter(answered_at__isnull=False).exists()
    assert Callback.objects.filter(call__in=abandoned).count() >= abandoned.count() * 0.9
    done = Callback.objects.filter(status=CallbackStatus.DONE)
    assert done.exists() and all(c.done_at and c.done_at <= NOW for c in done)


def test_every_operator_has_a_state_now(center: Any) -> None:
    operators = User.objects.filter(roles__code=RoleCode.OPERATOR)
    statuses = {s.user.username: s for s in AgentStatus.objects.select_related("user")}
    assert set(statuses) == set(operators.values_list("username", flat=True))
    states = Counter(s.state for s in statuses.values())
    assert states[AgentState.BREAK] == center.agents_on_break >= 1
    assert states[AgentState.AVAILABLE] == center.agents_available > len(statuses) / 2
    assert statuses["operator5"].state == AgentState.OFFLINE  # on sick leave
    away = [
        s
        for s in statuses.values()
        if s.state == AgentState.OFFLINE and s.user.username != "operator5"
    ]
    assert len(away) == 1
    for status in statuses.values():
        assert status.since <= NOW
        span = AgentStateSpan.objects.get(user=status.user, ended_at__isnull=True)
        assert (span.state, span.started_at) == (status.state, status.since)


# --- taking an order on the demo data, through the services --------------------------------


@pytest.fixture
def live_center(db: None) -> Any:
    """A center generated as of now: the services check credit and dates against today."""
    return generate_center(seed=11, clients=60)


def _next_working_day(after: date) -> date:
    day = after + timedelta(days=1)
    holidays = set(NonWorkingDay.objects.values_list("day", flat=True))
    while day.weekday() in settings.CALLPULSE_WAREHOUSE_DAYS_OFF or day in holidays:
        day += timedelta(days=1)
    return day


def _ready_order(operator: User, client: Client) -> Order:
    products = list(Product.objects.order_by("sku"))
    order = services.order_start(actor=operator, client=client)
    services.order_set_lines(
        actor=operator,
        order=order,
        lines=[
            services.LineInput(product=products[0], quantity=Decimal("24")),
            services.LineInput(product=products[13], quantity=Decimal("20")),
        ],
    )
    for candidate in offer_candidates(order)[:3]:
        services.order_offer_record(
            actor=operator,
            order=order,
            product=candidate.product,
            source=candidate.source,
            accepted=candidate.source == "promoted",
        )
    services.order_set_terms(
        actor=operator,
        order=order,
        delivery_date=_next_working_day(timezone.localdate()),
        receiver="Айгуль, кладовщик",
        payment_form="deferred",
        documents=["invoice", "waybill"],
    )
    return Order.objects.get(pk=order.pk)


def test_an_order_is_taken_end_to_end_on_the_demo_data(live_center: Any) -> None:
    operator = User.objects.get(username="operator2")
    client = next(
        c
        for c in Client.objects.filter(
            overdue_debt=0, client_type__code__in=["retail", "key", "marketer"]
        ).order_by("name")
        if c.credit_limit - c.debt - c.open_orders_total > Decimal("200000")
    )
    open_before = client.open_orders_total
    order = _ready_order(operator, client)
    assert order.offers.count() == 3
    accepted = services.order_accept(actor=operator, order=order)
    assert accepted.status == OrderStatus.ACCEPTED and accepted.number
    assert Order.objects.filter(number=accepted.number).count() == 1
    client.refresh_from_db()
    assert client.open_orders_total == open_before + accepted.total


def test_the_showcase_client_is_refused_for_its_overdue_debt(live_center: Any) -> None:
    operator = User.objects.get(username="operator2")
    client = Client.objects.get(name=SHOWCASE_CLIENT_NAME)
    assert client.overdue_debt == Decimal("84500.00")
    overdue_order = Order.objects.get(
        client=client, number__isnull=False, total=Decimal("84500.00")
    )
    assert overdue_order.status == OrderStatus.DELIVERED
    order = _ready_order(operator, client)
    with pytest.raises(ValidationError) as error:
        services.order_accept(actor=operator, order=order)
    assert error.value.message_dict["credit"][0].startswith("Not accepted: overdue")
    assert not HandOff.objects.filter(order=order).exists()


# --- the commands -------------------------------------------------------------------------


def test_demo_command_fills_once_then_refuses(db: None) -> None:
    out = StringIO()
    call_command("demo", "--seed", "5", "--clients", "40", stdout=out)
    assert "Demo center generated from seed 5" in out.getvalue()
    assert "120 products in 10 categories" in out.getvalue() and "callbacks open" in out.getvalue()
    assert Client.objects.count() == 40

    again = StringIO()
    call_command("demo", "--seed", "5", "--clients", "40", "--if-empty", stdout=again)
    assert "not generated" in again.getvalue()
    assert Client.objects.count() == 40 and User.objects.count() == 42

    with pytest.raises(CommandError, match="fresh database"):
        call_command("demo", "--seed", "5", "--clients", "40", stdout=StringIO())
    assert Client.objects.count() == 40


def test_demo_command_refuses_to_collide_with_existing_logins(db: None) -> None:
    User.objects.create_user(username="operator1", password="x-secret-1")
    out = StringIO()
    call_command("demo", "--seed", "5", "--clients", "20", "--if-empty", stdout=out)
    assert "not generated" in out.getvalue()
    with pytest.raises(CommandError, match="operator1"):
        call_command("demo", "--seed", "5", "--clients", "20", stdout=StringIO())
    assert Client.objects.count() == 0 and User.objects.count() == 1


def test_an_existing_superuser_admin_is_kept(db: None) -> None:
    User.objects.create_superuser(username="admin", password="own-secret-1")
    summary = generate_center(seed=1, clients=20, now=NOW)
    assert summary.staff == 41
    admin = User.objects.get(username="admin")
    assert admin.check_password("own-secret-1") and not admin.check_password(DEMO_PASSWORD)


def test_demo_logins_lists_one_login_per_role(db: None) -> None:
    empty = StringIO()
    call_command("demo_logins", stdout=empty)
    assert "manage.py demo" in empty.getvalue()
    generate_center(seed=2, clients=20, now=NOW)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in ("admin", "director", "head.sales", "supervisor1", "operator2", "finance"):
        assert f" {username} " in text
    assert "http://127.0.0.1:8000/" in text and DEMO_PASSWORD in text


def test_the_default_size_is_generated_in_bulk(db: None) -> None:
    """Quick because it writes in bulk: counted in statements, which no busy machine changes
    (a wall-clock limit failed CI on a loaded machine: 43 s against 30)."""
    with CaptureQueriesContext(connection) as statements:
        summary = generate_center(seed=42, now=NOW)
    assert summary.clients == Client.objects.count() == 2000
    assert len(statements.captured_queries) <= 1500, len(statements.captured_queries)
    assert 0.05 <= summary.overdue_clients / summary.clients <= 0.15
    assert 0.08 <= summary.dormant_clients / summary.clients <= 0.25
    assert 0 < summary.over_limit_clients <= 0.05 * summary.clients
    assert Phone.objects.count() == summary.phones >= 2000
    assert 3000 <= summary.orders == Order.objects.count() <= 6000
    assert summary.open_orders >= 3 and summary.calls_to_log >= 3 and summary.open_callbacks >= 3
    working_days = len(
        {
            timezone.localdate(c, ZoneInfo("Asia/Almaty"))
            for c in Call.objects.values_list("ringing_at", flat=True)
        }
    )
    assert 120 <= summary.calls / working_days <= 200
