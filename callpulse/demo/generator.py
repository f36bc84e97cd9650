"""The demo center: staff, teams, absences, clients with their credit history, the catalog,
order history, two weeks of calls and where every operator is now, all from one seed.

`generate_center(seed=42)` fills a fresh database with a believable sales contact center so the
product can be shown, tried and benchmarked. Everything is drawn from one `random.Random(seed)`
and dated relative to `now`, so the same seed and the same `now` give the same data. Rows are
bulk-created (the whole default center takes seconds), yet hold together as the services would
have left them: every shipped order is an invoice of the client's credit history, open orders
are what the clients' credit checks count, and the newest order is the client's last order.
"""

from __future__ import annotations

import gc
import random
import string
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from callpulse.core.models import (
    Absence,
    AbsenceKind,
    AuditEntry,
    Department,
    Role,
    User,
)
from callpulse.core.roles import RoleCode
from callpulse.core.services import absence_create, mentorship_start, team_create
from callpulse.crm.models import (
    Client,
    ClientKind,
    ClientType,
    Contact,
    CreditEvent,
    CreditEventKind,
    Phone,
    PhoneKind,
)
from callpulse.crm.receivables import compute_receivables
from callpulse.demo import identities, names
from callpulse.demo.calls import HISTORY_DAYS as CALL_HISTORY_DAYS
from callpulse.demo.calls import Caller, CallHistory, CallPlanner
from callpulse.demo.clock import Clock
from callpulse.demo.commerce import (
    Catalog,
    CatalogError,
    OrderDraft,
    OrderMaker,
    OrderRows,
    Staff,
    create_catalog,
    order_rows,
)
from callpulse.demo.identities import Gender, PersonName
from callpulse.orders.models import HandOff, Offer, Order, OrderEvent, OrderLine, OrderStatus
from callpulse.telephony.models import (
    AgentState,
    AgentStateSpan,
    AgentStatus,
    Call,
    Callback,
)

DEMO_PASSWORD = "demo"  # published: every demo login uses it

SHOWCASE_CLIENT_NAME = "ТОО «Алтын Дала Дистрибьюшн»"
SHOWCASE_PHONE = "+77011234567"
SHOWCASE_OVERDUE = Decimal("84500.00")
SHOWCASE_CREDIT_LIMIT = Decimal("5000000.00")

TEAM_NAMES = ("Team Almaty", "Team Astana", "Team Regions")
OPERATORS_PER_TEAM = 7
# (mentor, trainee): the newest operator of each team is on probation.
MENTORSHIPS = (("operator1", "operator7"), ("operator8", "operator14"), ("operator8", "operator21"))
MENTORS = frozenset(mentor for mentor, _ in MENTORSHIPS)
TRAINEES = frozenset(trainee for _, trainee in MENTORSHIPS)

# Share of each client type in percent (PRODUCT.md's types, created by crm's migration).
CLIENT_TYPE_SHARES = {
    "key": 5,
    "marketer": 10,
    "own_outlet": 5,
    "retail": 45,
    "regional": 25,
    "new": 10,
}
# The department whose managers own each type; key clients go to key-account managers only.
CLIENT_TYPE_DEPARTMENT = {
    "key": "wholesale",
    "marketer": "wholesale",
    "own_outlet": "retail",
    "retail": "retail",
    "regional": "regional",
}
# Credit limit range in tenge, and days between orders, by client type.
CREDIT_LIMIT_RANGE = {
    "key": (5_000_000, 20_000_000),
    "marketer": (2_000_000, 10_000_000),
    "own_outlet": (1_000_000, 5_000_000),
    "retail": (500_000, 3_000_000),
    "regional": (1_000_000, 6_000_000),
}
ORDER_INTERVAL_DAYS = {
    "key": (4, 12),
    "marketer": (6, 14),
    "own_outlet": (5, 10),
    "retail": (8, 25),
    "regional": (12, 30),
    "new": (7, 20),
}
PERSON_SHARE = {"retail": 0.25, "regional": 0.15, "new": 0.3}
PAYMENT_TERMS_DAYS = (14, 21, 30, 45)
# How many of a client's latest invoices are orders in the order history (the rest is older).
ORDERS_PER_CLIENT = {"key": (3, 4), "marketer": (3, 4)}
ORDERS_PER_OTHER_CLIENT = (2, 3)
HISTORY_DAYS = 182  # about six months of credit history
DORMANT_SHARE = 0.15
OVERDUE_SHARE = 0.11
OVER_LIMIT_SHARE = 0.03
MIN_INVOICE_TIYN = 2_000_000  # 20 000 ₸


class DemoCenterError(Exception):
    """The database is not one a demo center can be generated into (taken logins, no types)."""


@dataclass(frozen=True)
class DemoSummary:
    """What a run created, for the command's report and the tests."""

    seed: int
    staff: int
    teams: int
    mentorships: int
    absences: int
    clients: int
    contacts: int
    phones: int
    credit_events: int
    overdue_clients: int
    over_limit_clients: int
    dormant_clients: int
    showcase_client: str
    # the catalog
    categories: int
    products: int
    new_products: int
    promoted_products: int
    price_lists: int
    prices: int
    discount_rules: int
    holidays: int
    # the order history
    orders: int
    order_lines: int
    offers: int
    offers_accepted: int
    open_orders: int  # accepted today, not shipped: they count against the credit limits
    orders_awaiting_decision: int  # handed off today, nobody has decided yet
    # the calls
    call_days: int
    calls: int
    calls_today: int
    calls_to_log: int
    open_callbacks: int
    agents_available: int
    agents_on_break: int
    agents_offline: int


