"""The client card's history (issue #14, item 3): every kind of contact, newest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone

from callpulse.campaigns.models import Campaign, CampaignAttempt, CampaignRecord, Disposition
from callpulse.core.models import Department
from callpulse.crm.history import HISTORY_FIRST, client_history
from callpulse.crm.tests.factories import ClientFactory
from callpulse.orders import services as order_services
from callpulse.telephony.models import Call, Callback, CallbackStatus, ClientRemark

pytestmark = pytest.mark.django_db


def pages(user) -> PageClient:
    http = PageClient()
    http.force_login(user)
    return http


@pytest.fixture
def world(make_user):
    """One of each kind, an hour apart: remark newest, then campaign, callback, order, call."""
    now = timezone.now()
    operator = make_user("operator", full_name="Оператор Дана")
    client = ClientFactory(name="ТОО «Алтын Дала»")
    call = Call.objects.create(
        call_id="h-1",
        client=client,
        operator=operator,
        status="ended",
        outcome="order_taken",
        ringing_at=now - timedelta(hours=5),
        recording_url="https://pbx.example.kz/rec/h-1.mp3",
    )
    order = order_services.order_start(actor=operator, client=client)
    order.__class__.objects.filter(pk=order.pk).update(created_at=now - timedelta(hours=4))
    callback = Callback.objects.create(
        phone="+77011112233",
        client=client,
        reason="website",
        due_at=now + timedelta(hours=1),
        first_due_at=now + timedelta(hours=1),
    )
    Callback.objects.filter(pk=callback.pk).update(created_at=now - timedelta(hours=3))
    campaign = Campaign.objects.create(
        name="Спящие клиенты", owner=make_user("head_of_sales"), segment="dormant"
    )
    disposition = Disposition.objects.create(campaign=campaign, code="order", label="Заказ")
    record = CampaignRecord.objects.create(
        campaign=campaign, client=client, phone="+77011112233", list_day=timezone.localdate()
    )
    attempt = CampaignAttempt.objects.create(
        record=record,
        operator=operator,
        started_at=now - timedelta(hours=2),
        disposition=disposition,
    )
    remark = ClientRemark.objects.create(
        client=client,
        department=Department.objects.get(code="wholesale"),
        text="Просят доставку до 10 утра",
        created_by=operator,
    )
    return {
        "client": client,
        "operator": operator,
        "kinds": [
            ("remark", remark.pk),
            ("campaign", attempt.pk),
            ("callback", callback.pk),
            ("order", order.pk),
            ("call", call.pk),
        ],
    }


def test_everything_newest_first(world):
    history = client_history(client=world["client"], viewer=world["operator"])
    assert [(e.kind, e.item.pk) for e in history.entries] == world["kinds"]
    assert history.entries[-1].recording_url == "https://pbx.example.kz/rec/h-1.mp3"
    assert not history.has_more


def test_someone_elses_order_is_not_listed_to_those_who_may_not_see_it(world, make_user):
    colleague = make_user("operator")
    kinds = {e.kind for e in client_history(client=world["client"], viewer=colleague).entries}
    assert "order" not in kinds and "call" in kinds
    head = make_user("head_of_sales")
    assert "order" in {e.kind for e in client_history(client=world["client"], viewer=head).entries}


def test_the_open_callback_is_for_those_who_read_the_queue(world, make_user):
    qa = make_user("qa_specialist")
    kinds = {e.kind for e in client_history(client=world["client"], viewer=qa).entries}
    assert "callback" not in kinds
    Callback.objects.update(status=CallbackStatus.DONE, assigned_to=world["operator"])
    mine = client_history(client=world["client"], viewer=world["operator"]).entries
    assert "callback" in {e.kind for e in mine}
    other = client_history(client=world["client"], viewer=make_user("operator")).entries
    assert "callback" not in {e.kind for e in other}


def test_a_recording_that_is_not_a_web_address_gets_no_link(world):
    Call.objects.update(recording_url="javascript:alert(1)")
    entries = client_history(client=world["client"], viewer=world["operator"]).entries
    assert next(e for e in entries if e.kind == "call").recording_url == ""


def test_the_card_shows_the_history_and_more_on_request(world):
    client, operator = world["client"], world["operator"]
    now = timezone.now()
    for n in range(HISTORY_FIRST + 5):
        Call.objects.create(
            call_id=f"more-{n}", client=client, ringing_at=now - timedelta(days=1, minutes=n)
        )
    http = pages(operator)
    card = http.get(reverse("crm:card", kwargs={"client_id": client.pk}))
    html = card.content.decode()
    assert card.status_code == 200 and 'data-testid="history-remark-' in html
    assert len(card.context["history"].entries) == HISTORY_FIRST
    assert f"?history={HISTORY_FIRST * 2}" in html
    more = http.get(reverse("crm:card", kwargs={"client_id": client.pk}), {"history": "40"})
    assert len(more.context["history"].entries) == 30 and not more.context["history"].has_more
    odd = http.get(reverse("crm:card", kwargs={"client_id": client.pk}), {"history": "9" * 40})
    assert odd.status_code == 200 and len(odd.context["history"].entries) == HISTORY_FIRST
