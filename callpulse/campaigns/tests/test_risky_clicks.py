"""Risky clicks ask first (issue 14, item 7), and "Take the next one" offers only what can be
dialled now: the server side, which must hold without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from callpulse.campaigns import services as campaigns
from callpulse.campaigns.models import CampaignStatus
from callpulse.crm.models import DoNotCall
from callpulse.telephony import services
from callpulse.telephony.models import Callback, CallbackReason, CallbackStatus

from .conftest import NOW
from .test_campaigns import dormant_client, make_campaign

pytestmark = pytest.mark.django_db

NEW_YORK = "America/New_York"  # 11:00 in Almaty is 01:00 there: outside the calling hours


def callback(phone: str = "+77015551234", **fields) -> Callback:
    fields.setdefault("reason", CallbackReason.WEBSITE)
    fields.setdefault("due_at", NOW - timedelta(minutes=10))
    return Callback.objects.create(phone=phone, **fields)


def test_take_next_skips_a_client_outside_their_calling_hours(clock, operator):
    asleep = callback("+12125550100", client_timezone=NEW_YORK, priority=2)
    awake = callback("+77015550001", due_at=NOW - timedelta(minutes=1))
    assert services.callback_take_next(actor=operator) == awake
    asleep.refresh_from_db()
    assert asleep.assigned_to is None


def test_take_next_says_when_the_next_one_can_be_dialled(clock, operator, client):
    callback("+12125550100", client_timezone=NEW_YORK)
    assert services.callback_take_next(actor=operator) is None
    # 09:00 in New York on 24 Nov is 14:00 UTC, 19:00 on the center's clock (Almaty)
    next_at = services.callback_next_dialable_at(user=operator)
    assert next_at is not None
    assert next_at.astimezone(NOW.tzinfo).strftime("%d.%m %H:%M") == "24.11 19:00"
    client.force_login(operator)
    page = client.post(reverse("telephony:callback-take"), follow=True).content.decode()
    assert "the next one can be at 19:00" in page


def test_take_next_says_plainly_when_the_queue_is_empty(clock, operator, client):
    client.force_login(operator)
    page = client.post(reverse("telephony:callback-take"), follow=True).content.decode()
    assert "No callback is waiting." in page


def test_the_callbacks_page_says_from_when_a_row_may_be_dialled(clock, operator, client):
    callback("+12125550100", client_timezone=NEW_YORK)
    client.force_login(operator)
    page = client.get(reverse("telephony:callbacks")).content.decode()
    assert "not before 19:00" in page


def test_reached_without_a_dial_asks_first_and_changes_nothing_until_confirmed(
    clock, operator, client
):
    waiting = callback()
    client.force_login(operator)
    url = reverse("telephony:callback-settle", args=[waiting.pk])
    asked = client.post(url, {"result": "done", "next": "/desk/callbacks/"})
    assert asked.status_code == 200
    assert "Yes, the client was reached" in asked.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == CallbackStatus.OPEN
    client.post(url, {"result": "done", "confirmed": "1"})
    waiting.refresh_from_db()
    assert waiting.status == CallbackStatus.DONE


def test_reached_after_a_dial_does_not_ask(clock, operator, client):
    dialled = callback(attempts=1, assigned_to=operator)
    client.force_login(operator)
    answer = client.post(
        reverse("telephony:callback-settle", args=[dialled.pk]), {"result": "done"}
    )
    assert answer.status_code == 302
    dialled.refresh_from_db()
    assert dialled.status == CallbackStatus.DONE


def test_refuses_calls_asks_first_and_lists_the_number_only_when_confirmed(clock, operator, client):
    client.force_login(operator)
    posted = {"number": "+77015551234", "reason": "Отказ", "next": "/desk/callbacks/"}
    asked = client.post(reverse("campaigns:dnc"), posted)
    assert asked.status_code == 200
    assert "Yes, never call" in asked.content.decode()
    assert not DoNotCall.objects.exists()
    client.post(reverse("campaigns:dnc"), {**posted, "confirmed": "1"})
    assert DoNotCall.objects.filter(number="+77015551234").exists()


def test_the_callback_sla_reads_in_hours_and_minutes(clock, operator, client):
    late = callback(due_at=NOW - timedelta(hours=3), first_due_at=NOW - timedelta(hours=3))
    late.first_attempt_at = late.due_at + timedelta(minutes=95)
    late.attempts = 1
    late.save()
    client.force_login(operator)
    page = client.get(reverse("telephony:callbacks")).content.decode()
    assert '<span data-figure="sla-median">1 h 35 min</span>' in page
    assert "first attempt within 30 min of the due time" in page


def test_the_callbacks_page_is_paginated(clock, operator, client):
    Callback.objects.bulk_create(
        Callback(
            phone=f"+7701555{n:04d}",
            reason=CallbackReason.WEBSITE,
            due_at=NOW - timedelta(minutes=n),
        )
        for n in range(120)
    )
    client.force_login(operator)
    first = client.get(reverse("telephony:callbacks")).content.decode()
    assert first.count("data-callback=") == 50
    assert "Page 1 of 3 · 120 in all" in first
    last = client.get(reverse("telephony:callbacks"), {"page": 3}).content.decode()
    assert last.count("data-callback=") == 20


def test_the_campaign_screen_shows_the_clients_own_clock(clock, head, make_operator, client):
    """Item 6: 11:00 in Almaty is 15:00 for a client in Tokyo, and the screen says 15:00."""
    operator = make_operator()
    dormant_client("+77015550001", timezone="Asia/Tokyo")
    campaign = make_campaign(head, [operator])
    campaigns.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)
    client.force_login(operator)
    client.post(reverse("campaigns:work-next", args=[campaign.pk]))
    page = client.get(reverse("campaigns:work", args=[campaign.pk])).content.decode()
    assert '<span data-testid="client-local-time">15:00</span>' in page