@dataclass(frozen=True)
class StaffSpec:
    """One demo login: fixed usernames so the README can list them."""

    username: str
    roles: tuple[str, ...]
    department: str | None
    extension: str | None = None
    is_key_account_manager: bool = False
    is_superuser: bool = False


# manager1..3 are the key-account managers of wholesale; then retail, retail, regional.
MANAGER_DEPARTMENTS = ("wholesale", "wholesale", "wholesale", "retail", "retail", "regional")
DEPARTMENT_HEADS = {
    "head.wholesale": "wholesale",
    "head.retail": "retail",
    "head.regional": "regional",
    "head.service": "service_desk",
}


def demo_staff_specs() -> list[StaffSpec]:
    """The center's 42 people, from the admin to the trainees."""
    r = RoleCode
    cc = "contact_center"
    specs = [
        StaffSpec("admin", (), None, is_superuser=True),
        StaffSpec("director", (r.DIRECTOR,), cc, "400"),
        StaffSpec("head.sales", (r.HEAD_OF_SALES,), cc, "401"),
    ]
    specs += [
        StaffSpec(f"supervisor{n}", (r.SUPERVISOR,), cc, f"{200 + n}")
        for n in range(1, len(TEAM_NAMES) + 1)
    ]
    for n in range(1, len(TEAM_NAMES) * OPERATORS_PER_TEAM + 1):
        username = f"operator{n}"
        roles = (r.OPERATOR, r.MENTOR) if username in MENTORS else (r.OPERATOR,)
        specs.append(StaffSpec(username, roles, cc, f"{100 + n}"))
    specs += [
        StaffSpec(
            f"manager{n}",
            (r.ACCOUNT_MANAGER,),
            department,
            f"{300 + n}",
            is_key_account_manager=n <= 3,
        )
        for n, department in enumerate(MANAGER_DEPARTMENTS, start=1)
    ]
    specs += [
        StaffSpec(username, (r.DEPARTMENT_HEAD,), department, f"{401 + n}")
        for n, (username, department) in enumerate(DEPARTMENT_HEADS.items(), start=1)
    ]
    specs += [
        StaffSpec("finance", (r.FINANCE,), "finance", "501"),
        StaffSpec("planner", (r.WORKFORCE_PLANNER,), cc, "502"),
        StaffSpec("qa", (r.QA_SPECIALIST,), cc, "503"),
        StaffSpec("trainer", (r.TRAINER,), cc, "504"),
        StaffSpec("analyst", (r.ANALYST,), cc, "505"),
    ]
    return specs


def client_type_quotas(total: int) -> dict[str, int]:
    """How many clients of each type: the shares, rounded so they add up, every type present."""
    exact = {code: Fraction(total * share, 100) for code, share in CLIENT_TYPE_SHARES.items()}
    counts = {code: int(value) for code, value in exact.items()}
    by_remainder = sorted(exact, key=lambda code: exact[code] - counts[code], reverse=True)
    for code in by_remainder[: total - sum(counts.values())]:
        counts[code] += 1
    for code in CLIENT_TYPE_SHARES:
        # "key" first: the showcase client needs one even in the smallest center.
        if counts[code] == 0 and (code == "key" or total >= len(CLIENT_TYPE_SHARES)):
            donor = max(counts, key=lambda c: counts[c])
            counts[donor] -= 1
            counts[code] += 1
    return counts


def _part(tiyn: int, per_mille: int, *, step: int = 100) -> int:
    """A share of an amount, in whole tiyn rounded down to `step`: integer money, no floats."""
    return tiyn * per_mille // 1000 // step * step


def _tiyn_to_decimal(tiyn: int) -> Decimal:
    """Amounts are kept in whole tiyn while generating; the database gets 2-place Decimals."""
    return Decimal(tiyn).scaleb(-2)


@dataclass
class _Invoice:
    occurred_on: date
    due_on: date
    tiyn: int
    settled_on: date | None = None  # the day it was paid in full, if it was
    order: OrderDraft | None = None  # the order whose shipping raised it


def _exposure_at(invoices: list[_Invoice], day: date) -> int:
    """What the client owed on `day` before a new order: invoices not yet settled by then."""
    return sum(inv.tiyn for inv in invoices if inv.settled_on is None or inv.settled_on > day)


