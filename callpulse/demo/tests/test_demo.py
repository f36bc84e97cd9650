"""The demo center: reproducible from its seed, realistic, consistent with the product's rules."""

from __future__ import annotations

import random
import time
import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

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
from callpulse.demo import identities, names
from callpulse.demo.generator import (
    CLIENT_TYPE_SHARES,
    DEMO_PASSWORD,
    SHOWCASE_CLIENT_NAME,
    client_type_quotas,
    demo_staff_specs,
    generate_center,
)
from callpulse.demo.identities import Gender

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
    return clients, events, users, absences


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


def test_another_seed_gives_another_center(db: None) -> None:
    clients_42, _, users_42, _ = generate_and_undo(42)
    clients_43, _, users_43, _ = generate_and_undo(43)
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


# --- the commands -------------------------------------------------------------------------


def test_demo_command_fills_once_then_refuses(db: None) -> None:
    out = StringIO()
    call_command("demo", "--seed", "5", "--clients", "40", stdout=out)
    assert "Demo center generated from seed 5" in out.getvalue()
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


def test_the_default_size_is_generated_quickly(db: None) -> None:
    started = time.perf_counter()
    summary = generate_center(seed=42, now=NOW)
    elapsed = time.perf_counter() - started
    assert summary.clients == Client.objects.count() == 2000
    assert elapsed < 30, f"generating 2,000 clients took {elapsed:.1f} s"
    assert 0.05 <= summary.overdue_clients / summary.clients <= 0.15
    assert 0.08 <= summary.dormant_clients / summary.clients <= 0.25
    assert 0 < summary.over_limit_clients <= 0.05 * summary.clients
    assert Phone.objects.count() == summary.phones >= 2000
