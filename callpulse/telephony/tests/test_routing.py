"""Routing by client type and purpose, with every escalation, and the reasons in words."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callpulse.core.models import Department
from callpulse.core.tests.factories import AbsenceFactory
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory, client_type
from callpulse.telephony.models import AgentState
from callpulse.telephony.routing import call_route, reasons_text
from callpulse.telephony.services import agent_state_set
from callpulse.telephony.tests.factories import almaty

pytestmark = pytest.mark.django_db

NOW = almaty(2026, 11, 24, 11, 0)


@pytest.fixture
def center(make_user):
    wholesale = Department.objects.get(code="wholesale")
    retail = Department.objects.get(code="retail")
    wholesale.head = make_user(
        "department_head", full_name="Сидоров Марат", department=wholesale, extension="300"
    )
    wholesale.save()
    retail.head = make_user(
        "department_head", full_name="Ким Елена", department=retail, extension="310"
    )
    retail.save()
    ivanova = make_user(
        "account_manager",
        full_name="Иванова",
        department=wholesale,
        is_key_account_manager=True,
        extension="201",
    )
    petrov = make_user(
        "account_manager",
        full_name="Петров",
        department=wholesale,
        is_key_account_manager=True,
        extension="202",
    )
    nurlan = make_user("account_manager", full_name="Нурланов", department=retail, extension="211")
    key = ClientFactory(name="ТОО «Алтын Дала»", client_type=client_type("key"), manager=ivanova)
    PhoneFactory(client=key, number="+77011234567")
    shop = ClientFactory(name="ИП Магазин", client_type=client_type("retail"), manager=nurlan)
    PhoneFactory(client=shop, number="+77021112233")
    orphan = ClientFactory(name="ТОО Без менеджера", client_type=client_type("regional"))
    PhoneFactory(client=orphan, number="+77051112233")
    regional = Department.objects.get(code="regional")
    regional.head = make_user("department_head", full_name="Абенов Ерлан", department=regional)
    regional.save()
    return {
        "wholesale": wholesale,
        "retail": retail,
        "ivanova": ivanova,
        "petrov": petrov,
        "nurlan": nurlan,
    }


def vacation(user, cover=None, until=None):
    AbsenceFactory(
        user=user,
        kind="vacation",
        starts_at=NOW - timedelta(days=2),
        ends_at=until or almaty(2026, 11, 28, 9, 0),
        covered_by=cover,
    )


@pytest.mark.parametrize("purpose", ["order", "info"])
def test_orders_and_questions_stay_with_the_operators(center, purpose):
    decision = call_route(phone="8 (701) 123-45-67", purpose=purpose, at=NOW)
    assert decision.target_kind == "queue" and decision.target is None
    codes = [r.code for r in decision.reasons]
    assert "purpose_stays" in codes
    assert ("operator_personally" in codes) == (purpose == "order")  # a key client's order


def test_a_key_client_reaches_their_manager_when_she_is_in(center):
    decision = call_route(phone="+7 701 1234567", purpose="other", at=NOW)
    assert decision.target == center["ivanova"]
    assert not decision.new_client


def test_an_absent_key_manager_hands_over_to_the_colleague_covering(center, make_user):
    vacation(center["ivanova"], cover=center["petrov"])
    make_user("account_manager", full_name="Аарон", is_key_account_manager=True)  # sorts first
    decision = call_route(phone="77011234567", purpose="other", at=NOW)
    assert decision.target == center["petrov"]
    text = reasons_text(decision.as_dict()["reasons"])
    assert "Иванова: Vacation until 28 Nov → Петров, key accounts" in text


def test_no_key_account_manager_reachable_goes_to_the_head_of_wholesale(center):
    vacation(center["ivanova"], cover=center["petrov"])
    agent_state_set(user=center["petrov"], state=AgentState.BREAK, at=NOW - timedelta(minutes=5))
    decision = call_route(phone="87011234567", purpose="other", at=NOW)
    assert decision.target == center["wholesale"].head
    text = reasons_text(decision.as_dict()["reasons"])
    assert "Петров: on a break" not in text  # the cover is looked for among the reachable only
    assert "no key-account manager available → Сидоров Марат, head of Wholesale" in text


def test_when_even_the_head_is_away_the_call_stays_in_the_queue(center):
    vacation(center["ivanova"])
    agent_state_set(user=center["petrov"], state=AgentState.OFFLINE, at=NOW - timedelta(hours=1))
    AbsenceFactory(
        user=center["wholesale"].head,
        kind="business_trip",
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=1),
    )
    decision = call_route(phone="87011234567", purpose="other", at=NOW)
    assert decision.target_kind == "queue"
    assert [r.code for r in decision.reasons][-2:] == ["absent", "nobody"]


def test_a_non_key_client_reaches_the_manager_or_the_head_of_the_managers_department(center):
    assert call_route(phone="+77021112233", purpose="other", at=NOW).target == center["nurlan"]
    agent_state_set(user=center["nurlan"], state=AgentState.OFFLINE, at=NOW - timedelta(minutes=1))
    decision = call_route(phone="+77021112233", purpose="other", at=NOW)
    assert decision.target == center["retail"].head
    assert "Нурланов: offline → Ким Елена, head of Retail" in reasons_text(
        decision.as_dict()["reasons"]
    )


def test_the_manager_is_back_the_moment_the_absence_ends(center):
    vacation(center["ivanova"], cover=center["petrov"])
    back = almaty(2026, 11, 28, 9, 0)
    assert call_route(phone="+77011234567", purpose="other", at=back).target == center["ivanova"]


def test_an_unknown_caller_goes_to_a_department_head_flagged_new(center):
    decision = call_route(phone="+7 702 999 88 77", purpose="other", at=NOW)
    assert decision.target == center["wholesale"].head
    assert decision.new_client and decision.client_id is None
    assert reasons_text(decision.as_dict()["reasons"]).startswith("Unknown number → Сидоров Марат")
    assert decision.reasons[-1].code == "assign_manager"


def test_a_known_client_without_manager_goes_to_the_head_of_its_types_department(center):
    decision = call_route(phone="+77051112233", purpose="other", at=NOW)
    assert decision.target.full_name == "Абенов Ерлан"
    assert decision.new_client
    assert "new client — assign a manager" in reasons_text(decision.as_dict()["reasons"])


def test_an_unknown_order_caller_stays_with_the_operator_and_is_flagged(center):
    decision = call_route(phone="+77029998877", purpose="order", at=NOW)
    assert decision.target_kind == "queue" and decision.new_client
    assert [r.code for r in decision.reasons][-2:] == ["operator_personally", "assign_manager"]


def test_reasons_read_in_russian(center, settings):
    from django.utils import translation

    vacation(center["ivanova"], cover=center["petrov"])
    decision = call_route(phone="77011234567", purpose="other", at=NOW)
    with translation.override("ru"):
        text = reasons_text(decision.as_dict()["reasons"])
    assert "Ключевой клиент" in text and "Отпуск" in text


def test_the_suggest_api_gives_the_same_decision(center, make_user, api_as):
    # The API decides for the present moment: the vacation must cover the real clock.
    vacation(center["ivanova"], cover=center["petrov"], until=timezone.now() + timedelta(days=7))
    api = api_as(make_user("operator"))
    body = api.get(
        "/api/v1/routing/suggest", {"phone": "8 (701) 123-45-67", "purpose": "other"}
    ).json()
    expected = call_route(phone="8 (701) 123-45-67", purpose="other")
    assert body["target"]["user"] == expected.target.pk == center["petrov"].pk
    assert body["target"]["extension"] == "202"
    assert "→ Петров, key accounts" in body["summary"]
    bad = api.get("/api/v1/routing/suggest", {"phone": "+77011234567", "purpose": "gossip"})
    assert bad.status_code == 400 and "purpose" in bad.json()
    assert "phone" in api.get("/api/v1/routing/suggest").json()


def test_the_directory_snapshot_is_reused_and_dropped_when_the_organisation_changes(
    center, settings, django_assert_num_queries
):
    """With a snapshot (production), a decision is one query; recording an absence takes effect
    at once in this process instead of waiting for the snapshot to expire."""
    from django.utils import timezone

    from callpulse.telephony.directory import forget_routing_directory

    settings.CALLPULSE_ROUTING_SNAPSHOT_SECONDS = 60
    forget_routing_directory()
    assert call_route(phone="+77011234567", purpose="other").target == center["ivanova"]
    with django_assert_num_queries(1):  # the caller's number; staff and absences from memory
        decision = call_route(phone="+77011234567", purpose="other")
    assert decision.target_entry is not None and decision.target_entry.id == center["ivanova"].pk

    now = timezone.now()
    AbsenceFactory(
        user=center["ivanova"], kind="sick", starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1), covered_by=center["petrov"],
    )  # fmt: skip
    decision = call_route(phone="+77011234567", purpose="other")
    assert decision.target == center["petrov"]
    assert [r.code for r in decision.reasons][1:] == ["absent", "key_account_manager"]
    forget_routing_directory()


def test_a_decision_for_another_moment_does_not_use_the_snapshot(center, settings):
    settings.CALLPULSE_ROUTING_SNAPSHOT_SECONDS = 60
    vacation(center["ivanova"], cover=center["petrov"])  # in force at NOW, long over by now
    assert call_route(phone="+77011234567", purpose="other", at=NOW).target == center["petrov"]
    from callpulse.telephony.directory import forget_routing_directory

    forget_routing_directory()