@contextmanager
def _timestamps_as_set(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create store the moments the generator set on auto_now(_add) fields.

    The demo's rows happened in the past, but Django stamps `auto_now` and `auto_now_add` fields
    with the real clock on insert; they are switched off while the demo inserts (one process,
    one thread: the command or a test) and always switched back on.
    """
    fields = [
        f
        for model in model_classes
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@dataclass
class _ClientDraft:
    """A client with everything hanging off it, built in memory before one bulk insert each."""

    client: Client
    created_at: datetime
    contacts: list[Contact] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    events: list[CreditEvent] = field(default_factory=list)
    orders: list[OrderDraft] = field(default_factory=list)


class _CenterBuilder:
    """Draws the whole center from one random stream; the order of draws is part of the seed."""

    def __init__(self, *, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.tz: tzinfo = timezone.get_current_timezone()
        self.clock = Clock(
            now=now, tz=self.tz, days_off=frozenset(settings.CALLPULSE_WAREHOUSE_DAYS_OFF)
        )
        self.today = self.clock.today
        self.taken_numbers: set[str] = {SHOWCASE_PHONE}
        self.taken_client_names: set[str] = {SHOWCASE_CLIENT_NAME}
        self.document_numbers: dict[str, int] = defaultdict(int)
        self.users: dict[str, User] = {}
        self.catalog: Catalog | None = None
        self.order_maker: OrderMaker | None = None

    # --- helpers -----------------------------------------------------------------------------

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        """An aware moment in the center's time zone, never later than `now`."""
        return self.clock.at(day, hour, minute)

    def working_moment(self, day: date) -> datetime:
        return self.at(day, self.rng.randint(9, 17), self.rng.randrange(60))

    def midnight(self, day: date) -> datetime:
        return self.clock.moment(day, 0)

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def document(self, kind: str) -> str:
        prefix = {"invoice": "СФ", "payment": "ПП", "write_off": "АКТ"}[kind]
        self.document_numbers[kind] += 1
        return f"{prefix}-{self.document_numbers[kind]:06d}"

    # --- staff -------------------------------------------------------------------------------

    def create_staff(self) -> int:
        """Create the demo logins with roles; an existing superuser `admin` is left as it is."""
        specs = demo_staff_specs()
        existing = {
            user.username: user
            for user in User.objects.filter(username__in=[spec.username for spec in specs])
        }
        admin = existing.pop("admin", None)
        if admin is not None and not admin.is_superuser:
            existing["admin"] = admin
        if existing:
            raise DemoCenterError(
                "Demo logins already exist (" + ", ".join(sorted(existing)) + "); "
                "generate the demo center into a fresh database."
            )
        salt = "".join(self.rng.choices(string.ascii_letters + string.digits, k=22))
        # Hashed once (it is slow on purpose); the salt comes from the seed, so the hash repeats.
        password_hash = make_password(DEMO_PASSWORD, salt=salt)
        departments = Department.objects.in_bulk(field_name="code")
        missing = sorted({s.department for s in specs if s.department} - set(departments))
        if missing:
            raise DemoCenterError("Departments are missing: " + ", ".join(missing) + ".")
        taken_names: set[str] = set()
        new_users: list[User] = []
        for spec in specs:
            person = self._unique_person(taken_names)
            joined_days_ago = (
                self.rng.randint(20, 35)
                if spec.username in TRAINEES
                else self.rng.randint(120, 2500)
            )
            user = User(
                username=spec.username,
                full_name=person.full_name,
                first_name=person.first_name,
                last_name=person.surname,
                email=f"{spec.username}@callpulse.example",
                password=password_hash,
                is_staff=spec.is_superuser,
                is_superuser=spec.is_superuser,
                department=departments[spec.department] if spec.department else None,
                extension=spec.extension,
                is_key_account_manager=spec.is_key_account_manager,
                mobile_phone=identities.unique_mobile(self.rng, self.taken_numbers),
                date_joined=self.at(self.days_ago(joined_days_ago), 9),
            )
            if spec.username == "admin" and admin is not None:
                self.users["admin"] = admin
            else:
                new_users.append(user)
                self.users[spec.username] = user
        User.objects.bulk_create(new_users)
        roles = Role.objects.in_bulk(field_name="code")
        membership = User.roles.through
        membership.objects.bulk_create(
            [
                membership(user_id=self.users[spec.username].pk, role_id=roles[code].pk)
                for spec in specs
                for code in spec.roles
            ]
        )
        for username, department_code in DEPARTMENT_HEADS.items():
            Department.objects.filter(code=department_code).update(head=self.users[username])
        return len(new_users)

    def _unique_person(self, taken: set[str]) -> PersonName:
        person = identities.person_name(self.rng)
        while person.full_name in taken:
            person = identities.person_name(self.rng)
        taken.add(person.full_name)
        return person

    def create_teams(self) -> int:
        contact_center = Department.objects.get(code="contact_center")
        for index, team_name in enumerate(TEAM_NAMES):
            first = index * OPERATORS_PER_TEAM + 1
            team_create(
                name=team_name,
                supervisor=self.users[f"supervisor{index + 1}"],
                operators=[
                    self.users[f"operator{n}"] for n in range(first, first + OPERATORS_PER_TEAM)
                ],
                department=contact_center,
            )
        return len(TEAM_NAMES)

    def create_mentorships(self) -> int:
        for mentor, trainee in MENTORSHIPS:
            starts_on = timezone.localdate(self.users[trainee].date_joined, self.tz)
            mentorship_start(
                mentor=self.users[mentor],
                trainee=self.users[trainee],
                starts_on=starts_on,
                probation_ends_on=starts_on + timedelta(days=90),
            )
        return len(MENTORSHIPS)

    def create_absences(self) -> int:
        """This week's absences: they are what makes routing and cover worth showing."""
        u = self.users
        plan = [
            # A key-account manager on vacation: his key clients' calls go to manager2.
            ("manager1", AbsenceKind.VACATION, -2, 6, "manager2", "Ежегодный отпуск"),
            ("operator5", AbsenceKind.SICK_LEAVE, 0, 3, "operator6", "Больничный лист"),
            ("manager5", AbsenceKind.BUSINESS_TRIP, -1, 3, "manager4", "Поездка к клиентам"),
            ("operator12", AbsenceKind.DAY_OFF, 1, 2, "operator13", "Отгул"),
        ]
        for username, kind, first_day, return_day, cover, note in plan:
            starts_at = self.midnight(self.today + timedelta(days=first_day))
            absence = absence_create(
                actor=u["head.sales"],
                user=u[username],
                kind=kind,
                starts_at=starts_at,
                ends_at=self.midnight(self.today + timedelta(days=return_day)),
                covered_by=u[cover],
                note=note,
            )
            # Recorded a few days ahead, as a planner would; the same `now` gives the same stamp.
            recorded_at = min(starts_at, self.now) - timedelta(days=3)
            Absence.objects.filter(pk=absence.pk).update(created_at=recorded_at)
            AuditEntry.objects.filter(
                target_type=Absence._meta.label_lower, target_id=str(absence.pk)
            ).update(at=recorded_at)
        return len(plan)

    # --- the catalog ---------------------------------------------------------------------------

    def create_catalog(self) -> Catalog:
        try:
            self.catalog = create_catalog(self.rng, self.clock)
        except CatalogError as exc:
            raise DemoCenterError(str(exc)) from exc
        self.order_maker = OrderMaker(rng=self.rng, clock=self.clock, catalog=self.catalog)
        return self.catalog

    # --- clients -----------------------------------------------------------------------------

    def create_clients(self, total: int) -> list[_ClientDraft]:
        """The clients with their contacts, numbers, credit history and orders, in memory."""
        types = ClientType.objects.in_bulk(field_name="code")
        missing = sorted(set(CLIENT_TYPE_SHARES) - set(types))
        if missing:
            raise DemoCenterError("Client types are missing: " + ", ".join(missing) + ".")
        quotas = client_type_quotas(total)
        quotas["key"] -= 1  # the showcase client is one of them
        sequence = [code for code, count in quotas.items() for _ in range(count)]
        self.rng.shuffle(sequence)
        managers = self._managers_by_type()
        drafts = [self._showcase_draft(types["key"])]
        drafts += [self._client_draft(types[code], managers.get(code, [])) for code in sequence]
        return drafts

    def _managers_by_type(self) -> dict[str, list[User]]:
        managers = [self.users[f"manager{n}"] for n in range(1, len(MANAGER_DEPARTMENTS) + 1)]
        result: dict[str, list[User]] = {}
        for code, department in CLIENT_TYPE_DEPARTMENT.items():
            result[code] = [
                m
                for m in managers
                if m.department is not None
                and m.department.code == department
                and (m.is_key_account_manager or code != "key")
            ]
        return result

    def _showcase_draft(self, key_type: ClientType) -> _ClientDraft:
        """The client the README walks through: key, manager away, a small overdue invoice."""
        almaty = next(city for city in names.CITIES if city.name == "Алматы")
        created_on = self.days_ago(1400)
        client = Client(
            kind=ClientKind.COMPANY,
            name=SHOWCASE_CLIENT_NAME,
            client_type=key_type,
            manager=self.users["manager1"],
            region=almaty.name,
            timezone=almaty.timezone,
            address="г. Алматы, ул. Толе би, 285, офис 12",
            email="info@altyndala.kz",
            tax_id=identities.business_id(self.rng, registered=created_on),
            notes="Сеть из 12 магазинов в Алматы и области. Интересуется новинками.",
            credit_limit=SHOWCASE_CREDIT_LIMIT,
        )
        draft = _ClientDraft(client=client, created_at=self.at(created_on, 11, 15))
        director = PersonName("Сейтказиев", "Ерлан", "Маратович", Gender.MALE)
        accountant = PersonName("Иванова", "Ольга", "Сергеевна", Gender.FEMALE)
        draft.contacts = [
            Contact(
                client=client,
                full_name=director.full_name,
                position="директор",
                email="e.seitkaziev@altyndala.kz",
                is_primary=True,
            ),
            Contact(
                client=client,
                full_name=accountant.full_name,
                position="главный бухгалтер",
                email="buh@altyndala.kz",
            ),
        ]
        draft.phones = [
            Phone(
                client=client,
                contact=draft.contacts[0],
                number=SHOWCASE_PHONE,
                kind=PhoneKind.WORK,
            ),
            Phone(
                client=client,
                contact=draft.contacts[1],
                number=identities.unique_mobile(self.rng, self.taken_numbers),
                kind=PhoneKind.MOBILE,
            ),
        ]
        # Paid on time for months, then one order of 84 500 went overdue six weeks ago.
        invoices: list[_Invoice] = []
        day = self.days_ago(HISTORY_DAYS)
        while day < self.days_ago(70):
            shipped = self.clock.open_on_or_before(day)
            invoices.append(
                _Invoice(
                    shipped,
                    shipped + timedelta(days=14),
                    self.rng.randrange(300_000, 900_000) * 100,
                )
            )
            day += timedelta(days=self.rng.randint(9, 16))
        for invoice in invoices:
            invoice.settled_on = invoice.occurred_on + timedelta(days=self.rng.randint(3, 14))
        limit_tiyn = int(SHOWCASE_CREDIT_LIMIT * 100)
        for index in range(max(len(invoices) - 2, 0), len(invoices)):
            exposure = _exposure_at(invoices[:index], invoices[index].occurred_on)
            self._order_for(draft, invoices[index], exposure_tiyn=exposure, limit_tiyn=limit_tiyn)
        overdue_day = self.clock.open_on_or_before(self.days_ago(57))
        overdue = _Invoice(
            overdue_day, overdue_day + timedelta(days=14), int(SHOWCASE_OVERDUE * 100)
        )
        self._order_for(
            draft,
            overdue,
            exposure_tiyn=_exposure_at(invoices, overdue_day),
            limit_tiyn=limit_tiyn,
            exact=True,
        )
        invoices.append(overdue)
        self._record_history(draft, invoices, write_offs={})
        client.last_order_at = self._last_accepted(draft)
        return draft

    def _order_for(
        self,
        draft: _ClientDraft,
        invoice: _Invoice,
        *,
        exposure_tiyn: int,
        limit_tiyn: int,
        decided: bool = True,
        exact: bool = False,
    ) -> None:
        """The order behind an invoice: sized to it, and the invoice then is what it came to."""
        assert self.order_maker is not None
        if invoice.order is not None:
            draft.orders.remove(invoice.order)
        order = self.order_maker.make(
            client=draft.client,
            client_type=draft.client.client_type,
            day=invoice.occurred_on,
            target_tiyn=invoice.tiyn,
            exposure_tiyn=exposure_tiyn,
            limit_tiyn=limit_tiyn,
            decided=decided,
            exact=exact,
        )
        invoice.order = order
        invoice.tiyn = order.total_tiyn
        draft.orders.append(order)

    @staticmethod
    def _last_accepted(draft: _ClientDraft) -> datetime | None:
        return max((o.accepted_at for o in draft.orders if o.accepted_at is not None), default=None)

    def _client_draft(self, client_type: ClientType, managers: list[User]) -> _ClientDraft:
        rng = self.rng
        code = client_type.code
        is_person = rng.random() < PERSON_SHARE.get(code, 0.0)
        city = identities.weighted_city(rng, regional=code == "regional")
        if code == "new":
            created_days_ago = rng.randint(3, 50)
            has_orders = rng.random() < 0.45
            last_order_days_ago = rng.randint(0, created_days_ago) if has_orders else None
        else:
            if rng.random() < DORMANT_SHARE:
                last_order_days_ago = None if rng.random() < 0.2 else rng.randint(61, 240)
            else:
                last_order_days_ago = int(rng.triangular(0, 45, 0))
            created_days_ago = rng.randint(200, 2500)
            if last_order_days_ago is not None:
                created_days_ago = max(created_days_ago, last_order_days_ago + rng.randint(30, 90))
        created_on = self.days_ago(created_days_ago)
        if code in CREDIT_LIMIT_RANGE:
            low, high = CREDIT_LIMIT_RANGE[code]
            if is_person:
                high = max(low, high // 3)
            credit_limit_tenge = rng.randrange(low, high + 1, 50_000)
        else:
            credit_limit_tenge = 0
        client = Client(
            client_type=client_type,
            manager=rng.choice(managers) if managers else None,
            region=city.name,
            timezone=city.timezone,
            address=identities.street_address(rng, city),
            credit_limit=Decimal(credit_limit_tenge).quantize(Decimal("0.01")),
        )
        draft = _ClientDraft(client=client, created_at=self.working_moment(created_on))
        if is_person:
            self._as_person(draft, code)
        else:
            self._as_company(draft, code, city.name)
        if rng.random() < 0.15:
            notes = names.REGIONAL_CLIENT_NOTES if code == "regional" else names.CLIENT_NOTES
            client.notes = rng.choice(notes)
        self._add_phones(draft, is_person=is_person)
        if last_order_days_ago is not None:
            last_order_on = self.days_ago(last_order_days_ago)
            if last_order_on == self.today and rng.random() >= self.clock.today_share():
                last_order_on -= timedelta(days=1)  # the day is young: they ordered yesterday
            last_order_on = self.clock.open_near(rng, last_order_on)
            if last_order_on <= created_on:
                pass  # registered today or yesterday: no order yet
            elif code == "new":
                self._prepaid_history(draft, created_on, last_order_on)
            else:
                limit_tiyn = credit_limit_tenge * 100
                self._credit_history(draft, code, created_on, last_order_on, limit_tiyn)
            client.last_order_at = self._last_accepted(draft)
        return draft

    def _as_company(self, draft: _ClientDraft, code: str, city: str) -> None:
        rng = self.rng
        client = draft.client
        large = code in ("key", "marketer")
        company: list[identities.CompanyName] = []

        def make_name() -> str:
            company.append(identities.company_name(rng, city=city, large=large))
            return company[-1].legal_name

        client.kind = ClientKind.COMPANY
        client.name = identities.unique(make_name, self.taken_client_names)
        client.tax_id = identities.business_id(
            rng, registered=self.today - timedelta(days=rng.randint(400, 8000))
        )
        if rng.random() < 0.7:
            client.email = identities.company_email(rng, company[-1].brand)
        positions = [rng.choice(names.PRIMARY_CONTACT_POSITIONS)]
        if rng.random() < 0.6:
            positions.append(rng.choice(names.OTHER_CONTACT_POSITIONS))
        for index, position in enumerate(positions):
            person = identities.person_name(rng)
            draft.contacts.append(
                Contact(
                    client=client,
                    full_name=person.full_name,
                    position=position,
                    email=identities.person_email(rng, person) if rng.random() < 0.3 else "",
                    is_primary=index == 0,
                )
            )

    def _as_person(self, draft: _ClientDraft, code: str) -> None:
        """A sole trader (ИП) or, among new clients, a private buyer."""
        rng = self.rng
        client = draft.client
        owner = identities.person_name(rng)
        private = code == "new" and rng.random() < 0.5
        client.kind = ClientKind.PERSON
        client.name = identities.unique(
            (lambda: owner.full_name)
            if private
            else (lambda: identities.sole_trader_name(rng, owner)),
            self.taken_client_names,
        )
        born = self.today - timedelta(days=rng.randint(22 * 365, 60 * 365))
        client.tax_id = identities.individual_id(rng, born=born, gender=owner.gender)
        if rng.random() < 0.4:
            client.email = identities.person_email(rng, owner)
        draft.contacts.append(
            Contact(
                client=client,
                full_name=owner.full_name,
                position="" if private else names.SOLE_TRADER_POSITION,
                is_primary=True,
            )
        )

    def _add_phones(self, draft: _ClientDraft, *, is_person: bool) -> None:
        """1-3 numbers: a company's main line first, then its people's mobiles."""
        count = self.rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
        for index in range(count):
            main_line = index == 0 and not is_person
            draft.phones.append(
                Phone(
                    client=draft.client,
                    contact=None if main_line else draft.contacts[index % len(draft.contacts)],
                    number=identities.unique_mobile(self.rng, self.taken_numbers),
                    kind=PhoneKind.WORK if main_line else PhoneKind.MOBILE,
                )
            )

    def _prepaid_history(self, draft: _ClientDraft, created_on: date, last_order_on: date) -> None:
        """A new client has no credit yet: each order is invoiced and paid the same day.

        With no limit, the credit check stops every order: the operator hands it off and the
        head of sales lets it through once it is paid. Today's may still be waiting for that.
        """
        days = [last_order_on]
        if self.rng.random() < 0.3 and (last_order_on - created_on).days > 7:
            first = created_on + timedelta(days=self.rng.randint(1, 3))
            days.insert(0, self.clock.open_on_or_after(first))
        invoices: list[_Invoice] = []
        for day in days:
            target = self.rng.randrange(30_000, 400_000) * 100
            invoice = _Invoice(day, day + timedelta(days=14), target, day)
            self._order_for(
                draft, invoice, exposure_tiyn=0, limit_tiyn=0, decided=day != self.today
            )
            invoices.append(invoice)
        if invoices[-1].order is not None and invoices[-1].order.awaiting_decision:
            invoices.pop()  # not accepted yet, so not shipped: no invoice
        self._record_history(draft, invoices, write_offs={})

    def _credit_history(
        self,
        draft: _ClientDraft,
        code: str,
        created_on: date,
        last_order_on: date,
        limit_tiyn: int,
    ) -> None:
        """Orders on credit over ~6 months, paid on time by most; the latest few are orders.

        A few clients stop paying (overdue), and a few more run past their limit; a client with
        overdue debt gets no further orders, as PRODUCT.md's order rule says.
        """
        rng = self.rng
        term = rng.choice(PAYMENT_TERMS_DAYS)
        low, high = ORDER_INTERVAL_DAYS[code]
        first_day = created_on + timedelta(days=1)  # ordering from the day after registering
        start = max(first_day, min(self.days_ago(HISTORY_DAYS), last_order_on - timedelta(90)))
        order_days: list[date] = []
        day = last_order_on
        while day >= start:
            order_days.append(day)
            day = self.clock.open_near(rng, day - timedelta(days=rng.randint(low, high)))
        order_days.reverse()

        roll = rng.random()
        unpaid_from = len(order_days)  # invoices from this index on get no payment
        over_limit = False
        if roll < OVERDUE_SHARE:
            late = [i for i, d in enumerate(order_days) if d + timedelta(term) < self.days_ago(1)]
            if late:
                unpaid_from = rng.choice(late[-3:])
                blocked_after = order_days[unpaid_from] + timedelta(days=term)
                order_days = [d for d in order_days if d <= blocked_after]
        elif roll < OVERDUE_SHARE + OVER_LIMIT_SHARE and (
            self.days_ago(14) <= last_order_on < self.today
        ):
            over_limit = True
        orders_from = len(order_days) - rng.randint(
            *ORDERS_PER_CLIENT.get(code, ORDERS_PER_OTHER_CLIENT)
        )

        invoices: list[_Invoice] = []
        write_offs: dict[int, int] = {}
        for index, day in enumerate(order_days):
            # An order is sized so that what is open at once stays at 25-60% of the limit:
            # share = k * mean interval / (3/4 of the term), with k drawn in per mille.
            share = rng.randint(250, 600) * (low + high) * 2 // (3 * term)
            tiyn = _part(limit_tiyn, min(max(share, 20), 350), step=1000)
            open_tiyn = sum(
                inv.tiyn for inv in invoices if inv.settled_on is None or inv.settled_on > day
            )
            tiyn = max(min(tiyn, limit_tiyn * 9 // 10 - open_tiyn), MIN_INVOICE_TIYN)
            invoice = _Invoice(day, day + timedelta(days=term), tiyn)
            if index >= orders_from:
                self._order_for(draft, invoice, exposure_tiyn=open_tiyn, limit_tiyn=limit_tiyn)
            invoices.append(invoice)
            if index >= unpaid_from:
                continue
            settled_on = day + timedelta(days=rng.randint(max(1, term // 3), term))
            if settled_on <= self.today:
                invoice.settled_on = settled_on
                if rng.random() < 0.03:
                    write_offs[index] = _part(invoice.tiyn, rng.randint(10, 50))
        if over_limit and invoices:
            # The last order went past the limit: the head of sales let it through.
            last = invoices[-1]
            open_others = sum(inv.tiyn for inv in invoices[:-1] if inv.settled_on is None)
            extra = _part(limit_tiyn, rng.randint(50, 250), step=1000)
            last.tiyn = max(limit_tiyn - open_others, 0) + extra
            last.settled_on = None
            write_offs.pop(len(invoices) - 1, None)
            self._order_for(draft, last, exposure_tiyn=open_others, limit_tiyn=limit_tiyn)
        if invoices and invoices[-1].occurred_on == self.today:
            self._leave_open(draft, invoices, limit_tiyn)
        partial: dict[int, int] = {}
        if unpaid_from < len(invoices) and rng.random() < 0.35:
            partial[unpaid_from] = _part(invoices[unpaid_from].tiyn, rng.randint(300, 700))
        self._record_history(draft, invoices, write_offs=write_offs, partial=partial)

    def _leave_open(self, draft: _ClientDraft, invoices: list[_Invoice], limit_tiyn: int) -> None:
        """Today's order is accepted but not shipped: no invoice yet, it counts as open.

        An order the credit check would have stopped is not left open (it was not taken).
        """
        order = invoices.pop().order
        assert order is not None
        debt = sum(inv.tiyn for inv in invoices if inv.settled_on is None)
        if order.needs_override or debt + order.total_tiyn > limit_tiyn:
            draft.orders.remove(order)
            return
        order.open = True
        draft.client.open_orders_total += order.total

    def _record_history(
        self,
        draft: _ClientDraft,
        invoices: list[_Invoice],
        *,
        write_offs: dict[int, int],
        partial: dict[int, int] | None = None,
    ) -> None:
        """Turn invoices and their settlement into credit events, and state the receivables.

        The figures are computed here, in memory, with the same arithmetic the product uses, so
        no per-client query is needed afterwards.
        """
        rng = self.rng
        client = draft.client
        finance = self.users["finance"]
        settled_tiyn = 0
        events = draft.events
        for index, invoice in enumerate(invoices):
            order = invoice.order
            # An order's invoice carries its number, given once all orders are numbered.
            number = "" if order is not None else self.document("invoice")
            own_events_from = len(events)
            events.append(
                CreditEvent(
                    client=client,
                    kind=CreditEventKind.INVOICE,
                    amount=_tiyn_to_decimal(invoice.tiyn),
                    occurred_on=invoice.occurred_on,
                    due_on=invoice.due_on,
                    document=number,
                    created_by=finance,
                    created_at=self.at(invoice.occurred_on, 18),
                )
            )
            payments: list[tuple[date, int]] = []
            if invoice.settled_on is not None:
                write_off = write_offs.get(index, 0)
                to_pay = invoice.tiyn - write_off
                span = (invoice.settled_on - invoice.occurred_on).days
                if span > 1 and rng.random() < 0.2:
                    first = _part(to_pay, rng.randint(400, 600))
                    first_day = invoice.occurred_on + timedelta(days=rng.randint(1, span - 1))
                    payments += [(first_day, first), (invoice.settled_on, to_pay - first)]
                else:
                    payments.append((invoice.settled_on, to_pay))
                if write_off:
                    events.append(
                        CreditEvent(
                            client=client,
                            kind=CreditEventKind.WRITE_OFF,
                            amount=_tiyn_to_decimal(write_off),
                            occurred_on=invoice.settled_on,
                            document=self.document("write_off"),
                            note=rng.choice(names.WRITE_OFF_REASONS),
                            created_by=finance,
                            created_at=self.at(invoice.settled_on, 18),
                        )
                    )
                    settled_tiyn += write_off
            elif partial and index in partial:
                paid_on = min(invoice.occurred_on + timedelta(days=rng.randint(1, 20)), self.today)
                payments.append((paid_on, partial[index]))
            for paid_on, tiyn in payments:
                events.append(
                    CreditEvent(
                        client=client,
                        kind=CreditEventKind.PAYMENT,
                        amount=_tiyn_to_decimal(tiyn),
                        occurred_on=paid_on,
                        document=self.document("payment"),
                        note=f"Оплата по {number}",
                        created_by=finance,
                        created_at=self.at(paid_on, 18),
                    )
                )
                settled_tiyn += tiyn
            if order is not None:
                order.credit_events += [
                    e for e in events[own_events_from:] if e.kind != CreditEventKind.WRITE_OFF
                ]
        events.sort(key=lambda event: event.occurred_on)
        receivables = compute_receivables(
            invoices=[(inv.due_on, _tiyn_to_decimal(inv.tiyn)) for inv in invoices],
            settled=_tiyn_to_decimal(settled_tiyn),
            as_of=self.today,
        )
        client.debt = receivables.debt
        client.overdue_debt = receivables.overdue_debt
        client.overdue_since = receivables.overdue_since

    # --- calls, order rows and the insert -------------------------------------------------------

    def plan_calls(self, drafts: list[_ClientDraft]) -> CallHistory:
        planner = CallPlanner(
            rng=self.rng,
            clock=self.clock,
            operators=self._operators(),
            absences=list(Absence.objects.all()),
            callers=[Caller(d.client, [p.number for p in d.phones]) for d in drafts if d.phones],
            taken_numbers=self.taken_numbers,
        )
        return planner.plan([order for draft in drafts for order in draft.orders])

    def order_rows(self, drafts: list[_ClientDraft]) -> OrderRows:
        staff = Staff(
            operators=self._operators(),
            head_of_sales=self.users["head.sales"],
            finance=self.users["finance"],
        )
        orders = [order for draft in drafts for order in draft.orders]
        return order_rows(orders, rng=self.rng, clock=self.clock, staff=staff)

    def _operators(self) -> list[User]:
        count = len(TEAM_NAMES) * OPERATORS_PER_TEAM
        return [self.users[f"operator{n}"] for n in range(1, count + 1)]

    def insert(self, drafts: list[_ClientDraft], calls: CallHistory, rows: OrderRows) -> None:
        """Bulk-insert everything, each row with the moments it really happened at."""
        clients = [draft.client for draft in drafts]
        for draft in drafts:
            draft.client.receivables_as_of = self.today
            draft.client.created_at = draft.created_at
            draft.client.updated_at = draft.client.last_order_at or draft.created_at
        stamped = (Client, CreditEvent, Call, Callback, Order, Offer, OrderEvent, HandOff)
        with _timestamps_as_set(*stamped):
            Client.objects.bulk_create(clients, batch_size=500)
            Contact.objects.bulk_create(
                [contact for draft in drafts for contact in draft.contacts], batch_size=1000
            )
            Phone.objects.bulk_create(
                [phone for draft in drafts for phone in draft.phones], batch_size=1000
            )
            CreditEvent.objects.bulk_create(
                [event for draft in drafts for event in draft.events], batch_size=1000
            )
            Call.objects.bulk_create(calls.calls, batch_size=500)
            Callback.objects.bulk_create(calls.callbacks, batch_size=500)
            Order.objects.bulk_create(rows.orders, batch_size=500)
            OrderLine.objects.bulk_create(rows.lines, batch_size=1000)
            Offer.objects.bulk_create(rows.offers, batch_size=1000)
            OrderEvent.objects.bulk_create(rows.events, batch_size=1000)
            HandOff.objects.bulk_create(rows.hand_offs, batch_size=500)
            AgentStatus.objects.bulk_create(calls.statuses)
            AgentStateSpan.objects.bulk_create(calls.spans)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Hundreds of thousands of live objects, none of them garbage: the cycle collector would
    walk them again and again (about a quarter of the run) for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generate_center(*, seed: int, clients: int = 2000, now: datetime | None = None) -> DemoSummary:
    """Fill the database with a demo center; the same seed and `now` give the same data.

    Expects a fresh database (migrated, no demo logins); raises DemoCenterError otherwise.
    """
    if clients < 1:
        raise ValueError("A demo center needs at least one client (the showcase).")
    moment = now or timezone.now()
    if timezone.is_naive(moment):
        raise ValueError("`now` must be an aware datetime.")
    builder = _CenterBuilder(seed=seed, now=moment)
    with _no_cycle_collection(), transaction.atomic():
        staff = builder.create_staff()
        teams = builder.create_teams()
        mentorships = builder.create_mentorships()
        absences = builder.create_absences()
        catalog = builder.create_catalog()
        drafts = builder.create_clients(clients)
        calls = builder.plan_calls(drafts)
        rows = builder.order_rows(drafts)
        builder.insert(drafts, calls, rows)
    dormant_before = moment - timedelta(days=settings.CALLPULSE_DORMANT_AFTER_DAYS)
    today = builder.today
    products = [item.product for item in catalog.items]
    return DemoSummary(
        seed=seed,
        staff=staff,
        teams=teams,
        mentorships=mentorships,
        absences=absences,
        clients=len(drafts),
        contacts=sum(len(d.contacts) for d in drafts),
        phones=sum(len(d.phones) for d in drafts),
        credit_events=sum(len(d.events) for d in drafts),
        overdue_clients=sum(1 for d in drafts if d.client.overdue_debt > 0),
        over_limit_clients=sum(1 for d in drafts if d.client.debt > d.client.credit_limit),
        dormant_clients=sum(
            1
            for d in drafts
            if d.created_at < dormant_before
            and (d.client.last_order_at is None or d.client.last_order_at < dormant_before)
        ),
        showcase_client=SHOWCASE_CLIENT_NAME,
        categories=len(catalog.categories),
        products=len(products),
        new_products=len(catalog.new_on(today)),
        promoted_products=len(catalog.promoted_on(today)),
        price_lists=len(catalog.price_lists),
        prices=catalog.prices,
        discount_rules=len(catalog.rules),
        holidays=len(catalog.holidays),
        orders=len(rows.orders),
        order_lines=len(rows.lines),
        offers=len(rows.offers),
        offers_accepted=sum(1 for offer in rows.offers if offer.result == "accepted"),
        open_orders=sum(1 for order in rows.orders if order.status == OrderStatus.ACCEPTED),
        orders_awaiting_decision=sum(
            1 for order in rows.orders if order.status == OrderStatus.HANDED_OFF
        ),
        call_days=CALL_HISTORY_DAYS,
        calls=len(calls.calls),
        calls_today=sum(
            1
            for call in calls.calls
            if call.ringing_at is not None
            and timezone.localdate(call.ringing_at, builder.tz) == today
        ),
        calls_to_log=calls.unlogged,
        open_callbacks=calls.open_callbacks,
        agents_available=calls.in_state(AgentState.AVAILABLE),
        agents_on_break=calls.in_state(AgentState.BREAK),
        agents_offline=calls.in_state(AgentState.OFFLINE),
    )
